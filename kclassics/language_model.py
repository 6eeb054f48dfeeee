"""The PTB LSTM language model of the book (7.2, L4166-4300; Zaremba et al. 2014) and its truncated-BPTT trainer.

    from kclassics.language_model import LanguageModel, TruncatedBPTT
    model = LanguageModel(vocab_size=10000, hidden_size=200, num_layers=2, init_scale=0.1)
    logits, state = model.unroll(ids, model.initial_state(batch_size))   # state carried by the caller
    trainer = TruncatedBPTT(model, batch_size=20, num_steps=20)           # `fit` carries it across batches

`LanguageModel` is the book's `PTBModel` without its input: an embedding,
`num_layers` LSTM layers of `BasicLSTMCell(forget_bias=0.0)` and a softmax
layer over the vocabulary, every weight drawn from `U(-init_scale,
init_scale)` (the book's `tf.random_uniform_initializer` scope) except the
LSTM biases, which `BasicLSTMCell` starts at zero. Dropout (`1 - keep_prob`)
acts on the embeddings and on every LSTM layer's output (`DropoutWrapper(
output_keep_prob)`), with a new mask at every time step. The state is a
tensor `(num_layers, 2, batch, hidden)`, each layer's `(c, h)` as TF's
`LSTMStateTuple` orders it.

`TruncatedBPTT` is the book's training graph `m`: it holds the state of its
`batch_size` streams in a variable, so `model.fit` over the batches of
`kclassics.data.ptb.ptb_producer` in order continues each stream from one
batch to the next; `reset()` zeroes it at every epoch start. Its loss is
the book's cost, the sum over time steps of the batch-mean cross entropy
(L4260), with which SGD at 1.0 is the book's step.

The book's three configurations (`SMALL`, `MEDIUM`, `LARGE`: `CONFIGS`,
L4309-4363; from `kclassics.language_model_configs`, which loads without
Keras) are here too, and `build_language_model(config, vocab_size)`.
All of it is written on `keras.ops` and runs on the TensorFlow and JAX
backends alike (the training step and the compiled evaluation loop have one
form per backend); the program around it, `kclassics.programs.ptb_lm`, is
TensorFlow's.
"""

import weakref

import keras
import numpy as np
from keras import ops

from kclassics import _backend, validation
from kclassics.language_model_configs import (  # noqa: F401  (the book's configurations, here beside the model)
    CONFIGS, LARGE, LSTM_IMPLEMENTATIONS, MEDIUM, SMALL, PTBConfig, build_language_model,
)
from kclassics.layers.recurrent import BasicLSTMCell
from kclassics.model import Model

TRAINING_BACKENDS = ("tensorflow", "jax")  # the backends `TruncatedBPTT.train_step` is written for


def _is_tensor(value):
    """A tensor or variable (checked by its static shape), not a NumPy array or a Python value (checked whole)."""
    return hasattr(value, "shape") and not isinstance(value, (np.ndarray, np.generic))


def _uniform(scale):
    return keras.initializers.RandomUniform(-scale, scale)


@keras.saving.register_keras_serializable(package="kclassics")
class BasicLSTM(keras.layers.Layer):
    """A sequence of `BasicLSTMCell` steps, its input product for all time steps done at once.

    The cell's joint kernel `[x, h] @ W` is split into `x @ W_x`, one product
    over the whole window, and `h @ W_h` per step; the gates are the cell's
    (`i, j, f, o`, the forget bias a constant). The weights are the cell's,
    so a `BasicLSTMCell` inside `keras.layers.RNN` computes the same outputs.

    Call it on `(inputs, (c, h))`; it returns the outputs of every step and
    the final `(c, h)`. A static number of steps is unrolled, as the book's
    graph is; a number known only when run is a symbolic loop.
    """

    def __init__(self, units, forget_bias=0.0, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        validation.positive_int("units", units)
        validation.finite_float("forget_bias", forget_bias)
        self.cell = BasicLSTMCell(units, forget_bias=forget_bias, kernel_initializer=kernel_initializer, name="cell")
        self.units = units

    def build(self, input_shape):
        self.cell.build(input_shape)

    def call(self, inputs, state):
        width = inputs.shape[-1]
        kernel = ops.convert_to_tensor(self.cell.kernel)
        input_kernel, state_kernel = kernel[:width], kernel[width:]
        projected = ops.matmul(inputs, input_kernel) + self.cell.bias

        def step(carry, z_x):
            c, h = carry
            i, j, f, o = ops.split(z_x + ops.matmul(h, state_kernel), 4, axis=-1)
            c = c * ops.sigmoid(f + self.cell.forget_bias) + ops.sigmoid(i) * ops.tanh(j)
            h = ops.tanh(c) * ops.sigmoid(o)
            return (c, h), (c, h)

        carry = tuple(state)
        if inputs.shape[1] is None:  # a length known only when run (an export's input): a symbolic loop
            carry, (_, outputs) = ops.scan(step, carry, ops.moveaxis(projected, 1, 0))
            return ops.moveaxis(outputs, 0, 1), carry
        outputs = []
        for z_x in ops.unstack(projected, axis=1):  # unrolled: the book's static `num_steps` loop (L4236-4241)
            carry, (_, h) = step(carry, z_x)
            outputs.append(h)
        return ops.stack(outputs, axis=1), carry

    def get_config(self):
        return {**super().get_config(), "units": self.units, "forget_bias": self.cell.forget_bias,
                "kernel_initializer": keras.initializers.serialize(self.cell.kernel_initializer)}


@keras.saving.register_keras_serializable(package="kclassics")
class KerasLSTM(keras.layers.Layer):
    """The same LSTM as `BasicLSTM` on `keras.layers.LSTM`, which runs on cuDNN on a GPU.

    With `forget_bias=0` a `BasicLSTMCell` is the standard LSTM that Keras's
    layer computes (no forget-gate constant, `unit_forget_bias=False`, zero
    biases). Keras orders the gates `i, f, c, o` and keeps the input and
    recurrent kernels apart; `from_basic_weights` converts a `BasicLSTM`'s.
    """

    def __init__(self, units, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.units = validation.positive_int("units", units)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.lstm = keras.layers.LSTM(
            units, return_sequences=True, return_state=True, unit_forget_bias=False, kernel_initializer=kernel_initializer,
            recurrent_initializer=kernel_initializer, bias_initializer="zeros", name="lstm",
        )

    def build(self, input_shape):
        self.lstm.build(input_shape)

    def call(self, inputs, state):
        c, h = state
        outputs, h, c = self.lstm(inputs, initial_state=[h, c])
        return outputs, (c, h)

    @staticmethod
    def from_basic_weights(kernel, bias, input_width):
        """`[kernel, recurrent_kernel, bias]` of Keras's LSTM from a `BasicLSTMCell`'s joint kernel and bias."""
        order = lambda w: np.concatenate([w[..., k * (w.shape[-1] // 4):(k + 1) * (w.shape[-1] // 4)] for k in (0, 2, 1, 3)], -1)
        kernel = validation.array("kernel", kernel, ndim=2)
        bias = validation.array("bias", bias, ndim=1)
        validation.positive_int("input_width", input_width)
        if kernel.shape[1] % 4 or bias.shape != (kernel.shape[1],) or kernel.shape[0] != input_width + kernel.shape[1] // 4:
            raise ValueError(
                "`kernel` must be a BasicLSTMCell's joint kernel of shape (input_width + units, 4 * units) and `bias` of "
                f"shape (4 * units,). Received: kernel of shape {kernel.shape}, bias of shape {bias.shape}, input_width={input_width}"
            )
        return [order(kernel[:input_width]), order(kernel[input_width:]), order(np.asarray(bias))]

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}


@keras.saving.register_keras_serializable(package="kclassics")
class LanguageModel(Model):
    """The book's PTB language model: embedding, stacked LSTMs, softmax over the vocabulary.

    Args:
        vocab_size: words of the vocabulary (the softmax's width).
        hidden_size: width of the embedding and of every LSTM layer.
        num_layers: LSTM layers.
        keep_prob: dropout keep probability on the embeddings and every LSTM output.
        init_scale: the weights start in `U(-init_scale, init_scale)`.
        tie_weights: use the embedding matrix (transposed) as the softmax
            weights (Press and Wolf 2017; Inan et al. 2017): `vocab_size *
            hidden_size` fewer parameters. The book has separate matrices.
        lstm: `"basic"` (`BasicLSTM`, the book's cell) or `"keras"`
            (`KerasLSTM`, cuDNN on a GPU); the same function.
    """

    def __init__(self, vocab_size, hidden_size=200, num_layers=2, keep_prob=1.0, init_scale=0.1, tie_weights=False,
                 lstm="basic", **kwargs):
        super().__init__(**kwargs)
        for name in ("vocab_size", "hidden_size", "num_layers"):
            validation.positive_int(name, locals()[name])
        validation.fraction("keep_prob", keep_prob, low_open=True)
        validation.positive_float("init_scale", init_scale)
        validation.boolean("tie_weights", tie_weights)
        validation.one_of("lstm", lstm, LSTM_IMPLEMENTATIONS)
        self.vocab_size, self.hidden_size, self.num_layers = vocab_size, hidden_size, num_layers
        self.keep_prob, self.init_scale, self.tie_weights, self.lstm = keep_prob, init_scale, tie_weights, lstm
        init = _uniform(init_scale)
        self.embedding = keras.layers.Embedding(vocab_size, hidden_size, embeddings_initializer=init, name="embedding")
        if lstm == "basic":
            self.lstm_layers = [BasicLSTM(hidden_size, forget_bias=0.0, kernel_initializer=init, name=f"lstm_{k}")
                                for k in range(num_layers)]
        else:
            self.lstm_layers = [KerasLSTM(hidden_size, kernel_initializer=init, name=f"lstm_{k}") for k in range(num_layers)]
        self.dropout = keras.layers.Dropout(1.0 - keep_prob, name="dropout")
        if not tie_weights:
            self.softmax = keras.layers.Dense(vocab_size, kernel_initializer=init, bias_initializer=init, name="softmax")
        self.build((None, None))

    def build(self, input_shape):
        if self.built:
            return
        self.embedding.build(input_shape)
        for layer in self.lstm_layers:
            layer.build((None, None, self.hidden_size))
        if self.tie_weights:
            self.softmax_bias = self.add_weight(shape=(self.vocab_size,), initializer=_uniform(self.init_scale), name="softmax_bias")
        else:
            self.softmax.build((None, self.hidden_size))
        self.built = True

    def initial_state(self, batch_size):
        """The zero state of `batch_size` streams: `(num_layers, 2, batch_size, hidden_size)`."""
        if not _is_tensor(batch_size):  # a tensor: the batch of a traced call
            validation.positive_int("batch_size", batch_size)
        return ops.zeros((self.num_layers, 2, batch_size, self.hidden_size))

    def check_ids(self, name, ids, ndim=2):
        """`ids` if they are word ids below `vocab_size` of rank `ndim` (a tensor: its rank only, being traced)."""
        if _is_tensor(ids):
            if len(ids.shape) != ndim:
                raise ValueError(f"`{name}` must be a {ndim}-D tensor of word ids. Received: {name} of shape {tuple(ids.shape)}")
            return ids
        return validation.class_ids(name, ids, self.vocab_size, what="word ids", count_name="vocab_size", ndim=ndim,
                                    allow_empty=False)

    def unroll(self, ids, state, training=False):
        """Reads `ids` (batch x steps) from `state`; returns the logits of every step and the new state."""
        ids = self.check_ids("ids", ids)
        expected = (self.num_layers, 2, ids.shape[0], self.hidden_size)
        if len(state.shape) != 4 or any(a is not None and b is not None and a != b for a, b in zip(state.shape, expected)):
            raise ValueError(f"`state` must have the shape (num_layers, 2, batch, hidden_size) = {expected}, as "
                             f"`initial_state(batch)` gives. Received: state of shape {tuple(state.shape)}")
        x = self.embedding(ids)
        if training and self.keep_prob < 1:
            x = self.dropout(x, training=True)
        finals = []
        for k, layer in enumerate(self.lstm_layers):
            x, (c, h) = layer(x, (state[k, 0], state[k, 1]))
            if training and self.keep_prob < 1:
                x = self.dropout(x, training=True)
            finals.append(ops.stack([c, h]))
        return self.logits(x), ops.stack(finals)

    def logits(self, outputs):
        """The softmax layer's logits for LSTM outputs."""
        if outputs.shape[-1] != self.hidden_size:
            raise ValueError(f"`outputs` must be LSTM outputs of width hidden_size={self.hidden_size}. "
                             f"Received: outputs of shape {tuple(outputs.shape)}")
        if self.tie_weights:
            return ops.matmul(outputs, ops.transpose(self.embedding.embeddings)) + self.softmax_bias
        return self.softmax(outputs)

    def call(self, ids, training=False):
        """The logits of every step of `ids` read from the zero state."""
        return self.unroll(ids, self.initial_state(ops.shape(ids)[0]), training=training)[0]

    def get_config(self):
        return {"vocab_size": self.vocab_size, "hidden_size": self.hidden_size, "num_layers": self.num_layers,
                "keep_prob": self.keep_prob, "init_scale": self.init_scale, "tie_weights": self.tie_weights,
                "lstm": self.lstm, "name": self.name}


def book_cost(targets, logits):
    """The book's cost: summed negative log-likelihood over the window, divided by the batch size (L4258-4260)."""
    if len(logits.shape) != len(targets.shape) + 1 or any(
            a is not None and b is not None and a != b for a, b in zip(targets.shape, logits.shape)):
        raise ValueError("`logits` must have the shape of `targets` and one more axis, the vocabulary. "
                         f"Received: targets of shape {tuple(targets.shape)}, logits of shape {tuple(logits.shape)}")
    nll = keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
    return ops.sum(nll) / ops.cast(ops.shape(targets)[0], nll.dtype), nll


@keras.saving.register_keras_serializable(package="kclassics")
class EpochDecay(keras.optimizers.schedules.LearningRateSchedule):
    """The book's learning rate per epoch, `learning_rate * decay ** max(epoch + 1 - max_epoch, 0)` (L4472), as a step schedule.

    Epoch `i` (from 0) is steps `i * epoch_size` to `(i + 1) * epoch_size - 1`,
    so a run resumed mid-epoch continues at the rate of its epoch.
    """

    def __init__(self, learning_rate, decay, max_epoch, epoch_size):
        validation.positive_float("learning_rate", learning_rate)
        validation.positive_float("decay", decay)
        validation.non_negative_int("max_epoch", max_epoch)
        validation.positive_int("epoch_size", epoch_size)
        self.learning_rate, self.decay, self.max_epoch, self.epoch_size = learning_rate, decay, max_epoch, epoch_size

    def for_epoch(self, epoch):
        """The rate of epoch `epoch` (from 0), as a Python float."""
        return self.learning_rate * self.decay ** max(epoch + 1 - self.max_epoch, 0)

    def __call__(self, step):
        epoch = ops.floor_divide(ops.cast(step, "float32"), float(self.epoch_size))
        exponent = ops.maximum(epoch + 1.0 - self.max_epoch, 0.0)
        return self.learning_rate * ops.power(ops.cast(self.decay, "float32"), exponent)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "decay": self.decay, "max_epoch": self.max_epoch, "epoch_size": self.epoch_size}


class TruncatedBPTT(keras.Model):
    """Trains a `LanguageModel` with `fit`, carrying each stream's state from one batch to the next.

    Feed it `ptb_producer`'s batches in order. Its variables, saved with its
    weights, are the carried state and the epoch's running negative
    log-likelihood and word count, so a checkpoint taken mid-epoch resumes
    the same streams at the same perplexity. `reset()` starts an epoch.
    It trains on the TensorFlow and JAX backends, the same step on each.

    Args:
        language_model: the `LanguageModel` to train.
        batch_size: parallel streams (the state's batch dimension).
    """

    def __init__(self, language_model, batch_size, **kwargs):
        _backend.require("TruncatedBPTT", TRAINING_BACKENDS)
        _check_language_model(language_model)
        validation.positive_int("batch_size", batch_size)
        super().__init__(**kwargs)
        self.language_model = language_model
        self.batch_size = batch_size
        shape = (language_model.num_layers, 2, batch_size, language_model.hidden_size)
        self.carried_state = self.add_weight(shape=shape, initializer="zeros", trainable=False, name="carried_state")
        self.epoch_nll = self.add_weight(shape=(), initializer="zeros", trainable=False, name="epoch_nll")
        self.epoch_words = self.add_weight(shape=(), initializer="zeros", trainable=False, name="epoch_words")
        self.built = True

    def reset(self):
        """Zeroes the carried state and the epoch's totals (the book's `session.run(model.initial_state)`)."""
        for variable in (self.carried_state, self.epoch_nll, self.epoch_words):
            variable.assign(ops.zeros(variable.shape))

    def perplexity(self):
        """`exp(mean NLL per word)` over the epoch's batches so far."""
        words = float(ops.convert_to_numpy(self.epoch_words))
        return float(np.exp(float(ops.convert_to_numpy(self.epoch_nll)) / words)) if words else float("nan")

    def train_step(self, *args):
        """One window: the book's cost, its clipped SGD step, the state carried and the epoch's totals advanced.

        Keras calls it as `train_step(data)` on TensorFlow and as the pure
        `train_step(state, data)` on JAX; both run `_advance`.
        """
        if keras.backend.backend() == "jax":
            return self._jax_train_step(*args)
        return self._tensorflow_train_step(*args)

    def _advance(self, x, y):
        """The window's cost read from the carried state; the state and the epoch's totals move on."""
        logits, state = self.language_model.unroll(x, self.carried_state, training=True)
        cost, nll = book_cost(y, logits)
        self.carried_state.assign(state)
        self.epoch_nll.assign_add(ops.sum(nll))
        self.epoch_words.assign_add(ops.cast(ops.size(nll), "float32"))
        return cost

    def _logs(self, cost):
        return {"cost": cost, "perplexity": ops.exp(self.epoch_nll / self.epoch_words)}

    def _tensorflow_train_step(self, data):
        import tensorflow as tf

        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)  # `fit` gives (x, y), `train_on_batch` (x, y, None)
        variables = self.language_model.trainable_variables
        with tf.GradientTape() as tape:
            cost = self._advance(x, y)
        self.optimizer.apply(tape.gradient(cost, variables), variables)
        return self._logs(cost)

    def _jax_train_step(self, state, data):
        import jax

        trainable, non_trainable, optimizer_variables, metrics_variables = state
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)  # `fit` gives (x, y), `train_on_batch` (x, y, None)

        def cost_of(trainable):
            mapping = [*zip(self.trainable_variables, trainable), *zip(self.non_trainable_variables, non_trainable)]
            with keras.StatelessScope(state_mapping=mapping) as scope:
                cost = self._advance(x, y)
                logs = self._logs(cost)
            return cost, (logs, [scope.get_current_value(v) for v in self.non_trainable_variables])

        (_, (logs, non_trainable)), gradients = jax.value_and_grad(cost_of, has_aux=True)(trainable)
        trainable, optimizer_variables = self.optimizer.stateless_apply(optimizer_variables, gradients, trainable)
        return logs, (trainable, non_trainable, optimizer_variables, metrics_variables)


_EVALUATORS = weakref.WeakKeyDictionary()  # model -> {(batch_size, num_steps): compiled loop}, traced once each


def evaluate_perplexity(language_model, ids, batch_size, num_steps):
    """`exp(mean NLL per word)` of `ids` read as the book's `run_epoch` without training: streams carried from zero.

    With `batch_size=1, num_steps=1` it is the book's test evaluation (L4458);
    the whole loop over the split runs in one compiled call.
    """
    from kclassics.data.ptb import ptb_producer

    _check_language_model(language_model)
    ids = language_model.check_ids("ids", ids, ndim=1)
    x, y = ptb_producer(ids, batch_size, num_steps)
    evaluators = _EVALUATORS.setdefault(language_model, {})
    if (batch_size, num_steps) not in evaluators:
        evaluators[batch_size, num_steps] = _summed_nll(language_model, batch_size, num_steps)
    return float(np.exp(evaluators[batch_size, num_steps](x, y) / x.size))


def _window_nll(language_model, state, x, y):
    """The state after reading the window `x` from `state`, and the summed NLL of its targets `y`."""
    logits, state = language_model.unroll(x, state)
    return state, ops.sum(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))


def _check_language_model(language_model):
    if not isinstance(language_model, LanguageModel):
        raise ValueError(f"`language_model` must be a kclassics LanguageModel. Received: language_model={validation.describe(language_model)}")


def _summed_nll(language_model, batch_size, num_steps):
    """`f(x, y)`: the NLL summed over windows `x[i] -> y[i]` read in order, in one compiled call (TensorFlow or JAX)."""
    if keras.backend.backend() == "jax":
        return _summed_nll_jax(language_model, batch_size)
    import tensorflow as tf

    spec = tf.TensorSpec((None, batch_size, num_steps), tf.int32)

    @tf.function(input_signature=[spec, spec])
    def summed_nll(x, y):
        state = language_model.initial_state(batch_size)
        total = tf.constant(0.0, tf.float64)
        for i in tf.range(tf.shape(x)[0]):
            state, nll = _window_nll(language_model, state, x[i], y[i])
            total += tf.cast(nll, tf.float64)
        return total

    return lambda x, y: float(summed_nll(x, y))


def _summed_nll_jax(language_model, batch_size):
    import jax

    variables = language_model.variables

    @jax.jit
    def window_nlls(values, x, y):  # the weights are arguments, so a model trained later is read as it is then
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            step = lambda state, window: _window_nll(language_model, state, *window)  # noqa: E731
            return jax.lax.scan(step, language_model.initial_state(batch_size), (x, y))[1]

    # float64 on the host: JAX computes in float32 unless x64 is switched on for the whole process.
    return lambda x, y: float(np.sum(np.asarray(window_nlls([v.value for v in variables], x, y), np.float64)))


def train_flops_per_word(hidden_size, vocab_size, num_layers=2):
    """Matmul FLOPs of one training word: 3x the forward's (the backward's two products per forward one).

    Forward per word: each LSTM layer `2 * (2h) * (4h)`, the softmax `2 * h * V`;
    the embedding lookup, gates and softmax normalisation are not products.
    """
    for name, value in (("hidden_size", hidden_size), ("vocab_size", vocab_size), ("num_layers", num_layers)):
        validation.positive_int(name, value)
    forward = num_layers * 2 * (2 * hidden_size) * (4 * hidden_size) + 2 * hidden_size * vocab_size
    return 3 * forward


def sample_words(language_model, vocabulary, prompt_words, words, temperature=1.0, seed=None):
    """Continues `prompt_words` with `words` words drawn from the model's next-word distribution.

    The prompt is read from the zero state; each next word is drawn from
    `softmax(logits / temperature)` (lower temperatures pick likelier words)
    and read in turn, the state carried.

    Args:
        language_model: a trained `LanguageModel`.
        vocabulary: its words, id order.
        prompt_words: the words to start from (at least one); words outside
            the vocabulary read as `<unk>`.
        words: how many words to draw.
        temperature: a positive number.
        seed: seed of the draws.

    Returns:
        The drawn words.
    """
    from kclassics.data.ptb import UNK

    _check_language_model(language_model)
    validation.positive_int("words", words)
    validation.positive_float("temperature", temperature)
    if seed is not None:
        validation.seed("seed", seed)
    if len(vocabulary) != language_model.vocab_size:
        raise ValueError(f"`vocabulary` must hold the model's {language_model.vocab_size} words (vocab_size). "
                         f"Received: {len(vocabulary)} words")
    if isinstance(prompt_words, str) or not all(isinstance(word, str) for word in prompt_words):
        raise ValueError(f"`prompt_words` must be a list of words (strings). Received: prompt_words={prompt_words!r}")
    if not prompt_words:
        raise ValueError("`prompt_words` must hold at least one word. Received: prompt_words=[]")
    index = {word: i for i, word in enumerate(vocabulary)}
    unknown = [word for word in prompt_words if word not in index]
    if unknown and UNK not in index:
        raise ValueError(f"The prompt's words {unknown} are not in the vocabulary, which has no {UNK!r} to stand for them.")
    ids = np.array([[index.get(word, index.get(UNK)) for word in prompt_words]], dtype=np.int32)
    rng = np.random.default_rng(seed)
    logits, state = language_model.unroll(ids, language_model.initial_state(1))
    drawn = []
    for _ in range(words):
        scaled = ops.convert_to_numpy(logits[0, -1]).astype(np.float64) / temperature
        probabilities = np.exp(scaled - scaled.max())
        word = int(rng.choice(len(probabilities), p=probabilities / probabilities.sum()))
        drawn.append(vocabulary[word])
        logits, state = language_model.unroll(np.array([[word]], dtype=np.int32), state)
    return drawn
