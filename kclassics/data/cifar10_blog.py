"""CIFAR-10 input as the Tensorflow_CNN blog feeds its networks: plain 32x32 images, or its augmentation.

Without augmentation (the post's five network runs) an image is its 32x32 pixels scaled to [0, 1] and
standardised per image, as the course's `cifar10_input.inputs` (the TensorFlow tutorial's reader) gives
them. With augmentation the post maps `train_aug` over a training batch and `test_aug` over a
validation batch one image at a time (`tf.map_fn`, L886-887):

    train_aug: resize to 120x120 (bilinear), random left-right flip, random 96x96 crop, random
               brightness (max delta 0.5), random contrast in [0, 0.5), random hue (max delta 0.5),
               per-image standardisation (L862-874)
    test_aug:  resize to 96x96, per-image standardisation (L876-882)

Here each is one batched stage: the random draws of a batch first (`train_aug_parameters`), then the
operations on the whole batch (`apply_train_aug`): one resize, two gathers for the crops, element-wise
flips, brightness, contrast and hue, one standardisation. The resize is TF1's `resize_images`
(no half-pixel centres), as the post's TensorFlow ran it. Pixels enter as [0, 1] floats, the range
`tf.image`'s float operations assume (a brightness delta of 0.5 is half the range).
"""

RESIZE = 120  # tf.image.resize_images(im, [120, 120]), L864
CROP = 96  # tf.random_crop(im, [96, 96, 3]), L866; test_aug resizes to the same 96x96, L878
MAX_BRIGHTNESS_DELTA = 0.5  # random_brightness(im, max_delta=0.5), L867
CONTRAST_RANGE = (0.0, 0.5)  # random_contrast(im, lower=0.0, upper=0.5), L868
MAX_HUE_DELTA = 0.5  # random_hue(im, max_delta=0.5), L869
SHUFFLE_BUFFER = 20000  # the tutorial reader's queue keeps 40% of an epoch of 50,000 images


def image_shape(augment):
    """The shape of the images the networks see: 96x96x3 crops with augmentation, else 32x32x3."""
    return (CROP, CROP, 3) if augment else (32, 32, 3)


def _unit(images):
    import tensorflow as tf

    return tf.cast(images, tf.float32) / 255.0


def _resize(images, size):
    import tensorflow as tf

    # TF1's resize_images(..., BILINEAR) is this kernel with align_corners=False and no half-pixel centres
    return tf.raw_ops.ResizeBilinear(images=images, size=[size, size], align_corners=False, half_pixel_centers=False)


def plain_batch(images, labels):
    """A batch without augmentation: [0, 1] pixels standardised per image, 32x32x3."""
    import tensorflow as tf

    return tf.image.per_image_standardization(_unit(images)), labels


def test_aug_batch(images, labels):
    """The post's `test_aug` on a batch: resize to 96x96, standardise per image."""
    import tensorflow as tf

    return tf.image.per_image_standardization(_resize(_unit(images), CROP)), labels


def train_aug_parameters(n):
    """The random draws of `train_aug` for `n` images, as `tf.image`'s random operations draw them.

    Returns:
        A dict of tensors: `flip` (bool, probability 1/2), `top` and `left` (int32 crop offsets in
        [0, 24]), `brightness` in [-0.5, 0.5), `contrast` in [0, 0.5), `hue` in [-0.5, 0.5).
    """
    import tensorflow as tf

    uniform = tf.random.uniform
    return {
        "flip": uniform([n]) < 0.5,
        "top": uniform([n], 0, RESIZE - CROP + 1, dtype=tf.int32),
        "left": uniform([n], 0, RESIZE - CROP + 1, dtype=tf.int32),
        "brightness": uniform([n], -MAX_BRIGHTNESS_DELTA, MAX_BRIGHTNESS_DELTA),
        "contrast": uniform([n], *CONTRAST_RANGE),
        "hue": uniform([n], -MAX_HUE_DELTA, MAX_HUE_DELTA),
    }


def apply_train_aug(images, parameters):
    """`train_aug` on a batch of [0, 1] float images with the given draws (see `train_aug_parameters`).

    Returns:
        float32 `(n, 96, 96, 3)`: per image, resize to 120x120, flip, crop, brightness, contrast, hue,
        standardisation, in the post's order.
    """
    import tensorflow as tf

    x = _resize(images, RESIZE)
    x = tf.where(tf.reshape(parameters["flip"], [-1, 1, 1, 1]), tf.reverse(x, axis=[2]), x)
    window = tf.range(CROP)
    x = tf.gather(x, parameters["top"][:, None] + window, axis=1, batch_dims=1)  # each image's crop rows
    x = tf.gather(x, parameters["left"][:, None] + window, axis=2, batch_dims=1)  # then its columns
    x = x + tf.reshape(parameters["brightness"], [-1, 1, 1, 1])  # adjust_brightness: no clipping of floats
    mean = tf.reduce_mean(x, axis=[1, 2], keepdims=True)  # adjust_contrast: per image and channel
    x = (x - mean) * tf.reshape(parameters["contrast"], [-1, 1, 1, 1]) + mean
    x = rotate_hue(x, parameters["hue"])
    return tf.image.per_image_standardization(x)


def rotate_hue(images, delta):
    """`tf.image.adjust_hue` of each image by its own `delta` (turns), on a batch.

    The hue turns around the colour wheel while each pixel keeps its largest and smallest channel
    (its value and chroma), as TensorFlow's AdjustHue kernel does also for values outside [0, 1]
    (which brightness and contrast produce); `tf.image.rgb_to_hsv` instead greys out pixels whose
    largest channel is negative.
    """
    import tensorflow as tf

    r, g, b = tf.unstack(images, axis=-1)
    high = tf.maximum(r, tf.maximum(g, b))
    low = tf.minimum(r, tf.minimum(g, b))
    chroma = high - low
    safe = tf.where(chroma > 0, chroma, tf.ones_like(chroma))
    hue = tf.where(r == high, (g - b) / safe, tf.where(g == high, (b - r) / safe + 2.0, (r - g) / safe + 4.0)) / 6.0
    hue = tf.where(chroma > 0, hue, tf.zeros_like(hue))
    hue = tf.math.floormod(hue + tf.reshape(delta, [-1, 1, 1]), 1.0) * 6.0
    sector = tf.floor(hue)
    middle = chroma * (1.0 - tf.abs(tf.math.floormod(hue, 2.0) - 1.0))
    zero = tf.zeros_like(chroma)
    # (r, g, b) above the smallest channel in each sixth of the wheel
    sextants = ((chroma, middle, zero), (middle, chroma, zero), (zero, chroma, middle),
                (zero, middle, chroma), (middle, zero, chroma), (chroma, zero, middle))
    channels = [zero, zero, zero]
    for index, sextant in enumerate(sextants):
        inside = tf.equal(sector, float(index))
        channels = [tf.where(inside, value, channel) for value, channel in zip(sextant, channels)]
    return tf.stack(channels, axis=-1) + low[..., None]


def train_aug_batch(images, labels):
    """The post's `train_aug` on a batch of uint8 images (draws from the global seed, `keras.utils.set_random_seed`)."""
    import tensorflow as tf

    return apply_train_aug(_unit(images), train_aug_parameters(tf.shape(images)[0])), labels


def _transform(augment, training):
    if not augment:
        return plain_batch
    return train_aug_batch if training else test_aug_batch


def training_pipeline(split, batch_size, seed=0, augment=False):
    """Endless shuffled batches for training: `train_aug`ed 96x96 crops with `augment`, else plain 32x32 images."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((split.x, split.y))
    ds = ds.shuffle(min(len(split), SHUFFLE_BUFFER), seed=seed, reshuffle_each_iteration=True).repeat()
    ds = ds.batch(batch_size, drop_remainder=True)
    return ds.map(_transform(augment, training=True), num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def evaluation_pipeline(split, batch_size, augment=False, training_input=False):
    """One ordered pass over `split` (the last batch may be short).

    Args:
        split: a `Split` of uint8 images.
        batch_size: images per batch.
        augment: `test_aug` (or with `training_input`, `train_aug`) instead of plain images.
        training_input: the images as training sees them, for the post's `[TRAIN]` result, which
            evaluates its (augmented) training input.
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((split.x, split.y)).batch(batch_size)
    return ds.map(_transform(augment, training_input), num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)
