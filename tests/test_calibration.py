"""Temperature scaling and the digit / unsure / not-a-digit rule: numbers, storage, the pad."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rates

from handwriting.honest import calibration as cal
from handwriting.honest.recognizer import NOT_A_DIGIT_MESSAGE


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _overconfident(n, temperature, seed):
    """Labels drawn from softmax(z), probabilities softmax(z * temperature): T fits back."""
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2.0, size=(n, 10))
    labels = np.array([rng.choice(10, p=p) for p in _softmax(z)])
    return _softmax(z * temperature), labels


def test_fit_temperature_recovers_the_overconfidence():
    probabilities, labels = _overconfident(4000, 3.0, seed=0)
    temperature = cal.fit_temperature(probabilities, labels)
    assert temperature == pytest.approx(3.0, rel=0.1)
    held_out, held_labels = _overconfident(4000, 3.0, seed=1)
    fixed = cal.apply_temperature(held_out, temperature)
    assert cal.negative_log_likelihood(fixed, held_labels) < cal.negative_log_likelihood(
        held_out, held_labels
    )
    assert (
        cal.expected_calibration_error(fixed, held_labels)
        < 0.03
        < cal.expected_calibration_error(held_out, held_labels)
    )


def test_temperature_keeps_the_order_and_sums_to_one():
    p = _softmax(np.random.default_rng(2).normal(size=(50, 10)))
    for t in (0.5, 1.0, 4.0):
        q = cal.apply_temperature(p, t)
        np.testing.assert_allclose(q.sum(axis=1), 1.0)
        assert (q.argmax(axis=1) == p.argmax(axis=1)).all()
    np.testing.assert_allclose(cal.apply_temperature(p, 1.0), p, atol=1e-12)
    assert (cal.apply_temperature(p, 4.0).max(axis=1) < p.max(axis=1)).all()
    zero = np.eye(10)[3]  # exact zeros are clipped, not NaN
    assert np.isfinite(cal.apply_temperature(zero, 2.0)).all()


def test_reliability_table_counts_every_example():
    probabilities, labels = _overconfident(500, 2.0, seed=3)
    rows = cal.reliability_table(probabilities, labels)
    assert len(rows) == 10 and sum(r["count"] for r in rows) == 500
    full = [r for r in rows if r["count"]]
    assert all(r["low"] <= r["confidence"] <= r["high"] for r in full)


def _rows(*tops_and_seconds):
    """Probability rows with the given top (digit 7) and second (digit 1); the rest spread."""
    rows = []
    for top, second in tops_and_seconds:
        row = np.full(10, (1 - top - second) / 8)
        row[[7, 1]] = top, second
        rows.append(row)
    return np.stack(rows)


def test_the_rule_digit_unsure_not_a_digit():
    sure = np.full(10, 0.01)
    sure[7] = 0.91
    pair = np.full(10, 0.1 / 8)
    pair[[4, 9]] = [0.5, 0.4]
    flat = np.full(10, 0.1)
    assert list(cal.verdicts(np.stack([sure, pair, flat]))) == ["digit", "unsure", "not_a_digit"]
    edge = np.full(10, (1 - cal.SURE) / 9)
    edge[2] = cal.SURE
    assert cal.verdicts(edge)[0] == "digit"  # the threshold itself counts as sure
    # no pair, but one digit leads: an unusual digit ("not sure"), not "not a digit"
    leads, spread = _rows((cal.UNUSUAL, 0.1), (cal.UNUSUAL - 0.01, 0.1))
    assert list(cal.verdicts(np.stack([leads, spread]))) == ["unsure", "not_a_digit"]


def test_below_the_floor_a_digit_that_leads_is_unsure_not_refused():
    # top two below the floor (0.97) in every row
    rows = _rows((0.85, 0.05), (cal.CLEAR, 0.04), (0.6, 0.05), (0.3, 0.2))
    assert list(cal.verdicts(rows)) == ["digit", "digit", "unsure", "not_a_digit"]  # no floor
    expected = ["unsure", "digit", "unsure", "not_a_digit"]
    assert list(cal.verdicts(rows, floor=0.97)) == expected
    assert list(cal.Calibration(floor=0.97).verdicts(rows)) == expected
    assert cal.verdicts(_rows((0.9, 0.07)), floor=0.97)[0] == "digit"  # the floor itself is enough


def test_a_digit_read_at_ninety_percent_is_never_refused():
    rng = np.random.default_rng(3)
    rows = rng.dirichlet(np.full(10, 0.3), size=5000)
    top = rows.max(axis=1)
    for floor in (0.0, 0.95, 0.999, 1.0):
        for sure in (0.5, cal.SURE, cal.CLEAR):
            verdicts = cal.verdicts(rows, sure=sure, floor=floor)
            assert (verdicts[top >= cal.CLEAR] == "digit").all(), (floor, sure)
    # and "not a digit" only where no digit leads
    assert (top[cal.verdicts(rows, floor=1.0) == "not_a_digit"] < cal.UNUSUAL).all()


def test_the_floor_lets_one_percent_of_held_out_digits_through_as_less_digit_like():
    """Fitted on half the digits, the floor holds for the other half: the share below it is
    within the binomial bound around NOT_A_DIGIT_SHARE (widened for the fitted floor's scatter),
    set before looking. On the fitted half it would hold by construction."""
    probabilities, _ = _overconfident(2000, 0.5, seed=4)
    fit_on, check = probabilities[:1000], probabilities[1000:]
    floor = cal.fit_floor(fit_on)
    two = np.sort(probabilities, axis=1)[:, -2:].sum(axis=1)
    low, high = rates.below_a_fitted_floor(cal.NOT_A_DIGIT_SHARE, len(fit_on), len(check))
    assert low <= (two[1000:] < floor).mean() <= high
    # below the floor and not clearly one digit: never the plain "digit" answer
    verdicts = cal.verdicts(probabilities, sure=0.0, floor=floor)
    unclear = (two < floor) & (probabilities.max(axis=1) < cal.CLEAR)
    assert unclear.any() and (verdicts[unclear] != "digit").all()
    assert (verdicts[~unclear] == "digit").all()
    assert cal.fit_floor(probabilities, share=0.0) <= two.min()
    with pytest.raises(cal.CalibrationError, match="no examples"):
        cal.fit_floor(np.zeros((0, 10)))


def test_calibration_is_stored_beside_the_model_and_loaded_back(tiny_model, tmp_path):
    from handwriting.models.digit_model import save_model

    model = tmp_path / "model.keras"
    assert cal.load(model) == cal.Calibration()  # none stored: T = 1, default thresholds
    stored = cal.Calibration(temperature=1.7, sure=0.75, pair=0.9)
    with pytest.raises(cal.CalibrationError, match="No model file"):  # it belongs to a model
        stored.save(model)
    save_model(tiny_model, model)
    path = stored.save(model)
    assert path == tmp_path / "model.calibration.json"
    assert cal.load(model) == stored
    refit = f"Fit it again: python -m handwriting calibrate --model {model}"
    path.write_text("{not json")
    with pytest.raises(cal.CalibrationError, match=f"Cannot use {path} .*{refit}"):
        cal.load(model)
    path.write_text(json.dumps({"temperature": 1.0}))
    with pytest.raises(cal.CalibrationError, match="sure and pair"):
        cal.load(model)
    path.write_text(
        json.dumps({"temperature": -1.0, "sure": 0.7, "pair": 0.9})
    )  # says what is wrong
    with pytest.raises(
        cal.CalibrationError, match="temperature must be a positive number, not -1.0"
    ):
        cal.load(model)
    floored = cal.Calibration(temperature=0.5, floor=0.97)
    floored.save(model)
    assert cal.load(model) == floored


def test_a_calibration_with_nan_names_the_file_and_the_fix(tiny_model, tmp_path):
    model = tmp_path / "model.keras"
    tiny_model.save(model)
    path = cal.calibration_path(model)
    path.write_text('{"temperature": NaN, "sure": 0.7, "pair": 0.9, "floor": 0.5}')
    with pytest.raises(cal.CalibrationError) as refused:
        cal.for_model(model)
    assert str(path) in str(refused.value) and "not nan" in str(refused.value)
    assert f"python -m handwriting calibrate --model {model}" in str(refused.value)


def test_a_calibration_written_before_fingerprints_is_still_read_with_a_warning(
    tiny_model, tmp_path
):
    model = tmp_path / "model.keras"
    tiny_model.save(model)
    cal.calibration_path(model).write_text(
        json.dumps({"temperature": 1.7, "sure": 0.75, "pair": 0.9})
    )
    with pytest.warns(
        cal.CalibrationWarning,
        match="does not say which model it was fitted for.*python -m handwriting calibrate --model",
    ):
        assert cal.load(model) == cal.Calibration(temperature=1.7, sure=0.75, pair=0.9)


def test_a_stale_calibration_is_refused_naming_both_files_and_the_fix(
    tiny_model, second_tiny_model, tmp_path, capsys
):
    """A model saved over by any tool that does not know about calibrations (here Keras itself)
    is never read with the calibration of the model it replaced."""
    from handwriting.__main__ import main
    from handwriting.honest.recognizer import Recognizer
    from handwriting.training import save_model

    model = tmp_path / "model.keras"
    save_model(tiny_model, model)
    cal.Calibration(temperature=2.5, floor=0.9).save(model)
    assert cal.for_model(model) == cal.Calibration(temperature=2.5, floor=0.9)
    second_tiny_model.save(model)  # another model, same path, old calibration
    path = cal.calibration_path(model)
    for read in (cal.for_model, cal.load, Recognizer):
        with pytest.raises(cal.CalibrationError) as refused:
            read(model)
        message = str(refused.value)
        assert f"{path} was fitted for another model than the one now in {model}" in message
        assert f"python -m handwriting calibrate --model {model}" in message
    assert main(["evaluate", "--model", str(model), "--quick"]) == 2
    assert "was fitted for another model" in capsys.readouterr().err
    assert main(["calibrate", "--model", str(model), "--quick"]) == 0  # the fix it names
    assert cal.for_model(model).temperature != 2.5


def test_for_model_is_the_one_way_to_get_a_models_calibration(tiny_model, tmp_path):
    from handwriting.models import digit_model as models

    path = tmp_path / "model.keras"
    stored = cal.Calibration(temperature=1.7)
    models.save_model(tiny_model, path, stored)
    given = cal.Calibration(temperature=3.0)
    assert cal.for_model(path) == cal.for_model(str(path)) == stored  # saved beside the file
    assert cal.for_model(path, given) == given  # the caller's wins
    assert cal.for_model(tmp_path / "other.keras") == cal.Calibration()  # none saved
    assert cal.for_model(object()) == cal.Calibration()  # a model object has none
    pretrained = cal.Calibration.from_dict(models.pretrained_record()["calibration"])
    assert cal.for_model(models.PRETRAINED) == pretrained != cal.Calibration()


def test_bad_numbers_are_refused_clearly():
    with pytest.raises(cal.CalibrationError, match="positive"):
        cal.Calibration(temperature=0)
    with pytest.raises(cal.CalibrationError, match=r"in \(0, 1\]"):
        cal.Calibration(sure=1.5)
    with pytest.raises(cal.CalibrationError, match=r"floor in \[0, 1\]"):
        cal.Calibration(floor=-0.1)
    with pytest.raises(cal.CalibrationError, match="shape"):
        cal.apply_temperature(np.ones((3, 9)), 1.0)
    with pytest.raises(cal.CalibrationError, match="labels"):
        cal.fit_temperature(np.full((3, 10), 0.1), [1, 2])


def test_fit_on_held_out_drawings_lowers_nll_and_ece(tiny_model, mnist_small):
    """Fitted on some drawn digits, the temperature improves others the model has not seen."""
    from handwriting.drawn.templates import training_drawings
    from handwriting.honest.drawn_benchmark import read_drawings

    (x, y), _ = mnist_small
    fit_on = training_drawings(np.random.default_rng(11), 400, x, y)
    check = training_drawings(np.random.default_rng(12), 400, x, y)
    images, labels = _read(fit_on)
    calibration = cal.fit(tiny_model, images, labels, redraw=False)
    raw, calibrated, _ = read_drawings(tiny_model, check, calibration)
    keep = ~np.isnan(raw[:, 0])
    labels = np.array([d.label for d in check])[keep]
    assert calibration.temperature != 1.0
    assert 0 < calibration.floor < 1
    # ... and about 1 % of the OTHER drawings fall below the floor (bound set before looking)
    below = (np.sort(calibrated[keep], axis=1)[:, -2:].sum(axis=1) < calibration.floor).mean()
    low, high = rates.below_a_fitted_floor(cal.NOT_A_DIGIT_SHARE, len(images), int(keep.sum()))
    assert low <= below <= high
    assert cal.negative_log_likelihood(calibrated[keep], labels) < cal.negative_log_likelihood(
        raw[keep], labels
    )
    assert cal.expected_calibration_error(
        calibrated[keep], labels
    ) < cal.expected_calibration_error(raw[keep], labels)


def _read(drawings):
    from handwriting.drawn.benchmark_sets import to_model_inputs

    images, refusals = to_model_inputs(drawings)
    keep = np.array([r is None for r in refusals])
    return images[keep], np.array([d.label for d in drawings])[keep]


# Thresholds that force a verdict, for the pad's messages (the app: tests/test_web_app.py, real
# thresholds).
UNSURE = cal.Calibration(temperature=1.0, sure=1.0, pair=1e-6)  # never sure: always a pair
# ... never sure, the pair never enough, and so flattened that no digit leads
NOT_A_DIGIT = cal.Calibration(temperature=20.0, sure=1.0, pair=1.0)


def test_the_pad_says_unsure_and_not_a_digit_and_keeps_the_bars(tiny_model):
    from handwriting.widgets import DrawingPad

    one = [[(140, 30), (140, 250)]]
    pad = DrawingPad(tiny_model, calibration=UNSURE)
    reading = pad.draw_strokes(one)
    first, second = np.argsort(-reading.probabilities)[:2]
    assert reading.refused == "unsure" and reading.message == f"Not sure: a {first} or a {second}?"
    assert (
        'data-verdict="unsure"' in pad.prediction.value
        and f"a {first} or a {second}?" in pad.prediction.value
    )
    assert (
        'data-digit=""' in pad.prediction.value
        and f'data-likeliest="{first}"' in pad.prediction.value
    )
    assert (
        pad.bars.value.count('class="hw-bar"') == 10
        and 'data-probability="0.000000"' not in pad.bars.value
    )
    pad = DrawingPad(tiny_model, calibration=NOT_A_DIGIT)
    reading = pad.draw_strokes(one)
    assert reading.refused == "not_a_digit" and reading.message == NOT_A_DIGIT_MESSAGE
    assert (
        reading.probabilities is not None and 'data-verdict="not_a_digit"' in pad.prediction.value
    )
    assert DrawingPad(tiny_model).draw_strokes([[(140, 140)]]).refused == "too_small"


def test_a_saved_calibration_is_used_for_a_model_file(tiny_model, tmp_path):
    from handwriting.honest.recognizer import Recognizer
    from handwriting.strokes import rasterize_strokes
    from handwriting.training import save_model

    path = tmp_path / "tiny.keras"
    save_model(tiny_model, path)
    cal.Calibration(temperature=2.5).save(path)
    canvas = rasterize_strokes([[(140, 30), (140, 250)]])
    from_file = Recognizer(path).read(canvas)
    given = Recognizer(tiny_model, calibration=cal.Calibration(temperature=2.5)).read(canvas)
    plain = Recognizer(tiny_model).read(canvas)
    np.testing.assert_allclose(from_file.probabilities, given.probabilities, atol=1e-6)
    assert from_file.confidence < plain.confidence


def test_fit_redraws_the_held_out_digits_as_strokes_by_default(
    tiny_model, mnist_small, monkeypatch
):
    """The pad reads drawings: by default T is fitted on the held-out digits redrawn as pen
    strokes (at most CALIBRATION_DRAWINGS of them), with their own labels."""
    from handwriting.drawn import redrawn as redrawn_module

    (x, y), _ = mnist_small
    monkeypatch.setattr(redrawn_module, "CALIBRATION_DRAWINGS", 150)
    images, labels = redrawn_module.calibration_drawings(x[:300], y[:300])
    assert images.shape == (150, 28, 28, 1) and images.dtype == np.float32 and len(labels) == 150
    originals = {x[i].tobytes(): y[i] for i in range(300)}
    assert not any(image.tobytes() in originals for image in images)  # redrawn, not copied
    assert set(labels) <= set(y[:300].tolist())
    redrawn = cal.fit(tiny_model, x[:300], y[:300])
    on_drawings = cal.fit(tiny_model, images, labels, redraw=False)
    assert redrawn.temperature == on_drawings.temperature  # the same stream each time
    assert redrawn.temperature != cal.fit(tiny_model, x[:300], y[:300], redraw=False).temperature
    # ... and the floor on the held-out digits as given (what "1 % of MNIST digits" means)
    given = cal.apply_temperature(tiny_model.predict(x[:300], verbose=0), redrawn.temperature)
    assert redrawn.floor == pytest.approx(cal.fit_floor(given), abs=2e-4)
