"""Rasterise strokes (lists of canvas points) the way the canvas draws them, in pure numpy.

White, round-capped, anti-aliased lines of a given width on opaque black: the drawing pad's
truth is its list of strokes, and this turns them into the RGBA pixels the preprocessing reads.
"""

from __future__ import annotations

import math

import numpy as np

from .preprocess import CANVAS_SIZE, STROKE_WIDTH

_CHUNK_PIXELS = 1 << 15  # padded window pixels per numpy pass: small arrays stay in cache


def _segments(strokes) -> np.ndarray:
    """The segments of ``strokes`` as a float64 (n, 4) array of (x0, y0, x1, y1); a one-point
    stroke is one zero-length segment (a dot)."""
    parts = [np.empty((0, 4))]
    for stroke in strokes:
        points = as_points(stroke)
        if len(points) == 1:
            parts.append(np.concatenate([points, points], axis=1))
        elif len(points) > 1:
            parts.append(np.concatenate([points[:-1], points[1:]], axis=1))
    return np.concatenate(parts)


def _window(low, high, reach: float, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Each segment's first and past-the-last pixel along one axis (its ink reaches less than
    ``reach`` beyond its ends), kept on the canvas's ``end`` pixels."""
    first = np.clip(np.floor(low - reach), 0, end).astype(np.int64)
    past = np.clip(np.ceil(high + reach), 0, end).astype(np.int64)
    return first, np.maximum(past, first)


def _ink(shape: tuple[int, int], segments: np.ndarray, radius: float) -> np.ndarray:
    """Round-capped segments ((n, 4) of x0, y0, x1, y1) max-composed on a blank float64 canvas
    of ``shape`` = (H, W), by the rule of :func:`rasterize_strokes`.

    Each segment is computed over its own window (its bounding box grown by ``radius + 1``, on
    the canvas), like a segment drawn alone: segments with windows of about the same size are
    stacked, padded to the largest, and computed in one numpy pass, so each pixel sees the same
    float64 operations, in the same order, as it would drawn alone.
    """
    height, width = shape
    x0, y0, x1, y1 = (column[:, None, None] for column in segments.T)  # (n, 1, 1)
    reach = radius + 1
    left, right = _window(np.minimum(x0, x1), np.maximum(x0, x1), reach, width)
    top, bottom = _window(np.minimum(y0, y1), np.maximum(y0, y1), reach, height)
    columns, rows = right - left, bottom - top
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    divisor = np.where(length2 == 0, 1.0, length2)
    # Squared distances that surely give coverage 0 (above ``clear``) or 1 (below ``solid``):
    # the rule's hypot and clip, done only between them, would give exactly these (the margin
    # dwarfs the rounding of hypot and of the squares).
    outer = radius + 0.5  # rounded as the rule rounds it
    clear = outer**2 * (1 + 1e-9)
    solid = (outer - 1) ** 2 * (1 - 1e-9) if outer > 1 else -1.0
    side = np.maximum(rows, columns).ravel()
    # Padding pixels compose 0 (a no-op) somewhere on the canvas or past it, in this margin:
    flat = np.zeros((height + int(side.max(initial=0)) + 1) * (width + 1))
    order = np.flatnonzero(rows.ravel() * columns.ravel())
    order = order[np.argsort(side[order], kind="stable")]  # like windows together
    start = 0
    while start < order.size:  # chunks of about _CHUNK_PIXELS padded pixels (at least one)
        padded = np.arange(1, order.size - start + 1) * side[order[start:]] ** 2
        stop = start + max(int(np.searchsorted(padded, _CHUNK_PIXELS, "right")), 1)
        chunk, start = order[start:stop], stop
        down, across = np.arange(rows[chunk].max()), np.arange(columns[chunk].max())
        row = top[chunk] + down[:, None]  # (k, R, 1)
        column = left[chunk] + across  # (k, 1, C)
        px, py = column + 0.5, row + 0.5  # pixel centres
        sx, sy, sdx, sdy = x0[chunk], y0[chunk], dx[chunk], dy[chunk]
        # a dot's numerator is 0, so its t is 0 (the rule's t), or -0 (the same nearest point)
        t = ((px - sx) * sdx + (py - sy) * sdy) / divisor[chunk]
        np.clip(t, 0.0, 1.0, out=t)
        # ex, ey = px - (sx + t * sdx), py - (sy + t * sdy): from the nearest point to the
        # centre, in place (a + b is b + a, exactly)
        ex = np.multiply(t, sdx)
        ex += sx
        np.subtract(px, ex, out=ex)
        ey = np.multiply(t, sdy, out=t)
        ey += sy
        np.subtract(py, ey, out=ey)
        squared = ex * ex
        squared += ey * ey
        mine = (down[:, None] < rows[chunk]) & (across < columns[chunk])  # not padding
        coverage = (mine & (squared < solid)).astype(np.float64)  # surely 1, or else 0 ...
        edge = np.flatnonzero(mine & ~(squared < solid) & ~(squared > clear))  # ... or the rule
        distance = np.hypot(ex.take(edge), ey.take(edge))
        coverage.put(edge, np.clip(radius + 0.5 - distance, 0.0, 1.0))
        np.maximum.at(flat, (row * width + column).ravel(), coverage.ravel())
    return flat[: height * width].reshape(height, width)


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


def rasterize_strokes(
    strokes, size: int | tuple[int, int] = CANVAS_SIZE, width: float = STROKE_WIDTH
) -> np.ndarray:
    """Draw ``strokes`` (each a sequence of (x, y) canvas points) as an RGBA uint8 canvas of
    ``size`` (a square's side, or (H, W)).

    Each segment covers a pixel by ``clip(width/2 + 0.5 - d, 0, 1)``, d the distance from the
    pixel centre (x + 0.5, y + 0.5) to the segment; overlapping segments take the maximum.
    A one-point stroke is a dot; no strokes give a blank (black) canvas.

    Returns:
        uint8 (size, size, 4) or (H, W, 4): R = G = B = round(ink * 255), A = 255.

    Raises:
        ValueError: a point that is not a finite (x, y) pair, or a bad size or width.
    """
    if isinstance(strokes, (str, bytes)) or not hasattr(strokes, "__iter__"):
        raise ValueError(
            f"Expected a list of strokes (lists of (x, y) points), got {strokes!r:.80}"
        )
    shape = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
    if len(shape) != 2 or any(int(side) != side or side < 1 for side in shape):
        raise ValueError(f"size must be a positive whole number of pixels, not {size!r}.")
    if not (math.isfinite(width) and width > 0):
        raise ValueError(f"width must be a positive number of pixels, not {width!r}.")
    ink = _ink(tuple(int(side) for side in shape), _segments(strokes), width / 2)
    canvas = np.empty(ink.shape + (4,), np.uint8)
    canvas[..., :3] = np.round(ink * 255).astype(np.uint8)[..., None]
    canvas[..., 3] = 255
    return canvas
