"""The book's TensorBoard example (book 9.1, L5565-5749): an MLP on MNIST with summaries of everything.

Every step: scalars mean/stddev/max/min and a histogram of each weight and
bias, histograms of each layer's pre-activations and activations, the input
images (up to 10), the dropout keep probability, cross entropy and accuracy.
Steps `i % 10 == 0` evaluate the test set and write the summaries to `test/`
instead of training; the other steps train and write to `train/`; steps
`i % 100 == 99` also record a profile trace and save a checkpoint.
"""

import dataclasses

from kclassics import validation
from kclassics.log import log
from kclassics.optimizers import make_optimizer
from kclassics.programs import MNIST_FILES, Length, Program, register
from kclassics.runs import Run


@dataclasses.dataclass(frozen=True)
class TensorBoardConfig:
    """The hyperparameters of the book's TensorBoard example.

    Attributes:
        model: registry name of the network (784-500-10, dropout keep 0.9).
        learning_rate: Adam's learning rate.
        steps: loop iterations (every 10th evaluates instead of training).
        batch_size: examples per training step.
        test_every: iterations between test summaries.
        trace_every: iterations between profile traces and checkpoints.
        max_images: input images summarised.
        dataset: name accepted by `kclassics.data.load`.
        seed: seed of weights, shuffling and dropout.
        source: where in the book these values come from.
    """

    model: str = "tensorboard_mnist"
    learning_rate: float = 0.001  # learning_rate=0.001, L5571
    steps: int = 1000  # max_steps=1000, L5570
    batch_size: int = 100  # mnist.train.next_batch(100), L5714
    test_every: int = 10  # if i % 10 == 0, L5727
    trace_every: int = 100  # if i % 100 == 99, L5732
    max_images: int = 10  # tf.summary.image('input', ..., 10), L5593
    dataset: str = "digits"
    seed: int = 0
    source: str = "book 9.1, L5570-5572, L5593, L5714, L5727-5743"

    def __post_init__(self):
        for field in ("steps", "batch_size", "test_every", "trace_every", "max_images"):
            validation.positive_int(field, getattr(self, field))
        validation.positive_float("learning_rate", self.learning_rate)
        validation.seed("seed", self.seed)


TENSORBOARD_MNIST = TensorBoardConfig()
_LAYERS = ("layer1", "layer2")


def variable_summaries(name, variable, step):
    """mean, stddev, max, min scalars and a histogram of one variable (the book's `variable_summaries`, L5611)."""
    import tensorflow as tf

    mean = tf.reduce_mean(variable)
    tf.summary.scalar(f"{name}/summaries/mean", mean, step=step)
    tf.summary.scalar(f"{name}/summaries/stddev", tf.sqrt(tf.reduce_mean(tf.square(variable - mean))), step=step)
    tf.summary.scalar(f"{name}/summaries/max", tf.reduce_max(variable), step=step)
    tf.summary.scalar(f"{name}/summaries/min", tf.reduce_min(variable), step=step)
    tf.summary.histogram(f"{name}/summaries/histogram", variable, step=step)


def write_summaries(writer, model, step, images, outputs, loss, accuracy, keep_probability, max_images=10):
    """Everything the book's `merged` summary op holds, for one batch, to `writer` (traceable by `tf.function`)."""
    import tensorflow as tf

    with writer.as_default(step=step):
        tf.summary.image("input_reshape/input", tf.reshape(images, (-1, 28, 28, 1)), max_outputs=max_images)
        for layer_name, (pre_activations, activations) in zip(_LAYERS, outputs):
            layer = model.get_layer(layer_name)
            variable_summaries(f"{layer_name}/weights", layer.kernel, step)
            variable_summaries(f"{layer_name}/biases", layer.bias, step)
            tf.summary.histogram(f"{layer_name}/Wx_plus_b/pre_activations", pre_activations, step=step)
            tf.summary.histogram(f"{layer_name}/activations", activations, step=step)
        tf.summary.scalar("dropout/dropout_keep_probability", keep_probability, step=step)
        tf.summary.scalar("cross_entropy", loss, step=step)
        tf.summary.scalar("accuracy/accuracy", accuracy, step=step)


def train_tensorboard_mnist(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose=1):
    """Runs the book's TensorBoard example and writes a run directory.

    `logs/train` and `logs/test` hold the summaries (and the profile traces in
    `logs/train/plugins/profile`), `checkpoints/` a checkpoint every 100 steps
    (numbered as the book's `saver.save(sess, ..., i)`: `ckpt-99` holds steps 0-99).

    Args:
        config: a `TensorBoardConfig`.
        program: the `Program` being run.
        out: run directory; default a new `runs/tensorboard_mnist-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: directory of the MNIST IDX files (switches the dataset to MNIST).
        callbacks: unused, for the common program signature.
        verbose: log `Accuracy at step %s: %s` lines when truthy.

    Returns:
        A `RunResult`.
    """
    import keras
    import tensorflow as tf

    from kclassics import data as kdata
    from kclassics.apps import create_model
    from kclassics.programs._data import load_program_data
    from kclassics.training import check_batch_size

    splits = load_program_data(config.dataset, data_dir)
    check_batch_size(config.batch_size, splits.train)
    run = Run.open(out, program, config, resume)
    keras.utils.set_random_seed(config.seed)
    model = create_model(config.model, input_shape=splits.input_shape, classes=splits.num_classes)
    keep_probability = 1.0 - model.get_layer("dropout").rate
    # One forward pass giving each layer's pre-activations and activations (layer2's activation is the identity).
    probe = keras.Model(
        model.inputs,
        [model.get_layer("layer1").output, model.get_layer("layer1_activation").output, model.get_layer("layer2").output],
    )
    optimizer = program.optimizer(config)
    cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    # compiled so that checkpoints and model.keras hold the optimizer; the loop below is the book's own
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = run.restore(model).get("next_step", 0)

    train_writer = tf.summary.create_file_writer(str(run.log_dir / "train"))
    test_writer = tf.summary.create_file_writer(str(run.log_dir / "test"))
    step = tf.Variable(start, dtype=tf.int64, name="step")

    def forward(x, y, training):
        pre1, act1, logits = probe(x, training=training)
        loss = cross_entropy(y, logits)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, -1), tf.cast(y, tf.int64)), tf.float32))
        return loss, accuracy, ((pre1, act1), (logits, logits))

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss, accuracy, outputs = forward(x, y, training=True)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        write_summaries(train_writer, model, step, x, outputs, loss, accuracy, keep_probability, config.max_images)
        return loss, accuracy

    @tf.function
    def test_step(x, y):
        loss, accuracy, outputs = forward(x, y, training=False)
        write_summaries(test_writer, model, step, x, outputs, loss, accuracy, 1.0, config.max_images)
        return loss, accuracy

    batches = iter(kdata.training_pipeline(splits.train, config.batch_size, seed=config.seed + start))
    test_x, test_y = tf.constant(splits.test.x), tf.constant(splits.test.y)
    run.start_training()
    for i in range(start, config.steps):
        step.assign(i)
        if i % config.test_every == 0:  # record test-set summaries and accuracy (L5727-5730)
            loss, accuracy = test_step(test_x, test_y)
            run.record(i, val_loss=loss, val_accuracy=accuracy)
            if verbose:
                log("Accuracy at step %s: %s" % (i, float(accuracy)))
        else:
            x, y = next(batches)
            trace = i % config.trace_every == config.trace_every - 1
            if trace:  # the book's FULL_TRACE run metadata (L5732-5741): graph and profile of this step
                tf.summary.trace_on(graph=True)
                tf.profiler.experimental.start(str(run.log_dir / "train"))
            loss, accuracy = train_step(x, y)
            if trace:
                tf.profiler.experimental.stop()
                with train_writer.as_default():
                    tf.summary.trace_export(name="step%03d" % i, step=i)
            run.record(i, loss=loss, accuracy=accuracy)
            if trace:
                run.checkpoint(i, model, next_step=i + 1)  # saver.save(sess, ..., i), L5743
                if verbose:
                    log("Adding run metadata for %s" % i)
            elif run.due(i + 1, by_steps=False):
                run.checkpoint(i + 1, model, next_step=i + 1)
        step.assign(i + 1)
    train_writer.close()
    test_writer.close()
    if config.steps % config.trace_every and config.steps > run.step:
        run.checkpoint(config.steps, model, next_step=config.steps)

    test_loss, test_accuracy, _ = forward(test_x, test_y, training=False)
    metrics = {
        "test_loss": float(test_loss),
        "test_accuracy": float(test_accuracy),
        "test_accuracy_every_%d_steps" % config.test_every: [value for _, value in run.history.get("val_accuracy", [])],
    }
    return run.finish(model, metrics, task=program.task, step=max(config.steps, start))


register(Program(
    "tensorboard_mnist", TENSORBOARD_MNIST, f"{__name__}:train_tensorboard_mnist",
    "784-500-10 MLP with full TensorBoard summaries, Adam 1e-3, 1000 steps x 100 (9.1)",
    length=Length("steps"), optimizer=lambda config: make_optimizer("adam", config.learning_rate), data=MNIST_FILES,
))
