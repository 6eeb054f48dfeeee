"""Feature recipes: the book's feature columns (11.2.3, L7255-7330) as Keras preprocessing layers.

Each column is a small frozen record whose `feature()` is the matching
`keras.utils.FeatureSpace` feature (a preprocessing layer and how its output
is encoded):

| book (tf.contrib.layers)                 | kclassics.learn                         | FeatureSpace / Keras layer |
|------------------------------------------|-----------------------------------------|----------------------------|
| `real_valued_column(name, dimension)`    | `real_valued_column(name, dimension)`   | `float_normalized` / `Normalization` |
| `sparse_column_with_keys(name, keys)`    | `sparse_column_with_keys(name, keys)`   | `StringLookup` / `IntegerLookup` with the keys as vocabulary |
| `sparse_column_with_hash_bucket(name, n)`| `sparse_column_with_hash_bucket(name, n)` | `string_hashed(n)` / `Hashing` |
| `bucketized_column(col, boundaries)`     | `bucketized_column(col, boundaries)`    | `float_discretized(bin_boundaries=)` / `Discretization` |
| `crossed_column(cols, hash_bucket_size)` | `crossed_column(cols, hash_bucket_size)`| `FeatureSpace.cross` / `HashedCrossing` |
| `embedding_column(col, dimension)`       | `embedding_column(col, dimension)`      | the column's ids (`output_mode="int"`) into `Embedding` |

A `FeatureRecipe` is a list of columns adapted to a training frame (a dict of
equal-length columns, e.g. `dict(pandas_frame)`); it makes the model's inputs
(one `keras.Input` per raw column) and encodes any subset of its columns as
one dense tensor, so the wide and the deep part of a model can read the same
raw column in different ways (one-hot for the linear part, an embedding for
the deep part), as the book's census example does.
"""

import dataclasses
import keras
import numpy as np

from kclassics import validation

_STRING_KINDS = "USO"  # numpy kinds of text columns: unicode, bytes, object


@dataclasses.dataclass(frozen=True)
class RealValuedColumn:
    """A numeric column of `dimension` values per example, standardised with the training frame's mean and variance."""

    name: str
    dimension: int = 1
    normalize: bool = True

    def __post_init__(self):
        validation.text("column_name", self.name)
        validation.positive_int("dimension", self.dimension)
        validation.boolean("normalize", self.normalize)

    @property
    def sources(self):
        return (self.name,)

    def feature(self):
        space = keras.utils.FeatureSpace
        return space.float_normalized(name=self.name) if self.normalize else space.float(name=self.name)

    def cardinality(self, layer):
        return None


@dataclasses.dataclass(frozen=True)
class SparseColumnWithKeys:
    """A categorical column whose values are known in advance (`keys`); any other value gets its own id."""

    name: str
    keys: tuple

    def __post_init__(self):
        validation.text("column_name", self.name)
        if isinstance(self.keys, str):
            raise ValueError(f"`keys` of column {self.name!r} must be a list of values, not one string. Received: keys={self.keys!r}")
        keys = tuple(self.keys)
        if not keys or len(set(keys)) != len(keys):
            raise ValueError(f"`keys` of column {self.name!r} must be a non-empty list of distinct values. Received: keys={self.keys!r}")
        object.__setattr__(self, "keys", keys)

    @property
    def sources(self):
        return (self.name,)

    @property
    def numeric(self):
        return all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in self.keys)

    def feature(self):
        if self.numeric:
            layer = keras.layers.IntegerLookup(vocabulary=list(self.keys), name=f"{self.name}_lookup")
            return keras.utils.FeatureSpace.feature("int32", layer, "int")
        layer = keras.layers.StringLookup(vocabulary=[str(k) for k in self.keys], name=f"{self.name}_lookup")
        return keras.utils.FeatureSpace.feature("string", layer, "int")

    def cardinality(self, layer):
        return layer.vocabulary_size()


@dataclasses.dataclass(frozen=True)
class SparseColumnWithHashBucket:
    """A categorical column of unknown values, hashed into `hash_bucket_size` ids."""

    name: str
    hash_bucket_size: int

    def __post_init__(self):
        validation.text("column_name", self.name)
        validation.positive_int("hash_bucket_size", self.hash_bucket_size)

    @property
    def sources(self):
        return (self.name,)

    def feature(self):
        return keras.utils.FeatureSpace.string_hashed(self.hash_bucket_size, output_mode="int", name=self.name)

    def cardinality(self, layer):
        return self.hash_bucket_size


@dataclasses.dataclass(frozen=True)
class BucketizedColumn:
    """A numeric column cut at `boundaries` into `len(boundaries) + 1` ranges, each a category."""

    source_column: RealValuedColumn
    boundaries: tuple

    def __post_init__(self):
        if not isinstance(self.source_column, RealValuedColumn) or self.source_column.dimension != 1:
            raise ValueError(
                "`source_column` of a bucketized column must be a real_valued_column of dimension 1. "
                f"Received: source_column={self.source_column!r}"
            )
        boundaries = tuple(self.boundaries) if isinstance(self.boundaries, (list, tuple)) else ()
        if not all(isinstance(b, (int, float, np.number)) and not isinstance(b, bool) and np.isfinite(b) for b in boundaries):
            boundaries = ()
        boundaries = tuple(float(b) for b in boundaries)
        if not boundaries or list(boundaries) != sorted(set(boundaries)):
            raise ValueError(f"`boundaries` must be a non-empty increasing list of numbers. Received: boundaries={self.boundaries!r}")
        object.__setattr__(self, "boundaries", boundaries)

    @property
    def name(self):
        return f"{self.source_column.name}_bucketized"

    @property
    def sources(self):
        return (self.source_column.name,)

    def feature(self):
        return keras.utils.FeatureSpace.float_discretized(
            None, bin_boundaries=list(self.boundaries), output_mode="int", name=self.name
        )

    def cardinality(self, layer):
        return len(self.boundaries) + 1


@dataclasses.dataclass(frozen=True)
class CrossedColumn:
    """The combinations of the ids of categorical columns, hashed into `hash_bucket_size` ids."""

    columns: tuple
    hash_bucket_size: int

    def __post_init__(self):
        columns = tuple(self.columns)
        if len(columns) < 2 or not all(isinstance(c, _CATEGORICAL) for c in columns):
            raise ValueError(
                "`columns` of a crossed column must be two or more sparse or bucketized columns. "
                f"Received: columns={self.columns!r}"
            )
        validation.positive_int("hash_bucket_size", self.hash_bucket_size)
        object.__setattr__(self, "columns", columns)

    @property
    def name(self):
        return "_X_".join(c.name for c in self.columns)

    @property
    def sources(self):
        return tuple(dict.fromkeys(s for c in self.columns for s in c.sources))

    def feature(self):
        return keras.utils.FeatureSpace.cross([c.name for c in self.columns], self.hash_bucket_size, output_mode="int")

    def cardinality(self, layer):
        return self.hash_bucket_size


@dataclasses.dataclass(frozen=True)
class EmbeddingColumn:
    """A categorical column's ids mapped to learned dense vectors of `dimension` values."""

    sparse_column: object
    dimension: int

    def __post_init__(self):
        if not isinstance(self.sparse_column, _CATEGORICAL):
            raise ValueError(
                f"`sparse_column` of an embedding column must be a sparse, bucketized or crossed column. "
                f"Received: sparse_column={self.sparse_column!r}"
            )
        validation.positive_int("dimension", self.dimension)

    @property
    def name(self):
        return f"{self.sparse_column.name}_embedding"

    @property
    def sources(self):
        return self.sparse_column.sources


_CATEGORICAL = (SparseColumnWithKeys, SparseColumnWithHashBucket, BucketizedColumn, CrossedColumn)


def real_valued_column(column_name, dimension=1, normalize=True):
    """`tf.contrib.layers.real_valued_column`: a numeric column (standardised unless `normalize=False`)."""
    return RealValuedColumn(column_name, dimension, normalize)


def sparse_column_with_keys(column_name, keys):
    """`tf.contrib.layers.sparse_column_with_keys`: a categorical column with a fixed vocabulary."""
    return SparseColumnWithKeys(column_name, tuple(keys))


def sparse_column_with_hash_bucket(column_name, hash_bucket_size):
    """`tf.contrib.layers.sparse_column_with_hash_bucket`: a categorical column hashed into buckets."""
    return SparseColumnWithHashBucket(column_name, hash_bucket_size)


def bucketized_column(source_column, boundaries):
    """`tf.contrib.layers.bucketized_column`: a numeric column cut into ranges."""
    return BucketizedColumn(source_column, tuple(boundaries))


def crossed_column(columns, hash_bucket_size):
    """`tf.contrib.layers.crossed_column`: hashed combinations of categorical columns."""
    return CrossedColumn(tuple(columns), hash_bucket_size)


def embedding_column(sparse_id_column, dimension):
    """`tf.contrib.layers.embedding_column`: a categorical column as learned dense vectors."""
    return EmbeddingColumn(sparse_id_column, dimension)


def infer_real_valued_columns_from_input(x):
    """`tf.contrib.learn.infer_real_valued_columns_from_input`: one unnormalised numeric column `x` as wide as the array."""
    x = validation.array("x", x, ndim=2, what="numbers (examples x features)")
    return FeatureRecipe([RealValuedColumn("x", x.shape[1], normalize=False)]).adapt({"x": x})


def as_frame(x, recipe):
    """A 2-D array for a recipe inferred from one (its single column `x`), or the frame itself."""
    if isinstance(x, dict):
        return x
    return {recipe.columns[0].name: np.asarray(x)}


class FeatureRecipe:
    """Columns adapted to a training frame: the model's inputs and their dense encodings.

    Args:
        columns: the columns (from `real_valued_column`, `sparse_column_with_keys`, ...).

    Usage:
        recipe = FeatureRecipe([real_valued_column("age"), sparse_column_with_keys("sex", ["female", "male"])])
        recipe.adapt(train_frame)              # the Normalization means and variances
        inputs = recipe.inputs()               # {"age": Input((1,)), "sex": Input((1,), dtype="string")} (one column: [its Input])
        dense = recipe.encode(inputs)          # (batch, 1 + 3): normalised age, one-hot sex (with an unknown id)
    """

    def __init__(self, columns):
        columns = list(columns) if isinstance(columns, (list, tuple)) else columns
        if not isinstance(columns, list) or not columns:
            raise ValueError(f"A feature recipe needs at least one column. Received: columns={columns!r}")
        strangers = [c for c in columns if not isinstance(c, (RealValuedColumn, EmbeddingColumn, *_CATEGORICAL))]
        if strangers:
            raise ValueError(f"`columns` must be feature columns (real_valued_column, sparse_column_with_keys, ...). "
                             f"Received: {strangers[0]!r}")
        names = [c.name for c in columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"Each column of a recipe needs its own name. Received more than one column named {duplicates}")
        self.columns = columns
        self.dtypes = None
        self._layers = {}

    def __repr__(self):
        return f"FeatureRecipe({self.columns!r})"

    @property
    def sources(self):
        """The raw column names the recipe reads, in order."""
        return list(dict.fromkeys(s for c in self.columns for s in c.sources))

    @property
    def adapted(self):
        return self.dtypes is not None

    def _base_columns(self):
        """Every column with a preprocessing layer: the recipe's own and those inside crosses and embeddings."""
        found = {}

        def add(column):
            if isinstance(column, EmbeddingColumn):
                add(column.sparse_column)
                return
            if isinstance(column, CrossedColumn):
                for inner in column.columns:
                    add(inner)
            found.setdefault(column.name, column)

        for column in self.columns:
            add(column)
        return found

    def check_frame(self, frame):
        """Refuses a frame that lacks a column the recipe reads, or has text where the recipe needs numbers."""
        if not hasattr(frame, "keys"):
            raise ValueError(f"Expected a frame: a dict of column name -> values. Received: {type(frame).__name__}")
        columns = self._base_columns()
        for source in self.sources:
            if source not in frame:
                raise ValueError(
                    f"Column {source!r} of the feature recipe is not in the data. "
                    f"Received columns: {sorted(map(str, frame.keys()))}"
                )
        for column in columns.values():
            if isinstance(column, (RealValuedColumn, BucketizedColumn)):
                values = np.asarray(frame[column.sources[0]])
                if values.dtype.kind not in "fiub":
                    kind = type(column).__name__
                    raise ValueError(
                        f"Column {column.sources[0]!r} holds {values.dtype.kind == 'O' and 'text' or values.dtype} values, "
                        f"but the recipe reads it as numbers ({kind}). Use sparse_column_with_keys or "
                        f"sparse_column_with_hash_bucket for a text column. Received: dtype={values.dtype}"
                    )
        lengths = {len(np.asarray(frame[s])) for s in self.sources}
        if len(lengths) != 1:
            raise ValueError(f"The columns of a frame must be equally long. Received lengths {sorted(lengths)}")

    def to_inputs(self, frame):
        """The model's input arrays from a frame: each raw column as (n, width), text as tf.string, numbers as float32."""
        self.check_frame(frame)
        arrays = {}
        for source in self.sources:
            values = np.asarray(frame[source])
            width = self._width(source)
            if self._is_text(source):
                values = np.asarray(values, dtype=object).astype(str).astype(object)
            else:
                values = values.astype("int32" if self._is_integer_key(source) else "float32")
            arrays[source] = values.reshape(len(values), width)
        return arrays

    def dataset(self, frame, labels=None, batch_size=32, shuffle=False, repeat=False, seed=0):
        """A `tf.data.Dataset` of `(inputs, labels)` batches (inputs only without labels) for `fit`, `evaluate`, `predict`.

        Args:
            frame: a dict of equal-length columns (or, for a recipe inferred from an array, the array).
            labels: one label per example, or None.
            batch_size: examples per batch.
            shuffle: reshuffle every pass (with `seed`).
            repeat: repeat forever (for `steps_per_epoch`, and under ParameterServerStrategy).
            seed: the shuffle's seed.
        """
        import tensorflow as tf

        validation.positive_int("batch_size", batch_size)
        validation.boolean("shuffle", shuffle)
        validation.boolean("repeat", repeat)
        validation.seed("seed", seed)
        arrays = self.to_inputs(as_frame(frame, self))
        n = frame_length(arrays)
        if labels is not None:
            labels = validation.array("labels", labels, what="labels (one per example)", allow_empty=True)
            if len(labels) != n:
                raise ValueError(f"`labels` must hold one label per example: {n} examples. Received: {len(labels)} labels")
        data = tf.data.Dataset.from_tensor_slices(arrays if labels is None else (arrays, labels))
        if shuffle:
            data = data.shuffle(n, seed=seed, reshuffle_each_iteration=True)
        if repeat:
            data = data.repeat()
        return data.batch(batch_size)

    def _width(self, source):
        for column in self._base_columns().values():
            if isinstance(column, RealValuedColumn) and column.name == source:
                return column.dimension
        return 1

    def _is_text(self, source):
        return self.dtypes[source] == "string"

    def _is_integer_key(self, source):
        return self.dtypes[source] == "int32"

    def adapt(self, frame):
        """Learns what the columns need from the training frame (means, variances); returns the recipe."""
        self.check_frame(frame)
        dtypes = {}
        for column in self._base_columns().values():
            if isinstance(column, SparseColumnWithKeys) and column.numeric:
                dtypes[column.name] = "int32"
            elif isinstance(column, (SparseColumnWithKeys, SparseColumnWithHashBucket)):
                dtypes[column.name] = "string"
        self.dtypes = {s: dtypes.get(s, "float32") for s in self.sources}
        arrays = self.to_inputs(frame)
        self._layers = {}
        for name, column in self._base_columns().items():
            if isinstance(column, CrossedColumn):
                self._layers[name] = keras.layers.HashedCrossing(column.hash_bucket_size, name=f"{name}_cross")
                continue
            layer = column.feature().preprocessor
            if isinstance(layer, keras.layers.Normalization):
                layer.adapt(arrays[column.sources[0]])
            self._layers[name] = layer
        return self

    def inputs(self):
        """One `keras.Input` per raw column, named as the column: a dict by name, or a list of the one `Input`.

        A recipe that reads one raw column (one inferred from an array) gives
        a list of its one `Input`: the structure with which a Keras functional
        model takes a plain array (the book's `fit(x, y)`) as well as a frame
        `{name: array}` (matched by name), without Keras's warning that "the
        structure of `inputs` doesn't match" either.
        """
        self._check_adapted()
        inputs = {s: keras.Input((self._width(s),), dtype=self.dtypes[s], name=s) for s in self.sources}
        return inputs if len(inputs) > 1 else list(inputs.values())

    def _check_adapted(self):
        if not self.adapted:
            raise ValueError("Call `recipe.adapt(train_frame)` before building a model from the recipe.")

    def _ids(self, column, inputs, cache):
        """The integer ids (batch, 1) of a categorical column."""
        if column.name in cache:
            return cache[column.name]
        layer = self._layers[column.name]
        if isinstance(column, CrossedColumn):
            ids = layer(tuple(self._ids(c, inputs, cache) for c in column.columns))
        else:
            ids = layer(inputs[column.sources[0]])
        cache[column.name] = ids
        return ids

    def encode(self, inputs, columns=None, prefix=""):
        """One dense float tensor of `columns` (default all): numbers as they are, categories one-hot, embeddings.

        Args:
            inputs: what `inputs()` returned.
            columns: a subset of the recipe's columns (the wide or the deep part).
            prefix: a prefix for the names of the layers made here (the embeddings and encodings).
        """
        self._check_adapted()
        if columns is not None:
            columns = list(columns)
            check_columns_in(self, columns, "columns")
        if not isinstance(inputs, dict):  # [the one input] of a one-column recipe
            inputs = {self.sources[0]: inputs[0] if isinstance(inputs, (list, tuple)) else inputs}
        cache = {}
        parts = []
        for column in columns if columns is not None else self.columns:
            if isinstance(column, RealValuedColumn):
                parts.append(self._layers[column.name](inputs[column.name]))
            elif isinstance(column, EmbeddingColumn):
                inner = column.sparse_column
                ids = self._ids(inner, inputs, cache)
                size = inner.cardinality(self._layers[inner.name])
                vectors = keras.layers.Embedding(size, column.dimension, name=f"{prefix}{column.name}")(ids)
                parts.append(keras.layers.Flatten(name=f"{prefix}{column.name}_flat")(vectors))
            else:
                size = column.cardinality(self._layers[column.name])
                ids = self._ids(column, inputs, cache)
                parts.append(keras.layers.CategoryEncoding(size, output_mode="one_hot", name=f"{prefix}{column.name}_one_hot")(ids))
        if len(parts) == 1:
            return parts[0]
        return keras.layers.Concatenate(name=f"{prefix}features")(parts)


def check_columns_in(recipe, columns, argument):
    """Refuses columns that are not the recipe's own."""
    missing = [getattr(c, "name", c) for c in columns if c not in recipe.columns]
    if missing:
        raise ValueError(f"`{argument}` names columns that are not in the feature recipe: {missing}")


def frame_length(frame):
    return len(np.asarray(next(iter(frame.values()))))

