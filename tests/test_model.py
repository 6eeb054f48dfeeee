import numpy as np
import keras

import kclassics


def test_functional_round_trip_safe_mode(tmp_path):
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(3, activation="softmax")(inputs)
    model = kclassics.Model(inputs, outputs, name="tiny")
    path = tmp_path / "tiny.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(loaded, kclassics.Model) and isinstance(model, kclassics.Model)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


@keras.saving.register_keras_serializable(package="kclassics_tests")
class TwoLayer(kclassics.Model):
    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.out = keras.layers.Dense(2)

    def call(self, x):
        return self.out(self.hidden(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclass_with_call_round_trips_and_fits(tmp_path):
    model = TwoLayer(units=6)
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((8, 3), "float32")
    model.fit(x, np.zeros((8, 2), "float32"), epochs=1, verbose=0)
    assert isinstance(model, keras.Model)
    model.save(tmp_path / "sub.keras")
    loaded = keras.saving.load_model(tmp_path / "sub.keras", safe_mode=True)
    assert loaded.units == 6
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)


def test_top_level_imports():
    assert kclassics.__version__
    assert kclassics.apps.list_models("mnist*") == ["mnist_cnn"]
    assert kclassics.callbacks.StepLogger and kclassics.data.load


def test_keras_files_load_after_importing_only_kclassics(tmp_path, run_python):
    """`import kclassics` is enough for `keras.saving.load_model` to find kclassics' classes."""
    import kclassics.apps as apps

    rng = np.random.default_rng(0)
    inputs = {"mlp": rng.uniform(size=(2, 28, 28, 1)), "denoising_autoencoder": rng.uniform(size=(2, 784))}
    for name, x in inputs.items():
        model = apps.create_model(name)
        model.compile(optimizer="adagrad", loss="mse")
        model.save(tmp_path / f"{name}.keras")
        np.save(tmp_path / f"{name}_x.npy", x.astype("float32"))
        np.save(tmp_path / f"{name}_y.npy", np.asarray(model(x.astype("float32"))))
    done = run_python(
        "import numpy as np, kclassics, keras\n"
        f"d = {str(tmp_path)!r}\n"
        "for name in ('mlp', 'denoising_autoencoder'):\n"
        "    m = keras.saving.load_model(f'{d}/{name}.keras', safe_mode=True)\n"
        "    assert isinstance(m, kclassics.Model), type(m)\n"
        "    np.testing.assert_allclose(m(np.load(f'{d}/{name}_x.npy')), np.load(f'{d}/{name}_y.npy'), atol=1e-6)\n"
    )
    assert done.returncode == 0, done.stderr[-3000:]


BLOCK_KCLASSICS = (
    "import sys\n"
    "class Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'kclassics' or name.startswith('kclassics.'):\n"
    "            raise ImportError(f'{name} is blocked')\n"
    "sys.meta_path.insert(0, Block())\n"
)


def test_a_built_ins_only_model_keras_loads_where_kclassics_cannot_be_imported(tmp_path, run_python):
    """What a run writes as model.keras: Keras's own Model when every layer is Keras's; kclassics' classes otherwise."""
    import keras

    import kclassics.apps as apps
    from kclassics.layers import LocalResponseNormalization
    from kclassics.model import Model, portable

    x = np.random.default_rng(0).uniform(size=(2, 28, 28, 1)).astype("float32")
    mlp = apps.mlp()
    mlp.compile(optimizer="adagrad", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    portable(mlp).save(tmp_path / "mlp.keras")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.asarray(mlp(x)))
    inputs = keras.Input((8, 8, 4))
    lrn = Model(inputs, LocalResponseNormalization()(inputs))
    assert portable(lrn) is lrn, "a model with kclassics' layers keeps its class"
    portable(lrn).save(tmp_path / "lrn.keras")
    done = run_python(
        BLOCK_KCLASSICS + "import numpy as np, keras\n"
        f"d = {str(tmp_path)!r}\n"
        "m = keras.saving.load_model(f'{d}/mlp.keras')\n"
        "np.testing.assert_allclose(m(np.load(f'{d}/x.npy')), np.load(f'{d}/y.npy'), atol=1e-6)\n"
        "assert m.optimizer.name == 'adagrad' and m.count_params() == 238510\n"
        "try:\n"
        "    keras.saving.load_model(f'{d}/lrn.keras')\n"
        "except Exception as error:\n"
        "    print(error)\n"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "kclassics" in done.stdout and "LocalResponseNormalization" in done.stdout, done.stdout[-1500:]
