"""A drawing as the pad records it, how a shape is placed on the canvas like a person would, and
how drawings become what a model sees (:func:`to_model_inputs`).

Everything in :mod:`handwriting.drawn` is numpy (no TensorFlow): a :class:`Drawing` is a list of
strokes in the 280x280 canvas's pixels plus a brush width, rendered by
:func:`handwriting.strokes.rasterize_strokes` and read through
:func:`handwriting.preprocess.preprocess_canvas`, exactly as the pad does.

Two families of generators, never mixed: the benchmark's (:data:`EVALUATION_SEED`, see
:mod:`handwriting.drawn.benchmark_sets`) and training's (any other seed). Training generators
refuse the benchmark's seed (:func:`training_rng`), and held-out templates are drawn from the
benchmark's seed only (:func:`benchmark_rng`), so no training data can contain them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import MODEL_SIZE
from ..preprocess import CANVAS_SIZE, DrawingError, preprocess_canvas
from ..strokes import rasterize_strokes

#: The drawn-digit benchmark's seed; training generators refuse it.
EVALUATION_SEED = 12_2026


@dataclass(frozen=True)
class Drawing:
    """One drawing as the pad would record it: strokes of canvas points and a brush width."""

    strokes: tuple  # of (n, 2) float arrays, (x, y) in canvas pixels
    width: float  # brush diameter in canvas pixels
    label: int | None  # the digit drawn, or None for a non-digit
    kind: str  # "mnist", a style name ("7-bar") or a non-digit kind ("star")

    def rgba(self, size: int = CANVAS_SIZE) -> np.ndarray:
        """The (size, size, 4) uint8 canvas, white strokes on black, as the pad draws them;
        a smaller ``size`` draws the same picture scaled down (faster, for augmentation)."""
        scale = size / CANVAS_SIZE
        return rasterize_strokes(
            [s * scale for s in self.strokes], size=size, width=self.width * scale
        )


@dataclass(frozen=True)
class Variation:
    """How much a drawing varies: ranges (low, high) sampled uniformly for every drawing."""

    height: tuple = (0.35, 0.85)  # drawing height as a share of the canvas side
    brush: tuple = (12.0, 32.0)  # brush diameter, canvas pixels ...
    max_brush_share: float = 0.2  # ... at most this share of the drawing's height
    slant: tuple = (-0.35, 0.3)  # shear: x moves by -slant * y (positive leans right)
    rotation: tuple = (-10.0, 10.0)  # degrees
    aspect: tuple = (0.8, 1.25)  # width multiplier
    wobble: tuple = (0.0, 0.035)  # amplitude of a smooth displacement, share of the height
    stroke_shift: float = 0.03  # each pen stroke moves by up to this share of the height
    margin: float = 4.0  # canvas pixels kept free at the border


DEFAULT_VARIATION = Variation()


def to_model_inputs(drawings, size: int = CANVAS_SIZE) -> tuple[np.ndarray, list[str | None]]:
    """Render and preprocess drawings as the pad does: ((N, 28, 28, 1) float32, refusals);
    a smaller canvas ``size`` (e.g. :data:`~handwriting.drawn.AUGMENT_CANVAS`) is faster, for
    training data.

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


def check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"Pass a numpy Generator, e.g. np.random.default_rng(1), not {type(rng).__name__}."
        )
    return rng


def _is_benchmark_rng(rng: np.random.Generator) -> bool:
    """True for a generator seeded with :data:`EVALUATION_SEED` (or one of its spawned streams)."""
    return getattr(getattr(rng.bit_generator, "seed_seq", None), "entropy", None) == EVALUATION_SEED


def training_rng(rng) -> np.random.Generator:
    """A caller's generator for training data; the benchmark's own seed is refused."""
    rng = check_rng(rng)
    if _is_benchmark_rng(rng):
        raise ValueError(
            f"Seed {EVALUATION_SEED} is the drawn-digit benchmark's "
            "(EVALUATION_SEED): use another seed for training drawings."
        )
    return rng


def benchmark_rng(rng, name: str) -> np.random.Generator:
    """The benchmark's generator for a held-out template; any other generator is refused, so
    held-out shapes can never end up in training data (which refuses the benchmark's seed)."""
    rng = check_rng(rng)
    if not _is_benchmark_rng(rng):
        raise ValueError(
            f"{name!r} is held out for the drawn-digit benchmark: it is drawn only from "
            f"EVALUATION_SEED ({EVALUATION_SEED}), never for training; train on "
            "STYLES and NON_DIGIT_KINDS."
        )
    return rng


def _resample(points: np.ndarray, spacing: float) -> np.ndarray:
    """Points every ``spacing`` along a polyline (ends kept), so a wobble bends it smoothly."""
    if len(points) < 2:
        return points
    steps = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] == 0:
        return points[:1]
    at = np.linspace(0.0, along[-1], max(2, int(math.ceil(along[-1] / spacing)) + 1))
    return np.column_stack([np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1])])


def place(
    strokes,
    rng: np.random.Generator,
    label: int | None,
    kind: str,
    variation: Variation = DEFAULT_VARIATION,
    shift_strokes: bool = True,
) -> Drawing:
    """Draw a shape (strokes in any units, y down) on the canvas as a person might.

    Scaled to a random height, stretched, slanted, rotated, bent by a smooth random
    displacement, put somewhere on the canvas, and given a brush width.

    Args:
        strokes: polylines, each an (n, 2) sequence of (x, y); only their shape matters.
        rng: the random generator that picks every variation.
        shift_strokes: move each stroke a little on its own (a person's separate pen strokes);
            off for strokes traced from one connected skeleton.
    """
    strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    strokes = [s for s in strokes if len(s)]
    if not strokes:
        raise ValueError("A drawing needs at least one stroke with a point.")
    v = variation
    every = np.concatenate(strokes)
    low, high = every.min(axis=0), every.max(axis=0)
    unit = max(high[1] - low[1], 0.5 * (high[0] - low[0]), 1e-9)  # the shape's height
    centre = (low + high) / 2
    slant, angle = rng.uniform(*v.slant), math.radians(rng.uniform(*v.rotation))
    linear = (
        np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        @ np.array([[1.0, -slant], [0.0, 1.0]])
        @ np.diag([rng.uniform(*v.aspect), 1.0])
    )
    shapes = [((s - centre) / unit) @ linear.T for s in strokes]  # about 1 unit high
    if shift_strokes and len(shapes) > 1:
        shapes = [s + rng.uniform(-v.stroke_shift, v.stroke_shift, 2) for s in shapes]
    # A smooth wobble: two low-frequency waves per axis, as a hand is never a ruler.
    amplitude = rng.uniform(*v.wobble)
    waves = [(rng.normal(size=2) * 2.5, rng.uniform(0, 2 * math.pi)) for _ in range(4)]
    shapes = [_resample(s, 0.04) for s in shapes]
    for i, shape in enumerate(shapes):
        axis_waves = (waves[:2], waves[2:])
        shapes[i] = shape + amplitude * np.column_stack(
            [sum(np.sin(shape @ k + phase) for k, phase in pair) / 2 for pair in axis_waves]
        )
    every = np.concatenate(shapes)
    extent = every.max(axis=0) - every.min(axis=0)
    height = rng.uniform(*v.height) * CANVAS_SIZE
    brush = min(rng.uniform(*v.brush), max(v.brush[0], v.max_brush_share * height))
    room = CANVAS_SIZE - 2 * (v.margin + brush / 2)
    scale = min(height, room / max(extent.max(), 1e-9))  # shrink a wide shape to fit
    low = every.min(axis=0) * scale
    span = extent * scale
    offset = np.array(
        [rng.uniform(0, max(room - span[0], 0)), rng.uniform(0, max(room - span[1], 0))]
    )
    origin = v.margin + brush / 2 + offset - low
    return Drawing(
        strokes=tuple(s * scale + origin for s in shapes),
        width=float(brush),
        label=label,
        kind=kind,
    )


def count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"Expected a whole number of drawings >= 0, not {n!r}.")
    return int(n)
