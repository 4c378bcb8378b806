"""Drawings made like a person at the pad: MNIST digits as strokes, styles, non-digits."""
from __future__ import annotations

import numpy as np
import pytest

from handwriting import drawn_digits as dd
from handwriting.preprocess import CANVAS_SIZE, check_drawing


def test_an_mnist_digit_becomes_strokes_along_its_ink(mnist_small):
    (x, _), _ = mnist_small
    for image in x[:20, ..., 0]:
        strokes = dd.digit_strokes(image)
        points = np.concatenate(strokes)
        # every traced point lies on (or right beside) the digit's ink ...
        ink = np.array([image[min(int(py), 27), min(int(px), 27)] for px, py in points])
        assert (ink > 0.1).mean() > 0.95
        # ... and the strokes reach every part of it: no inked pixel is far from a stroke
        ys, xs = np.nonzero(image > 0.5)
        nearest = np.min(np.hypot(xs[:, None] + 0.5 - points[:, 0], ys[:, None] + 0.5 - points[:, 1]), axis=1)
        assert nearest.max() < 3.5          # MNIST pens are up to ~6 px wide


def test_drawings_fit_the_canvas_and_are_read_by_the_pad_path(mnist_small):
    (x, y), _ = mnist_small
    rng = np.random.default_rng(3)
    drawings = ([dd.mnist_drawing(x[i], y[i], rng) for i in range(10)]
                + [dd.style_drawing(name, rng) for name in dd.STYLES]
                + [dd.non_digit_drawing(kind, rng) for kind in dd.NON_DIGIT_KINDS if kind != "blob"])
    for drawing in drawings:
        points = np.concatenate(drawing.strokes)
        assert points.min() >= drawing.width / 2 and points.max() <= CANVAS_SIZE - drawing.width / 2
        assert check_drawing(drawing.rgba()) is None, drawing.kind
    assert {d.label for d in drawings[10:10 + len(dd.STYLES)]} == set(range(10))
    assert all(d.label is None for d in drawings[10 + len(dd.STYLES):])


def test_the_benchmark_is_fixed_and_training_drawings_come_from_other_seeds(mnist_small):
    _, (x_test, y_test) = mnist_small
    first = dd.evaluation_drawings(x_test[:5], y_test[:5], per_style=1, non_digits=13)
    again = dd.evaluation_drawings(x_test[:5], y_test[:5], per_style=1, non_digits=13)
    for a, b in zip(first.mnist + first.styles + first.non_digits, again.mnist + again.styles + again.non_digits):
        assert a.kind == b.kind and all(np.array_equal(s, t) for s, t in zip(a.strokes, b.strokes))
    assert [d.label for d in first.mnist] == list(y_test[:5])
    assert sorted(d.kind for d in first.non_digits) == sorted(dd.NON_DIGIT_KINDS)
    training = dd.training_drawings(np.random.default_rng(1), 30)
    assert not any(np.array_equal(t.strokes[0], e.strokes[0]) for t in training for e in first.styles)
    with pytest.raises(ValueError, match="benchmark"):
        dd.training_drawings(np.random.default_rng(dd.EVALUATION_SEED), 3)
    with pytest.raises(ValueError, match="benchmark"):
        dd.non_digit_drawings(np.random.default_rng(dd.EVALUATION_SEED), 3)


def test_training_generators(mnist_small):
    (x, y), _ = mnist_small
    rng = np.random.default_rng(7)
    digits = dd.training_drawings(rng, 40, x[:100], y[:100], style_share=0.5)
    assert len(digits) == 40 and {d.kind == "mnist" for d in digits} == {True, False}
    assert all(0 <= d.label <= 9 for d in digits)
    others = dd.non_digit_drawings(rng, 26)
    assert sorted({d.kind for d in others}) == sorted(dd.NON_DIGIT_KINDS)
    images, refusals = dd.to_model_inputs(others)
    assert images.shape == (26, 28, 28, 1) and len(refusals) == 26


def test_redraw_digits_keeps_order_shape_and_the_digit(mnist_small):
    (x, _), _ = mnist_small
    redrawn = dd.redraw_digits(x[:8], np.random.default_rng(0))
    assert redrawn.shape == (8, 28, 28, 1) and redrawn.dtype == np.float32
    assert 0 <= redrawn.min() and redrawn.max() <= 1
    assert not np.array_equal(redrawn, x[:8])
    # each redraw is closer to its own digit than to the other seven
    distance = ((redrawn[:, None] - x[None, :8]) ** 2).sum(axis=(2, 3, 4))
    assert (distance.argmin(axis=1) == np.arange(8)).mean() >= 0.75


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="28, 28"):
        dd.digit_strokes(np.zeros((20, 20)))
    with pytest.raises(ValueError, match="255"):
        dd.digit_strokes(np.full((28, 28), 255.0))
    with pytest.raises(ValueError, match="Unknown style"):
        dd.style_drawing("7-fancy", np.random.default_rng(0))
    with pytest.raises(ValueError, match="Unknown non-digit"):
        dd.non_digit_drawing("cat", np.random.default_rng(0))
    with pytest.raises(TypeError, match="Generator"):
        dd.non_digit_drawings(42, 3)
    with pytest.raises(ValueError, match="whole number"):
        dd.non_digit_drawings(np.random.default_rng(0), -1)


def test_the_segment_style_is_one_pen_stroke_per_segment_and_readable_by_the_pad():
    rng = np.random.default_rng(2)
    for digit, segments in enumerate(dd.SEGMENT_DIGITS):
        drawing = dd.segment_drawing(digit, rng)
        assert drawing.label == digit and drawing.kind == "segments"
        assert len(drawing.strokes) == len(segments) and segments[0] == "o"   # the bar on top
        assert check_drawing(drawing.rgba()) is None
    assert dd.SEGMENT_DIGITS[8] == "oabcdefg" and len(set(dd.SEGMENT_DIGITS)) == 10
    for bad in (10, -1, True, "3"):
        with pytest.raises(ValueError, match="digit from 0 to 9"):
            dd.segment_drawing(bad, rng)
