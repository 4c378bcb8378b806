"""The rasteriser draws every pixel exactly as the straightforward per-segment code does."""

from __future__ import annotations

import math

import numpy as np
import pytest

from handwriting.numbers import rasterize_wide
from handwriting.strokes import as_points, rasterize_strokes


def _reference_segment(ink: np.ndarray, p0, p1, radius: float) -> None:
    """One round-capped segment, max-composed into ``ink``: the original per-segment code."""
    height, width = ink.shape
    (x0, y0), (x1, y1) = p0, p1
    reach = radius + 1
    left, right = (
        max(int(math.floor(min(x0, x1) - reach)), 0),
        min(int(math.ceil(max(x0, x1) + reach)), width),
    )
    top, bottom = (
        max(int(math.floor(min(y0, y1) - reach)), 0),
        min(int(math.ceil(max(y0, y1) + reach)), height),
    )
    if left >= right or top >= bottom:
        return
    px = np.arange(left, right) + 0.5
    py = (np.arange(top, bottom) + 0.5)[:, None]
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    if length2 == 0:
        t = 0.0
    else:
        t = np.clip(((px - x0) * dx + (py - y0) * dy) / length2, 0.0, 1.0)
    distance = np.hypot(px - (x0 + t * dx), py - (y0 + t * dy))
    coverage = np.clip(radius + 0.5 - distance, 0.0, 1.0)
    window = ink[top:bottom, left:right]
    np.maximum(window, coverage, out=window)


def reference(strokes, size, width: float) -> np.ndarray:
    """The grey level (H, W) uint8 the per-segment code draws on a canvas of ``size``."""
    ink = np.zeros(size)
    for stroke in strokes:
        points = as_points(stroke)
        if len(points) == 1:
            _reference_segment(ink, points[0], points[0], width / 2)
        for p0, p1 in zip(points[:-1], points[1:], strict=False):
            _reference_segment(ink, p0, p1, width / 2)
    return np.round(ink * 255).astype(np.uint8)


def random_strokes(rng: np.random.Generator, height: int, width: int) -> list:
    """Dots, long lines, pen-like wiggles, repeated points and points off the canvas."""
    strokes = []
    for _ in range(rng.integers(0, 6)):
        kind = rng.integers(0, 5)
        if kind == 0:  # a dot, maybe off the canvas
            strokes.append(rng.uniform(-30, 1.1 * max(height, width), (1, 2)))
        elif kind == 1:  # long lines, anywhere (often partly off the canvas)
            n = rng.integers(2, 5)
            strokes.append(rng.uniform(-0.3, 1.3, (n, 2)) * (width, height))
        elif kind == 2:  # a smoothed pen line: many short steps
            n = rng.integers(2, 120)
            start = rng.uniform(0, 1, 2) * (width, height)
            strokes.append(start + np.cumsum(rng.normal(0, 3, (n, 2)), axis=0))
        elif kind == 3:  # repeated points: zero-length segments among others
            n = rng.integers(2, 8)
            points = rng.uniform(0, 1, (n, 2)) * (width, height)
            strokes.append(np.repeat(points, rng.integers(1, 4, n), axis=0))
        else:  # whole-pixel and half-pixel points (ties in floor and ceil)
            n = rng.integers(1, 6)
            strokes.append(rng.integers(-5, max(height, width) + 5, (n, 2)) / 2)
    if rng.random() < 0.1:
        strokes.append([])
    return strokes


@pytest.mark.parametrize("seed", range(40))
def test_square_canvases_match_the_per_segment_code_exactly(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.choice([28, 29, 64, 100, 280, 281, 840]))
    for _ in range(3):
        strokes = random_strokes(rng, size, size)
        width = float(rng.choice([0.5, 1.0, 3.0, 20.0, 40.0, rng.uniform(1, 40)]))
        canvas = rasterize_strokes(strokes, size=size, width=width)
        expected = reference(strokes, (size, size), width)
        np.testing.assert_array_equal(canvas[..., 0], expected)
        assert (canvas[..., :3] == canvas[..., :1]).all() and (canvas[..., 3] == 255).all()


@pytest.mark.parametrize("seed", range(20))
def test_wide_canvases_match_the_per_segment_code_exactly(seed):
    rng = np.random.default_rng(1000 + seed)
    height = int(rng.integers(28, 300))
    width = int(rng.integers(height, 4 * height))
    strokes = random_strokes(rng, height, width)
    pen = float(rng.uniform(1, 40))
    expected = reference(strokes, (max(height, width),) * 2, pen)[:height, :width]
    np.testing.assert_array_equal(rasterize_wide(strokes, (height, width), pen)[..., 0], expected)
    tall = reference(strokes, (width, height), pen)  # (H, W) with H > W, drawn directly
    np.testing.assert_array_equal(rasterize_strokes(strokes, (width, height), pen)[..., 0], tall)


@pytest.mark.parametrize("size", [0, 2.5, (0, 5), (5, 2.5), (1, 2, 3)])
def test_a_bad_size_gets_a_clear_error(size):
    with pytest.raises(ValueError, match="size must be a positive whole number"):
        rasterize_strokes([], size=size)


def test_extreme_but_finite_points_match_the_per_segment_code():
    strokes = [[(-1e9, 5.0), (1e9, 20.0)], [(3.0, 1e12)], [(140.0, 140.0), (140.0, 140.0)]]
    for width in (1.0, 20.0):
        canvas = rasterize_strokes(strokes, size=280, width=width)
        np.testing.assert_array_equal(canvas[..., 0], reference(strokes, (280, 280), width))
