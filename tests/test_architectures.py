"""The architecture registry: every model builds, has the right shapes, and matches its spec."""

import numpy as np
import pytest

from handwriting.models import architectures


def test_registry_has_the_classics_and_ours():
    assert architectures.names()[:3] == ["dnn", "cnn1", "cnn2"]
    assert len(architectures.names()) >= 4
    for name in architectures.names():
        assert architectures.describe(name)


@pytest.mark.parametrize("name", architectures.names())
def test_every_architecture_maps_images_to_ten_probabilities(name):
    model = architectures.build(name)
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    probabilities = model(np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)).numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def _layer_kinds(model):
    return [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]


def test_dnn_is_flatten_dense128_dense10():
    model = architectures.build("dnn")
    assert _layer_kinds(model) == ["Flatten", "Dense", "Dense"]
    assert [layer.units for layer in model.layers if hasattr(layer, "units")] == [128, 10]


def test_cnn1_is_the_classic_one_conv_net_with_its_flatten():
    model = architectures.build("cnn1")
    assert _layer_kinds(model) == ["Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense"]
    conv = model.layers[1]
    assert conv.filters == 64 and conv.kernel_size == (3, 3)


def test_cnn2_has_several_conv_pool_pairs_and_dropout():
    kinds = _layer_kinds(architectures.build("cnn2"))
    assert kinds.count("Conv2D") >= 2 and kinds.count("MaxPooling2D") >= 2
    assert "Dropout" in kinds


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="dnn, cnn1, cnn2"):
        architectures.build("resnet9000")


def test_registering_a_duplicate_name_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        architectures.register("dnn", "again")(lambda: None)
