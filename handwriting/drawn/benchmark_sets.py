"""The drawn-digit benchmark's drawings, and how any drawings become model inputs.

:func:`evaluation_drawings` is THE drawn-digit benchmark (MNIST *test* digits, the fixed
:data:`~handwriting.drawn.drawing.EVALUATION_SEED`): redrawn MNIST test digits, the templates'
styles and non-digits (seen and held-out kinds) and doodles real people drew for Quick, Draw!
(:func:`quickdraw_drawings`: a cat, a bicycle, a cookie, ... redrawn as pen strokes like the
MNIST digits: non-digits by other hands than ours, for the benchmark only).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import MODEL_SIZE
from ..preprocess import CANVAS_SIZE, DrawingError, preprocess_canvas
from . import quickdraw
from .drawing import EVALUATION_SEED, Drawing, count, place
from .redrawn import digit_strokes, mnist_drawing
from .templates import (
    HELD_OUT_NON_DIGITS,
    HELD_OUT_STYLES,
    NON_DIGIT_KINDS,
    STYLES,
    sample_non_digits,
    style_drawing,
)


def to_model_inputs(drawings, size: int = CANVAS_SIZE) -> tuple[np.ndarray, list[str | None]]:
    """Render and preprocess drawings as the pad does: ((N, 28, 28, 1) float32, refusals);
    a smaller canvas ``size`` (e.g. :data:`AUGMENT_CANVAS`) is faster, for training data.

    A refused drawing (blank, too small, too full) has an all-zero image and its
    :class:`~handwriting.preprocess.DrawingError` reason in the list (None when read).
    """
    images = np.zeros((len(drawings), MODEL_SIZE, MODEL_SIZE, 1), np.float32)
    refusals: list[str | None] = []
    for i, drawing in enumerate(drawings):
        try:
            images[i, ..., 0] = preprocess_canvas(drawing.rgba(size))
            refusals.append(None)
        except DrawingError as err:
            refusals.append(err.reason)
    return images, refusals


@dataclass
class DrawnSet:
    """The drawn-digit benchmark: five families of drawings (see :func:`evaluation_drawings`)."""

    mnist: list[Drawing]                 # MNIST test digits redrawn as strokes
    styles: list[Drawing]                # every style of STYLES (the training data's shapes), several times
    non_digits: list[Drawing]            # every kind of NON_DIGIT_KINDS, in equal shares
    held_out_styles: list[Drawing]       # every style of HELD_OUT_STYLES (never trained on), several times
    held_out_non_digits: list[Drawing]   # every kind of HELD_OUT_NON_DIGITS, in equal shares
    doodles: list[Drawing] = field(default_factory=list)   # real people's Quick, Draw! doodles
    _inputs: dict = field(default_factory=dict, repr=False)

    FAMILIES = ("mnist", "styles", "non_digits", "held_out_styles", "held_out_non_digits", "doodles")

    def model_inputs(self, family: str) -> tuple[np.ndarray, list[str | None]]:
        """:func:`to_model_inputs` of one family, rendered once and kept for every model."""
        if family not in self.FAMILIES:
            raise ValueError(f"Unknown family {family!r}; choose one of {', '.join(self.FAMILIES)}.")
        if family not in self._inputs:
            self._inputs[family] = to_model_inputs(getattr(self, family))
        return self._inputs[family]


def quickdraw_drawings(rng: np.random.Generator, per_kind: int) -> list[Drawing]:
    """Doodles real people drew for Quick, Draw! (:func:`handwriting.drawn.quickdraw.doodles`:
    ``per_kind`` of every kind that is no digit's shape), redrawn as pen strokes like the MNIST
    digits and placed and varied like every drawing. For the benchmark: no recipe trains on them."""
    images, kinds = quickdraw.doodles(per_kind)
    return [place(digit_strokes(image), rng, None, kind, shift_strokes=False)
            for image, kind in zip(images, kinds)]


def evaluation_drawings(x_test: np.ndarray, y_test: np.ndarray, per_style: int = 40,
                        non_digits: int = 520, doodles_per_kind: int = 0) -> DrawnSet:
    """THE drawn-digit benchmark (never train on it): every test digit given, redrawn as strokes,
    ``per_style`` drawings of each style and ``non_digits`` non-digits, both for the templates
    the training data shares (:data:`STYLES`, :data:`NON_DIGIT_KINDS`) and the held-out ones
    (:data:`HELD_OUT_STYLES`, :data:`HELD_OUT_NON_DIGITS`), and ``doodles_per_kind`` Quick, Draw!
    doodles of each kind (:func:`quickdraw_drawings`; 0: none, nothing downloaded), all from
    :data:`EVALUATION_SEED` (one spawned stream per family). Pass MNIST *test* digits."""
    if len(x_test) != len(y_test):
        raise ValueError(f"{len(x_test)} images but {len(y_test)} labels.")
    # Spawned streams keep their order: the later families' streams (3, 4, then 5) leave the
    # earlier families' drawings as they were.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(EVALUATION_SEED).spawn(6)]
    per_style, non_digits, doodles_per_kind = count(per_style), count(non_digits), count(doodles_per_kind)
    return DrawnSet(
        mnist=[mnist_drawing(x, y, streams[0]) for x, y in zip(x_test, y_test)],
        styles=[style_drawing(name, streams[1]) for name in STYLES for _ in range(per_style)],
        non_digits=sample_non_digits(streams[2], non_digits, NON_DIGIT_KINDS),
        held_out_styles=[style_drawing(name, streams[3])
                         for name in HELD_OUT_STYLES for _ in range(per_style)],
        held_out_non_digits=sample_non_digits(streams[4], non_digits, HELD_OUT_NON_DIGITS),
        doodles=quickdraw_drawings(streams[5], doodles_per_kind) if doodles_per_kind else [])


#: The benchmark's sizes (bench section `drawn`, ``evaluate --drawn``): MNIST test digits
#: redrawn, drawings per style, non-digits per family (training kinds, held-out kinds), Quick,
#: Draw! doodles per kind.
BENCHMARK_SIZES = {"full": (2000, 40, 520, 4), "quick": (200, 4, 104, 1)}


def benchmark_drawings(x_test: np.ndarray, y_test: np.ndarray, quick: bool = False) -> DrawnSet:
    """:func:`evaluation_drawings` at the benchmark's sizes (:data:`BENCHMARK_SIZES`), from the
    first MNIST test digits given; ``quick``: a tenth to a fifth of them, for tests."""
    strokes, per_style, non_digits, doodles_per_kind = BENCHMARK_SIZES["quick" if quick else "full"]
    x_test = np.asarray(x_test)
    return evaluation_drawings(x_test[:strokes].reshape(-1, MODEL_SIZE, MODEL_SIZE), y_test[:strokes],
                               per_style=per_style, non_digits=non_digits, doodles_per_kind=doodles_per_kind)
