"""A number cut into digits: strokes or pixels in, one :class:`Piece` (box and ink) per digit out.

Pure functions, the steps of ``web/NUMBERS.md`` (the JS twin's spec) in its order: parts,
groups (:func:`group_parts`), touching digits (:func:`split_touching`), and the square each
digit is read on (:func:`digit_square`). Every constant is named here once and listed in the
spec's table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..constants import MODEL_SIZE
from ..preprocess import STROKE_WIDTH, ink_from_rgba
from ..strokes import as_points, rasterize_strokes

MERGE_OVERLAP = 0.5  # parts whose columns overlap by this share of the narrower width: one digit
SPLIT_RATIO = 1.3  # a group wider than this times its height is touching digits: cut it
MIN_PIECE = 0.2  # a cut leaves at least this share of the group's height on each side
VALLEY_SHARE = 0.5  # a cut's column ink at most this share of the peaks on both sides: clear
SQUARE_SIDE = 1.5  # the square a digit is read on: this times the number's digit height
MAX_DIGITS = 12  # more groups (or pieces) than this: refused, not read

Box = tuple[int, int, int, int]  # (x0, y0, x1, y1): columns x0..x1-1, rows y0..y1-1


class NumberError(ValueError):
    """A canvas that cannot hold a number (narrower than high, smaller than 28 pixels)."""


class TooManyMarks(ValueError):
    """More than :data:`MAX_DIGITS` groups or pieces: not read (``count`` says how many)."""

    def __init__(self, count: int):
        super().__init__(
            f"Too many separate marks to read as a number ({count}); write at most "
            f"{MAX_DIGITS} digits side by side."
        )
        self.count = count


@dataclass(frozen=True)
class Piece:
    """One digit's ink, cut out of the number."""

    box: Box  # on the canvas, half-open: canvas_ink[y0:y1, x0:x1]
    ink: np.ndarray  # (y1 - y0, x1 - x0) float64 in [0, 1]: this digit's ink only
    touching: bool = False  # cut out of wider ink at a clear valley
    doubtful: bool = False  # wider than SPLIT_RATIO x its height, but no clear valley: not cut


def check_number_canvas(height: int, width: int) -> None:
    """A :class:`NumberError` unless a canvas of ``height`` x ``width`` can hold a number."""
    if min(height, width) < MODEL_SIZE:
        raise NumberError(
            f"The canvas is {width}x{height}; it must be at least {MODEL_SIZE} pixels high."
        )
    if width < height:
        raise NumberError(
            f"The canvas is {width}x{height} (width x height): its width must be at least its "
            "height (a number is written in a row; a square holds one digit)."
        )


def rasterize_wide(strokes, size: tuple[int, int], width: float = STROKE_WIDTH) -> np.ndarray:
    """The wide pad's canvas: :func:`~handwriting.strokes.rasterize_strokes` on ``size`` = (H, W),
    an RGBA uint8 (H, W, 4) array, white strokes on opaque black."""
    return rasterize_strokes(strokes, size=tuple(size), width=width)


# ------------------------------------------------------------------------ parts and groups


def group_parts(extents) -> list[list[int]]:
    """Indices of parts in digit groups, left to right, each group in left-edge order.

    ``extents`` are the parts' column ranges (left, right), in their given order. Sorted by left
    edge (then right edge, then order), each part joins the group before it when their column
    ranges overlap by at least :data:`MERGE_OVERLAP` of the narrower width (the group's range is
    the union of its parts'); otherwise it starts a new group.
    """
    order = sorted(range(len(extents)), key=lambda i: (extents[i][0], extents[i][1], i))
    groups: list[list[int]] = []
    left = right = 0.0
    for i in order:
        a, b = extents[i]
        if groups and min(right, b) - max(left, a) >= MERGE_OVERLAP * min(right - left, b - a):
            groups[-1].append(i)
            right = max(right, b)
        else:
            groups.append([i])
            left, right = a, b
    return groups


def _check_count(count: int) -> None:
    if count > MAX_DIGITS:
        raise TooManyMarks(count)


def _trimmed(ink: np.ndarray, x0: int, y0: int, **flags) -> Piece | None:
    """The inked part of ``ink`` (whose top-left is canvas pixel (x0, y0)) as a Piece, or None."""
    rows, cols = np.nonzero((ink > 0).any(axis=1))[0], np.nonzero((ink > 0).any(axis=0))[0]
    if not len(rows):
        return None
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    box = (int(x0 + left), int(y0 + top), int(x0 + right), int(y0 + bottom))
    return Piece(box, ink[top:bottom, left:right], **flags)


def pixel_groups(rgba: np.ndarray) -> list[Piece]:
    """The digit groups of an RGBA canvas (H, W >= H, 4): its 8-connected ink regions (``ink >
    0``) grouped by :func:`group_parts` on their column ranges, each keeping only its own ink.

    Raises:
        NumberError: a canvas narrower than high; TypeError / ValueError: not an RGBA canvas.
        TooManyMarks: more than :data:`MAX_DIGITS` groups.
    """
    if np.ndim(rgba) == 3:
        check_number_canvas(*np.shape(rgba)[:2])
    ink = ink_from_rgba(rgba)
    labels, _ = ndimage.label(ink > 0, structure=np.ones((3, 3), dtype=bool))
    regions = ndimage.find_objects(labels)  # (rows, columns) slices, label 1 first
    groups = group_parts([(columns.start, columns.stop) for _, columns in regions])
    _check_count(len(groups))
    pieces = []
    for group in groups:
        x0 = min(regions[i][1].start for i in group)
        x1 = max(regions[i][1].stop for i in group)
        y0 = min(regions[i][0].start for i in group)
        y1 = max(regions[i][0].stop for i in group)
        own = np.isin(labels[y0:y1, x0:x1], np.array(group) + 1)
        pieces.append(Piece((x0, y0, x1, y1), np.where(own, ink[y0:y1, x0:x1], 0.0)))
    return pieces


def stroke_groups(
    strokes, size: tuple[int, int], width: float = STROKE_WIDTH, draw=None
) -> list[Piece]:
    """The digit groups of the pad's strokes on a canvas of ``size`` = (H, W >= H).

    Each stroke (a list of (x, y) canvas points) is a part whose column range is its points'
    x range widened by half the brush on each side; :func:`group_parts` groups them, and each
    group is drawn alone by :func:`draw_group` (or ``draw``, e.g. a cached one, called the same
    way), exactly as the canvas would show it.

    Raises:
        NumberError: a canvas narrower than high; ValueError: a stroke that is not points.
        TooManyMarks: more than :data:`MAX_DIGITS` groups.
    """
    height, canvas_width = (int(n) for n in size)
    check_number_canvas(height, canvas_width)
    points = [p for p in (as_points(stroke) for stroke in strokes) if len(p)]
    radius = width / 2
    groups = group_parts([(p[:, 0].min() - radius, p[:, 0].max() + radius) for p in points])
    _check_count(len(groups))
    drawn = [(draw or draw_group)([points[i] for i in group], size, width) for group in groups]
    return [piece for piece in drawn if piece is not None]  # None: all outside the canvas


def draw_group(points: list[np.ndarray], size: tuple[int, int], width: float) -> Piece | None:
    """Strokes ((n, 2) arrays of canvas points) drawn alone: a Piece of what lies on the canvas
    of ``size`` = (H, W), or None when nothing does.

    Drawn on a small square moved by whole pixels, so each pixel is the one the whole canvas
    would show (:func:`rasterize_wide`), without drawing the whole canvas.
    """
    height, canvas_width = size
    every = np.concatenate(points)
    reach = width / 2 + 1  # the brush's ink reaches less than this beyond a point
    x0, y0 = (int(math.floor(v - reach)) for v in every.min(axis=0))
    extent = float((every.max(axis=0) - every.min(axis=0)).max())
    side = max(int(math.ceil(extent + 2 * reach)) + 2, MODEL_SIZE)
    raster = rasterize_strokes([p - (x0, y0) for p in points], size=side, width=width)
    ink = ink_from_rgba(raster)
    left, top = max(-x0, 0), max(-y0, 0)  # the canvas's columns 0..W-1 and rows 0..H-1
    right, bottom = min(side, canvas_width - x0), min(side, height - y0)
    if left >= right or top >= bottom:
        return None
    return _trimmed(ink[top:bottom, left:right], x0 + left, y0 + top)


# ------------------------------------------------------------------------ touching digits


def column_profile(ink: np.ndarray) -> np.ndarray:
    """Ink per column, rounded to 6 decimals (so numpy and JS pick the same column)."""
    return np.floor(ink.sum(axis=0) * 1e6 + 0.5) / 1e6


def find_cut(ink: np.ndarray) -> tuple[int, bool]:
    """(column, clear): where a group's ink (h, w) is thinnest relative to its peaks.

    Column c cuts between columns c - 1 and c; at least ``m = max(ceil(MIN_PIECE * h), 1)``
    columns stay on each side (m <= c < w - m). Its *valley* is ``profile[c] /
    min(max(profile[:c]), max(profile[c + 1:]))``; the cut is the smallest valley (the leftmost
    of equals), clear when at most :data:`VALLEY_SHARE`. (-1, False) when no column qualifies.
    """
    h, w = ink.shape
    profile = column_profile(ink)
    margin = max(int(math.ceil(MIN_PIECE * h)), 1)
    if w - margin <= margin:
        return -1, False
    left_peak = np.maximum.accumulate(profile)  # left_peak[c] = max(profile[:c + 1])
    right_peak = np.maximum.accumulate(profile[::-1])[::-1]  # right_peak[c] = max(profile[c:])
    columns = np.arange(margin, w - margin)
    peaks = np.minimum(left_peak[columns - 1], right_peak[columns + 1])
    valleys = profile[columns] / peaks  # peaks > 0: a piece's first and last columns are inked
    best = int(np.argmin(valleys))  # the first of equal values
    return int(columns[best]), bool(valleys[best] <= VALLEY_SHARE)


def split_touching(piece: Piece) -> list[Piece]:
    """A group cut into digits: unchanged when at most :data:`SPLIT_RATIO` times as wide as high;
    else cut at :func:`find_cut`'s column, each side trimmed to its ink and split again; with no
    clear valley, the group unchanged but marked ``doubtful``."""
    h, w = piece.ink.shape
    if w <= SPLIT_RATIO * h:
        return [piece]
    cut, clear = find_cut(piece.ink)
    if not clear:
        return [Piece(piece.box, piece.ink, piece.touching, doubtful=True)]
    x0, y0 = piece.box[:2]
    sides = (
        _trimmed(piece.ink[:, :cut], x0, y0, touching=True),
        _trimmed(piece.ink[:, cut:], x0 + cut, y0, touching=True),
    )
    return [part for side in sides if side is not None for part in split_touching(side)]


def cut_digits(groups: list[Piece]) -> list[Piece]:
    """Every group split by :func:`split_touching`: the digits, left to right.

    Raises:
        TooManyMarks: more than :data:`MAX_DIGITS` pieces.
    """
    pieces = [piece for group in groups for piece in split_touching(group)]
    _check_count(len(pieces))
    return pieces


# ------------------------------------------------------------------------ the square


def digit_height(pieces: list[Piece]) -> int:
    """The number's digit height: the tallest piece's, in pixels."""
    return max(piece.ink.shape[0] for piece in pieces)


def digit_square(piece: Piece, height: int) -> np.ndarray:
    """The piece's ink, pixel for pixel, in the middle of a black square: float64 (s, s) with
    ``s = max(ceil(SQUARE_SIDE * height), piece width, 28)`` (``height``: :func:`digit_height`),
    the piece's top-left at row ``(s - h) // 2``, column ``(s - w) // 2``.

    The square pad's preprocessing fits the ink box into 20x20 whatever its size, so copying the
    pixels (never resampling them) reads the digit exactly as if drawn alone on a pad of side s.
    One side for the number's digits keeps the pen's width relative to them as written, and a
    speck far smaller than the digits is "too small", as on the pad.
    """
    h, w = piece.ink.shape
    side = max(int(math.ceil(SQUARE_SIDE * height)), w, MODEL_SIZE)
    square = np.zeros((side, side))
    top, left = (side - h) // 2, (side - w) // 2
    square[top : top + h, left : left + w] = piece.ink
    return square
