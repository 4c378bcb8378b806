"""The lab's pretrained model: shipped in the package, loaded offline, used by the pad and the
CLI."""

import tomllib
from fnmatch import fnmatch

import numpy as np
import pytest
from conftest import ROOT

from handwriting.__main__ import main
from handwriting.models import digit_model as models


@pytest.fixture(scope="module")
def pretrained():
    return models.load_pretrained()


def test_the_weights_and_record_are_package_data():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    for name in (models.PRETRAINED_WEIGHTS, models.PRETRAINED_RECORD):
        assert (ROOT / "handwriting" / name).is_file()
        assert any(fnmatch(name, pattern) for pattern in package_data["handwriting"])
    assert (ROOT / "handwriting" / models.PRETRAINED_WEIGHTS).stat().st_size < 3e6


def test_its_record_says_how_it_was_trained_and_how_well_it_does():
    record = models.pretrained_record()["record"]
    assert record["architecture"] == "drawcnn" and record["train_size"] > 50_000
    assert record["val_accuracy"] > 0.985 and record["test_accuracy"] > 0.985
    # train --init: the real writers' epoch starts from the drawcnn run, itself from bncnn
    assert models.pretrained_record()["initial_model"] == "runs/drawcnn/model.keras"
    assert "--init runs/drawcnn/model.keras" in models.REBUILD_COMMAND
    assert "--init runs/bncnn/model.keras" in models.REBUILD_COMMAND
    assert "--pendigits-share" in models.REBUILD_COMMAND
    calibration = models.pretrained_record()["calibration"]
    assert set(calibration) == {"temperature", "sure", "pair", "floor"}
    assert 0.5 < calibration["floor"] < 1  # fitted: 1 % of its held-out digits below it


def test_it_reads_mnist_test_digits(pretrained, mnist_small):
    from handwriting.honest.metrics import accuracy

    models.check_digit_model(pretrained)
    _, (x_test, y_test) = mnist_small
    assert accuracy(pretrained, x_test, y_test) >= 0.985  # 1,000 real test digits


def test_it_is_not_sure_about_scribbles(pretrained):
    from handwriting import drawn as drawn_digits
    from handwriting.honest.metrics import predict_probabilities

    rng = np.random.default_rng(7)
    images, refusals = drawn_digits.to_model_inputs(drawn_digits.non_digit_drawings(rng, 39))
    read = [i for i, refusal in enumerate(refusals) if refusal is None]
    confidence = predict_probabilities(pretrained, images[read]).max(axis=1)
    assert np.median(confidence) < 0.6


def test_pretrained_is_accepted_wherever_a_model_is(pretrained):
    from handwriting.widgets import ExportPanel

    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    for model in (models.as_digit_model(models.PRETRAINED), ExportPanel(models.PRETRAINED).model):
        np.testing.assert_allclose(model(x).numpy(), pretrained(x).numpy(), atol=1e-6)


def test_the_pad_without_a_model_uses_it_and_says_so():
    from handwriting.widgets import DrawingPad

    pad = DrawingPad()
    assert pad.using_pretrained and "pretrained" in pad.model_note.value
    reading = pad.draw_strokes([[(140, 50), (140, 230)]])  # a 1
    assert reading.digit == 1
    pad.model = models.load_pretrained()  # your own model: no note
    assert not pad.using_pretrained and pad.model_note.value == ""


def test_cli_evaluates_and_shows_the_pretrained_model(capsys):
    assert main(["evaluate", "--model", "pretrained", "--quick"]) == 0
    assert "test accuracy" in capsys.readouterr().out
    assert main(["pretrained"]) == 0
    printed = capsys.readouterr().out
    assert "drawcnn" in printed and models.REBUILD_COMMAND in printed


def test_write_pretrained_round_trips_as_float16(tiny_model, tmp_path):
    models.write_pretrained(tiny_model, {"record": {"architecture": "tiny"}}, folder=tmp_path)
    with np.load(tmp_path / models.PRETRAINED_WEIGHTS) as stored:
        weights = [stored[f"arr_{i}"] for i in range(len(stored.files))]
    assert all(w.dtype == np.float16 for w in weights)
    for stored_w, w in zip(weights, tiny_model.get_weights(), strict=False):
        np.testing.assert_allclose(stored_w.astype(np.float32), w, rtol=1e-3, atol=1e-4)


def test_damaged_pretrained_files_say_to_reinstall(tiny_model, tmp_path, monkeypatch):
    import json
    import shutil

    real = models._package_file("")
    monkeypatch.setattr(models, "_package_file", lambda name: tmp_path / name)
    models._pretrained_weights.cache_clear()
    try:
        shutil.copytree(real / "pretrained", tmp_path / "pretrained")
        weights = tmp_path / models.PRETRAINED_WEIGHTS
        weights.write_text("version https://git-lfs.github.com/spec/v1\n")  # an LFS pointer
        with pytest.raises(
            models.ModelError, match="weights.npz cannot be read.*Reinstall the package"
        ):
            models.load_pretrained()
        models._pretrained_weights.cache_clear()
        models.write_pretrained(
            tiny_model, json.loads((real / models.PRETRAINED_RECORD).read_text()), folder=tmp_path
        )  # tiny's weights under the record's drawcnn
        with pytest.raises(models.ModelError, match="weights.npz cannot be read"):
            models.load_pretrained()
        (tmp_path / models.PRETRAINED_RECORD).write_text('{"record": ')  # cut short
        with pytest.raises(models.ModelError, match="record.json cannot be read"):
            models.load_pretrained()
    finally:
        models._pretrained_weights.cache_clear()


def test_its_record_and_calibration_are_bound_to_the_shipped_weights(
    tiny_model, second_tiny_model, tmp_path, monkeypatch
):
    from handwriting.honest import calibration

    shipped = models.pretrained_record()["model_fingerprint"]
    assert shipped == models.fingerprint(models.PRETRAINED)
    assert shipped == models.weights_fingerprint(models.load_pretrained().get_weights())
    monkeypatch.setattr(models, "_package_file", lambda name: tmp_path / name)
    models._pretrained_weights.cache_clear()
    try:
        record = {
            "record": {"architecture": "tiny"},
            "calibration": {"temperature": 2.0, "sure": 0.7, "pair": 0.9, "floor": 0.5},
        }
        models.write_pretrained(tiny_model, record)
        assert calibration.for_model(models.PRETRAINED).temperature == 2.0
        weights, _ = models.pretrained_paths()
        np.savez_compressed(
            weights, *[w.astype(np.float16) for w in second_tiny_model.get_weights()]
        )
        models._pretrained_weights.cache_clear()  # other weights under the same record
        with pytest.raises(
            calibration.CalibrationError,
            match="record.json holds the calibration of other weights.*Reinstall",
        ):
            calibration.for_model(models.PRETRAINED)
    finally:
        models._pretrained_weights.cache_clear()


def test_shipping_a_run_is_decided_on_both_validation_sets_never_on_test(
    tiny_model, second_tiny_model, tmp_path, monkeypatch
):
    """`pretrained --run` ships a run whose mean accuracy on MNIST's validation digits and on the
    pen digits' held-out part is at least the shipped model's; test accuracy (only reported)
    never counts. The shipped model's pen accuracy is read from its record, else measured."""
    import json

    from handwriting import jobs
    from handwriting.honest.calibration import Calibration
    from handwriting.training import ConfigError

    pen = {id(m): jobs.pendigits_held_out_accuracy(m) for m in (tiny_model, second_tiny_model)}
    better, worse = sorted((tiny_model, second_tiny_model), key=lambda m: -pen[id(m)])
    gap = pen[id(better)] - pen[id(worse)]
    assert gap > 0.005  # two tiny models read the real writers' digits differently
    row = {**models.pretrained_record()["record"], "architecture": "tiny", "val_accuracy": 0.95}
    monkeypatch.setattr(models, "_package_file", lambda name: tmp_path / "package" / name)

    def ship(run_model, run_row: dict, shipped_model, shipped_validation=None):
        """Ship run_model (run.json: run_row) over shipped_model (its record: row); the new
        record, or the refusal's message."""
        models._pretrained_weights.cache_clear()
        validation = {} if shipped_validation is None else {"validation": shipped_validation}
        models.write_pretrained(shipped_model, {"record": row, **validation})
        run = tmp_path / "run"
        models.save_model(run_model, run / "model.keras", Calibration())
        (run / "run.json").write_text(json.dumps({"record": run_row}))
        try:
            jobs.ship_pretrained(run)
        except ConfigError as refusal:
            return str(refusal)
        finally:
            models._pretrained_weights.cache_clear()
        return models.pretrained_record()

    # worse on MNIST validation, better on the pen digits, better on average: shipped, and its
    # pen accuracy is kept in the record for the next choice
    record = ship(better, {**row, "val_accuracy": 0.95 - gap / 2}, worse)
    assert isinstance(record, dict), record
    assert record["validation"] == {jobs.PEN_VALIDATION: pytest.approx(pen[id(better)])}
    # better on MNIST validation, worse on the pen digits, worse on average: refused, with the
    # four numbers (the shipped model's pen accuracy measured: its record has none)
    refusal = ship(worse, {**row, "val_accuracy": 0.95 + gap / 2}, better)
    assert "less accurate on validation" in refusal and "--replace" in refusal
    for number in (0.95 + gap / 2, pen[id(worse)], 0.95, pen[id(better)]):
        assert f"{number:.2%}" in refusal
    # ... the same run is shipped when the record says the shipped model reads no pen digit
    record = ship(worse, {**row, "val_accuracy": 0.95 + gap / 2}, better, {jobs.PEN_VALIDATION: 0})
    assert isinstance(record, dict), record
    assert record["record"]["val_accuracy"] == 0.95 + gap / 2
    # the shipped model itself, worse on MNIST validation, better on test: refused
    better_on_test_only = {**row, "val_accuracy": 0.949, "test_accuracy": 1.0}
    assert "less accurate on validation" in ship(better, better_on_test_only, better)
    no_validation = {**row, "validation_size": 0, "val_accuracy": float("nan")}
    assert "cannot be compared" in ship(better, no_validation, better)
