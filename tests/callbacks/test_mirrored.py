"""Every callback under MirroredStrategy on two logical CPU devices, in a child process
(logical devices must be configured before TensorFlow initialises)."""

import json

SCRIPT = r'''
import json, re, sys
import numpy as np
import tensorflow as tf

cpu, = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from kclassics import callbacks as kc

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
rng = np.random.default_rng(0)
x, y = rng.random((32, 16), dtype="float32"), (np.arange(32) % 3).astype("int32")
out = sys.argv[1]


def make_model():
    keras.utils.set_random_seed(0)
    with strategy.scope():
        inputs = keras.Input((16,))
        hidden = keras.layers.Dense(5, activation="relu", name="hidden")(inputs)
        outputs = keras.layers.Dense(3, activation="softmax", name="probabilities")(hidden)
        model = keras.Model(inputs, outputs)
        model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


model = make_model()
before = []
record = keras.callbacks.LambdaCallback(
    on_train_batch_begin=lambda b, logs: before.append(model.get_layer("hidden")(x[8 * (b % 4): 8 * (b % 4) + 8]).numpy())
)
capture = kc.CaptureVariable("hidden/kernel", every_n_steps=3)
printer = kc.PrintTensor("hidden", every_n_steps=3)
counter = kc.StepCounter(every_n_steps=3, log_dir=out + "/counter")
validation = kc.ValidationMonitor((x, y), every_n_steps=2, early_stopping_rounds=100)
export = kc.ExportMonitor(out + "/export", every_n_steps=6, exports_to_keep=1)
callbacks = [
    kc.CheckpointSaver(out + "/ckpt", save_steps=4, keep=2), record, kc.StepLogger(every_n_steps=3), counter, capture,
    printer, kc.LoggingTrainable("probabilities/bias", every_n_steps=6),
    kc.SummarySaver(3, out + "/summaries", activations="hidden", images=True, image_shape=(4, 4, 1)),
    validation, export, kc.NanLoss(), kc.StopAtStep(last_step=7),
]
model.fit(x, y, batch_size=8, epochs=5, verbose=0, shuffle=False, callbacks=callbacks)
result = {
    "replicas": strategy.num_replicas_in_sync,
    "step": kc.global_step(model),
    "captured": sorted(capture.values),
    "printed": {str(s): list(v["hidden"].shape) for s, v in printer.values.items()},
    "printed_matches": all(np.allclose(v["hidden"], before[s - 1], atol=1e-5) for s, v in printer.values.items()),
    "examples_per_step": [e / s for _, s, e in counter.rates],
    "evaluations": [s for s, _ in validation.evaluations],
    "best_step": validation.best_step,
    "exports": [s for s, _ in export.exports],
    "checkpoints": [s for s, _ in kc.list_checkpoints(out + "/ckpt")],
}

resumed = make_model()
resumed.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[kc.CheckpointSaver(out + "/ckpt", save_steps=4), kc.StopAtStep(num_steps=2)])
result["resumed_step"] = kc.global_step(resumed)

weights = np.ones(32, dtype="float32")
weights[20] = np.nan  # in the third batch of 8
try:
    make_model().fit(x, y, sample_weight=weights, batch_size=8, epochs=1, verbose=0, shuffle=False, callbacks=[kc.NanLoss()])
except kc.NanLossDuringTrainingError as error:
    result["nan"] = str(error)
print("RESULT " + json.dumps(result))
'''


def test_all_callbacks_under_mirrored_strategy(run_python, tmp_path):
    proc = run_python(SCRIPT.replace("sys.argv[1]", repr(str(tmp_path))), timeout=300)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    result = json.loads(lines[0][len("RESULT "):])
    print(result)
    assert result["replicas"] == 2
    assert result["step"] == 7
    assert result["captured"] == [1, 3, 6]
    assert result["printed"] == {"1": [8, 5], "3": [8, 5], "6": [8, 5]}  # both replicas' halves of the global batch
    assert result["printed_matches"]
    assert all(abs(ratio - 8) < 1e-6 for ratio in result["examples_per_step"])
    assert result["evaluations"] == [2, 4, 6] and result["best_step"] in (2, 4, 6)
    assert result["exports"] == [6, 7]
    assert result["checkpoints"] == [4, 7]
    assert result["resumed_step"] == 9
    assert "at step 3" in result["nan"]
    assert "Step 3: loss = " in proc.stdout and "Validation (step 2): loss = " in proc.stdout
