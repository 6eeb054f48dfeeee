"""Bad input to every public function, class and config of kclassics.language_model and its PTB reader: one line naming the argument and the value."""

import dataclasses

import numpy as np
import pytest

from kclassics.language_model import (
    BasicLSTM,
    EpochDecay,
    KerasLSTM,
    LanguageModel,
    TruncatedBPTT,
    book_cost,
    evaluate_perplexity,
    sample_words,
    train_flops_per_word,
)
from kclassics.data import ptb
from kclassics.programs import ptb_lm

MODEL = LanguageModel(11, 4, num_layers=1)
WORDS = tuple(f"w{i}" for i in range(11))
IDS = np.arange(40) % 11

CASES = {
    "LanguageModel(vocab_size)": (lambda: LanguageModel(0), r"`vocab_size` must be a positive integer\. Received: vocab_size=0"),
    "LanguageModel(hidden_size)": (lambda: LanguageModel(10, hidden_size=2.5), r"hidden_size=2\.5"),
    "LanguageModel(num_layers)": (lambda: LanguageModel(10, num_layers="2"), r"num_layers='2'"),
    "LanguageModel(keep_prob)": (lambda: LanguageModel(10, keep_prob=0.0), r"`keep_prob` must be a number in \(0, 1\]\. Received: keep_prob=0\.0"),
    "LanguageModel(init_scale)": (lambda: LanguageModel(10, init_scale=float("nan")), r"init_scale=nan"),
    "LanguageModel(tie_weights)": (lambda: LanguageModel(10, tie_weights=1), r"`tie_weights` must be True or False\. Received: tie_weights=1"),
    "LanguageModel(lstm)": (lambda: LanguageModel(10, lstm="cudnn"), r"Unknown `lstm`\. Accepted: basic, keras\. Received: lstm='cudnn'"),
    "LanguageModel.initial_state(batch_size)": (lambda: MODEL.initial_state(0), r"`batch_size` must be a positive integer\. Received: batch_size=0"),
    "LanguageModel.unroll(ids): out of range": (lambda: MODEL.unroll([[1, 11]], MODEL.initial_state(1)),
                                                r"`ids` must hold word ids 0 \.\. 10 \(vocab_size=11\)\. Received: ids\[0, 1\]=11"),
    "LanguageModel.unroll(ids): shape": (lambda: MODEL.unroll([1, 2], MODEL.initial_state(1)), r"`ids` must be a 2-D array of word ids\. Received: ids=an array of shape \(2,\)"),
    "LanguageModel.unroll(ids): NaN": (lambda: MODEL.unroll([[1.0, np.nan]], MODEL.initial_state(1)), r"Received: ids\[0, 1\]=nan"),
    "LanguageModel.unroll(ids): empty": (lambda: MODEL.unroll(np.zeros((1, 0), int), MODEL.initial_state(1)), r"`ids` must not be empty"),
    "LanguageModel.unroll(state)": (lambda: MODEL.unroll([[1, 2]], MODEL.initial_state(3)),
                                    r"`state` must have the shape \(num_layers, 2, batch, hidden_size\) = \(1, 2, 1, 4\).*Received: state of shape \(1, 2, 3, 4\)"),
    "LanguageModel.logits(outputs)": (lambda: MODEL.logits(np.zeros((1, 2, 5), "float32")), r"`outputs` must be LSTM outputs of width hidden_size=4\. Received: outputs of shape \(1, 2, 5\)"),
    "BasicLSTM(units)": (lambda: BasicLSTM(-1), r"`units` must be a positive integer\. Received: units=-1"),
    "BasicLSTM(forget_bias)": (lambda: BasicLSTM(4, forget_bias=float("inf")), r"`forget_bias` must be a finite number\. Received: forget_bias=inf"),
    "KerasLSTM(units)": (lambda: KerasLSTM(0), r"units=0"),
    "KerasLSTM.from_basic_weights(kernel)": (lambda: KerasLSTM.from_basic_weights(np.zeros((6, 7)), np.zeros(7), 2),
                                             r"`kernel` must be a BasicLSTMCell's joint kernel .*Received: kernel of shape \(6, 7\)"),
    "book_cost(targets, logits)": (lambda: book_cost(np.zeros((2, 3), "int32"), np.zeros((2, 4, 11))),
                                   r"`logits` must have the shape of `targets` and one more axis.*targets of shape \(2, 3\), logits of shape \(2, 4, 11\)"),
    "EpochDecay(learning_rate)": (lambda: EpochDecay(0, 0.5, 4, 10), r"learning_rate=0"),
    "EpochDecay(decay)": (lambda: EpochDecay(1.0, -0.5, 4, 10), r"`decay` must be a finite positive number\. Received: decay=-0\.5"),
    "EpochDecay(max_epoch)": (lambda: EpochDecay(1.0, 0.5, -1, 10), r"max_epoch=-1"),
    "EpochDecay(epoch_size)": (lambda: EpochDecay(1.0, 0.5, 4, 0), r"epoch_size=0"),
    "TruncatedBPTT(language_model)": (lambda: TruncatedBPTT("model", 2), r"`language_model` must be a kclassics LanguageModel\. Received: language_model='model'"),
    "TruncatedBPTT(batch_size)": (lambda: TruncatedBPTT(MODEL, 0), r"batch_size=0"),
    "evaluate_perplexity(ids)": (lambda: evaluate_perplexity(MODEL, [1, 2, 12], 1, 1), r"Received: ids\[2\]=12"),
    "evaluate_perplexity(batch_size)": (lambda: evaluate_perplexity(MODEL, IDS, 0, 1), r"`batch_size` must be a positive integer\. Received: batch_size=0"),
    "evaluate_perplexity(num_steps)": (lambda: evaluate_perplexity(MODEL, IDS, 1, -2), r"num_steps=-2"),
    "train_flops_per_word(hidden_size)": (lambda: train_flops_per_word(0, 100), r"hidden_size=0"),
    "train_flops_per_word(num_layers)": (lambda: train_flops_per_word(10, 100, num_layers=1.5), r"num_layers=1\.5"),
    "sample_words(words)": (lambda: sample_words(MODEL, WORDS, ["w1"], 0), r"words=0"),
    "sample_words(temperature)": (lambda: sample_words(MODEL, WORDS, ["w1"], 3, temperature=0), r"temperature=0"),
    "sample_words(prompt_words): a string": (lambda: sample_words(MODEL, WORDS, "w1 w2", 3), r"`prompt_words` must be a list of words \(strings\)\. Received: prompt_words='w1 w2'"),
    "sample_words(prompt_words): empty": (lambda: sample_words(MODEL, WORDS, [], 3), r"prompt_words=\[\]"),
    "sample_words(vocabulary)": (lambda: sample_words(MODEL, WORDS[:5], ["w1"], 3), r"`vocabulary` must hold the model's 11 words \(vocab_size\)\. Received: 5 words"),
    "sample_words(seed)": (lambda: sample_words(MODEL, WORDS, ["w1"], 3, seed=-1), r"seed=-1"),
    "sample_words(language_model)": (lambda: sample_words(None, WORDS, ["w1"], 3), r"language_model=None"),
    "PTBConfig(num_steps)": (lambda: dataclasses.replace(ptb_lm.SMALL, num_steps=0), r"num_steps=0"),
    "PTBConfig(learning_rate)": (lambda: dataclasses.replace(ptb_lm.SMALL, learning_rate=float("nan")), r"learning_rate=nan"),
    "PTBConfig(lr_decay)": (lambda: dataclasses.replace(ptb_lm.SMALL, lr_decay=1.5), r"lr_decay=1\.5"),
    "PTBConfig(lstm)": (lambda: dataclasses.replace(ptb_lm.SMALL, lstm="gru"), r"lstm='gru'"),
    "PTBConfig(tie_weights)": (lambda: dataclasses.replace(ptb_lm.SMALL, tie_weights="yes"), r"tie_weights='yes'"),
    "PTBConfig(seed)": (lambda: dataclasses.replace(ptb_lm.SMALL, seed=2**32), r"seed=4294967296"),
}


PTB_CASES = {  # the reader's own arguments (kclassics.data.ptb)
    "ptb_producer(batch_size)": (lambda: ptb.ptb_producer(IDS, 0, 5), r"`batch_size` must be a positive integer\. Received: batch_size=0"),
    "ptb_producer(num_steps)": (lambda: ptb.ptb_producer(IDS, 2, 0), r"num_steps=0"),
    "ptb_producer(ids)": (lambda: ptb.ptb_producer(np.ones((4, 10)), 2, 2), r"`ids` must be a 1-D array of word ids\. Received: ids=an array of shape \(4, 10\)"),
    "build_vocabulary(vocab_size)": (lambda: ptb.build_vocabulary(["a"], 0), r"vocab_size=0"),
    "build_vocabulary(min_count)": (lambda: ptb.build_vocabulary(["a"], 10, min_count=0), r"min_count=0"),
    "load_ptb(vocab_size)": (lambda: ptb.load_ptb("anywhere", vocab_size=-5), r"vocab_size=-5"),
    "load_text(normalize)": (lambda: ptb.load_text("anywhere", normalize="yes"), r"normalize='yes'"),
    "Corpus.split(name)": (lambda: ptb.Corpus(IDS, IDS, IDS, WORDS).split("dev"), r"Unknown `split`\. Accepted: train, valid, test\. Received: split='dev'"),
}


CASES.update(PTB_CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_naming_the_argument_and_the_value(case):
    call, message = CASES[case]
    with pytest.raises(ValueError, match=message) as raised:
        call()
    assert len(str(raised.value).splitlines()) == 1, str(raised.value)
