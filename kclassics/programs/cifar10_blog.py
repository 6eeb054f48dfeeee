"""The Tensorflow_CNN blog's CIFAR-10 experiments as one program (docs/sources.md).

Any of the post's networks (`--set model=googlenet_cifar`; see `kclassics.apps.cifar_blog`) trained
as its runs were: 20,000 steps of 64 images, Momentum 0.9, softmax cross entropy on the logits, and
its log (the course's `train` harness): every 1,000 steps

    [train]: step N loss = ... acc = ... (s / batch)

on a fresh training batch in inference mode (batch norm on its moving statistics), every 4,000 steps

    [val]: step N loss = ... acc = ...

on the next batch of 64 validation images (the test set, in order), and at the end the `[TRAIN]` and
`[VAL]` loss and accuracy over the whole training and test sets. `N` is the post's step: the updates
done so far minus one. The tricks of the post's last chapter are fields whose defaults are its runs:
`augment` (`train_aug` / `test_aug`, 96x96 crops), `schedule="lr_step"`, `dropout_rate`,
`weight_decay`, `batch_norm`; each of its comparisons is one `--set`.
"""

import dataclasses
import functools
from typing import Optional

from kclassics import validation
from kclassics.log import log
from kclassics.optimizers import make_optimizer
from kclassics.programs import Length, Program, register

# The post's networks: the `cifar_blog` family of kclassics.apps (tests/apps/test_cifar_blog.py checks it is the same).
NETWORKS = ("alexnet_cifar", "vgg_cifar", "googlenet_cifar", "resnet_cifar", "densenet_cifar", "conv_bn_net")

SCHEDULES = ("constant", "lr_step")
# lr_step (L911-913): tf.cond(tf.less(step, 12000), lambda: 0.1, lambda: 0.01): ten times the runs' rate, then that rate.
LR_STEP_BOUNDARY = 12000
LR_STEP_FACTOR = 10


@dataclasses.dataclass(frozen=True)
class Cifar10BlogConfig:
    """The post's CIFAR-10 harness and tricks; the defaults are its network runs.

    Attributes:
        model: one of the post's networks, `kclassics.apps.cifar_blog.NETWORKS`.
        steps: training steps (updates).
        batch_size: images per step.
        learning_rate: Momentum's rate; with `schedule="lr_step"` the rate from step 12,000 on, ten
            times it before (0.1 then 0.01 by default, the post's `lr_step`).
        momentum: Momentum's coefficient.
        schedule: `"constant"` (the runs) or `"lr_step"` (the learning-rate trick).
        augment: train on `train_aug`ed 96x96 crops and evaluate on `test_aug`ed images (the
            augmentation trick); else plain 32x32 images, as the runs.
        dropout_rate: the dropout trick, `1 - keep_prob` (see `kclassics.apps.cifar_blog.Tricks` for where).
        weight_decay: the L2 trick, slim's `l2_regularizer(weight_decay)` on every kernel (the post suggests 1e-4).
        batch_norm: the batch-norm trick; None keeps each network's own (on in GoogLeNet, ResNet,
            DenseNet and conv_bn_net, off in AlexNet and VGG).
        train_log_every: steps between `[train]` lines.
        val_log_every: steps between `[val]` lines.
        dataset: name accepted by `kclassics.data.load`.
        seed: seed of the weights, the shuffling, dropout and the augmentation.
        mixed_precision: compute in 16 bits with float32 variables (the post trains in float32).
        model_kwargs: further builder arguments as `(name, value)` pairs.
        source: where in the post these values come from.
    """

    model: str = "alexnet_cifar"
    steps: int = 20000  # the logs' last step, L206 (the course's train(..., 20000, ...))
    batch_size: int = 64  # the course's batch_size = 64; accuracies in 64ths, L181-207
    learning_rate: float = 0.01  # the course's runs (lr = 0.01); the post's Keras AlexNet SGD(lr=0.01, momentum=0.9), L253
    momentum: float = 0.9  # tf.train.MomentumOptimizer(lr, momentum=0.9), L922
    schedule: str = "constant"
    augment: bool = False  # train_aug / test_aug, L862-887
    dropout_rate: float = 0.0  # tf.nn.dropout's keep_prob, L940
    weight_decay: float = 0.0  # slim.l2_regularizer(weight_decay=0.0001) when on, L963
    batch_norm: Optional[bool] = None  # normalizer_fn=slim.batch_norm, L999-1005
    train_log_every: int = 1000  # [train] lines every 1,000 steps, L181-206
    val_log_every: int = 4000  # [val] lines every 4,000 steps, L182-207
    dataset: str = "cifar10"
    seed: int = 0
    mixed_precision: bool = False
    model_kwargs: tuple = ()
    source: str = "Tensorflow_CNN blog, L177-210, L253, L862-922, L940, L963, L999"

    def __post_init__(self):
        validation.one_of("model", self.model, NETWORKS)
        validation.one_of("schedule", self.schedule, SCHEDULES)
        for field in ("steps", "batch_size", "train_log_every", "val_log_every"):
            validation.positive_int(field, getattr(self, field))
        validation.positive_float("learning_rate", self.learning_rate)
        validation.fraction("momentum", self.momentum, high_open=True)
        validation.fraction("dropout_rate", self.dropout_rate, high_open=True)
        validation.non_negative_float("weight_decay", self.weight_decay)
        for field in ("augment", "mixed_precision"):
            validation.boolean(field, getattr(self, field))
        if self.batch_norm is not None:
            validation.boolean("batch_norm", self.batch_norm)
        validation.seed("seed", self.seed)
        if self.augment and self.model == "alexnet_cifar":
            raise ValueError(
                "alexnet_cifar takes 32x32 images only (the post flattens a fixed 6x6x64 map, L169), and "
                "augment=True feeds 96x96 crops; augment another network. Received: model='alexnet_cifar', augment=True"
            )

    def total_steps(self, num_train_examples):
        """Training steps of the run (the post counts steps)."""
        return self.steps

    def steps_per_epoch(self, num_train_examples):
        """Steps between Keras epochs (checkpoints and curve points): whole batches of the training split."""
        return min(self.steps, max(1, num_train_examples // self.batch_size))

    def learning_rate_schedule(self):
        """The rate of each update: constant, or `lr_step`'s ten times the rate below step 12,000, then the rate.

        Keras evaluates the schedule at the number of updates already done, as the post's `train_step`
        (the update with 0-based index 11,999 uses 0.1, the one with index 12,000 uses 0.01).
        """
        if self.schedule == "constant":
            return self.learning_rate
        import keras

        # PiecewiseConstantDecay takes values[0] while step <= boundary: 11,999 is the last step below 12,000.
        return keras.optimizers.schedules.PiecewiseConstantDecay(
            [LR_STEP_BOUNDARY - 1], [self.learning_rate * LR_STEP_FACTOR, self.learning_rate]
        )

    def make_optimizer(self):
        """Momentum (`tf.train.MomentumOptimizer(lr, 0.9)`) on the run's rate or `lr_step` schedule."""
        return make_optimizer("momentum", self.learning_rate_schedule(), momentum=self.momentum)

    def model_arguments(self, num_classes):
        """The builder's arguments: the input the data gives, logits, and the tricks."""
        from kclassics.data import cifar10_blog as blog_data

        tricks = {"batch_norm": self.batch_norm} if self.batch_norm is not None else {}
        return {"input_shape": blog_data.image_shape(self.augment), "classes": num_classes, "classifier_activation": None,
                "dropout_rate": self.dropout_rate, "weight_decay": self.weight_decay, **tricks}


CIFAR10_BLOG = Cifar10BlogConfig()


def train_cifar10_blog(config, program, out=None, resume=False, data_dir=None, callbacks=(), verbose=0):
    """Trains one of the post's CIFAR-10 networks as its runs were, and writes a run directory.

    Args:
        config: a `Cifar10BlogConfig`.
        program: the `Program` being run.
        out: run directory; default a new `runs/<model>-<timestamp>`.
        resume: continue the run in `out` from its last checkpoint.
        data_dir: directory holding `cifar-10-batches-bin/` (default: tensorflow-datasets).
        callbacks: extra Keras callbacks.
        verbose: unused: the post's lines are the progress report.

    Returns:
        A `RunResult`: `train_accuracy` / `train_loss` (the post's `[TRAIN]`: the whole training set as
        training feeds it), `test_accuracy` / `test_loss` (its `[VAL]`: every test image once), and in
        `metrics.json` the post's lines of this call (`log`).
    """
    from kclassics.callbacks.book import BlogLog
    from kclassics.data import cifar10_blog as blog_data
    from kclassics.programs._data import load_program_data
    from kclassics.training import FitRecipe, train_classifier

    splits = load_program_data(config.dataset, data_dir)
    train_pipeline = functools.partial(blog_data.training_pipeline, augment=config.augment)
    evaluation_pipeline = functools.partial(blog_data.evaluation_pipeline, augment=config.augment)
    logger = BlogLog(
        train_pipeline(splits.train, config.batch_size, seed=config.seed + 1),
        evaluation_pipeline(splits.test, config.batch_size).repeat(),
        config.steps, config.train_log_every, config.val_log_every,
    )

    def report(metrics):
        overall = ["-----Over all Result-----",
                   "[TRAIN]: loss = %.4f acc = %.4f" % (metrics["train_loss"], metrics["train_accuracy"]),
                   "[VAL]: loss = %.4f acc = %.4f" % (metrics["test_loss"], metrics["test_accuracy"])]
        for line in overall:
            log(line)
        return {"log": logger.lines + overall}

    recipe = FitRecipe(
        training_pipeline=train_pipeline,
        evaluation_pipeline=evaluation_pipeline,  # the [VAL] result: every test image once, none twice
        training_evaluation_pipeline=functools.partial(blog_data.evaluation_pipeline, augment=config.augment,
                                                       training_input=True),
        from_logits=True,
        validate=False,  # the [val] lines are the post's validation
        report=report,
        model_arguments=lambda splits: config.model_arguments(splits.num_classes),
        serving_preprocess=None,  # the models see standardised images, not pixels
    )
    return train_classifier(config, program, out, resume, data_dir, (logger, *callbacks), 0, None, splits, recipe)


register(Program(
    "cifar10_blog", CIFAR10_BLOG, f"{__name__}:train_cifar10_blog",
    "The Tensorflow_CNN blog's CIFAR-10 runs: its six networks, Momentum 0.9, 20,000 steps x 64, and its tricks",
    summary="[VAL] acc {test_accuracy:.4f} (loss {test_loss:.4f}), [TRAIN] acc {train_accuracy:.4f}; {steps} steps, "
    "{train_seconds:.1f} s",
    length=Length("steps"), optimizer=Cifar10BlogConfig.make_optimizer,
    data="directory holding cifar-10-batches-bin/ (default: tensorflow-datasets' cifar10)",
))
