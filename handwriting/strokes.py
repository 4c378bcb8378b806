"""Rasterise strokes (lists of canvas points) the way the canvas draws them, in pure numpy.

White, round-capped, anti-aliased lines of a given width on opaque black: the drawing pad's
truth is its list of strokes, and this turns them into the RGBA pixels the preprocessing reads.
"""

from __future__ import annotations

import math

import numpy as np

from .preprocess import CANVAS_SIZE, STROKE_WIDTH


def _draw_segment(ink: np.ndarray, p0, p1, radius: float) -> None:
    """Max-compose one round-capped segment into ``ink`` (float, (size, size)), in place."""
    size = ink.shape[0]
    (x0, y0), (x1, y1) = p0, p1
    reach = radius + 1
    left, right = (
        max(int(math.floor(min(x0, x1) - reach)), 0),
        min(int(math.ceil(max(x0, x1) + reach)), size),
    )
    top, bottom = (
        max(int(math.floor(min(y0, y1) - reach)), 0),
        min(int(math.ceil(max(y0, y1) + reach)), size),
    )
    if left >= right or top >= bottom:
        return
    px = np.arange(left, right) + 0.5  # pixel centres
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


def as_points(stroke) -> np.ndarray:
    """One stroke as a float64 (n, 2) array of finite points, or a ValueError saying what is
    wrong."""
    try:
        points = np.asarray(stroke, dtype=np.float64)
    except (TypeError, ValueError):
        points = None
    if points is not None and points.size == 0:
        return points.reshape(0, 2)
    if points is None or points.ndim != 2 or points.shape[1] != 2 or not np.isfinite(points).all():
        raise ValueError(
            "Each stroke must be a list of finite (x, y) points in canvas pixels, "
            f"got {stroke!r:.80}"
        )
    return points


def rasterize_strokes(strokes, size: int = CANVAS_SIZE, width: float = STROKE_WIDTH) -> np.ndarray:
    """Draw ``strokes`` (each a sequence of (x, y) canvas points) as an RGBA uint8 canvas.

    Each segment covers a pixel by ``clip(width/2 + 0.5 - d, 0, 1)``, d the distance from the
    pixel centre (x + 0.5, y + 0.5) to the segment; overlapping segments take the maximum.
    A one-point stroke is a dot; no strokes give a blank (black) canvas.

    Returns:
        uint8 (size, size, 4): R = G = B = round(ink * 255), A = 255.

    Raises:
        ValueError: a point that is not a finite (x, y) pair, or a bad size or width.
    """
    if isinstance(strokes, (str, bytes)) or not hasattr(strokes, "__iter__"):
        raise ValueError(
            f"Expected a list of strokes (lists of (x, y) points), got {strokes!r:.80}"
        )
    if int(size) != size or size < 1:
        raise ValueError(f"size must be a positive whole number of pixels, not {size!r}.")
    if not (math.isfinite(width) and width > 0):
        raise ValueError(f"width must be a positive number of pixels, not {width!r}.")
    ink = np.zeros((int(size), int(size)))
    radius = width / 2
    for stroke in strokes:
        points = as_points(stroke)
        if len(points) == 1:
            _draw_segment(ink, points[0], points[0], radius)
        for p0, p1 in zip(points[:-1], points[1:], strict=False):
            _draw_segment(ink, p0, p1, radius)
    canvas = np.empty(ink.shape + (4,), np.uint8)
    canvas[..., :3] = np.round(ink * 255).astype(np.uint8)[..., None]
    canvas[..., 3] = 255
    return canvas
