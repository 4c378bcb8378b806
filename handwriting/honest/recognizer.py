"""The drawing pad's plain-Python core: a sketch made of strokes, and a model that reads it.

:class:`Sketch` keeps the strokes (the truth: undo removes the last one) and a cached raster of
the finished strokes, so a live prediction only rasterises the stroke being drawn.
:class:`Recognizer` runs exactly the browser app's path: RGBA canvas -> :func:`preprocess_canvas`
-> model -> calibration (:mod:`handwriting.honest.calibration`), turns a blank or too-small drawing
into
a "draw a digit" reading, never a guess, and says "not sure" or "not a digit" when the
calibrated probabilities do not single out one digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models.digit_model import DigitPredictor, ModelError, as_digit_model
from ..preprocess import (
    CANVAS_SIZE,
    STROKE_WIDTH,
    DrawingError,
    check_canvas_size,
    ink_from_rgba,
    preprocess_ink,
)
from ..strokes import as_points, rasterize_strokes
from .calibration import for_model

Point = tuple[float, float]


class Sketch:
    """Strokes drawn on a square canvas of ``size`` pixels, and their RGBA raster."""

    def __init__(self, size: int = CANVAS_SIZE, width: float = STROKE_WIDTH):
        self.size = size
        self._picture = self._blank()  # set_picture's image, under the strokes (this
        check_canvas_size(size, size)  # refuses a bad size; this, one under 28 px)
        self.width = width  # brush width for the next stroke
        self.strokes: list[tuple[float, list[Point]]] = []  # (width, points)
        self._current: list[Point] | None = None  # points of the stroke being drawn
        self._current_width = width
        self._current_raster = None  # ... and its raster, grown segment by segment
        self._finished = self._blank()  # raster of the picture + self.strokes

    def _blank(self) -> np.ndarray:
        return rasterize_strokes([], size=self.size)

    @property
    def drawing(self) -> bool:
        """True between :meth:`begin` and :meth:`end`."""
        return self._current is not None

    @property
    def last_point(self) -> Point | None:
        """The newest point of the stroke being drawn (None when not drawing)."""
        return None if self._current is None else self._current[-1]

    @property
    def picture(self) -> np.ndarray | None:
        """The picture under the strokes, if :meth:`set_picture` put one there."""
        return self._picture if self._picture[..., 0].any() else None

    def set_picture(self, rgba: np.ndarray) -> None:
        """Replace everything with a picture (e.g. a scanned digit); undo clears it."""
        self.clear()
        self._picture = np.array(rgba, dtype=np.uint8)
        self._finished = self._picture.copy()

    def begin(self, x: float, y: float) -> None:
        point = (float(x), float(y))
        dot = self._raster([(self.width, [point])])  # refuses a bad point before any change
        if self._current is not None:
            self.end()
        self._current, self._current_width, self._current_raster = [point], self.width, dot

    def extend(self, x: float, y: float) -> None:
        if self._current is None:
            self.begin(x, y)
            return
        point = (float(x), float(y))
        # A polyline's raster is the max over its segments: only the new segment is drawn, so a
        # live reading costs the same at the 5th point as at the 500th.
        segment = self._raster([(self._current_width, [self._current[-1], point])])
        np.maximum(self._current_raster, segment, out=self._current_raster)
        self._current.append(point)

    def end(self) -> None:
        """Finish the current stroke and add it to the raster."""
        if self._current is None:
            return
        self.strokes.append((self._current_width, self._current))
        np.maximum(self._finished, self._current_raster, out=self._finished)
        self._current, self._current_raster = None, None

    def add_strokes(self, strokes) -> None:
        """Add finished strokes, each a sequence of (x, y) canvas points; if one of them is not
        (a NaN, a lone number), none is added and a ValueError says which."""
        checked = [[(x, y) for x, y in as_points(points).tolist()] for points in strokes]
        for points in checked:
            if points:
                self.begin(*points[0])
                for point in points[1:]:
                    self.extend(*point)
                self.end()

    def undo(self) -> bool:
        """Remove the last stroke; False when there was none."""
        self._current, self._current_raster = None, None
        if not self.strokes:
            had_picture = bool(self._picture.any())
            self.clear()
            return had_picture
        self.strokes.pop()
        self._finished = np.maximum(self._picture, self._raster(self.strokes))
        return True

    def clear(self) -> None:
        self.strokes.clear()
        self._current, self._current_raster = None, None
        self._picture = self._blank()
        self._finished = self._blank()

    def _raster(self, strokes) -> np.ndarray:
        """Strokes of their own widths, composed one at a time (two canvases in memory at most)."""
        out = self._blank()
        for width, points in strokes:
            np.maximum(out, rasterize_strokes([points], size=self.size, width=width), out=out)
        return out

    def rgba(self) -> np.ndarray:
        """The canvas as (size, size, 4) uint8: white strokes on opaque black."""
        if self._current is None:
            return self._finished.copy()
        return np.maximum(self._finished, self._current_raster)


NOT_A_DIGIT_MESSAGE = "That does not look like a digit. Draw one digit from 0 to 9."


def verdict_message(verdict: str, probabilities: np.ndarray) -> str:
    """What the pad (and the app, web/app.js) says for an "unsure" or "not_a_digit" verdict."""
    if verdict == "unsure":
        first, second = np.argsort(-np.asarray(probabilities), kind="stable")[:2]
        return f"Not sure: a {first} or a {second}?"
    if verdict == "not_a_digit":
        return NOT_A_DIGIT_MESSAGE
    return ""


@dataclass
class Reading:
    """What the model makes of one drawing."""

    image: np.ndarray | None  # the 28x28 float32 the model saw (None if refused)
    probabilities: np.ndarray | None  # (10,) float32, calibrated (what the bars show)
    refused: str | None = None  # blank, too_small, too_full, too_little (not read), or
    # unsure, not_a_digit (read: probabilities are set)
    message: str = ""

    @property
    def digit(self) -> int | None:
        """The most likely digit (also when unsure: :attr:`refused` says whether it is claimed)."""
        return None if self.probabilities is None else int(self.probabilities.argmax())

    @property
    def confidence(self) -> float | None:
        return None if self.probabilities is None else float(self.probabilities.max())


class Recognizer:
    """Reads RGBA canvases with a digit model, through the same preprocessing as the web app.

    Args:
        model: a digit model, a ``.keras`` path or ``"pretrained"``.
        center: MNIST-style centring (as the app does).
        calibration: the model's :class:`~handwriting.honest.calibration.Calibration`; default: the
            one stored beside a ``.keras`` path (or with the pretrained model), else temperature 1
            and the default thresholds.
    """

    def __init__(self, model, center: bool = True, calibration=None):
        self.calibration = for_model(model, calibration)
        self.model = as_digit_model(model)
        self.center = center
        self._predictor = DigitPredictor(self.model)  # traced once, reused for every stroke

    def read(self, rgba: np.ndarray) -> Reading:
        """One RGBA canvas (H, W, 4) uint8, white ink on black, read as the pad reads it."""
        return self.read_inks([ink_from_rgba(rgba)])[0]

    def read_inks(self, inks) -> list[Reading]:
        """Several drawings, each an ink image (:func:`~handwriting.preprocess.ink_from_rgba`'s
        (H, W) float in [0, 1]), read in ONE model call (a number's digits): the same
        preprocessing, model and calibration as :meth:`read`, one :class:`Reading` each."""
        # A refusal is kept as (reason, message), not as the DrawingError: its traceback would
        # hold this frame, and the frame the list, a cycle that keeps every canvas until gc.
        images, refusals = [], []
        for ink in inks:
            try:
                images.append(preprocess_ink(ink, center=self.center))
                refusals.append(None)
            except DrawingError as refusal:
                refusals.append((refusal.reason, str(refusal)))
        answers = iter(self._answers(images) if images else [])
        return [
            Reading(image=None, probabilities=None, refused=refusal[0], message=refusal[1])
            if refusal
            else next(answers)
            for refusal in refusals
        ]

    def _answers(self, images: list[np.ndarray]) -> list[Reading]:
        """Preprocessed 28x28 images through the model (one call) and the calibration."""
        raw = self._predictor.predict_batch(np.stack(images))
        if not np.isfinite(raw).all():
            raise ModelError(
                f"{self.model.name!r} gives no numbers (NaN) for this drawing: its "
                "training diverged. Train it again with a lower learning rate."
            )
        probabilities = self.calibration.apply(raw)
        verdicts = [str(v) for v in self.calibration.verdicts(probabilities)]
        return [
            Reading(
                image=image,
                probabilities=p.astype(np.float32),
                refused=None if verdict == "digit" else verdict,
                message=verdict_message(verdict, p),
            )
            for image, p, verdict in zip(images, probabilities, verdicts, strict=True)
        ]
