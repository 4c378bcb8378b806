"""The canvas -> 28x28 spec in numpy: refusals, centring, aspect, sizes, bad input, properties."""
from __future__ import annotations

import re
import time

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from conftest import ROOT
from handwriting import preprocess
from handwriting.preprocess import (CANVAS_SIZE, DrawingError, area_resize, check_drawing,
                                    digit_to_canvas, preprocess_canvas, shift_and_scale,
                                    shift_to_center_of_mass)
from handwriting.strokes import rasterize_strokes


def center_of_mass(image):
    index = np.arange(image.shape[0])
    total = image.sum()
    return (image.sum(1) * index).sum() / total, (image.sum(0) * index).sum() / total


@pytest.mark.parametrize("canvas, reason", [
    (rasterize_strokes([]), "blank"),
    (np.zeros((280, 280, 4), np.uint8), "blank"),                       # transparent
    (np.full((280, 280, 4), 255, np.uint8), "too_full"),
    (rasterize_strokes([[(140, 140)]]), "too_small"),                   # a single dot
    (rasterize_strokes([[(100, 100), (104, 102)]]), "too_small"),       # a short tick
])
def test_what_is_not_a_digit_is_refused_never_guessed(canvas, reason):
    with pytest.raises(DrawingError) as refused:
        preprocess_canvas(canvas)
    assert refused.value.reason == reason and str(refused.value)
    assert check_drawing(canvas) == reason


def test_output_is_28x28_float32_in_unit_range():
    canvas = rasterize_strokes([[(60, 60), (220, 200)], [(200, 60), (70, 230)]])
    for center in (True, False):
        image = preprocess_canvas(canvas, center=center)
        assert image.shape == (28, 28) and image.dtype == np.float32
        assert 0 <= image.min() and image.max() <= 1 and image.max() > 0.5


def test_centring_moves_an_off_centre_digit_to_the_middle_and_fits_20x20():
    canvas = rasterize_strokes([[(200, 20), (260, 20), (230, 110)]])   # a small 7 in a corner
    image = preprocess_canvas(canvas)
    cy, cx = center_of_mass(image)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    rows, cols = np.nonzero(image)
    assert rows.max() - rows.min() + 1 <= 21 and cols.max() - cols.min() + 1 <= 21
    assert rows.max() - rows.min() >= 18, "the longer side fills the 20x20 box"


def test_centring_keeps_the_aspect_ratio_of_a_tall_stroke():
    image = preprocess_canvas(rasterize_strokes([[(40, 30), (40, 250)]]))   # a "1"
    rows, cols = np.nonzero(image > 0.05)
    height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    assert height >= 19 and width <= 4


def test_without_centring_an_mnist_digit_comes_back_unchanged(mnist_small):
    (_, _), (x_test, _) = mnist_small
    for digit in x_test[:20, ..., 0]:
        canvas = digit_to_canvas(digit)
        assert canvas.shape == (CANVAS_SIZE, CANVAS_SIZE, 4)
        restored = preprocess_canvas(canvas, center=False)
        np.testing.assert_allclose(restored, np.round(digit * 255) / 255, atol=1e-6)


def test_centring_an_mnist_digit_changes_it_little(mnist_small):
    """MNIST digits were centred this way: re-centring moves their centre of mass < 1 pixel."""
    (_, _), (x_test, _) = mnist_small
    moved = [np.subtract(center_of_mass(preprocess_canvas(digit_to_canvas(d))),
                         center_of_mass(d[..., 0])) for d in x_test[:200]]
    assert np.abs(moved).max() < 1.0 and np.abs(moved).mean() < 0.4


@pytest.mark.parametrize("bad, message", [
    (np.zeros((280, 280, 4), np.float32), "uint8"),
    (np.zeros((280, 280, 3), np.uint8), "(H, W, 4)"),
    (np.zeros((280, 280), np.uint8), "(H, W, 4)"),
    (np.zeros((10, 10, 4), np.uint8), "at least 28x28"),
    ([[0, 0, 0, 0]], "numpy uint8 array"),
    (np.full((280, 280, 4), np.nan), "uint8"),
])
def test_bad_input_gets_a_clear_error(bad, message):
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        preprocess_canvas(bad)


def test_rasterised_strokes_have_the_brush_width():
    canvas = rasterize_strokes([[(40, 140), (240, 140)]], width=20)
    column = canvas[:, 140, 0]
    assert 19 <= np.count_nonzero(column > 127) <= 21
    assert canvas[..., 3].min() == 255                       # opaque black background
    with pytest.raises(ValueError, match="finite"):
        rasterize_strokes([[(0, 0), (np.nan, 3)]])


@pytest.mark.parametrize("call, message", [
    (lambda: rasterize_strokes(None), "list of strokes"),
    (lambda: rasterize_strokes([[(0, 0), (1,)]]), "finite (x, y) points"),
    (lambda: rasterize_strokes([(10, 20), (30, 40)]), "finite (x, y) points"),   # not nested
    (lambda: rasterize_strokes([[(1, 1)]], width=0), "width"),
    (lambda: digit_to_canvas(np.zeros(784)), "(28, 28)"),
    (lambda: digit_to_canvas(np.zeros((28, 28)), size=300), "multiple of 28"),
    (lambda: shift_and_scale(np.zeros((28, 28)), 0), "scale"),
])
def test_helpers_reject_bad_input_clearly(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_area_resize_averages_down_and_replicates_up():
    rng = np.random.default_rng(0)
    image = rng.random((280, 280))
    small = area_resize(image, 28, 28)
    np.testing.assert_allclose(small[3, 5], image[30:40, 50:60].mean(), atol=1e-12)
    np.testing.assert_allclose(small.mean(), image.mean(), atol=1e-12)
    np.testing.assert_allclose(area_resize(image[:7, :9], 14, 27),
                               image[:7, :9].repeat(2, 0).repeat(3, 1), atol=1e-12)
    odd = area_resize(image[:33, :17], 20, 20)                  # non-integer ratios, both ways
    np.testing.assert_allclose(odd.mean(), image[:33, :17].mean(), atol=1e-12)


def test_a_thousand_strokes_are_cheap():
    rng = np.random.default_rng(0)
    strokes = [rng.uniform(0, 280, 2) + rng.normal(0, 8, (4, 2)) for _ in range(1000)]
    started = time.perf_counter()
    canvas = rasterize_strokes(strokes)
    assert time.perf_counter() - started < 2.0
    assert canvas.shape == (CANVAS_SIZE, CANVAS_SIZE, 4) and canvas.dtype == np.uint8


def test_shift_and_scale_mimics_off_centre_small_drawing(mnist_small):
    digit = mnist_small[1][0][0, ..., 0]
    small = shift_and_scale(digit, 0.5, 6, -6)
    assert small.shape == (28, 28) and small.sum() < digit.sum()
    cy, cx = center_of_mass(small)
    assert cy > 16 and cx < 11


def test_python_and_js_name_the_same_constants():
    js = (ROOT / "web" / "preprocess.js").read_text()
    for name in ("CANVAS_SIZE", "MODEL_SIZE", "DIGIT_BOX", "STROKE_WIDTH", "MIN_DIGIT_FRACTION",
                 "MAX_INK_FRACTION", "CENTER_OF_MASS"):
        found = re.findall(rf"const {name} = ([0-9.]+);", js)
        assert len(found) == 1, f"{name} must be defined once in preprocess.js"
        assert float(found[0]) == getattr(preprocess, name), name


# ------------------------------------------------------------------ properties

points = st.tuples(st.floats(20, 260), st.floats(20, 260))
strokes = st.lists(st.lists(points, min_size=1, max_size=6), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(strokes, st.booleans())
def test_any_drawing_gives_28x28_float32_in_range_or_a_refusal(drawn, center):
    canvas = rasterize_strokes(drawn)
    try:
        image = preprocess_canvas(canvas, center=center)
    except DrawingError as refused:
        assert refused.reason in {"too_small", "too_full"}
        return
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert np.isfinite(image).all() and image.min() >= 0 and image.max() <= 1


@settings(max_examples=30, deadline=None)
@given(strokes)
def test_centring_is_idempotent(drawn):
    """The centre-of-mass step is exactly idempotent; re-centring a centred digit (drawn back
    at canvas scale) keeps it inside the 20x20 box."""
    try:
        once = preprocess_canvas(rasterize_strokes(drawn))
    except DrawingError:
        return
    # exactly half a pixel off is a tie that float32 rounding may break either way
    assume(np.abs(np.abs(np.subtract(center_of_mass(once), 14)) - 0.5).min() > 1e-4)
    np.testing.assert_array_equal(shift_to_center_of_mass(once.astype(np.float64)), once)
    again = preprocess_canvas(digit_to_canvas(once))
    for image in (once, again):
        rows, cols = np.nonzero(image)
        assert max(np.ptp(rows), np.ptp(cols)) + 1 <= 21


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(12, 110), st.integers(12, 110)), min_size=1, max_size=5),
                min_size=1, max_size=3),
       st.integers(0, 155), st.integers(0, 155))
def test_centred_output_does_not_depend_on_where_the_digit_is_drawn(drawn, dx, dy):
    here = rasterize_strokes(drawn)
    there = rasterize_strokes([[(x + dx, y + dy) for x, y in stroke] for stroke in drawn])
    try:
        expected = preprocess_canvas(here)
    except DrawingError as refused:
        with pytest.raises(DrawingError, match=re.escape(str(refused))):
            preprocess_canvas(there)
        return
    np.testing.assert_allclose(preprocess_canvas(there), expected, atol=1e-6)
