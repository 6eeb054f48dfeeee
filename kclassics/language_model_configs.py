"""The book's three PTB language-model configurations (7.2, L4309-4363), and the model each describes.

    from kclassics.language_model_configs import CONFIGS, build_language_model
    model = build_language_model(CONFIGS["medium"], vocab_size=10000)

Plain data, without Keras: the program `kclassics train ptb_lm` checks its
options against them before TensorFlow loads, and they load on every Keras
backend, where `kclassics.programs` is TensorFlow's (the language model
itself runs on JAX too: `kclassics.language_model`).
"""

import dataclasses

from kclassics import validation
from kclassics.data import ptb

# The LSTM layers `LanguageModel` builds (its `lstm=`).
LSTM_IMPLEMENTATIONS = ("basic", "keras")


@dataclasses.dataclass(frozen=True)
class PTBConfig:
    """One of the book's three language-model configurations (L4309-4363).

    Attributes:
        name: small, medium or large.
        init_scale: weights start in `U(-init_scale, init_scale)`.
        learning_rate: SGD's learning rate for the first `max_epoch` epochs.
        max_grad_norm: gradients are clipped to this global norm.
        num_layers: LSTM layers.
        num_steps: time steps per window (the truncation of backpropagation).
        hidden_size: width of the embedding and of the LSTM layers.
        max_epoch: epochs at the full learning rate.
        epochs: epochs in all (the book's `max_max_epoch`).
        keep_prob: dropout keep probability.
        lr_decay: the learning rate's factor per epoch after `max_epoch`.
        batch_size: parallel streams.
        vocab_size: most words in the vocabulary (PTB has exactly 10,000).
        tie_weights: share the embedding and softmax matrices (not the book's).
        lstm: "basic" (the book's BasicLSTMCell) or "keras" (keras.layers.LSTM,
            cuDNN on a GPU; the same function).
        seed: seed of the weights and dropout masks.
        source: where in the book these values come from.
    """

    name: str = "small"
    init_scale: float = 0.1
    learning_rate: float = 1.0
    max_grad_norm: float = 5.0
    num_layers: int = 2
    num_steps: int = 20
    hidden_size: int = 200
    max_epoch: int = 4
    epochs: int = 13
    keep_prob: float = 1.0
    lr_decay: float = 0.5
    batch_size: int = 20
    vocab_size: int = ptb.VOCAB_SIZE
    tie_weights: bool = False
    lstm: str = "basic"
    seed: int = 0
    source: str = "book 7.2, SmallConfig L4309-4324"

    def __post_init__(self):
        for field in ("num_layers", "num_steps", "hidden_size", "max_epoch", "epochs", "batch_size", "vocab_size"):
            validation.positive_int(field, getattr(self, field))
        for field in ("init_scale", "learning_rate", "max_grad_norm"):
            validation.positive_float(field, getattr(self, field))
        validation.fraction("keep_prob", self.keep_prob, low_open=True)
        validation.fraction("lr_decay", self.lr_decay, low_open=True)
        validation.boolean("tie_weights", self.tie_weights)
        validation.one_of("lstm", self.lstm, LSTM_IMPLEMENTATIONS)
        validation.seed("seed", self.seed)


SMALL = PTBConfig()  # init_scale 0.1, lr 1.0, max_grad_norm 5, 2 layers, 20 steps, 200 units, 4/13 epochs, keep 1.0, decay 0.5, L4309-4324
MEDIUM = PTBConfig(  # MediumConfig, L4330-4342
    name="medium", init_scale=0.05, learning_rate=1.0, max_grad_norm=5.0, num_layers=2, num_steps=35, hidden_size=650,
    max_epoch=6, epochs=39, keep_prob=0.5, lr_decay=0.8, batch_size=20, vocab_size=10000,
    source="book 7.2, MediumConfig L4330-4342",
)
LARGE = PTBConfig(  # LargeConfig, L4348-4363
    name="large", init_scale=0.04, learning_rate=1.0, max_grad_norm=10.0, num_layers=2, num_steps=35, hidden_size=1500,
    max_epoch=14, epochs=55, keep_prob=0.35, lr_decay=1 / 1.15, batch_size=20, vocab_size=10000,
    source="book 7.2, LargeConfig L4348-4363",
)
CONFIGS = {"small": SMALL, "medium": MEDIUM, "large": LARGE}


def build_language_model(config, vocab_size):
    """The `LanguageModel` of `config` over a vocabulary of `vocab_size` words."""
    from kclassics.language_model import LanguageModel

    return LanguageModel(vocab_size, config.hidden_size, config.num_layers, keep_prob=config.keep_prob,
                         init_scale=config.init_scale, tie_weights=config.tie_weights, lstm=config.lstm)
