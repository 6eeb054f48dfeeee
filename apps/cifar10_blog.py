"""The Tensorflow_CNN blog's CIFAR-10 runs (needs --data-dir with cifar-10-batches-bin/ or tfds).

    python apps/cifar10_blog.py --data-dir DIR                             # AlexNet, the post's first run
    python apps/cifar10_blog.py --data-dir DIR --set model=googlenet_cifar # or vgg_cifar, resnet_cifar, densenet_cifar, conv_bn_net
    python apps/cifar10_blog.py --data-dir DIR --set model=resnet_cifar --set augment=true   # the augmentation trick
    python apps/cifar10_blog.py --data-dir DIR --set schedule=lr_step      # the learning-rate trick

The same as `kclassics train cifar10_blog ...`; `--help` lists every option, docs/reproduction.md the post's runs.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
    from kclassics.cli import main

    sys.exit(main(["train", "cifar10_blog", *sys.argv[1:]]))
