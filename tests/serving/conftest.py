"""Exports to serve and a `kclassics serve` process talking HTTP, shared by the serving tests."""

import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

from tests.conftest import subprocess_env

LISTENING = re.compile(r"listening on (http://\S+)")


def half_plus_three(path):
    """TF Serving's documented toy: `y = 0.5 x + 3`, with a predict and a regress signature (tf.Example input)."""
    import tensorflow as tf

    class HalfPlusThree(tf.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = tf.Variable(0.5), tf.Variable(3.0)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def predict(self, x):
            return {"y": self.a * x + self.b}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
        def regress(self, inputs):
            x = tf.io.parse_example(inputs, {"x": tf.io.FixedLenFeature([1], tf.float32)})["x"]
            return {"outputs": self.a * x + self.b}

    module = HalfPlusThree()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.predict, "tensorflow/serving/regress": module.regress})


def text_model(path):
    """A generic SavedModel: string and float inputs, several outputs (one binary), and a classify signature."""
    import tensorflow as tf

    class Text(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text"), tf.TensorSpec([None], tf.float32, name="scale")])
        def describe(self, text, scale):
            length = tf.strings.length(text)
            return {
                "length": length,
                "upper": tf.strings.upper(text),
                "raw_bytes": tf.strings.join([text, tf.constant(b"\xff")]),
                "scaled": tf.cast(length, tf.float32) * scale,
            }

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
        def classify(self, inputs):
            features = tf.io.parse_example(inputs, {"height": tf.io.FixedLenFeature([1], tf.float32)})
            tall = tf.sigmoid(features["height"] - 1.7)
            batch = tf.shape(inputs)[0]
            return {
                "classes": tf.tile(tf.constant([["short", "tall"]]), [batch, 1]),
                "scores": tf.concat([1.0 - tall, tall], axis=1),
            }

        @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32, name="height"), tf.TensorSpec([None, 1], tf.float32, name="weight")])
        def bmi(self, height, weight):
            return {"outputs": weight / (height * height)}

    module = Text()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.describe, "classify": module.classify, "bmi": module.bmi})


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    """Base directories of versions: a kclassics image classifier and autoencoder, half_plus_three, a text model."""
    import keras

    from kclassics import apps
    from kclassics.export import export_saved_model, scale_to_unit

    root = tmp_path_factory.mktemp("exports")
    keras.utils.set_random_seed(0)
    classifier = apps.softmax_regression()
    classifier.set_weights([np.random.default_rng(0).normal(0, 0.05, w.shape).astype("float32") for w in classifier.get_weights()])
    export_saved_model(classifier, root / "mnist", version=1, preprocess=scale_to_unit)  # + predict_images (encoded images)
    autoencoder = apps.denoising_autoencoder(input_shape=(16,), hidden_units=4)
    export_saved_model(autoencoder, root / "autoencoder", version=1, input_name="inputs", task="reconstruction")
    half_plus_three(root / "half_plus_three" / "123")
    text_model(root / "text" / "1")
    for version in (1, 2):  # the polled model: copies of half_plus_three
        shutil.copytree(root / "half_plus_three" / "123", root / "polled" / str(version))
    (root / "models.config").write_text(
        "model_config_list {\n"
        + "".join(f'  config {{ name: "{name}" base_path: "{root / name}" model_platform: "tensorflow" {extra} }}\n' for name, extra in [
            ("mnist", ""),
            ("autoencoder", ""),
            ("half_plus_three", 'version_labels { key: "stable" value: 123 }'),
            ("text", ""),
            ("polled", ""),
        ])
        + "}\n"
    )
    return {"root": root, "classifier": classifier, "autoencoder": autoencoder}


class Server:
    """A `kclassics serve` child process; `url`, `get`, `post` (JSON in, (status, JSON) out)."""

    def __init__(self, *args, cwd=None):
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kclassics", "serve", "--port", "0", *map(str, args)],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=subprocess_env(), cwd=cwd,
        )
        line = self.process.stdout.readline()
        match = LISTENING.search(line)
        if not match:
            self.process.kill()
            self.stderr.seek(0)
            raise AssertionError(line + self.stderr.read()[-3000:])
        self.url = match.group(1)
        self.lines = [line]
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()  # keeps the pipe drained

    def wait_ready(self, *names, timeout=120):
        deadline = time.monotonic() + timeout
        for name in names:
            while True:
                status, body = self.get(f"/v1/models/{name}")
                if status == 200 and body["ready"]:
                    break
                assert time.monotonic() < deadline, (name, status, body, self.process.poll())
                time.sleep(0.1)
        return self

    def request(self, method, path, body=None, raw=None, headers=None):
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None, raw=None):
        return self.request("POST", path, body, raw, {"Content-Type": "application/json"})

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
