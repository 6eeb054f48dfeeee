"""Word embeddings: the book's skip-gram model (book 7.1, L3706) and gensim's, the vectors and what users ask of them.

    model = SkipGram(vocabulary.words, embedding_size=128, num_sampled=64)     # the book's: NCE, embeddings U(-1, 1)
    model.compile(optimizer=keras.optimizers.SGD(1.0))
    model.fit(skipgram_dataset(data, 128, 2, 1), steps_per_epoch=2000)        # (centres, contexts) pairs
    vectors = model.word_vectors()                                             # gensim's KeyedVectors API
    vectors.most_similar(positive=["king", "woman"], negative=["man"])
    vectors.save_word2vec_format("vectors.bin", binary=True)                  # gensim reads it, and we read gensim's
    evaluate_analogies(vectors, embedded_path("questions_words"))              # gensim's protocol

The model is written on `keras.ops` and trains on the TensorFlow and JAX
backends alike. Its random draws (negatives, reduced windows, subsampling)
come from a counter-based generator computed with 32-bit integer operations,
so both backends draw the same numbers, and a resumed run draws what an
uninterrupted one would (the counter is saved with the weights).
"""

import dataclasses
import math
from pathlib import Path

import keras
import numpy as np
from keras import ops

from kclassics import validation
from kclassics._keras import learning_rate_at
from kclassics.data.text import UNK, keep_probabilities, word_index
from kclassics.model import Model

LOSSES = ("nce", "negative_sampling", "sampled_softmax")
# embeddings and output weights at the start: the book's (L3926-3932), word2vec's C tool, gensim 4
INITIALIZATIONS = ("book", "word2vec", "gensim")
NOISE_EXPONENT = 0.75  # unigram^0.75 negatives (Mikolov et al. 2013; gensim's ns_exponent)
MAX_EXP = 6.0  # word2vec and gensim skip the update of a pair whose logit is outside (-6, 6)

_NEAREST_ROWS = 32768  # `WordVectors.nearest` compares with at most this many words at a time (12.5 MB at 100 dimensions)
_FLOAT_MAX = float(np.finfo(np.float32).max)  # tf.nn's accidental hits get -FLOAT_MAX added to their logits


def _initializers(initialization, embedding_size):
    if initialization == "book":  # tf.random_uniform(-1, 1); tf.truncated_normal(stddev=1 / sqrt(embedding_size))
        return (keras.initializers.RandomUniform(-1.0, 1.0),
                keras.initializers.TruncatedNormal(stddev=1.0 / math.sqrt(embedding_size)))
    # word2vec.c: (rand - 0.5) / size; gensim 4 (KeyedVectors.prep_vectors): (2 rand - 1) / size; output vectors zero
    half = (0.5 if initialization == "word2vec" else 1.0) / embedding_size
    return keras.initializers.RandomUniform(-half, half), keras.initializers.Zeros()


# ----------------------------------------------------------------------------------------------------------------
# Random numbers that are the same on every backend: murmur3's finaliser over a counter (uint32 arithmetic wraps).

def _u32(value):
    return ops.convert_to_tensor(value & 0xFFFFFFFF, "uint32")


def _mix(h):
    """murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output."""
    h = ops.bitwise_xor(h, ops.right_shift(h, _u32(16)))
    h = ops.multiply(h, _u32(0x85EBCA6B))
    h = ops.bitwise_xor(h, ops.right_shift(h, _u32(13)))
    h = ops.multiply(h, _u32(0xC2B2AE35))
    return ops.bitwise_xor(h, ops.right_shift(h, _u32(16)))


def random_key(seed, step, stream):
    """The key of the draws of `stream` (an integer) at training `step` of a run seeded `seed`: two uint32 scalars."""
    h = _mix(ops.bitwise_xor(_mix(ops.add(ops.cast(seed, "uint32"), _u32(0x9E3779B9))), ops.cast(step, "uint32")))
    k0 = _mix(ops.add(h, ops.multiply(ops.cast(stream, "uint32") + _u32(1), _u32(0x632BE5AB))))
    return k0, _mix(ops.add(k0, _u32(0x68E31DA4)))


def random_bits(key, shape):
    """uint32 numbers, one per element of `shape`, from `key` (counter-based: element i is a function of key and i)."""
    count = int(np.prod(shape))
    index = ops.cast(ops.arange(count, dtype="int32"), "uint32")
    k0, k1 = key
    bits = _mix(ops.bitwise_xor(_mix(ops.add(ops.multiply(index, _u32(0x9E3779B9)), k0)), k1))
    return ops.reshape(bits, shape)


def random_uniform(key, shape):
    """float32 in [0, 1) with 24 random bits."""
    return ops.cast(ops.right_shift(random_bits(key, shape), _u32(8)), "float32") * (1.0 / (1 << 24))


def random_integers(key, shape, high):
    """int32 in [0, high) (32 random bits modulo `high`: a bias below high / 2**32)."""
    return ops.cast(ops.mod(random_bits(key, shape), _u32(high)), "int32")


def alias_table(probabilities):
    """Walker's alias table of a distribution over ids: `(keep float32, alias int32)`.

    A draw picks an id `i` uniformly and returns `i` with probability
    `keep[i]`, else `alias[i]`; the ids then follow `probabilities` exactly
    (Vose's construction).
    """
    p = np.asarray(probabilities, np.float64)
    if p.ndim != 1 or not len(p) or not np.all(np.isfinite(p)) or (p < 0).any() or p.sum() <= 0:
        raise ValueError(f"`probabilities` must be non-negative numbers, at least one positive. Received: {list(probabilities)!r:.120}")
    n = len(p)
    scaled = p * (n / p.sum())
    keep, alias = np.ones(n), np.arange(n, dtype=np.int32)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s, l = small.pop(), large.pop()
        keep[s], alias[s] = scaled[s], l
        scaled[l] -= 1.0 - scaled[s]
        (small if scaled[l] < 1.0 else large).append(l)
    return keep.astype(np.float32), alias


def alias_draw(table, key, shape):
    """Ids drawn from an `alias_table` (converted to tensors): two gathers a draw."""
    keep, alias = table
    ids = random_integers((key[0], key[1]), shape, ops.shape(keep)[0])
    coin = random_uniform((key[1], key[0]), shape)
    return ops.where(coin < ops.take(keep, ids), ids, ops.take(alias, ids))


def log_uniform_probability(ids, range_max):
    """P(id) under TensorFlow's log-uniform (Zipfian) sampler: `(log(id + 2) - log(id + 1)) / log(range_max + 1)`."""
    ids = ops.cast(ids, "float32")
    return (ops.log(ids + 2.0) - ops.log(ids + 1.0)) / math.log(range_max + 1.0)


def log_uniform_unique(key_of_round, num_sampled, range_max):
    """`tf.random.log_uniform_candidate_sampler(unique=True)`'s draw: `num_sampled` distinct ids and the draws it took.

    TensorFlow's sampler draws `exp(u * log(range_max + 1)) - 1` until it has
    `num_sampled` distinct ids; so does this, `2 * num_sampled` draws a round
    (`key_of_round(r)` keys round `r`), keeping the first occurrences in order.

    Returns:
        `(ids int32 [num_sampled], tries int32)`.
    """
    width = 2 * num_sampled
    slots = ops.arange(num_sampled, dtype="int32")
    order = ops.arange(width, dtype="int32")
    earlier = order[None, :] < order[:, None]  # [draw, other draw]: the other came first

    def body(found, count, tries, round_):
        u = random_uniform(key_of_round(round_), (width,))
        draws = ops.mod(ops.cast(ops.floor(ops.exp(u * math.log(range_max + 1.0))), "int32") - 1, range_max)
        seen = ops.any((draws[:, None] == found[None, :]) & (slots < count)[None, :], axis=1)
        repeated = ops.any((draws[:, None] == draws[None, :]) & earlier, axis=1)
        new = ops.logical_not(seen | repeated)
        rank = count + ops.cumsum(ops.cast(new, "int32")) - 1
        taken = new & (rank < num_sampled)
        found = found + ops.scatter(ops.where(taken, rank, num_sampled)[:, None], draws, (num_sampled + 1,))[:num_sampled]
        added = ops.sum(ops.cast(taken, "int32"))
        last = ops.max(ops.where(taken, order, -1))
        tries = ops.where(count + added >= num_sampled, tries + last + 1, tries + width)
        return found, count + added, tries, round_ + 1

    zero = ops.convert_to_tensor(0, "int32")
    found, _, tries, _ = ops.while_loop(lambda found, count, tries, round_: count < num_sampled, body,
                                        (ops.zeros((num_sampled,), "int32"), zero, zero, zero))
    return found, tries


def unique_expected_count(probability, tries, num_sampled):
    """Expected occurrences of an id in a unique draw that took `tries` draws (TensorFlow's `ExpectedCountHelper`)."""
    tries = ops.cast(tries, "float32")
    return ops.where(tries == num_sampled, probability * num_sampled, -ops.expm1(tries * ops.log1p(-probability)))


def _read(variable):
    """A variable's value now (on TensorFlow `.value` is the variable itself, read wherever it is used)."""
    return ops.copy(variable.value)


def _value(variable):
    """A variable's value as a backend tensor, without a copy where the backend allows (TensorFlow's `read_value`)."""
    value = variable.value
    return value.read_value() if hasattr(value, "read_value") else value


def _scatter_add(table, ids, updates):
    """`table` with `updates` added at rows `ids` (repeated ids add up)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.tensor_scatter_nd_add(table, ids[:, None], updates)  # under XLA 1.3x `ops.scatter`'s speed
    return table + ops.scatter(ids[:, None], updates, ops.shape(table))


def _logistic(logits, labels, weights, bounded=False):
    """Sum of word2vec's logistic losses and d loss / d logits: `weights * softplus(-+logits)`, `weights * (sigmoid - labels)`.

    `bounded`: every logit with a weight lies in (-MAX_EXP, MAX_EXP), so the
    loss can be read off the sigmoid (one exp an element, not two).
    """
    sigmoid = ops.sigmoid(logits)
    if not bounded:
        return ops.sum(weights * ops.softplus(logits * (1.0 - 2.0 * labels))), weights * (sigmoid - labels)
    likelihood = ops.where(weights > 0, labels * sigmoid + (1.0 - labels) * (1.0 - sigmoid), 1.0)
    return -ops.sum(weights * ops.log(likelihood)), weights * (sigmoid - labels)


# ----------------------------------------------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="kclassics")
class SkipGram(Model):
    """Skip-gram word2vec: a centre word's embedding predicts its context words through a sampled loss.

    The book's variables (L3926-3937): `embeddings` U(-1, 1), `nce_weights`
    truncated normal with stddev `1 / sqrt(embedding_size)`, `nce_biases`
    zeros. `call(ids)` returns the embeddings of word ids.

    With `window=None` it trains on `(centres, contexts)` pairs (the book's
    `generate_batch`, `kclassics.data.text.skipgram_dataset`), the loss
    comparing each centre with its context word:

    - `"nce"`: `tf.nn.nce_loss`'s: `num_sampled` negatives shared by the
      whole batch from the log-uniform (Zipf) sampler, drawn without repeats,
      logits corrected by their expected counts (the book's).
    - `"sampled_softmax"`: `tf.nn.sampled_softmax_loss`'s, same sampler.
    - `"negative_sampling"`: `num_sampled` negatives per pair from the
      unigram distribution to the power 3/4 (`noise_counts`), with the
      logistic loss of word2vec's C tool and gensim (Mikolov et al. 2013),
      no biases; a negative equal to the pair's context word is skipped.

    With `window=W` it trains on sentences, as gensim's `Word2Vec(sg=1)`:
    `x` is word ids `[sentences, length]` padded with -1, and each training
    step draws what gensim draws: each word is kept with gensim's
    subsampling probability (`subsample`; UNK, id 0, is dropped as gensim
    drops words outside its vocabulary), each kept word gets a window of
    1 to W kept words on each side (gensim's reduced window), and its
    vector predicts each context word with word2vec's logistic loss against
    `num_sampled` negatives from the unigram^0.75 distribution. Unlike
    gensim, the negatives are drawn once per centre word and shared by its
    context words (as Ji et al. 2016's HogBatch shares them per window), each
    weighted by the pairs it stands for, and the updates of
    `centres_per_update` consecutive centre words are summed and applied
    together; the learning rate is per pair (gensim's `alpha`). This mode
    trains with plain SGD only. With `workers=N`, a stack of sentences (one
    `fit` step of several) trains in N consecutive parts at once, as
    gensim's N worker threads train their sentences at once: each part
    starts from the tables as the stack found them, and their changes are
    summed at its end. On TensorFlow each part is its own compiled call, so
    the parts run on separate cores; the result is the same on every backend.

    With plain SGD (and one replica) every loss trains in one compiled step
    that computes the gradient in closed form and updates only the rows it
    touched (tested equal to the gradient path); any other optimizer takes
    Keras's gradient path.

    Args:
        words: the vocabulary in id order (id 0 is UNK); an unknown word looks up id 0.
        embedding_size: width of the vectors.
        num_sampled: negative samples (per batch for `nce` and
            `sampled_softmax`, per pair for `negative_sampling`, per centre
            word with `window`).
        loss: one of `LOSSES`.
        noise_counts: word counts in id order, for `"negative_sampling"` and `window`.
        initialization: `"book"` (above); `"word2vec"`: embeddings
            U(-0.5 / embedding_size, 0.5 / embedding_size) and output weights
            zero, as word2vec's C tool; `"gensim"`: U(-1 / embedding_size,
            1 / embedding_size), as gensim 4.
        window: None for pairs, or the largest window W of gensim's skip-gram on sentences.
        subsample: with `window`, gensim's `sample` (0 keeps every word).
        centres_per_update: with `window`, centre words whose updates are applied together.
        workers: with `window`, the parts a stack of sentences trains in at once (gensim's `workers`).
        seed: seed of the random draws during training.
    """

    def __init__(self, words, embedding_size=128, num_sampled=64, loss="nce", noise_counts=None, initialization="book",
                 window=None, subsample=0.0, centres_per_update=64, workers=1, seed=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(words, (str, bytes)) or not hasattr(words, "__len__") or not all(isinstance(w, str) for w in words):
            raise ValueError(f"`words` must be a sequence of words (strings), UNK first. Received: words={words!r:.80}")
        self.words = list(words)
        if len(self.words) < 2:
            raise ValueError(f"`words` must hold UNK and at least one word. Received: {len(self.words)} words")
        if len(set(self.words)) != len(self.words):
            duplicate = next(w for i, w in enumerate(self.words) if w in self.words[:i])
            raise ValueError(f"`words` must be distinct. Received: {duplicate!r} twice")
        self.embedding_size = validation.positive_int("embedding_size", embedding_size)
        self.num_sampled = validation.positive_int("num_sampled", num_sampled)
        self.loss_name = validation.one_of("loss", loss, LOSSES)
        self.initialization = validation.one_of("initialization", initialization, INITIALIZATIONS)
        self.window = validation.positive_int("window", window, allow_none=True)
        self.subsample = validation.fraction("subsample", subsample, high_open=True)
        self.centres_per_update = validation.positive_int("centres_per_update", centres_per_update)
        self.workers = validation.positive_int("workers", workers)
        self.seed = validation.seed("seed", seed)
        vocabulary_size = len(self.words)
        if self.window is not None and loss != "negative_sampling":
            raise ValueError(f"`window` (gensim's skip-gram on sentences) trains with loss='negative_sampling'. "
                             f"Received: loss={loss!r}, window={window!r}")
        if self.window is None and self.workers != 1:
            raise ValueError(f"`workers` trains sentences in parts at once: it needs `window` (gensim's skip-gram). "
                             f"Received: workers={workers!r}, window=None")
        if loss in ("nce", "sampled_softmax") and self.num_sampled >= vocabulary_size:
            raise ValueError(f"`num_sampled` must be smaller than the {vocabulary_size} words (distinct negatives). "
                             f"Received: num_sampled={num_sampled!r}")
        self.noise_counts = None if noise_counts is None else _counts("noise_counts", noise_counts, vocabulary_size)
        if loss == "negative_sampling" and self.noise_counts is None:
            raise ValueError("`noise_counts` (one count per word) is needed for loss='negative_sampling'. Received: noise_counts=None")
        embedding_init, weight_init = _initializers(initialization, embedding_size)
        self.embeddings = self.add_weight(shape=(vocabulary_size, embedding_size), initializer=embedding_init, name="embeddings")
        self.nce_weights = self.add_weight(shape=(vocabulary_size, embedding_size), initializer=weight_init, name="nce_weights")
        self.nce_biases = None  # word2vec's negative sampling has no biases
        if loss != "negative_sampling":
            self.nce_biases = self.add_weight(shape=(vocabulary_size,), initializer="zeros", name="nce_biases")
        # batches trained: the counter of the random draws, saved with the weights so a resumed run continues the stream
        self.batches_drawn = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False, name="batches_drawn")
        self._noise = self._keep = None
        if self.noise_counts is not None:
            counts = np.asarray(self.noise_counts, np.float64)
            if self.window is not None:
                counts[0] = 0  # UNK stands for the words gensim leaves out
            elif not counts.any():
                counts[:] = 1
            noise = np.maximum(counts, 0) ** NOISE_EXPONENT
            if noise.sum() <= 0:
                raise ValueError("`noise_counts` must count at least one word besides UNK. Received: all zero")
            self._noise = tuple(ops.convert_to_tensor(t) for t in alias_table(noise / noise.sum()))
            if self.window is not None:
                self._keep = ops.convert_to_tensor(keep_probabilities(self.noise_counts, self.subsample))
        self._lookup_table = None
        self.built = True

    @property
    def vocabulary_size(self):
        return len(self.words)

    @property
    def lookup_table(self):
        """A `StringLookup` from words to ids (unknown words: 0), made on first use (it needs TensorFlow)."""
        if self._lookup_table is None:
            self._lookup_table = keras.layers.StringLookup(vocabulary=self.words[1:], num_oov_indices=1, name="lookup")
        return self._lookup_table

    def call(self, ids):
        return ops.take(self.embeddings, ops.cast(ids, "int32"), axis=0)

    def lookup(self, words):
        """The embeddings of string words; a word outside the vocabulary gets UNK's (id 0)."""
        return ops.take(self.embeddings, ops.cast(self.lookup_table(words), "int32"), axis=0)

    def word_vectors(self):
        """The trained embeddings as `WordVectors` (UNK included, first)."""
        return WordVectors(tuple(self.words), self.embeddings.numpy())  # one copy (`convert_to_numpy` makes two on TensorFlow)

    def save_own_variables(self, store):
        """Keras's `Layer.save_own_variables`, each variable handed over as its value (a tensor, not the variable).

        The store converts what it is given with `np.array`: a TensorFlow variable
        that way is copied twice at once (160 MB for a 200,000 x 100 table), its
        value once.
        """
        for i, variable in enumerate(self._trainable_variables + self._non_trainable_variables):
            store[f"{i}"] = _value(variable)

    def get_config(self):
        return {"name": self.name, "words": self.words, "embedding_size": self.embedding_size,
                "num_sampled": self.num_sampled, "loss": self.loss_name, "noise_counts": self.noise_counts,
                "initialization": self.initialization, "window": self.window, "subsample": self.subsample,
                "centres_per_update": self.centres_per_update, "workers": self.workers, "seed": self.seed}

    # --- training ---------------------------------------------------------------------------------------------

    def fit(self, x=None, y=None, *args, **kwargs):
        """`Model.fit`; word ids given as arrays are checked first (ids outside the vocabulary are refused, not clamped)."""
        if isinstance(x, (np.ndarray, list)):
            self._check_ids(x, y)
        return super().fit(x, y, *args, **kwargs)

    def _check_ids(self, x, y):
        x = np.asarray(x)
        low = -1 if self.window is not None else 0  # -1 pads sentences and stacks
        if not np.issubdtype(x.dtype, np.integer) or not x.size or x.min() < low or x.max() >= self.vocabulary_size:
            raise ValueError(f"`x` must hold word ids in [{low}, {self.vocabulary_size}). "
                             f"Received: x of shape {x.shape} and dtype {x.dtype}" + (f", in [{x.min()}, {x.max()}]" if x.size and np.issubdtype(x.dtype, np.number) else ""))
        if self.window is not None:
            return
        y = None if y is None else np.asarray(y)
        if y is None or y.shape != x.shape:
            raise ValueError(f"`y` must hold a context word id for each centre word of `x` (shape {x.shape}). "
                             f"Received: y {'None' if y is None else f'of shape {y.shape}'}")
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= self.vocabulary_size:
            raise ValueError(f"`y` must hold word ids in [0, {self.vocabulary_size}). Received: y of dtype {y.dtype}"
                             + (f", in [{y.min()}, {y.max()}]" if np.issubdtype(y.dtype, np.number) else ""))

    def fused_step(self):
        """Whether `fit` takes the compiled closed-form step: plain SGD on one replica."""
        optimizer = getattr(self, "optimizer", None)
        if type(optimizer) is not keras.optimizers.SGD or optimizer.momentum or optimizer.weight_decay:
            return False
        if any(v is not None for v in (optimizer.clipnorm, optimizer.global_clipnorm, optimizer.clipvalue,
                                       optimizer.gradient_accumulation_steps, optimizer.loss_scale_factor)):
            return False
        strategy = getattr(self, "distribute_strategy", None)  # TensorFlow's; other backends have one replica here
        return strategy is None or strategy.num_replicas_in_sync == 1

    def train_step(self, *args):
        """The closed-form step with plain SGD, else Keras's. TensorFlow passes `(data)`, JAX `(state, data)`."""
        if not self.fused_step():
            if self.window is not None:
                raise ValueError(f"SkipGram with `window` (gensim's skip-gram) trains with plain SGD (no momentum, clipping "
                                 f"or weight decay) on one replica. Received: optimizer={self.optimizer.__class__.__name__}")
            return super().train_step(*args)
        if len(args) == 2:  # JAX: stateless, the new values go back in the state
            return self._stateless(args[0], lambda: self._fused_update(args[1]))
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            x, y, _ = keras.utils.unpack_x_y_sample_weight(args[0])
            low = -1 if self.window is not None or len(x.shape) > 1 else 0  # -1 pads sentences and stacks
            checks = [tf.debugging.assert_less(tf.reduce_max(t), self.vocabulary_size, message="word ids past the vocabulary")
                      for t in (x, y) if t is not None]
            checks += [tf.debugging.assert_greater_equal(tf.reduce_min(x), low, message="negative word ids")]
            with tf.control_dependencies(checks):  # XLA's gathers would clamp a bad id silently
                if self.workers > 1:  # one compiled call per part: TensorFlow runs them on separate cores
                    return self._fused_update(args[0], train=self._compiled("_xla_train", self._train_steps))
                return self._compiled("_xla_update", self._fused_update)(args[0])
        return self._fused_update(args[0])

    def _compiled(self, name, function):
        """`function` under XLA, made on first use after each `compile` and kept under `name` in `_compiled_calls`.

        Made again after `compile`: a call holds the optimizer's and the loss
        tracker's variables, and `compile` makes both anew (the loss tracker
        always). Not an attribute of the model: a SavedModel traces a
        `tf.function` attribute again to save it, and these are training calls.
        """
        calls = self.__dict__.get("_compiled_calls")
        if calls is None or calls.loss_tracker is not self._loss_tracker:
            calls = self.__dict__["_compiled_calls"] = _CompiledCalls(self._loss_tracker)
        if name not in calls.functions:
            import tensorflow as tf

            calls.functions[name] = tf.function(function, jit_compile=True, reduce_retracing=True, autograph=False)
        return calls.functions[name]

    def _stateless(self, state, update):
        trainable, non_trainable, optimizer_values, metrics_values = state
        groups = (self.trainable_variables, self.non_trainable_variables, self.optimizer.variables, self.metrics_variables)
        mapping = [(v, value) for variables, values in zip(groups, state) for v, value in zip(variables, values)]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = update()
        new_state = tuple([scope.get_current_value(v) if scope.get_current_value(v) is not None else value
                           for v, value in zip(variables, values)] for variables, values in zip(groups, state))
        return logs, new_state

    def _key(self, step, stream):
        return random_key(self.seed, step, stream)

    def _tables(self):
        """The trained values (embeddings, output weights, biases): the state the closed-form steps update."""
        biases = ops.zeros((), "float32") if self.nce_biases is None else _read(self.nce_biases)  # a loop carries no None
        return _read(self.embeddings), _read(self.nce_weights), biases

    def _fused_update(self, data, train=None):
        """One `fit` step in closed form: a batch of pairs or of sentences, or a stack of them (consecutive steps).

        With `workers`, the stack's sentences train in `workers` consecutive
        parts by `train` (`_train_steps`, or its compiled call), each from the
        tables the stack started from; the first part's tables plus the others'
        changes are the new tables (`window` trains no biases).
        """
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        first = _read(self.batches_drawn)
        iteration = _read(self.optimizer.iterations)
        x = ops.cast(x, "int32")
        if len(ops.shape(x)) == (2 if self.window is not None else 1):  # one step: a stack of one
            x, y = x[None], None if y is None else y[None]
        y = None if y is None else ops.cast(y, "int32")
        train = train or self._train_steps
        start = self._tables()
        if self.workers == 1:
            tables, total, pairs, steps = train(start, x, y, first, iteration)
        else:
            rows = ops.shape(x)[0]
            size = (rows + self.workers - 1) // self.workers
            x = ops.pad(x, [[0, size * self.workers - rows]] + [[0, 0]] * (len(ops.shape(x)) - 1), constant_values=-1)  # no empty part
            offsets = [p * size for p in range(self.workers)]
            parts = [train(start, x[at : at + size], None, first + at, iteration + ops.cast(at, iteration.dtype)) for at in offsets]
            tables = list(parts[0][0])  # the first part's tables, plus the changes of the others
            for part in parts[1:]:
                tables[:2] = [table + (changed - unchanged) for table, changed, unchanged in zip(tables, part[0], start)]
            total, pairs, steps = (sum(part[i] for part in parts[1:]) + parts[0][i] for i in (1, 2, 3))
        loss = total / ops.maximum(pairs, 1.0)
        for variable, value in zip((self.embeddings, self.nce_weights, self.nce_biases), tables):
            if variable is not None:
                variable.assign(value)
        self.batches_drawn.assign(first + steps)
        self.optimizer.iterations.assign_add(ops.cast(steps, self.optimizer.iterations.dtype))
        self._loss_tracker.update_state(loss, sample_weight=pairs)
        return {"loss": self._loss_tracker.result()}

    def _train_steps(self, tables, x, y, first, iteration):
        """Trains the steps of stack `x` (and `y`) one after another from `tables`: step `i` is step `first + i` of the
        random draws and `iteration + i` of the learning rate. Returns (tables, summed loss, pairs, steps)."""
        steps = ops.sum(ops.cast(ops.max(x, axis=tuple(range(1, len(ops.shape(x))))) >= 0, "int32"))  # -1 rows pad a stack
        if self.window is None:
            update = {"nce": self._nce_update, "negative_sampling": self._negative_sampling_update,
                      "sampled_softmax": self._sampled_softmax_update}[self.loss_name]

        def body(i, carry):
            tables, total, pairs = carry
            rate = ops.cast(learning_rate_at(self.optimizer, iteration + ops.cast(i, iteration.dtype)), "float32")
            if self.window is not None:
                tables, loss, count = self._sentence_update(tables, x[i], first + i, rate)
            else:
                tables, loss = update(tables, x[i], y[i], first + i, rate)
                count = ops.cast(ops.shape(x)[1], "float32")
            return tables, total + loss * count, pairs + count

        zero = ops.zeros((), "float32")
        tables, total, pairs = ops.fori_loop(0, steps, body, (tables, zero, zero))
        return tables, total, pairs, steps

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The mean sampled loss of a batch of pairs (Keras's gradient path; the negatives drawn as the fused step draws them)."""
        if self.window is not None:
            raise ValueError("SkipGram with `window` trains with its own step (plain SGD); it has no gradient path.")
        if len(ops.shape(x)) != 1:
            raise ValueError(f"A stack of batches (consecutive steps) trains with plain SGD only; Keras's gradient path "
                             f"takes one batch of pairs. Received: centres of shape {tuple(ops.shape(x))}")
        step = _read(self.batches_drawn)
        self.batches_drawn.assign(step + 1)
        centres = ops.cast(x, "int32")
        contexts = ops.cast(y, "int32")
        inputs = ops.reshape(y_pred, (-1, self.embedding_size))
        if self.loss_name == "negative_sampling":
            negatives = self._pair_negatives(step, ops.shape(contexts)[0])
            true_logits = ops.sum(inputs * ops.take(self.nce_weights, contexts, axis=0), -1)
            noise_logits = ops.einsum("bd,bkd->bk", inputs, ops.take(self.nce_weights, negatives, axis=0))
            skip = ops.cast(negatives != contexts[:, None], "float32")
            losses = ops.softplus(-true_logits) + ops.sum(skip * ops.softplus(noise_logits), -1)
        else:
            sampled, true_count, sampled_count = self._shared_negatives(step, contexts)
            true_logits, sampled_logits = self.sampled_logits(self._tables(), inputs, contexts, sampled, true_count, sampled_count)
            if self.loss_name == "nce":
                losses = ops.softplus(-true_logits) + ops.sum(ops.softplus(sampled_logits), -1)
            else:
                logits = ops.concatenate([true_logits[:, None], sampled_logits], 1)
                losses = -ops.log_softmax(logits, axis=-1)[:, 0]
        return ops.mean(losses)

    def sampled_logits(self, tables, inputs, contexts, sampled, true_expected_count, sampled_expected_count):
        """`tf.nn`'s `_compute_sampled_logits`: logits of the true and sampled words, less log of their expected counts.

        `sampled_softmax` (`remove_accidental_hits=True`) adds -FLOAT_MAX to a
        sampled word that is the example's true word; `nce` does not.
        """
        _, weights, biases = tables
        true_logits = (ops.sum(inputs * ops.take(weights, contexts, axis=0), -1)
                       + ops.take(biases, contexts) - ops.log(true_expected_count))
        sampled_logits = (ops.matmul(inputs, ops.transpose(ops.take(weights, sampled, axis=0)))
                          + ops.take(biases, sampled) - ops.log(sampled_expected_count))
        if self.loss_name == "sampled_softmax":
            sampled_logits = ops.where(contexts[:, None] == sampled[None, :], sampled_logits - _FLOAT_MAX, sampled_logits)
        return true_logits, sampled_logits

    def _shared_negatives(self, step, contexts):
        """The batch's `num_sampled` distinct log-uniform negatives and the expected counts of the true and sampled ids."""
        sampled, tries = log_uniform_unique(lambda r: self._key(step, 8 + r), self.num_sampled, self.vocabulary_size)
        true_count = unique_expected_count(log_uniform_probability(contexts, self.vocabulary_size), tries, self.num_sampled)
        sampled_count = unique_expected_count(log_uniform_probability(sampled, self.vocabulary_size), tries, self.num_sampled)
        return sampled, true_count, sampled_count

    def _pair_negatives(self, step, pairs):
        return alias_draw(self._noise, self._key(step, 1), (pairs, self.num_sampled))

    def _nce_update(self, tables, centres, contexts, step, rate):
        sampled, true_count, sampled_count = self._shared_negatives(step, contexts)
        return self._sampled_update(tables, centres, contexts, sampled, true_count, sampled_count, rate)

    _sampled_softmax_update = _nce_update

    def _sampled_update(self, tables, centres, contexts, sampled, true_count, sampled_count, rate):
        """SGD on the batch's mean NCE or sampled-softmax loss, in closed form; returns (tables, mean loss)."""
        embeddings, weights, biases = tables
        batch = ops.shape(centres)[0]
        inputs = ops.take(embeddings, centres, axis=0)
        true_weights = ops.take(weights, contexts, axis=0)
        sampled_weights = ops.take(weights, sampled, axis=0)
        true_logits, sampled_logits = self.sampled_logits(tables, inputs, contexts, sampled, true_count, sampled_count)
        if self.loss_name == "nce":
            losses = ops.softplus(-true_logits) + ops.sum(ops.softplus(sampled_logits), -1)
            true_grad, sampled_grad = ops.sigmoid(true_logits) - 1.0, ops.sigmoid(sampled_logits)
        else:
            log_p = ops.log_softmax(ops.concatenate([true_logits[:, None], sampled_logits], 1), axis=-1)
            losses = -log_p[:, 0]
            p = ops.exp(log_p)
            true_grad, sampled_grad = p[:, 0] - 1.0, p[:, 1:]
        scale = rate / ops.cast(batch, "float32")
        true_grad, sampled_grad = true_grad * scale, sampled_grad * scale
        d_inputs = true_grad[:, None] * true_weights + ops.matmul(sampled_grad, sampled_weights)
        rows = ops.concatenate([contexts, sampled], 0)
        d_weights = ops.concatenate([true_grad[:, None] * inputs, ops.matmul(ops.transpose(sampled_grad), inputs)], 0)
        embeddings = _scatter_add(embeddings, centres, -d_inputs)
        weights = _scatter_add(weights, rows, -d_weights)
        biases = _scatter_add(biases, rows, -ops.concatenate([true_grad, ops.sum(sampled_grad, 0)], 0))
        return (embeddings, weights, biases), ops.mean(losses)

    def _negative_sampling_update(self, tables, centres, contexts, step, rate):
        """SGD on the batch's mean negative-sampling loss (per-pair negatives), in closed form; returns (tables, mean loss)."""
        embeddings, weights, _ = tables
        batch = ops.shape(centres)[0]
        negatives = self._pair_negatives(step, batch)
        targets = ops.concatenate([contexts[:, None], negatives], 1)  # [batch, 1 + k]
        labels = ops.concatenate([ops.ones((batch, 1)), ops.zeros((batch, self.num_sampled))], 1)
        skip = ops.concatenate([ops.ones((batch, 1)), ops.cast(negatives != contexts[:, None], "float32")], 1)
        inputs = ops.take(embeddings, centres, axis=0)
        outputs = ops.take(weights, targets, axis=0)  # [batch, 1 + k, d]
        loss, grad = _logistic(ops.einsum("bd,bkd->bk", inputs, outputs), labels, skip)
        grad = grad * (rate / ops.cast(batch, "float32"))
        embeddings = _scatter_add(embeddings, centres, -ops.einsum("bk,bkd->bd", grad, outputs))
        weights = _scatter_add(weights, ops.reshape(targets, (-1,)),
                               -ops.reshape(grad[:, :, None] * inputs[:, None, :], (-1, self.embedding_size)))
        return (embeddings, weights, tables[2]), loss / ops.cast(batch, "float32")

    def sentence_draws(self, sentences, step):
        """A training step's random draws over sentences (`window` mode), as gensim's `train_batch_sg` draws them.

        Each word is kept with its subsampling probability (UNK and -1 never):
        `words[:n_kept]` are the kept words in order and `sentence` the
        sentence each is from; each kept word gets its `reach`, a window of
        1 to `window` words a side (`window - randint(0, window)`), and
        `num_sampled` negatives from the unigram^0.75 distribution.

        Returns:
            `(words, sentence, n_kept, reach, negatives)`: int32 `[n]`, `[n]`, a
            scalar, `[n]` and `[n, num_sampled]`, where `n` counts the words of `sentences`.
        """
        sentences = ops.cast(sentences, "int32")
        length = ops.shape(sentences)[-1]
        ids = ops.reshape(sentences, (-1,))
        n_words = ops.shape(ids)[0]
        safe = ops.maximum(ids, 0)
        kept = (ids >= 0) & (random_uniform(self._key(step, 2), (n_words,)) < ops.take(self._keep, safe))
        position = ops.cumsum(ops.cast(kept, "int32")) - 1
        slot = ops.where(kept, position, n_words)[:, None]  # the kept words, in order, at the front
        words = ops.scatter(slot, safe, (n_words + 1,))[:n_words]
        sentence = ops.scatter(slot, ops.arange(n_words, dtype="int32") // length, (n_words + 1,))[:n_words]
        reach = self.window - random_integers(self._key(step, 3), (n_words,), self.window)
        negatives = alias_draw(self._noise, self._key(step, 4), (n_words, self.num_sampled))
        return words, sentence, ops.sum(ops.cast(kept, "int32")), reach, negatives

    def _sentence_update(self, tables, sentences, step, rate):
        """gensim's skip-gram over a batch of sentences (see the class docstring); returns (tables, mean loss per pair, pairs).

        For each kept word i of a sentence and each context word j within its
        reduced window, gensim trains `embeddings[j]` to predict
        `nce_weights[i]` against negatives (`word2vec_inner.pyx`,
        `w2v_fast_sentence_sg_neg`). Here the negatives of i are shared by its
        context words (HogBatch), so a window's update is a few small matrix
        products: logits `[contexts, 1 + k]`, then the updates of both sides.
        """
        rate = ops.cast(rate, "float32")
        words, sentence, n_kept, reach, negatives = self.sentence_draws(sentences, step)
        n_words = ops.shape(words)[0]
        window, k, chunk, dim = self.window, self.num_sampled, self.centres_per_update, self.embedding_size
        labels = ops.concatenate([ops.ones((1, 1, 1)), ops.zeros((1, 1, k))], 2)
        positions = ops.arange(n_words, dtype="int32")
        several = len(ops.shape(sentences)) > 1 and int(np.prod(ops.shape(sentences)[:-1])) > 1  # windows stop at sentence ends

        def train(centres, count, width):
            """Trains the `count` centres at `centres` (kept positions) whose windows reach `width` words a side."""
            offsets = ops.convert_to_tensor([o for o in range(-width, width + 1) if o], "int32")

            def body(c, carry):
                embeddings, outputs, loss, pairs = carry
                slot = c * chunk + ops.arange(chunk, dtype="int32")
                inside = slot < count
                i = ops.take(centres, ops.minimum(slot, n_words - 1))
                at = i[:, None] + offsets[None, :]
                j = ops.clip(at, 0, n_words - 1)
                context = inside[:, None] & (at >= 0) & (at < n_kept)  # [chunk, 2 width]
                if several:
                    context = context & (ops.take(sentence, j) == ops.take(sentence, i)[:, None])
                centre = ops.take(words, i)
                negative = ops.take(negatives, i, axis=0)
                targets = ops.concatenate([centre[:, None], negative], 1)  # [chunk, 1 + k]: the centre, then its negatives
                counted = ops.concatenate([ops.ones((chunk, 1), "bool"), negative != centre[:, None]], 1)  # gensim skips a negative equal to i
                contexts = ops.take(words, j)
                inputs = ops.take(embeddings, contexts, axis=0)  # [chunk, 2 width, dim]
                target_rows = ops.take(outputs, targets, axis=0)  # [chunk, 1 + k, dim]
                logits = ops.einsum("cmd,ctd->cmt", inputs, target_rows)
                weights = ops.cast(context[:, :, None] & counted[:, None, :] & (ops.abs(logits) < MAX_EXP), "float32")
                chunk_loss, grad = _logistic(logits, labels, weights, bounded=True)
                grad = grad * rate
                d_inputs = ops.einsum("cmt,ctd->cmd", grad, target_rows)
                d_targets = ops.sum(grad[:, :, :, None] * inputs[:, :, None, :], axis=1)  # 3x faster than its einsum under XLA
                embeddings = _scatter_add(embeddings, ops.reshape(contexts, (-1,)), -ops.reshape(d_inputs, (-1, dim)))
                outputs = _scatter_add(outputs, ops.reshape(targets, (-1,)), -ops.reshape(d_targets, (-1, dim)))
                return embeddings, outputs, loss + chunk_loss, pairs + ops.sum(ops.cast(context, "float32"))

            return lambda carry: ops.fori_loop(0, (count + chunk - 1) // chunk, body, carry)

        zero = ops.zeros((), "float32")
        carry = (tables[0], tables[1], zero, zero)
        for width in range(1, window + 1):  # the centres of each reach in turn, in order: windows of exactly that width
            member = (reach == width) & (positions < n_kept)
            place = ops.where(member, ops.cumsum(ops.cast(member, "int32")) - 1, n_words)[:, None]
            members = ops.scatter(place, positions, (n_words + 1,))[:n_words]
            count = ops.sum(ops.cast(member, "int32"))
            carry = train(members, count, width)(carry)
        embeddings, outputs, loss, pairs = carry
        return (embeddings, outputs, tables[2]), loss / ops.maximum(pairs, 1.0), pairs


class _CompiledCalls:
    """A model's compiled training calls by name, for the `compile` that made `loss_tracker`: a plain object, which
    TensorFlow's tracking does not look into."""

    def __init__(self, loss_tracker):
        self.loss_tracker = loss_tracker
        self.functions = {}


def _counts(name, counts, size):
    values = np.asarray(counts)
    if values.shape != (size,) or not np.issubdtype(values.dtype, np.number) or not np.all(np.isfinite(values)) or (values < 0).any():
        raise ValueError(f"`{name}` must hold one non-negative count per word ({size}). "
                         f"Received: {name} of shape {values.shape} and dtype {values.dtype}")
    return [int(c) for c in values]


@keras.saving.register_keras_serializable(package="kclassics")
class LinearDecayOverWords(keras.optimizers.schedules.LearningRateSchedule):
    """gensim's learning rate: from `initial` to `final` linearly in the corpus words passed, over `passes` passes.

    Step `s` trains words `s * words_per_step` onward of the pass `s // steps_per_pass`
    (the last step of a pass may hold fewer words); its rate is
    `initial - (initial - final) * progress`, progress being the passes done
    plus the share of this pass's words passed before the step, over
    `passes` (gensim's `_get_next_alpha`).
    """

    def __init__(self, initial, final, words_per_step, corpus_words, passes):
        self.initial, self.final = float(initial), float(final)
        self.words_per_step, self.corpus_words, self.passes = int(words_per_step), int(corpus_words), int(passes)
        self.steps_per_pass = -(-self.corpus_words // self.words_per_step)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        done = ops.floor(step / self.steps_per_pass)
        within = ops.minimum((step - done * self.steps_per_pass) * self.words_per_step, self.corpus_words)
        progress = (done + within / self.corpus_words) / self.passes
        return ops.maximum(self.initial - (self.initial - self.final) * progress, self.final)

    def get_config(self):
        return {"initial": self.initial, "final": self.final, "words_per_step": self.words_per_step,
                "corpus_words": self.corpus_words, "passes": self.passes}


# ----------------------------------------------------------------------------------------------------------------


class UnknownWord(KeyError):
    """A word outside the vocabulary (a `KeyError`, as gensim raises), with a one-line message."""

    def __str__(self):
        return str(self.args[0])


def _word_list(name, value, allow_empty=True):
    words = [value] if isinstance(value, str) else value
    if words is None:
        words = []
    if not isinstance(words, (list, tuple)) or not all(isinstance(w, str) for w in words):
        raise ValueError(f"`{name}` must be a word or a list of words. Received: {name}={value!r:.120}")
    if not words and not allow_empty:
        raise ValueError(f"`{name}` must hold at least one word. Received: {name}={value!r}")
    return list(words)


@dataclasses.dataclass(frozen=True)
class WordVectors:
    """Vectors of words in id order (most frequent first after UNK), with the queries of gensim's `KeyedVectors`.

        vectors = model.word_vectors()
        vectors["king"], vectors.similarity("king", "queen"), vectors.doesnt_match(["breakfast", "cereal", "lunch", "car"])
        vectors.most_similar(positive=["king", "woman"], negative=["man"], topn=5)   # [(word, cosine), ...]
        vectors.index_to_key, vectors.key_to_index, vectors.vectors
        vectors.save_word2vec_format("vectors.bin", binary=True)                     # UNK left out unless include_unk=True
        WordVectors.load_word2vec_format("vectors.bin", binary=True)                 # also gensim's and word2vec.c's files

    Each query computes what gensim 4's computes on the same vectors (tested).
    """

    words: tuple
    vectors: np.ndarray = dataclasses.field(repr=False)

    def __post_init__(self):
        words = self.words
        if isinstance(words, (str, bytes)) or not isinstance(words, (list, tuple)) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"`words` must be a sequence of strings. Received: words={words!r:.120}")
        vectors = np.asarray(self.vectors)
        if vectors.ndim != 2 or len(vectors) != len(words) or not np.issubdtype(vectors.dtype, np.floating):
            raise ValueError(f"`vectors` must be a float array of one row per word ({len(words)}, dim). "
                             f"Received: vectors of shape {vectors.shape} and dtype {vectors.dtype}")
        if not len(words) or not vectors.shape[1]:
            raise ValueError(f"`vectors` must hold at least one word and one dimension. Received: shape {vectors.shape}")
        if not np.all(np.isfinite(vectors)):
            raise ValueError(f"`vectors` must be finite. Received: {int(np.sum(~np.isfinite(vectors)))} NaN or infinite values")
        if len(set(words)) != len(words):
            duplicate = next(w for i, w in enumerate(words) if w in words[:i])
            raise ValueError(f"`words` must be distinct. Received: {duplicate!r} twice")
        object.__setattr__(self, "words", tuple(words))
        object.__setattr__(self, "vectors", vectors.astype(np.float32, copy=False))

    # --- gensim's KeyedVectors attributes ---
    @property
    def index_to_key(self):
        """The words in id order (gensim's `index_to_key`)."""
        return list(self.words)

    @property
    def key_to_index(self):
        """word -> id (gensim's `key_to_index`)."""
        return word_index(self)

    @property
    def vector_size(self):
        return self.vectors.shape[1]

    @property
    def norms(self):
        """Each vector's L2 norm (float32, as gensim's `norms`)."""
        norms = self.__dict__.get("_norms")
        if norms is None:
            norms = np.linalg.norm(self.vectors, axis=1)
            self.__dict__["_norms"] = norms
        return norms

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.key_to_index

    def get_index(self, word, argument="word"):
        """The id of `word`; an `UnknownWord` (a KeyError) naming the argument when it is not in the vocabulary."""
        index = self.key_to_index.get(word) if isinstance(word, str) else None
        if index is None:
            if not isinstance(word, str):
                raise ValueError(f"`{argument}` must be a word (a string). Received: {argument}={word!r:.120}")
            raise UnknownWord(f"`{argument}` is not in the vocabulary of {len(self.words)} words. Received: {argument}={word!r}")
        return index

    def get_vector(self, word, norm=False):
        """The vector of `word` (divided by its norm with `norm=True`), read-only, as gensim's `get_vector`."""
        index = self.get_index(word)
        vector = self.vectors[index] / self.norms[index] if norm else self.vectors[index]
        vector = vector.view()
        vector.setflags(write=False)
        return vector

    def __getitem__(self, words):
        """`vectors["word"]`: its vector; `vectors[["a", "b"]]`: their vectors stacked."""
        if isinstance(words, str):
            return self.get_vector(words)
        return np.vstack([self.get_vector(word) for word in _word_list("words", words, allow_empty=False)])

    # --- queries ---
    def similarity(self, word1, word2):
        """The cosine similarity of two words (gensim's `similarity`)."""
        a, b = self.vectors[self.get_index(word1, "word1")], self.vectors[self.get_index(word2, "word2")]
        return float(np.dot(a / np.linalg.norm(a), b / np.linalg.norm(b)))

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """The `topn` words nearest (cosine) to the mean of the unit vectors of `positive` less those of `negative`.

        gensim's `most_similar`: the query words are left out of the answer;
        `restrict_vocab=N` searches the first N words only; `topn=None`
        returns the similarity of every word (an array).

        Returns:
            `[(word, cosine), ...]`, nearest first.
        """
        positive, negative = _word_list("positive", positive), _word_list("negative", negative)
        if not positive and not negative:
            raise ValueError("`positive` and `negative` must hold at least one word between them. Received: none")
        if topn is not None:
            validation.non_negative_int("topn", topn)
            if topn == 0:
                return []
        validation.positive_int("restrict_vocab", restrict_vocab, allow_none=True)
        ids = [self.get_index(w, "positive") for w in positive] + [self.get_index(w, "negative") for w in negative]
        weights = np.concatenate((np.ones(len(positive)), -1.0 * np.ones(len(negative))))
        mean = np.zeros(self.vector_size, np.float32)  # gensim's get_mean_vector(pre_normalize, post_normalize)
        for index, weight in zip(ids, weights):
            mean += weight * (self.vectors[index] / self.norms[index])
        mean = mean / np.sum(np.abs(weights))
        mean = (mean / np.linalg.norm(mean)).astype(np.float32)
        end = restrict_vocab or len(self.words)
        similarities = np.dot(self.vectors[:end], mean) / self.norms[:end]
        if topn is None:
            return similarities
        count = min(topn + len(ids), len(similarities))
        best = np.argpartition(-similarities, count - 1)[:count] if count < len(similarities) else np.arange(len(similarities))
        best = best[np.argsort(-similarities[best])]
        return [(self.words[i], float(similarities[i])) for i in best if i not in ids][:topn]

    def doesnt_match(self, words):
        """The word furthest from the mean of the others' unit vectors (gensim's `doesnt_match`; unknown words are ignored)."""
        words = _word_list("words", words, allow_empty=False)
        used = [word for word in words if word in self]
        if not used:
            raise UnknownWord(f"`words` holds no word of the vocabulary. Received: words={words!r:.120}")
        unit = np.vstack([self.get_vector(word, norm=True) for word in used]).astype(np.float32)
        mean = unit.mean(axis=0)
        mean = (mean / np.linalg.norm(mean)).astype(np.float32)
        return sorted(zip(np.dot(unit, mean), used), reverse=True)[-1][1]

    def unit(self):
        """The vectors divided by their L2 norms (the book's `normalized_embeddings`, L3947)."""
        return self.vectors / np.maximum(self.norms[:, None], 1e-12)

    def nearest(self, word_ids, k=8):
        """The `k` nearest ids (cosine) to each id, itself left out (the book's `argsort()[1:top_k+1]`, L3978)."""
        validation.positive_int("k", k)
        ids = np.asarray(word_ids)
        if not np.issubdtype(ids.dtype, np.integer) or ids.ndim != 1 or (ids < 0).any() or (ids >= len(self.words)).any():
            raise ValueError(f"`word_ids` must be ids in [0, {len(self.words)}). Received: word_ids={list(word_ids)!r:.120}")
        queries = self.vectors[ids] / np.maximum(self.norms[ids, None], 1e-12)  # rows of `unit()`
        similarity = np.empty((len(ids), len(self.words)), np.float32)
        size = -(-len(self.words) // -(-len(self.words) // _NEAREST_ROWS))  # blocks of even sizes: none is a sliver
        for start in range(0, len(self.words), size):  # `unit()` a block at a time: no copy of the whole table
            rows = slice(start, start + size)
            similarity[:, rows] = queries @ (self.vectors[rows] / np.maximum(self.norms[rows, None], 1e-12)).T
        similarity[np.arange(len(similarity)), word_ids] = -np.inf
        return np.argsort(-similarity, axis=1, kind="stable")[:, :k]

    def neighbours(self, word, k=8):
        """The `k` nearest words to `word` (cosine)."""
        validation.positive_int("k", k)
        return [self.words[i] for i in self.nearest([self.get_index(word)], k)[0]]

    def without_unk(self):
        """These vectors without UNK's row (the first, when it is UNK): the words gensim would have."""
        if self.words and self.words[0] == UNK:
            return WordVectors(self.words[1:], self.vectors[1:])
        return self

    # --- the word2vec format ---
    def save_word2vec_format(self, path, binary=False, include_unk=False):
        """Writes the word2vec format, as gensim's `save_word2vec_format` writes it byte for byte.

        A `count dim` line, then each word and its vector: with `binary` the
        float32 bytes after `word `, else the floats as text (numpy's shortest
        repr, which reads back exactly). UNK's row is left out unless
        `include_unk`.

        Returns:
            The path written.
        """
        validation.boolean("binary", binary)
        validation.boolean("include_unk", include_unk)
        vectors = self if include_unk else self.without_unk()
        path = Path(path)
        with path.open("wb") as file:
            file.write(f"{len(vectors.words)} {vectors.vector_size}\n".encode("utf8"))
            for word, row in zip(vectors.words, vectors.vectors):
                if binary:
                    file.write(f"{word} ".encode("utf8") + row.astype(np.float32).tobytes())
                else:
                    file.write(f"{word} {' '.join(str(value) for value in row)}\n".encode("utf8"))
        return path

    @classmethod
    def load_word2vec_format(cls, path, binary=False):
        """Reads a word2vec-format file (text or binary: ours, gensim's, word2vec.c's) into `WordVectors`.

        As gensim's `load_word2vec_format`: a word seen twice keeps its first vector.
        """
        validation.boolean("binary", binary)
        path = Path(path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"No word2vec file at {path}. Received: path={str(path)!r}")
        with path.open("rb") as file:
            header = file.readline()
            try:
                count, size = (int(part) for part in header.decode("utf8").split())
            except ValueError:
                raise ValueError(f"{path} is not in the word2vec format: its first line must be 'COUNT DIM'. "
                                 f"Received: {header[:80]!r}") from None
            words, rows = [], []
            if binary:
                data, start, width = file.read(), 0, size * 4
                for _ in range(count):
                    space = data.find(b" ", start)
                    if space < 0 or len(data) - space - 1 < width:
                        break
                    words.append(data[start:space].decode("utf8").lstrip("\n"))
                    rows.append(np.frombuffer(data, dtype=np.float32, count=size, offset=space + 1))
                    start = space + 1 + width
            else:
                for line_number, line in enumerate(file, 2):
                    if len(words) == count:
                        break
                    parts = line.rstrip().decode("utf8").split(" ")
                    if len(parts) != size + 1:
                        raise ValueError(f"{path}:{line_number}: expected a word and {size} numbers. "
                                         f"Received: {len(parts) - 1} numbers")
                    try:
                        rows.append(np.array([np.float32(x) for x in parts[1:]], dtype=np.float32))
                    except ValueError:
                        raise ValueError(f"{path}:{line_number}: expected a word and {size} numbers. "
                                         f"Received: {line.rstrip().decode('utf8')[:80]!r}") from None
                    words.append(parts[0])
        if len(words) != count:
            raise ValueError(f"{path} ends after {len(words)} of the {count} vectors its header announces: "
                             f"the file is damaged or its count is wrong.")
        first = {}
        for i, word in enumerate(words):
            first.setdefault(word, i)
        keep = sorted(first.values())
        return cls(tuple(words[i] for i in keep), np.vstack([rows[i] for i in keep]) if keep else np.zeros((0, size), np.float32))


def _top_index(words, top_n, case_insensitive):
    """word -> id over the first `top_n` words; with `case_insensitive` the upper-cased word keeps its most frequent id."""
    index = {}
    for i, word in reversed(list(enumerate(words[:top_n]))):
        index[word.upper() if case_insensitive else word] = i
    return index
def evaluate_analogies(vectors, path, top_n=300000, case_insensitive=True):
    """Analogy accuracy on a `questions-words.txt` file, by gensim's `KeyedVectors.evaluate_word_analogies` protocol.

    Only the first `top_n` words are used (gensim's `restrict_vocab`): a
    question `a b c d` with a word outside them is skipped, and the answer
    is the word of the top `top_n` closest to `b - a + c` (3CosAdd over unit
    vectors) other than `a`, `b` and `c`. Lines starting with `:` begin a
    section. Accuracy is correct / (questions answered).

    Returns:
        `{"accuracy": float, "correct": int, "total": int, "skipped": int,
        "sections": {name: {"accuracy", "correct", "total"}}}`.
    """
    validation.positive_int("top_n", top_n)
    validation.boolean("case_insensitive", case_insensitive)
    words = tuple(vectors.words)
    index = _top_index(words, top_n, case_insensitive)
    unit = vectors.unit()[: min(top_n, len(words))]
    sections, skipped, section = {}, 0, None
    questions = {}
    for line_number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(":"):
            section = line[1:].strip()
            sections.setdefault(section, [0, 0])
            questions[section] = []
            continue
        if not line.strip():
            continue
        if section is None:
            raise ValueError(f"{path}:{line_number}: a question before the first ': section' line")
        parts = line.upper().split() if case_insensitive else line.split()
        if len(parts) != 4:
            raise ValueError(f"{path}:{line_number}: expected 4 words, got {line!r}")
        if any(word not in index for word in parts):
            skipped += 1
            continue
        questions[section].append([index[word] for word in parts])
    for name, rows in questions.items():
        if not rows:
            continue
        ids = np.array(rows)
        for start in range(0, len(ids), 1024):
            block = ids[start : start + 1024]
            mean = unit[block[:, 1]] - unit[block[:, 0]] + unit[block[:, 2]]
            mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)  # gensim's most_similar normalises the mean
            scores = mean @ unit.T
            scores[np.arange(len(block))[:, None], block[:, :3]] = -np.inf
            predicted = np.argmax(scores, axis=1)
            sections[name][0] += int(np.sum(predicted == block[:, 3]))
            sections[name][1] += len(block)
    correct = sum(c for c, _ in sections.values())
    total = sum(t for _, t in sections.values())
    return {
        "accuracy": correct / total if total else 0.0,
        "correct": correct,
        "total": total,
        "skipped": skipped,
        "sections": {name: {"accuracy": c / t if t else 0.0, "correct": c, "total": t} for name, (c, t) in sections.items()},
    }


def evaluate_word_pairs(vectors, path, top_n=300000, case_insensitive=True):
    """Spearman's rho between cosine similarity and human scores (WordSim-353, SimLex-999), as gensim's `evaluate_word_pairs`.

    The file holds `word1 TAB word2 TAB score` lines (`#` starts a comment);
    pairs with a word outside the first `top_n` words are skipped.

    Returns:
        `{"spearman": float, "pearson": float, "pairs": int, "skipped": int}`.
    """
    from scipy import stats

    validation.positive_int("top_n", top_n)
    validation.boolean("case_insensitive", case_insensitive)
    index = _top_index(tuple(vectors.words), top_n, case_insensitive)
    unit = vectors.unit()
    similarities, gold, skipped = [], [], 0
    for line_number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            raise ValueError(f"{path}:{line_number}: expected 'word1<TAB>word2<TAB>score', got {line!r}")
        a, b = (p.upper() if case_insensitive else p for p in parts[:2])
        if a not in index or b not in index:
            skipped += 1
            continue
        similarities.append(float(unit[index[a]] @ unit[index[b]]))
        gold.append(float(parts[2]))
    if len(gold) < 2:
        return {"spearman": float("nan"), "pearson": float("nan"), "pairs": len(gold), "skipped": skipped}
    return {
        "spearman": float(stats.spearmanr(gold, similarities).statistic),
        "pearson": float(stats.pearsonr(gold, similarities).statistic),
        "pairs": len(gold),
        "skipped": skipped,
    }


def save_projector_files(vectors, directory, include_unk=False):
    """TensorBoard projector files: `vectors.tsv` (one vector a line) and `metadata.tsv` (its word); UNK left out unless asked."""
    validation.boolean("include_unk", include_unk)
    vectors = vectors if include_unk else vectors.without_unk()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    np.savetxt(directory / "vectors.tsv", np.asarray(vectors.vectors, dtype=np.float32), delimiter="\t", fmt="%.6g")
    (directory / "metadata.tsv").write_text("".join(word + "\n" for word in vectors.words), encoding="utf-8")
    return directory / "vectors.tsv", directory / "metadata.tsv"


def plot_tsne(vectors, path, count=100, perplexity=30.0, iterations=5000, seed=0):
    """The book's t-SNE picture (L4018): the first `count` words reduced to 2-D (PCA init), labelled, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    validation.positive_int("count", count)
    validation.positive_float("perplexity", perplexity)
    validation.positive_int("iterations", iterations)
    validation.seed("seed", seed)
    if iterations < 250:
        raise ValueError(f"`iterations` must be at least 250 (scikit-learn's minimum). Received: iterations={iterations}")
    count = min(count, len(vectors.words))
    if count <= perplexity:
        raise ValueError(f"t-SNE needs more words than its perplexity {perplexity}. Received: count={count}")
    with threadpool_limits(1):  # OpenMP threads beside TensorFlow's make it 50x slower (67 s instead of 1.2 s for the book's)
        points = TSNE(perplexity=perplexity, n_components=2, init="pca", max_iter=iterations, random_state=seed).fit_transform(
            np.asarray(vectors.vectors[:count], dtype=np.float64))
    size = max(8, min(30, 18 * math.sqrt(count / 100)))
    fig, ax = plt.subplots(figsize=(size, size))
    ax.scatter(points[:, 0], points[:, 1], s=12)
    for (x, y), label in zip(points, vectors.words[:count]):
        ax.annotate(label, xy=(x, y), xytext=(5, 2), textcoords="offset points", ha="right", va="bottom", fontsize=11)
    ax.set_title(f"t-SNE of the {count} most frequent words")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
