"""The canvas -> 28x28 spec in numpy: refusals, centring, aspect, sizes, bad input, properties."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from handwriting import preprocess
from handwriting.preprocess import (
    CANVAS_SIZE,
    MIN_INK_MASS,
    DrawingError,
    area_resize,
    centred_ink_mass,
    check_drawing,
    digit_to_canvas,
    preprocess_canvas,
    shift_and_scale,
    shift_to_center_of_mass,
)
from handwriting.strokes import rasterize_strokes


def black(height=CANVAS_SIZE, width=CANVAS_SIZE):
    canvas = np.zeros((height, width, 4), np.uint8)
    canvas[..., 3] = 255
    return canvas


def frame(line=1, value=255, height=CANVAS_SIZE, width=CANVAS_SIZE):
    """Ink only along the border: a ``line``-pixel frame."""
    canvas = black(height, width)
    canvas[:line, :, :3] = canvas[-line:, :, :3] = value
    canvas[:, :line, :3] = canvas[:, -line:, :3] = value
    return canvas


def specks(points, side, value=255):
    """Square specks of ``side`` pixels at (row, column) ``points``."""
    canvas = black()
    for y, x in points:
        canvas[y : y + side, x : x + side, :3] = value
    return canvas


def dust(n, side=1, value=255, seed=0):
    """``n`` specks scattered at random over the canvas."""
    return specks(np.random.default_rng(seed).integers(0, CANVAS_SIZE - side, (n, 2)), side, value)


def ring(cx, cy, rx, ry, n=40):
    t = np.linspace(0, 2 * np.pi, n)
    return list(zip(cx + rx * np.sin(t), cy - ry * np.cos(t), strict=False))


CORNERS = [(0, 0), (0, CANVAS_SIZE - 3), (CANVAS_SIZE - 3, 0), (CANVAS_SIZE - 3, CANVAS_SIZE - 3)]
# Canvases with too little ink to be a digit; what once reached the model read "1" at ~99 %.
ALMOST_EMPTY = {
    "frame_1px": frame(),
    "frame_1px_grey": frame(value=128),
    "frame_non_square_canvas": frame(height=200, width=320),
    "left_edge_line": specks([(y, 0) for y in range(CANVAS_SIZE)], 1),
    "corner_specks_1px": specks([(0, 0), (0, 279), (279, 0), (279, 279)], 1),
    "corner_specks_3px": specks(CORNERS, 3),
    "corner_dots_pad_brush": rasterize_strokes(
        [[(10, 10)], [(270, 10)], [(10, 270)], [(270, 270)]]
    ),
    "two_far_dots_pad_brush": rasterize_strokes([[(30, 30)], [(250, 250)]]),
    "dust_300x1px": dust(300),
    "dust_100x2px": dust(100, 2),
    "grey_dust_1000x1px": dust(1000, value=60),
    "frame_and_a_dot": np.maximum(frame(), rasterize_strokes([[(140, 140)]])),
}
# Thin or light drawings that are digits: the pad's brush at its smallest accepted size and
# spanning the canvas (the least ink a 20-px brush can give), thin pens, a small 0.
THIN_DIGITS = {
    "one_smallest_accepted": rasterize_strokes([[(140, 130), (140, 138)]]),  # 28 px tall
    "one_long": rasterize_strokes([[(140, 10), (140, 270)]]),
    "one_corner_to_corner": rasterize_strokes([[(10, 10), (270, 270)]]),
    "zero_small": rasterize_strokes([ring(140, 140, 8, 12)]),
    "zero_thin_pen": rasterize_strokes([ring(120, 160, 40, 60)], width=3),
    "zero_thin_pen_large": rasterize_strokes([ring(140, 140, 100, 130)], width=3),
    "seven_4px_brush_large": rasterize_strokes([[(30, 10), (250, 10), (110, 270)]], width=4),
    "zero_4px_brush_large": rasterize_strokes([ring(140, 140, 100, 130)], width=4),
}


def center_of_mass(image):
    index = np.arange(image.shape[0])
    total = image.sum()
    return (image.sum(1) * index).sum() / total, (image.sum(0) * index).sum() / total


@pytest.mark.parametrize(
    "canvas, reason",
    [
        (rasterize_strokes([]), "blank"),
        (np.zeros((280, 280, 4), np.uint8), "blank"),  # transparent
        (np.full((280, 280, 4), 255, np.uint8), "too_full"),
        (rasterize_strokes([[(140, 140)]]), "too_small"),  # a single dot
        (rasterize_strokes([[(100, 100), (104, 102)]]), "too_small"),  # a short tick
    ],
)
def test_what_is_not_a_digit_is_refused_never_guessed(canvas, reason):
    with pytest.raises(DrawingError) as refused:
        preprocess_canvas(canvas)
    assert refused.value.reason == reason and str(refused.value)
    assert check_drawing(canvas) == reason


@pytest.mark.parametrize("name", ALMOST_EMPTY)
def test_a_frame_specks_or_dust_are_too_little_ink_to_read(name):
    """Ink along the border, in the corners or scattered thinly is fitted to 20x20 like a digit
    and averaged to almost nothing: it is refused (with or without centring), never read."""
    canvas = ALMOST_EMPTY[name]
    for center in (True, False):
        with pytest.raises(DrawingError) as refused:
            preprocess_canvas(canvas, center=center)
        assert refused.value.reason == "too_little"
        assert str(refused.value) == "Draw a digit: there is too little ink here to read."
    assert check_drawing(canvas) == "too_little"


def test_the_too_little_line_has_room_on_both_sides(mnist_small):
    """MIN_INK_MASS sits well below real digits (the lightest training digits, the pad's brush)
    and well above frames, specks and dust (the measured numbers: web/PREPROCESSING.md); thin
    pens and the thinnest brush, drawn large, are still read."""
    (x_train, _), _ = mnist_small
    lightest = x_train[np.argsort(x_train.sum(axis=(1, 2, 3)))[:30], ..., 0]
    np.testing.assert_allclose(
        centred_ink_mass(digit_to_canvas(lightest[0])), lightest[0].sum(), atol=1e-2
    )
    digits = [digit_to_canvas(d) for d in lightest] + [
        THIN_DIGITS[name] for name in ("one_smallest_accepted", "one_long", "zero_small")
    ]
    assert min(centred_ink_mass(c) for c in digits) >= 2 * MIN_INK_MASS
    for name, canvas in THIN_DIGITS.items():
        assert check_drawing(canvas) is None and preprocess_canvas(canvas).sum() >= MIN_INK_MASS, (
            name
        )
    for name, canvas in ALMOST_EMPTY.items():
        assert (
            check_drawing(canvas) == "too_little"
            and centred_ink_mass(canvas) <= 0.75 * MIN_INK_MASS
        ), name
    assert centred_ink_mass(rasterize_strokes([])) == 0.0


def test_output_is_28x28_float32_in_unit_range():
    canvas = rasterize_strokes([[(60, 60), (220, 200)], [(200, 60), (70, 230)]])
    for center in (True, False):
        image = preprocess_canvas(canvas, center=center)
        assert image.shape == (28, 28) and image.dtype == np.float32
        assert 0 <= image.min() and image.max() <= 1 and image.max() > 0.5


def test_centring_moves_an_off_centre_digit_to_the_middle_and_fits_20x20():
    canvas = rasterize_strokes([[(200, 20), (260, 20), (230, 110)]])  # a small 7 in a corner
    image = preprocess_canvas(canvas)
    cy, cx = center_of_mass(image)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    rows, cols = np.nonzero(image)
    assert rows.max() - rows.min() + 1 <= 21 and cols.max() - cols.min() + 1 <= 21
    assert rows.max() - rows.min() >= 18, "the longer side fills the 20x20 box"


def test_centring_keeps_the_aspect_ratio_of_a_tall_stroke():
    image = preprocess_canvas(rasterize_strokes([[(40, 30), (40, 250)]]))  # a "1"
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
    moved = [
        np.subtract(
            center_of_mass(preprocess_canvas(digit_to_canvas(d))), center_of_mass(d[..., 0])
        )
        for d in x_test[:200]
    ]
    assert np.abs(moved).max() < 1.0 and np.abs(moved).mean() < 0.4


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((280, 280, 4), np.float32), "uint8"),
        (np.zeros((280, 280, 3), np.uint8), "(H, W, 4)"),
        (np.zeros((280, 280), np.uint8), "(H, W, 4)"),
        (np.zeros((10, 10, 4), np.uint8), "at least 28x28"),
        ([[0, 0, 0, 0]], "numpy uint8 array"),
        (np.full((280, 280, 4), np.nan), "uint8"),
    ],
)
def test_bad_input_gets_a_clear_error(bad, message):
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        preprocess_canvas(bad)


def test_rasterised_strokes_have_the_brush_width():
    canvas = rasterize_strokes([[(40, 140), (240, 140)]], width=20)
    column = canvas[:, 140, 0]
    assert 19 <= np.count_nonzero(column > 127) <= 21
    assert canvas[..., 3].min() == 255  # opaque black background
    with pytest.raises(ValueError, match="finite"):
        rasterize_strokes([[(0, 0), (np.nan, 3)]])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rasterize_strokes(None), "list of strokes"),
        (lambda: rasterize_strokes([[(0, 0), (1,)]]), "finite (x, y) points"),
        (lambda: rasterize_strokes([(10, 20), (30, 40)]), "finite (x, y) points"),  # not nested
        (lambda: rasterize_strokes([[(1, 1)]], width=0), "width"),
        (lambda: digit_to_canvas(np.zeros(784)), "(28, 28)"),
        (lambda: digit_to_canvas(np.zeros((28, 28)), size=300), "multiple of 28"),
        (lambda: shift_and_scale(np.zeros((28, 28)), 0), "scale"),
    ],
)
def test_helpers_reject_bad_input_clearly(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_area_resize_averages_down_and_replicates_up():
    rng = np.random.default_rng(0)
    image = rng.random((280, 280))
    small = area_resize(image, 28, 28)
    np.testing.assert_allclose(small[3, 5], image[30:40, 50:60].mean(), atol=1e-12)
    np.testing.assert_allclose(small.mean(), image.mean(), atol=1e-12)
    np.testing.assert_allclose(
        area_resize(image[:7, :9], 14, 27), image[:7, :9].repeat(2, 0).repeat(3, 1), atol=1e-12
    )
    odd = area_resize(image[:33, :17], 20, 20)  # non-integer ratios, both ways
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


#: The spec's constants (web/PREPROCESSING.md), named once in Python and once in JS.
CONSTANTS = (
    "CANVAS_SIZE",
    "MODEL_SIZE",
    "DIGIT_BOX",
    "STROKE_WIDTH",
    "MIN_DIGIT_FRACTION",
    "MAX_INK_FRACTION",
    "MIN_INK_MASS",
    "CENTER_OF_MASS",
)


def test_python_and_js_name_the_same_constants():
    js = (ROOT / "web" / "preprocess.js").read_text()
    for name in CONSTANTS:
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
        assert refused.reason in {"too_small", "too_full", "too_little"}
        # one pad-brush stroke spanning s <= 280 pixels leaves about 20 * (s - 20) + 314 of ink,
        # >= 28 once fitted to 20x20: only separate strokes far apart (dots) can be too little
        assert refused.reason != "too_little" or len(drawn) > 1, drawn
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
@given(
    st.lists(
        st.lists(st.tuples(st.integers(12, 110), st.integers(12, 110)), min_size=1, max_size=5),
        min_size=1,
        max_size=3,
    ),
    st.integers(0, 155),
    st.integers(0, 155),
)
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
