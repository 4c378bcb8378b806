"""Ensembles and shift averaging: the average of a few models, or of one model's readings of
the drawing moved a pixel each way, is one digit model that saves, loads and exports."""

import numpy as np
import pytest

from handwriting.export import export_web_app, verify_export
from handwriting.models import ensemble
from handwriting.models.digit_model import ModelError, load_model
from handwriting.preprocess import shift_and_scale
from handwriting.training import save_model


@pytest.fixture(scope="module")
def averaged(tiny_model, second_tiny_model):
    return ensemble.average([tiny_model, second_tiny_model])


def test_the_ensemble_reads_the_mean_of_its_members_probabilities(
    averaged, tiny_model, second_tiny_model, mnist_small
):
    x = mnist_small[1][0][:200]
    expected = (tiny_model.predict(x, verbose=0) + second_tiny_model.predict(x, verbose=0)) / 2
    assert np.abs(averaged.predict(x, verbose=0) - expected).max() < 1e-6


def test_the_ensemble_saves_and_loads_as_one_model_file(averaged, mnist_small, tmp_path):
    x = mnist_small[1][0][:50]
    loaded = load_model(save_model(averaged, tmp_path / "ensemble.keras"))
    assert np.abs(loaded.predict(x, verbose=0) - averaged.predict(x, verbose=0)).max() < 1e-6


def test_one_model_or_a_non_digit_model_is_refused_clearly(tiny_model):
    import keras

    with pytest.raises(ModelError, match="two models or more"):
        ensemble.average([tiny_model])
    wrong = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    with pytest.raises(ModelError, match="output shape"):
        ensemble.average([tiny_model, wrong])


def test_ensembles_with_different_seeds_share_no_member():
    seeds = [ensemble.member_seeds(seed, 3) for seed in range(3)]
    assert seeds[1] == [3, 4, 5] and len({s for group in seeds for s in group}) == 9
    with pytest.raises(ValueError, match="at least one member"):
        ensemble.member_seeds(0, 0)


def test_members_are_a_count_of_one_architecture_or_a_list():
    assert ensemble.member_architectures("3", "bncnn") == ["bncnn"] * 3
    assert ensemble.member_architectures("bncnn, bncnn,cnn2", "tiny") == ["bncnn", "bncnn", "cnn2"]
    assert ensemble.describe(["bncnn", "bncnn", "cnn2"]) == "bncnn x 2 + cnn2"
    assert (
        ensemble.model_name(["tiny"] * 3) == "tiny_x3" and ensemble.model_name(["cnn2"]) == "cnn2"
    )
    for members, message in [
        ("0", "must be 1 or more"),
        ("bncnn", "two architectures or more"),
        ("bncnn,Bncnn", "unknown architecture 'Bncnn'"),
    ]:
        with pytest.raises(ValueError, match=message):
            ensemble.member_architectures(members, "bncnn")


def _moved(x, dy, dx):
    """x (N, 28, 28, 1) moved dy rows down and dx columns right, blank where nothing moved in."""
    return np.stack([shift_and_scale(image, dy=dy, dx=dx) for image in x])[..., None]


def test_shift_averaging_reads_the_mean_over_the_drawing_moved_one_pixel_each_way(
    tiny_model, mnist_small
):
    x = mnist_small[1][0][:100]
    down = ensemble.shift_averaged(tiny_model, shifts=[(1, 0)])
    assert (
        np.abs(down.predict(x, verbose=0) - tiny_model.predict(_moved(x, 1, 0), verbose=0)).max()
        < 1e-6
    )
    expected = np.mean(
        [tiny_model.predict(_moved(x, dy, dx), verbose=0) for dy, dx in ensemble.SHIFTS], axis=0
    )
    tta = ensemble.shift_averaged(tiny_model)
    assert tta.name == tiny_model.name + "_tta"
    assert np.abs(tta.predict(x, verbose=0) - expected).max() < 1e-6
    with pytest.raises(ModelError, match="whole pixels from -2 to 2"):
        ensemble.shift_averaged(tiny_model, shifts=[(0, 3)])
    with pytest.raises(ModelError, match="whole pixels"):
        ensemble.shift_averaged(tiny_model, shifts=[])


@pytest.fixture(scope="module")
def averaged_tta(averaged):
    return ensemble.shift_averaged(averaged)


def test_a_shift_averaged_ensemble_saves_and_loads_as_one_model_file(
    averaged_tta, mnist_small, tmp_path
):
    x = mnist_small[1][0][:50]
    loaded = load_model(save_model(averaged_tta, tmp_path / "tta.keras"))
    assert np.abs(loaded.predict(x, verbose=0) - averaged_tta.predict(x, verbose=0)).max() < 1e-6


@pytest.mark.browser
def test_the_exported_shift_averaged_ensemble_matches_keras_in_chromium(
    averaged_tta, mnist_small, tmp_path
):
    result = export_web_app(averaged_tta, tmp_path / "ensemble-app")
    report = verify_export(averaged_tta, result.out_dir, digits=300, test_data=mnist_small[1])
    assert report.ok and report.backend == "wasm", report.summary()
    assert report.argmax_agreement == 1.0 and report.max_abs_diff <= 1e-4
