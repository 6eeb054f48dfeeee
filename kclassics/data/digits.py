"""scikit-learn's handwritten digits, shaped like MNIST: the offline default dataset.

The 1,797 8x8 images (16 grey levels) that ship inside scikit-learn are
upscaled bilinearly to 20x20 and centred in a 28x28 frame, the way MNIST
centres its digits in a 20x20 box, then scaled to [0, 1]. The split is fixed
(stratified, seed 0): train 1,257 / validation 180 / test 360.
"""

import functools

import numpy as np

from kclassics.data._base import Split, Splits

TRAIN, VALIDATION, TEST = 1257, 180, 360


@functools.lru_cache(maxsize=None)
def _digits_28x28():
    import tensorflow as tf
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = bunch.images.astype(np.float32)[..., None] / 16.0
    box = tf.image.resize(images, (20, 20), method="bilinear").numpy()
    framed = np.pad(box, ((0, 0), (4, 4), (4, 4), (0, 0)))
    return np.clip(framed, 0.0, 1.0), bunch.target.astype(np.int64)


def load_digits(flatten=False, one_hot=False):
    """The digits as MNIST-shaped `Splits`.

    Args:
        flatten: return 784-vectors instead of 28x28x1 images.
        one_hot: return one-hot float labels instead of sparse integers.

    Returns:
        `Splits` named "digits" with 10 classes.
    """
    from sklearn.model_selection import train_test_split

    x, y = _digits_28x28()
    index = np.arange(len(x))
    rest, test = train_test_split(index, test_size=TEST, stratify=y, random_state=0)
    train, validation = train_test_split(rest, test_size=VALIDATION, stratify=y[rest], random_state=0)

    def split(i):
        features = x[i].reshape(len(i), -1) if flatten else x[i]
        labels = np.eye(10, dtype=np.float32)[y[i]] if one_hot else y[i]
        return Split(features, labels)

    return Splits("digits", split(train), split(validation), split(test), num_classes=10)
