"""The number reader: a canvas or the pad's strokes in, the number's text and digits out.

Each digit is read by :meth:`~handwriting.honest.recognizer.Recognizer.read_inks`, the very
single-digit path (preprocessing spec, model, calibration, verdict), all of a number's digits in
one model call: a number can never disagree with its digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..honest.recognizer import Reading, Recognizer
from ..preprocess import STROKE_WIDTH
from .segmentation import (
    Box,
    TooManyMarks,
    cut_digits,
    digit_height,
    digit_square,
    draw_group,
    pixel_groups,
    stroke_groups,
)

UNSURE = "?"  # a digit read "not sure", "not a digit" or refused, in the text
BLANK_MESSAGE = "Write a number first: the canvas is empty."
#: A group wider than SPLIT_RATIO x its height without a clear valley: its verdict is "unsure".
TOUCHING_MESSAGE = "Not sure: digits touching? Leave a little space between them."


@dataclass
class NumberReading:
    """What the model makes of a number: its text and one single-digit :class:`Reading` per
    digit, left to right, with the digit's box on the canvas."""

    text: str  # "2026"; a digit read "not sure" or refused is "?"; "" when nothing is read
    digits: list[Reading] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)  # (x0, y0, x1, y1), half-open
    touching: list[bool] = field(default_factory=list)  # cut out of (or maybe) touching ink
    refused: str | None = None  # "blank" or "too_many" (then there are no digits)
    message: str = ""  # why it was refused


def compose_text(digits: list[Reading]) -> str:
    """The number's text: each digit answered as a digit, else :data:`UNSURE`."""
    return "".join(UNSURE if reading.refused else str(reading.digit) for reading in digits)


class NumberReader:
    """Reads numbers with a digit model; each digit as the square pad reads it.

    Args:
        model: a digit model, a ``.keras`` path or ``"pretrained"`` (as for :class:`Recognizer`).
        calibration: as for :class:`Recognizer` (default: the model's own).

    Drawing strokes costs more than reading them; :meth:`read_strokes` keeps the groups it drew
    for the last reading, so a live reading while a number is written draws only the group that
    changed.
    """

    def __init__(self, model, calibration=None):
        self.recognizer = Recognizer(model, calibration=calibration)
        self._drawn: dict = {}  # the last read_strokes' groups: key -> Piece

    def read(self, rgba: np.ndarray) -> NumberReading:
        """An RGBA canvas (H, W >= H, 4) uint8, white ink on black: grouped by ink regions."""
        return self._read(lambda: pixel_groups(rgba))

    def read_strokes(
        self, strokes, size: tuple[int, int], width: float = STROKE_WIDTH
    ) -> NumberReading:
        """The pad's strokes (lists of (x, y) canvas points) on a canvas of ``size`` = (H, W >=
        H), drawn with a brush of ``width``: grouped by stroke, exactly."""
        drawn: dict = {}

        def draw(points, size, width):
            key = (tuple(size), float(width), tuple(p.tobytes() for p in points))
            drawn[key] = self._drawn.get(key) or draw_group(points, size, width)
            return drawn[key]

        reading = self._read(lambda: stroke_groups(strokes, size, width, draw=draw))
        self._drawn = drawn
        return reading

    def _read(self, groups) -> NumberReading:
        try:
            pieces = cut_digits(groups())
        except TooManyMarks as refusal:
            return NumberReading("", refused="too_many", message=str(refusal))
        if not pieces:
            return NumberReading("", refused="blank", message=BLANK_MESSAGE)
        height = digit_height(pieces)
        digits = self.recognizer.read_inks([digit_square(piece, height) for piece in pieces])
        for i, piece in enumerate(pieces):
            if piece.doubtful and digits[i].probabilities is not None:
                digits[i] = Reading(
                    digits[i].image, digits[i].probabilities, "unsure", TOUCHING_MESSAGE
                )
        return NumberReading(
            text=compose_text(digits),
            digits=digits,
            boxes=[piece.box for piece in pieces],
            touching=[piece.touching or piece.doubtful for piece in pieces],
        )
