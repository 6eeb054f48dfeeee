import numpy as np
import pytest

import kclassics.apps as apps


def test_feature_extractor_by_book_names():
    model = apps.inception_v3(include_top=False, input_shape=(75, 75, 3))
    extractor = apps.feature_extractor(model, ["Mixed_6e", "Mixed_7c"])
    mixed_6e, mixed_7c = extractor(np.zeros((1, 75, 75, 3), "float32"))
    assert mixed_6e.shape[-1] == 768 and mixed_7c.shape[-1] == 2048
    assert extractor.count_params() == model.count_params()  # shared weights


def test_end_points_of_resnet_and_vgg():
    points = apps.end_points(apps.resnet_v2_50(include_top=False, input_shape=(64, 64, 3)))
    assert [points[f"block{i}"].shape[-1] for i in range(1, 5)] == [256, 512, 1024, 2048]
    assert apps.feature_extractor(apps.vgg16(include_top=False), "pool5").output_shape == (None, 7, 7, 512)


def test_unknown_end_point():
    with pytest.raises(ValueError, match="Mixed_9z"):
        apps.feature_extractor(apps.resnet_v1_18(include_top=False, input_shape=(32, 32, 3)), ["Mixed_9z"])
