"""Drawings made and collected: the data the pad's answers are developed and checked on.

- :mod:`~.drawing`: a :class:`Drawing` (strokes + brush), how a shape is placed like a person,
  and drawings -> model inputs;
- :mod:`~.redrawn`: MNIST digits turned into pen strokes and redrawn;
- :mod:`~.templates`: digits in the styles people use, non-digits, doodles;
- :mod:`~.benchmark_sets`: the drawn-digit benchmark's sets and their roles (training,
  development, evaluation);
- :mod:`~.pendigits`: real writers' pen digits (UCI), redrawn on the pad's canvas;
- :mod:`~.quickdraw`: real people's Quick, Draw! doodles (non-digits, shipped in a development
  and an evaluation half);
- :mod:`~.collected`: a person's own drawings, saved as PNGs in a folder.

Layer: numpy only, above the core modules (preprocess, strokes, data, files); models, training
and the benchmark build on it.
"""

from .benchmark_sets import (
    BENCHMARK_SIZES,
    ROLE_MEANINGS,
    ROLES,
    SET_NAMES,
    DrawnSet,
    benchmark_drawings,
    evaluation_drawings,
    quickdraw_drawings,
    real_writer_drawings,
)
from .drawing import DEFAULT_VARIATION, EVALUATION_SEED, Drawing, Variation, place, to_model_inputs
from .redrawn import (
    AUGMENT_CANVAS,
    CALIBRATION_DRAWINGS,
    calibration_drawings,
    digit_strokes,
    mnist_drawing,
    redraw_digits,
)
from .templates import (
    HELD_OUT_NON_DIGITS,
    HELD_OUT_STYLES,
    LETTERS,
    LOWERCASE,
    NON_DIGIT_KINDS,
    SEGMENT_DIGITS,
    SEGMENTS,
    STYLES,
    doodle,
    doodle_drawings,
    non_digit_drawing,
    non_digit_drawings,
    segment_drawing,
    style_drawing,
    training_drawings,
)

__all__ = [
    "BENCHMARK_SIZES",
    "ROLE_MEANINGS",
    "ROLES",
    "SET_NAMES",
    "DrawnSet",
    "benchmark_drawings",
    "evaluation_drawings",
    "quickdraw_drawings",
    "real_writer_drawings",
    "to_model_inputs",
    "DEFAULT_VARIATION",
    "EVALUATION_SEED",
    "Drawing",
    "Variation",
    "place",
    "AUGMENT_CANVAS",
    "CALIBRATION_DRAWINGS",
    "calibration_drawings",
    "digit_strokes",
    "mnist_drawing",
    "redraw_digits",
    "HELD_OUT_NON_DIGITS",
    "HELD_OUT_STYLES",
    "LETTERS",
    "LOWERCASE",
    "NON_DIGIT_KINDS",
    "SEGMENT_DIGITS",
    "SEGMENTS",
    "STYLES",
    "doodle",
    "doodle_drawings",
    "non_digit_drawing",
    "non_digit_drawings",
    "segment_drawing",
    "style_drawing",
    "training_drawings",
]
