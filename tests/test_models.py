"""Bad model files and shapes get one clear error in the loader, the CLI, the pad and the export."""

from __future__ import annotations

import json

import pytest

from handwriting.__main__ import main
from handwriting.export import export_web_app
from handwriting.models.digit_model import ModelError, load_model
from handwriting.widgets import DrawingPad


@pytest.fixture()
def not_a_model(tmp_path):
    path = tmp_path / "notes.keras"
    path.write_text("this is not a Keras model")
    return path


def test_loading_a_file_that_is_not_a_model(not_a_model, tmp_path):
    with pytest.raises(ModelError, match="Could not load"):
        load_model(not_a_model)
    with pytest.raises(ModelError, match="No model file"):
        load_model(tmp_path / "missing.keras")
    with pytest.raises(ModelError, match="not a .keras model file"):
        load_model(tmp_path)


def test_pad_and_export_refuse_a_bad_file_clearly(not_a_model, tmp_path):
    with pytest.raises(ModelError, match="Could not load"):
        DrawingPad(str(not_a_model))
    with pytest.raises(ModelError, match="Could not load"):
        export_web_app(not_a_model, tmp_path / "app")
    assert not (tmp_path / "app").exists()


@pytest.mark.parametrize("command", ["evaluate", "export"])
def test_cli_says_what_is_wrong_in_one_line(not_a_model, tmp_path, capsys, command):
    argv = [command, "--model", str(not_a_model)] + (
        ["--out", str(tmp_path / "app")] if command == "export" else []
    )
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Could not load") and "Traceback" not in err


def test_cli_refuses_a_model_with_the_wrong_output(tmp_path, capsys):
    import keras

    five = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(5)]
    )
    five.save(tmp_path / "five.keras")
    assert main(["evaluate", "--model", str(tmp_path / "five.keras")]) == 2
    assert "(None, 10) probabilities" in capsys.readouterr().err


def test_a_model_that_ends_in_scores_is_refused_with_the_fix(tmp_path, capsys):
    import keras
    import numpy as np

    # The TensorFlow beginner tutorial's model: Dense(10) without a softmax, trained from logits.
    scores = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    with pytest.raises(ModelError, match="logits.*keras.layers.Softmax"):
        DrawingPad(scores)
    with pytest.raises(ModelError, match="logits"):
        export_web_app(scores, tmp_path / "app")
    assert not (tmp_path / "app").exists()
    scores.save(tmp_path / "scores.keras")
    assert main(["evaluate", "--model", str(tmp_path / "scores.keras")]) == 2
    assert "no activation" in capsys.readouterr().err
    fixed = keras.Sequential([scores, keras.layers.Softmax()])  # the fix the message gives
    reading = DrawingPad(fixed).draw_strokes([[(140, 30), (140, 250)]])
    assert np.isclose(reading.probabilities.sum(), 1, atol=1e-5)


def test_save_model_writes_the_model_with_its_calibration_and_drops_another_models(
    tiny_model, second_tiny_model, tmp_path
):
    """A model saved over another must never be read with the other's calibration."""
    from handwriting.honest.calibration import Calibration, for_model
    from handwriting.models.digit_model import calibration_path, fingerprint, save_model

    path = tmp_path / "model.keras"
    assert fingerprint(tiny_model) != fingerprint(second_tiny_model)
    save_model(
        tiny_model, path, Calibration(temperature=2.5), records={tmp_path / "run.json": {"n": 1}}
    )
    assert fingerprint(path) == fingerprint(tiny_model)  # the file's = the weights'
    assert for_model(path) == Calibration(temperature=2.5)
    assert json.loads((tmp_path / "run.json").read_text()) == {"n": 1}
    save_model(tiny_model, path)  # the same weights: still its calibration
    assert for_model(path) == Calibration(temperature=2.5)
    save_model(second_tiny_model, path)  # another model: the old one's goes
    assert not calibration_path(path).exists() and for_model(path) == Calibration()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras", "run.json"]
