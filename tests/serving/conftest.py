"""Exports to serve and `kclassics serve` processes, shared by the serving tests.

`exports`: kclassics exports and TF Serving's documented toys, for the REST
tests. `task_exports`: one tiny export of every export task, the models of
the gRPC and V2 documents' examples, and a model whose versions change.
`grpc_server`: one server process with HTTP and gRPC serving all of them,
shared by the gRPC, V2, task, version and warm-up tests of the session.
"""

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
GRPC_LISTENING = re.compile(r" and grpc://(\S+)")


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


def half_plus_two(path):
    """TF Serving's test model `half_plus_two` (y = 0.5 x + 2, y2 = 0.5 x + 3), with the signatures its model-server tests call."""
    import tensorflow as tf

    class HalfPlusTwo(tf.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = tf.Variable(0.5), tf.Variable(2.0), tf.Variable(3.0)

        def parse(self, inputs, key):
            return tf.io.parse_example(inputs, {key: tf.io.FixedLenFeature([1], tf.float32)})[key]

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def predict(self, x):
            return {"y": self.a * x + self.b}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
        def classify_x_to_y(self, inputs):
            return {"scores": self.a * self.parse(inputs, "x") + self.b}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
        def regress_x_to_y(self, inputs):
            return {"outputs": self.a * self.parse(inputs, "x") + self.b}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
        def regress_x_to_y2(self, inputs):
            return {"outputs": self.a * self.parse(inputs, "x") + self.c}

    module = HalfPlusTwo()
    tf.saved_model.save(module, str(path), signatures={
        "serving_default": module.predict, "classify_x_to_y": module.classify_x_to_y,
        "regress_x_to_y": module.regress_x_to_y, "regress_x_to_y2": module.regress_x_to_y2})


def spec_example(path):
    """The model of KServe V2's inference example: `input0` UINT32 [2, 2] and `input1` BOOL [3] -> `output0` FP32 [3, 2].

    `output0` is the documented answer, `[[1.0, 1.1], [2.0, 2.1], [3.0, 3.1]]`
    (one row per element of `input1`; a false element zeroes its row), and
    `output1` the same rows for `input0`, Triton's binary-data example's answer.
    """
    import tensorflow as tf

    class SpecExample(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.uint32, name="input0"), tf.TensorSpec([None], tf.bool, name="input1")])
        def infer(self, input0, input1):
            def rows(n):
                return tf.cast(tf.range(1, n + 1), tf.float32)[:, None] + tf.constant([[0.0, 0.1]])

            return {"output0": rows(tf.shape(input1)[0]) * tf.cast(input1, tf.float32)[:, None], "output1": rows(tf.shape(input0)[0])}

    module = SpecExample()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.infer})


def halves(path):
    """16-bit floats in and out: `half` (float16) and `brain` (bfloat16) doubled, and their float32 sum."""
    import tensorflow as tf

    class Halves(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float16, name="half"), tf.TensorSpec([None], tf.bfloat16, name="brain")])
        def double(self, half, brain):
            return {"half": half * 2, "brain": brain * 2, "sum": tf.cast(half, tf.float32) + tf.cast(brain, tf.float32)}

    module = Halves()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.double})


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
        grpc_match = GRPC_LISTENING.search(line)
        self.grpc = grpc_match.group(1) if grpc_match else None  # host:port
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


TABLE = np.random.default_rng(0).normal(size=(24, 4)).astype("float32")


@pytest.fixture(scope="session")
def task_exports(exports):
    """A tiny export of every export task, the V2 and gRPC documents' models and the versions of `live`; returns their names."""
    import keras

    from kclassics import learn
    from kclassics.embeddings import SkipGram
    from kclassics.export import export_saved_model
    from kclassics.language_model import LanguageModel
    from kclassics.rl.networks import policy_network

    root = exports["root"]
    keras.utils.set_random_seed(0)
    export_saved_model(SkipGram(["UNK", "the", "cat", "sat"], embedding_size=4, num_sampled=2), root / "word2vec", 1, "words", "embedding_lookup")
    export_saved_model(LanguageModel(vocab_size=12, hidden_size=4, num_layers=2), root / "ptb_lm", 1, "token_ids", "next_word")
    export_saved_model(policy_network(4, 3), root / "cartpole_pg", 1, "observations", "policy", values="probabilities")
    export_saved_model(learn.DNNClassifier(TABLE, [4], n_classes=3), root / "iris_dnn", 1, task="classify",
                       labels=["setosa", "versicolor", "virginica"])
    export_saved_model(learn.LinearRegressor(TABLE), root / "linear_regressor", 1, task="regress")
    kmeans = learn.KMeans(2, seed=0)
    kmeans.fit(TABLE, epochs=1, verbose=0)
    export_saved_model(kmeans, root / "kmeans", 1, "points", "clustering")
    half_plus_two(root / "half_plus_two" / "123")
    spec_example(root / "spec_example" / "1")
    halves(root / "halves" / "1")
    for probe in ("warm_probe", "cold_probe"):  # copies of the mnist export: the first only keeps its warm-up requests
        shutil.copytree(root / "mnist" / "1", root / probe / "1")
    shutil.rmtree(root / "cold_probe" / "1" / "assets.extra")
    for version in (1, 2, 3):  # `live`, whose versions change under load: version N computes 0.5 x + N
        half_plus(root / "store" / str(version), version)
    half_plus(root / "elsewhere" / "7", 7)
    for version in (1, 2):
        shutil.copytree(root / "store" / str(version), root / "live" / str(version))
    names = ["mnist", "autoencoder", "word2vec", "ptb_lm", "cartpole_pg", "iris_dnn", "linear_regressor", "kmeans", "text",
             "half_plus_two", "spec_example", "halves", "warm_probe", "cold_probe", "live"]
    (root / "grpc_models.config").write_text(
        "model_config_list {\n" + "".join(f"  config {{ {model_config(root, name)} }}\n" for name in names) + "}\n")
    return names


LABELS = {"half_plus_two": {"stable": 123}}


def model_config(root, name, base=None, labels=None):
    """One `config { ... }` entry of the shared server's model config file."""
    labels = LABELS.get(name, {}) if labels is None else labels
    return f'name: "{name}" base_path: "{base or root / name}"' + "".join(
        f' version_labels {{ key: "{key}" value: {value} }}' for key, value in labels.items())


def half_plus(path, b):
    """y = 0.5 x + b."""
    import tensorflow as tf

    class HalfPlus(tf.Module):
        def __init__(self):
            super().__init__()
            self.b = tf.Variable(float(b))

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def predict(self, x):
            return {"y": 0.5 * x + self.b}

    module = HalfPlus()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.predict})


GRPC_MAX_MESSAGE = 1_000_000


@pytest.fixture(scope="session")
def grpc_server(exports, task_exports):
    """One server of every task export, with HTTP and gRPC, batching and polling: the gRPC, V2, task, version and warm-up tests' server."""
    server = Server(
        "--config", exports["root"] / "grpc_models.config", "--grpc-port", 0, "--enable-batching", "--max-batch-size", 8,
        "--batch-timeout-micros", 2000, "--poll-seconds", 0.1, "--max-body-bytes", GRPC_MAX_MESSAGE,
    )
    server.root, server.models = exports["root"], task_exports
    try:
        yield server.wait_ready(*task_exports)
    finally:
        server.stop()
