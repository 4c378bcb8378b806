"""The number pad's plain-Python core: the strokes of a number being written, and how it is cut.

:class:`NumberSketch` keeps the strokes (the truth: undo removes the last one) of a wide canvas
written with one brush, as :class:`~handwriting.honest.recognizer.Sketch` does for the square
pad; :meth:`NumberSketch.read` reads them with a :class:`NumberReader` (exact grouping by
stroke). :func:`cut_strokes` and :func:`cut_picture` keep what each digit was read from (its
square and its 28x28) for a picture: :meth:`NumberCut.figure`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..drawn.written_numbers import NUMBER_PAD
from ..plots import number_figure
from ..preprocess import STROKE_WIDTH
from ..strokes import as_points
from .reader import NumberReader, NumberReading
from .segmentation import (
    TooManyMarks,
    check_number_canvas,
    cut_digits,
    digit_height,
    digit_square,
    pixel_groups,
    rasterize_wide,
    stroke_groups,
)

Point = tuple[float, float]


class NumberSketch:
    """Strokes written on a canvas of ``size`` = (H, W >= H) pixels with a brush of ``width``."""

    def __init__(self, size: tuple[int, int] = NUMBER_PAD, width: float = STROKE_WIDTH):
        height, canvas_width = (int(n) for n in size)
        check_number_canvas(height, canvas_width)
        self.size = (height, canvas_width)
        self.width = float(width)
        self.strokes: list[list[Point]] = []
        self._current: list[Point] | None = None  # the stroke being drawn

    @property
    def drawing(self) -> bool:
        """True between :meth:`begin` and :meth:`end`."""
        return self._current is not None

    @property
    def last_point(self) -> Point | None:
        return None if self._current is None else self._current[-1]

    def begin(self, x: float, y: float) -> None:
        point = tuple(as_points([(x, y)])[0].tolist())  # refuses a bad point before any change
        self.end()
        self._current = [point]

    def extend(self, x: float, y: float) -> None:
        if self._current is None:
            self.begin(x, y)
        else:
            self._current.append(tuple(as_points([(x, y)])[0].tolist()))

    def end(self) -> None:
        if self._current is not None:
            self.strokes.append(self._current)
            self._current = None

    def add_strokes(self, strokes) -> None:
        """Add finished strokes (sequences of (x, y) canvas points); if one of them is not, none
        is added and a ValueError says which."""
        checked = [[tuple(p) for p in as_points(points).tolist()] for points in strokes]
        self.end()
        self.strokes += [points for points in checked if points]

    def undo(self) -> bool:
        """Remove the last stroke; False when there was none."""
        self._current = None
        if not self.strokes:
            return False
        self.strokes.pop()
        return True

    def clear(self) -> None:
        self.strokes.clear()
        self._current = None

    def all_strokes(self) -> list[list[Point]]:
        """The finished strokes and the one being drawn."""
        return self.strokes + ([self._current] if self._current else [])

    def rgba(self) -> np.ndarray:
        """The canvas as (H, W, 4) uint8: white strokes on opaque black."""
        return rasterize_wide(self.all_strokes(), self.size, self.width)

    def read(self, reader: NumberReader) -> NumberReading:
        """The number as ``reader`` reads these strokes (the one being drawn included)."""
        return reader.read_strokes(self.all_strokes(), self.size, self.width)

    def cut(self, reader: NumberReader) -> NumberCut:
        return cut_strokes(reader, self.all_strokes(), self.size, self.width)


@dataclass
class NumberCut:
    """A number read, with what each digit was read from."""

    reading: NumberReading
    canvas: np.ndarray  # RGBA (H, W, 4) uint8: the number as written
    squares: list[np.ndarray]  # per digit: its ink on the square it is read on
    source: str  # "strokes" or "pixels": how the digits were found

    def figure(self):
        """The canvas with each digit's box, each digit's square and its 28x28, titled."""
        reading = self.reading
        titles = [digit_title(digit) for digit in reading.digits]
        heading = (
            f"Read from its {self.source}: {reading.text!r}"
            if reading.refused is None
            else f"Not read: {reading.message}"
        )
        images = [digit.image for digit in reading.digits]
        return number_figure(self.canvas, reading.boxes, self.squares, images, titles, heading)


def digit_title(digit) -> str:
    """One digit's reading in a few words: "4 (98%)", "? 4 or 9 (52%)", "? too_small"."""
    if digit.probabilities is None:
        return f"? {digit.refused}"
    if digit.refused:
        second = int(np.argsort(-digit.probabilities, kind="stable")[1])
        return f"? {digit.digit} or {second} ({digit.confidence:.0%})"
    return f"{digit.digit} ({digit.confidence:.0%})"


def _squares(groups) -> list[np.ndarray]:
    try:
        pieces = cut_digits(groups())
    except TooManyMarks:
        return []
    height = digit_height(pieces) if pieces else 0
    return [digit_square(piece, height) for piece in pieces]


def cut_strokes(
    reader: NumberReader, strokes, size: tuple[int, int] = NUMBER_PAD, width=STROKE_WIDTH
) -> NumberCut:
    """The pad's strokes read by ``reader`` (grouped by stroke), with each digit's square."""
    reading = reader.read_strokes(strokes, size, width)
    squares = _squares(lambda: stroke_groups(strokes, size, width))
    return NumberCut(reading, rasterize_wide(strokes, size, width), squares, "strokes")


def cut_picture(reader: NumberReader, rgba: np.ndarray) -> NumberCut:
    """A canvas read by ``reader`` from its pixels alone (ink regions, cut where the ink is
    thinnest), as a PNG of a number is read, with each digit's square."""
    reading = reader.read(rgba)
    return NumberCut(reading, np.asarray(rgba), _squares(lambda: pixel_groups(rgba)), "pixels")
