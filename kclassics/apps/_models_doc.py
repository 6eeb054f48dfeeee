"""The table of every registered ImageNet-scale model, as written to docs/models.md."""

from kclassics.apps._registry import list_models, model_info

_HEADER = """# Models

Generated from the registry by `python docs/make_models_doc.py` (a test checks that this file is in sync).
Parameters are `model.count_params()` with the default 1000-class head (batch-norm moving statistics
included, as keras.applications counts); multiply-adds are those of the convolutions and fully-connected
layers for one image at the default input size (`kclassics.profiler.papers_multiply_adds`).
Every builder takes keras.applications' arguments; `kclassics.apps.create_model(name, **kwargs)` builds by name.

| model | parameters | multiply-adds | input | book / source ([sources](sources.md)) | paper | keras.applications twin |
|---|---:|---:|---|---|---|---|
"""

_NOTES = """
## Published figures and differences

- **VGG16 / VGG19, Inception V3 (no aux head), ResNet V2 50/101/152, DenseNet 121/169/201, AlexNet
  (book widths + FC head)**: the counts equal the published ones (docs/sources.md) and keras.applications'.
  Inception V3 with `aux_logits=True` has 27,179,376 parameters.
- **ResNet V2 200**: 64,894,440 parameters of which 64,726,120 trainable; the published "about 64.7M"
  is the trainable count (the difference is the 168,320 batch-norm moving means and variances).
- **ResNet V1 18/34/50/101/152**: 11,699,112 / 21,814,696 / 25,610,152 / 44,654,504 / 60,344,232
  parameters; the trainable counts 11,689,512 / 21,797,672 / 25,557,032 / 44,549,160 / 60,192,808 are
  the paper's 11.7M / 21.8M / 25.6M / 44.5M / 60.2M. With `keras_compatible=True` (biases before every
  batch norm, as the Caffe model that keras.applications.ResNet50/101/152 port) the counts are
  keras' 25,636,712 / 44,707,176 / 60,419,944. Multiply-adds 1.8 / 3.7 / 3.9 / 7.6 / 11.3 G against the
  paper's 1.8 / 3.6 / 3.8 / 7.6 / 11.3 G (book L3375); ours include the final FC layer and count the
  projection shortcuts exactly.
- **GoogLeNet**: 6,998,552 parameters (6,990,272 weights + 8,280 biases) and 1.58 G multiply-adds against
  the paper's Table 1, whose rows sum to about 6.8M parameters and 1.5 G multiply-adds: the table rounds
  each row, counts no biases, and lists 2.7K for the 7x7x3x64 stem convolution, which has 9,408 weights.
  With `aux_logits=True`: 13,378,280 (the two heads, with their 1024-unit FC layers).
- **BN-Inception**: 11,305,256 parameters, 11,285,224 of them trainable: the stem (124,736), the ten
  modules of the BN-Inception paper notes' table (the paper's Figure 5) with 219,072 / 260,160 / 385,088 / 609,984 /
  665,344 / 914,432 / 1,142,912 / 1,449,984 / 2,208,896 / 2,279,616 (3a..5b; each one exactly what its
  row implies: k*k*in*out weights plus batch norm's gamma and beta per convolution, tested), and the
  1024x1000 softmax layer (1,025,000). The paper quotes 13.6M "with no fully connected layers other than
  the top softmax" (its section 4.2, quoted by the BN-Inception paper notes) but gives no per-layer counts, and its Figure 5 cannot be
  the exact table that figure was counted from: its printed depths disagree with its own columns (4c
  prints 576 where 160+160+160+128 = 608, 4e prints 1024 where 192+256+608 = 1056; also reported for
  MXNet's Inception-BN). No reading of the table reaches 13.6M: 5x5 convolutions in place of the double
  3x3 give 12.24M, the body with one auxiliary head's 1x1 convolution and 1024-unit layer 13.46M, with
  both complete heads 17.70M (`aux_logits=True` here). The count here is therefore the table's, and the
  2.3M are the paper's unstated extra layers.
- **AlexNet (paper widths)**: 62,378,344 on one tower; the paper's two-tower network with grouped
  convolutions has about 60M.
- **VGG A-LRN** adds LRN (no parameters) after the first convolution; VGG's FC head has dropout 0.5
  (keras.applications has none; dropout has no weights).

## Deliberate differences from the book and keras.applications

- The book's 1x1-convolution logits on a 1x1 map are a Dense layer `predictions` (same weights and outputs),
  and Inception V3's 8x8 average pool is a global mean (the same at 299x299, and it accepts smaller inputs).
- ResNet V2: the book pools the root with TF's SAME padding; keras.applications pads one zero on every side
  then pools VALID. `keras_compatible=True` builds keras' version (and BN epsilon 1.001e-5) and is what
  `weights="imagenet"` uses; the default is the book's.
- ResNet V1: the default has no bias before batch norm (slim's rule); `keras_compatible=True` adds the biases.
- Names: units follow keras.applications (`conv2_block1`) so weights transplant by name; the book's end
  points (`block1`..`block4`, `Mixed_6e`, `pool5`, ...) are layer names, reachable with
  `kclassics.apps.feature_extractor(model, ["Mixed_6e", "Mixed_7c"])` or `end_points(model)`.
"""


def models_markdown(pattern="*"):
    """The Markdown of docs/models.md for the registered models with a multiply-add count (the zoo)."""
    rows = []
    for name in list_models(pattern):
        card = model_info(name)
        if card.multiply_adds is None:
            continue
        side = "x".join(str(d) for d in card.input_shape)
        rows.append(
            f"| `{name}` | {card.params:,} | {card.multiply_adds / 1e9:.2f} G | {side} | {card.book_section} "
            f"| {card.paper} | {card.keras_twin or '-'} |"
        )
    return _HEADER + "\n".join(rows) + "\n" + _NOTES
