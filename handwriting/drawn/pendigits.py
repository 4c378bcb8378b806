"""Real writers' digits: the UCI pen digits redrawn on the pad's canvas, a development set.

Data: the training part of *Pen-Based Recognition of Handwritten Digits* by E. Alpaydin and
F. Alimoglu (Department of Computer Engineering, Bogazici University, 1998), from the UCI Machine
Learning Repository (https://archive.ics.uci.edu/ml/datasets/Pen-Based+Recognition+of+Handwritten+Digits),
licence CC BY 4.0: credit the authors and the UCI Machine Learning Repository wherever the data or
figures made from it appear. Shipped in this package as ``pendigits_data/pendigits-train.npz``:
7,494 digits (about 750 of each) that 30 people wrote with a stylus on a WACOM tablet, each
``points`` (8, 2) uint8 and a ``labels`` digit. The 14 writers of the data set's test part are
not here: the project is checked on them.

Whole set = development data: look at it while choosing. :func:`split` divides it by a fixed
rule, chosen before any model was run on it: **row i is held out when i % 5 == 4** (1,498 held
out, 5,996 to train on). The file names no writer and its rows are shuffled (neighbouring rows'
styles are uncorrelated), so both parts hold digits of all 30 writers: a held-out figure
flatters a model trained on the other part. Say so wherever you report one.

The spec: what the data set did to a trajectory, and what :func:`to_drawing` does about it
-----------------------------------------------------------------------------------------

1. *Resampled to 8 points, evenly spaced along the pen's path* (arc length, measured on the
   tablet before any stretching; :func:`dataset_points` is that forward step as we read it).
   Undone as far as it can be: a centripetal Catmull-Rom spline through the 8 points
   (:func:`smooth`; centripetal, so it neither loops nor overshoots between close points)
   gives a pen-like curve. The path between two points is a guess: a detail shorter than a
   seventh of the path (a small loop, a short flag, a hook) is gone for good.
2. *Each axis stretched on its own to 0-100*, so every digit fills a square and its aspect
   ratio is lost. Undone from the points themselves, not from the label: the points were evenly
   spaced along the path at the real aspect, so :func:`estimate_aspect` picks the width factor
   that makes the 7 steps between them most equal (least coefficient of variation), within
   :data:`ASPECT_RANGE`. Checked on MNIST pen paths of known aspect (skeletons of the 1,192
   single-stroke digits among the first 4,000 training digits) put through
   :func:`dataset_points`: 86 % within 20 % of the truth, median error -1 %
   (tests/test_pendigits.py checks a smaller sample). A pull towards a typical width made that
   check worse, so there is none: about 1 % come out wider than 1.3 (a steeply slanted 8 can
   become a slash). What 8 points cannot tell: a straight line has the same spacing at every
   width, and around a thin loop's ends the steps are short at any width, so an elliptic 0 of
   aspect 0.15 comes out 0.5 (aspects 0.6, 0.8, 1.0, 1.4 come out 0.72, 0.87, 1.02, 1.32).
   Median per digit, 0 to 9: 0.91 0.54 0.75 0.55 0.54 0.73 0.59 0.67 0.55 0.59; MNIST's own pen
   paths (skeletons of 500 training digits per class) measure 0.88 0.27 0.94 0.74 0.73 0.94
   0.64 0.72 0.69 0.59. These writers' 1s are wider (European flags) and their 2, 3, 5 narrower
   than MNIST's; an aspect chosen by the label would have drawn them as MNIST's writers write
   and leaked the label into the shape, so none is used.
3. *y grows upward*: flipped to the canvas's y-down.
4. *Strokes joined into one trajectory*: a digit written in two strokes (a 4, a 5 with a
   separate flag, a 7 or 1 with a bar) has its pen-up move as part of the path. Where the pen
   lifted cannot be known (the 8 points are evenly spaced along the joined path, so a pen-up
   move need not even start at one of them), so it is NOT undone: such digits show one extra
   line, as if written without lifting the pen. The pen-up move was resampled like ink: the
   steps of two-stroke digits are as even as those of one-stroke digits (the longest step is
   at most 1.25 times the median for 90 % of every digit), so nothing in the points marks it.
   A figure on 4s, 5s, 7s (and barred 1s) is therefore a figure on drawings with a line their
   writer never drew: a 7 with a separate bar comes back as a 7 with a loop at its foot, which
   an MNIST model reads as a 2, and a 5 with a separate flag as a closed loop, read as a 6.
5. *Lost and chosen by us*: the size, place and thickness of the writing (the brush is the
   pad's round brush, :data:`~handwriting.preprocess.STROKE_WIDTH` wide), the pen's speed and
   pressure, and the exact integer rounding of the points.

By default a drawing is placed the same way every time (no randomness): :data:`HEIGHT_SHARE` of
the canvas high, in its middle, the pad's brush. With a generator ``rng`` it varies like a
person's drawing (:data:`PEN_VARIATION` through :func:`handwriting.drawn.drawing.place`: size,
place, brush, a little slant, rotation and wobble, and the width by the estimate's own error).
The drawings are rendered by :func:`handwriting.strokes.rasterize_strokes` and read by
:func:`handwriting.preprocess.preprocess_canvas`, exactly as the pad does.

One concern: the real writers' digits: loading them, the written spec of how a trajectory
becomes a pad drawing, and the cache of their model inputs.
"""

from __future__ import annotations

import hashlib
import math
import os
import warnings
from importlib import resources
from pathlib import Path

import numpy as np

from .. import files, preprocess, strokes
from ..constants import MODEL_SIZE
from ..data import CACHE_ENV, cache_dir
from ..preprocess import CANVAS_SIZE, STROKE_WIDTH
from . import drawing
from .drawing import Drawing, Variation, place, to_model_inputs

PATH_ENV = "HANDWRITING_PENDIGITS"  # another copy of the .npz (same format) to read
PACKAGE_FILE = "pendigits_data/pendigits-train.npz"
N_DIGITS = 7494  # rows of the shipped file
N_POINTS = 8  # points per trajectory
COORDINATE_MAX = 100  # each axis runs 0..100

#: The split rule (fixed before any model was run on this data): row i is held out when
#: ``i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1``.
HELD_OUT_EVERY = 5
HELD_OUT_SIZE = N_DIGITS // HELD_OUT_EVERY  # 1,498
TRAIN_SIZE = N_DIGITS - HELD_OUT_SIZE  # 5,996
PARTS = ("all", "train", "held_out")

#: Width / height of a pen path that :func:`estimate_aspect` may return (MNIST's pen paths:
#: a straight 1 is near 0, a wide 2 or 5 about 1.5).
ASPECT_RANGE = (0.05, 1.6)
_ASPECT_GRID = np.geomspace(*ASPECT_RANGE, 161)  # 2.2 % apart
HEIGHT_SHARE = 0.65  # a drawing's height / the canvas side, when placed without rng
MARGIN = 4.0  # canvas pixels kept free at the border (as handwriting.drawn does)
SAMPLES_PER_SEGMENT = 16  # spline points between two of the 8 points

#: How a drawing varies when a generator is given (the writer's own slant is already there, so
#: only a little is added; ``aspect`` is about the spread of estimate_aspect's error).
PEN_VARIATION = Variation(
    slant=(-0.1, 0.1),
    rotation=(-5.0, 5.0),
    aspect=(0.85, 1.18),
    wobble=(0.0, 0.02),
    stroke_shift=0.0,
)
KIND = "pendigits"


class PendigitsError(ValueError):
    """The pen-digit file is missing or not in the expected format; the message says what to do."""


# ------------------------------------------------------------------------------ the data


def data_path(path: str | os.PathLike | None = None) -> Path:
    """The .npz to read: ``path``, else ``$HANDWRITING_PENDIGITS``, else the packaged copy."""
    if path is None:
        path = os.environ.get(PATH_ENV) or resources.files("handwriting.drawn").joinpath(
            PACKAGE_FILE
        )
    return Path(str(path))


def load_points(path: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The pen digits as the data set gives them.

    Returns:
        (points uint8 (N, 8, 2): (x, y) in 0..100 with y up; labels int64 (N,), 0-9).

    Raises:
        PendigitsError: a missing or damaged file, or one of another shape.
    """
    path = data_path(path)
    if not path.is_file():
        raise PendigitsError(
            f"No pen-digit file at {path}. Reinstall the package, or point "
            f"{PATH_ENV} at a copy of pendigits-train.npz."
        )
    try:
        with np.load(path) as data:
            points, labels = data["points"], data["labels"]
    except (OSError, ValueError, KeyError) as err:
        raise PendigitsError(
            f"Cannot read {path} as pen digits ({type(err).__name__}: {err}); "
            "it needs arrays 'points' (N, 8, 2) and 'labels' (N,). Reinstall "
            "the package or fetch the file again."
        ) from None
    if (
        points.dtype != np.uint8
        or points.ndim != 3
        or points.shape[1:] != (N_POINTS, 2)
        or labels.shape != (len(points),)
        or points.max(initial=0) > COORDINATE_MAX
        or not np.isin(labels, np.arange(10)).all()
    ):
        raise PendigitsError(
            f"{path} holds points {points.dtype} {points.shape} and labels "
            f"{labels.shape}; expected uint8 (N, 8, 2) in 0..100 and N digits 0-9."
        )
    return points, labels.astype(np.int64)


def split(n: int = N_DIGITS) -> tuple[np.ndarray, np.ndarray]:
    """The fixed split of ``n`` rows: (train indices, held-out indices), each ascending.

    Row i is held out when ``i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1`` (every 5th row): for
    the shipped file 5,996 to train on and 1,498 held out. Both parts hold every writer.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a whole number of rows >= 0, not {n!r}.")
    rows = np.arange(int(n))
    held_out = rows % HELD_OUT_EVERY == HELD_OUT_EVERY - 1
    return rows[~held_out], rows[held_out]


def load(part: str = "all", path: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`load_points` of one part: "all", "train" or "held_out" (see :func:`split`)."""
    if part not in PARTS:
        raise ValueError(f"Unknown part {part!r}; choose one of {', '.join(PARTS)}.")
    points, labels = load_points(path)
    if part == "all":
        return points, labels
    rows = split(len(points))[PARTS.index(part) - 1]
    return points[rows], labels[rows]


# ---------------------------------------------------------------- from points to strokes


def _as_points(points) -> np.ndarray:
    """One trajectory (8, 2) or many (N, 8, 2) as float64, checked."""
    array = np.asarray(points)
    if array.shape[-2:] != (N_POINTS, 2) or array.ndim not in (2, 3):
        raise ValueError(
            f"Expected pen-digit points of shape (8, 2) or (N, 8, 2), got {array.shape}."
        )
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError("Pen-digit points must be finite numbers.")
    return array


def estimate_aspect(points) -> float | np.ndarray:
    """The width / height the writer's path had, from how evenly its points are spaced.

    The data set placed the 8 points evenly along the path before it stretched each axis to
    0..100. Widening x by the right factor a (and only that) makes the steps between them
    equal again, up to the curve's bends. Returns the a on a 2.2 % grid in
    :data:`ASPECT_RANGE` with the least coefficient of variation of the 7 step lengths.

    Args:
        points: (8, 2) or (N, 8, 2), as the data set gives them (either y direction).

    Returns:
        a float for one trajectory, a float64 (N,) array for many.
    """
    array = _as_points(points)
    steps = np.abs(np.diff(array.reshape(-1, N_POINTS, 2), axis=1))  # (N, 7, 2)
    widths = _ASPECT_GRID[:, None, None]
    lengths = np.hypot(widths * steps[None, ..., 0], steps[None, ..., 1])  # (grid, N, 7)
    mean = lengths.mean(axis=2)
    spread = lengths.std(axis=2) / np.where(mean > 0, mean, 1)
    best = _ASPECT_GRID[np.argmin(spread, axis=0)]
    return float(best[0]) if array.ndim == 2 else best


def smooth(points, samples: int = SAMPLES_PER_SEGMENT) -> np.ndarray:
    """A centripetal Catmull-Rom spline through a polyline's points: (M, 2), ends kept.

    It passes through every point with a continuous direction, and unlike the uniform kind it
    never makes a cusp or a loop between two points (Yuksel, Schaefer, Keyser 2011). The ends
    are continued by mirrored points. Repeated points are dropped first.
    """
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(p) > 1:
        p = p[np.r_[True, np.any(np.diff(p, axis=0) != 0, axis=1)]]
    if len(p) < 2:
        return p
    q = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    # knot spacing: square root of the distance (alpha = 1/2)
    knots = np.concatenate([[0.0], np.cumsum(np.sqrt(np.hypot(*np.diff(q, axis=0).T)))])
    t0, t1, t2, t3 = (knots[i : i + len(p) - 1, None, None] for i in range(4))
    p0, p1, p2, p3 = (q[i : i + len(p) - 1, None, :] for i in range(4))
    t = t1 + (t2 - t1) * np.linspace(0.0, 1.0, samples + 1)[None, :, None]  # (segments, s+1, 1)

    def mix(a, b, ta, tb):
        return ((tb - t) * a + (t - ta) * b) / (tb - ta)

    a1, a2, a3 = mix(p0, p1, t0, t1), mix(p1, p2, t1, t2), mix(p2, p3, t2, t3)
    curve = mix(mix(a1, a2, t0, t2), mix(a2, a3, t1, t3), t1, t2)  # (segments, s+1, 2)
    return np.vstack([curve[:, :-1].reshape(-1, 2), p[-1:]])


def path_shape(points, aspect: float | None = None) -> np.ndarray:
    """The writer's path in its own units (height 1, y down), smoothed: (M, 2).

    ``aspect``: the width / height to draw it with (default :func:`estimate_aspect`).
    """
    p = _as_points(points)
    if p.ndim != 2:
        raise ValueError(f"Expected one trajectory (8, 2), got {p.shape}.")
    aspect = estimate_aspect(p) if aspect is None else float(aspect)
    if not (math.isfinite(aspect) and aspect > 0):
        raise ValueError(f"aspect must be a positive number, not {aspect!r}.")
    unit = COORDINATE_MAX
    return smooth(np.column_stack([p[:, 0] / unit * aspect, 1 - p[:, 1] / unit]))


def to_drawing(
    points,
    label: int | None = None,
    rng: np.random.Generator | None = None,
    variation: Variation = PEN_VARIATION,
) -> Drawing:
    """One pen digit as the pad would record it (strokes in the 280x280 canvas, a brush).

    Args:
        points: (8, 2) as the data set gives them; the label is never used to draw.
        label: kept on the drawing (None: unknown).
        rng: None places it the same way every time (:data:`HEIGHT_SHARE` high, centred, the
            pad's brush); a generator varies it as :data:`PEN_VARIATION` says.
    """
    shape = path_shape(points)
    label = None if label is None else int(label)
    if rng is not None:
        return place([shape], rng, label, KIND, variation, shift_strokes=False)
    extent = shape.max(axis=0) - shape.min(axis=0)
    room = CANVAS_SIZE - 2 * (MARGIN + STROKE_WIDTH / 2)
    scale = min(HEIGHT_SHARE * CANVAS_SIZE / max(extent[1], 1e-9), room / max(extent.max(), 1e-9))
    centre = (shape.max(axis=0) + shape.min(axis=0)) / 2
    stroke = (shape - centre) * scale + CANVAS_SIZE / 2
    return Drawing(strokes=(stroke,), width=float(STROKE_WIDTH), label=label, kind=KIND)


def to_strokes(points, rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """:func:`to_drawing`'s strokes: a list of one (M, 2) array of (x, y) canvas pixels."""
    return list(to_drawing(points, rng=rng).strokes)


def drawings(points, labels=None, rng: np.random.Generator | None = None) -> list[Drawing]:
    """:func:`to_drawing` of every trajectory (N, 8, 2); render one with ``.rgba()``.

    Drawings, not canvases: 7,494 RGBA canvases of 280x280 would take 2.3 GB.
    """
    points = _as_points(points).reshape(-1, N_POINTS, 2)
    labels = [None] * len(points) if labels is None else list(labels)
    if len(labels) != len(points):
        raise ValueError(f"{len(points)} trajectories but {len(labels)} labels.")
    return [to_drawing(p, label, rng) for p, label in zip(points, labels, strict=False)]


def model_inputs(
    points, rng: np.random.Generator | None = None, size: int = CANVAS_SIZE, cache: bool = True
) -> np.ndarray:
    """What a model sees of each pen digit, through the pad's path: (N, 28, 28, 1) float32.

    Each drawing is rendered on a ``size`` canvas (default the pad's 280; smaller is faster and
    a little different) and read by :func:`~handwriting.preprocess.preprocess_canvas`: about
    15 ms a digit, two minutes for all 7,494. So without ``rng`` the result is kept in
    ``$HANDWRITING_CACHE`` (default ``~/.cache/handwriting``), keyed by the points, the size
    and the source of every module that draws or reads them: a change to any of them draws
    again. Drawings varied by a generator are never cached.
    """
    points = _as_points(points).reshape(-1, N_POINTS, 2)
    path = _cache_path(points, size) if cache and rng is None else None
    if path is not None and path.is_file():
        try:
            return np.load(path)
        except (OSError, ValueError):
            pass  # a damaged cache file is drawn again and replaced
    images, refusals = to_model_inputs(drawings(points, rng=rng), size=size)
    refused = [i for i, reason in enumerate(refusals) if reason]
    if refused:  # cannot happen for 0..100 points; never hand on a blank image silently
        raise ValueError(
            f"{len(refused)} drawings were refused by the preprocessing, e.g. row "
            f"{refused[0]} ({refusals[refused[0]]})."
        )
    images = images.reshape(-1, MODEL_SIZE, MODEL_SIZE, 1)
    if path is not None:
        try:
            with files.replacing(path) as partial:
                np.save(partial, images)
        except OSError as err:  # a cache is a shortcut: go on without it
            warnings.warn(
                f"Could not keep the pen digits' model inputs in {path.parent} "
                f"({err.strerror or err}); they will be drawn again next time. Set "
                f"${CACHE_ENV} to a folder you can write to.",
                stacklevel=2,
            )
    return images


def _cache_path(points: np.ndarray, size: int) -> Path:
    """The cache file of these points' model inputs, keyed by everything that makes them."""
    return cache_dir() / f"pendigits-{cache_key(points, int(size))}.npy"


def cache_key(points: np.ndarray, *settings) -> str:
    """16 hex digits that change with ``points``, ``settings`` (their reprs) and the source of
    every module that draws or reads a pen digit: the name of a cache file of its renderings
    (here, and for the varied renderings training uses)."""
    key = hashlib.sha1(
        np.ascontiguousarray(points).tobytes() + "".join(map(repr, settings)).encode()
    )
    for source in (__file__, drawing.__file__, preprocess.__file__, strokes.__file__):
        key.update(Path(source).read_bytes())
    return key.hexdigest()[:16]


# ---------------------------------------------------------------- the data set's own step


def dataset_points(strokes) -> np.ndarray:
    """What the data set did to a pen path, as we read its description: (8, 2) uint8.

    The strokes (canvas or tablet units, y down) are joined into one path (a pen-up move
    becomes a straight line), 8 points are placed evenly along its length (both ends
    included), y is turned to grow upward and each axis is stretched to 0..100 and rounded.
    Used to check :func:`estimate_aspect` and :func:`to_drawing` on paths whose shape we know.
    """
    path = np.vstack([np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes])
    steps = np.hypot(*np.diff(path, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] == 0:
        raise ValueError("A pen path needs two different points.")
    at = np.linspace(0.0, along[-1], N_POINTS)
    points = np.column_stack([np.interp(at, along, path[:, 0]), -np.interp(at, along, path[:, 1])])
    low, span = points.min(axis=0), np.ptp(points, axis=0)
    stretched = (points - low) / np.where(span > 0, span, 1) * COORDINATE_MAX
    return np.round(stretched).astype(np.uint8)
