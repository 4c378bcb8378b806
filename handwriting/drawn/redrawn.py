"""MNIST digits turned into pen strokes and redrawn with the pad's brush.

:func:`digit_strokes` skeletonises a digit and traces it into polylines; :func:`mnist_drawing`
redraws them with another brush, size, slant, position and a smooth wobble. Used for training
augmentation (:func:`redraw_digits`), for fitting a temperature on drawn digits
(:func:`calibration_drawings`) and for the benchmark's redrawn MNIST test digits.
"""

from __future__ import annotations

import numpy as np

from ..constants import MODEL_SIZE
from ..preprocess import DrawingError, preprocess_canvas
from .drawing import DEFAULT_VARIATION, Drawing, Variation, check_rng, place, training_rng

_SKELETON_UPSAMPLE = 2  # MNIST is skeletonised at 56x56 for smoother strokes


_INK_THRESHOLD = 0.35  # ... after thresholding its (bilinear) grey values here


AUGMENT_CANVAS = 140  # redraw_digits renders at half the pad's size: 4x fewer pixels


_NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def _trace(skeleton: np.ndarray) -> list[np.ndarray]:
    """Polylines ((n, 2) arrays of (x, y)) that together cover every pixel of a skeleton.

    Walks from every end or junction pixel along each unvisited link until the next end or
    junction; what is left are closed loops (a 0), walked from any of their pixels.
    """
    pixels = set(zip(*np.nonzero(skeleton), strict=False))
    links = {
        p: [(p[0] + dy, p[1] + dx) for dy, dx in _NEIGHBOURS if (p[0] + dy, p[1] + dx) in pixels]
        for p in pixels
    }
    seen: set = set()
    paths = []

    def walk(start, step):
        path = [start, step]
        seen.update({(start, step), (step, start)})
        while len(links[path[-1]]) == 2:
            here = path[-1]
            ahead = [q for q in links[here] if (here, q) not in seen]
            if not ahead:
                break
            seen.update({(here, ahead[0]), (ahead[0], here)})
            path.append(ahead[0])
        return path

    for p in sorted(pixels):
        if not links[p]:
            paths.append([p])
        elif len(links[p]) != 2:
            paths += [walk(p, q) for q in links[p] if (p, q) not in seen]
    for p in sorted(pixels):
        for q in links[p]:
            if (p, q) not in seen:
                paths.append(walk(p, q))
    return [np.array([(x, y) for y, x in path], dtype=np.float64) for path in paths]


def _smooth(points: np.ndarray, passes: int = 2) -> np.ndarray:
    """Average each inner point with its neighbours (ends fixed): pixel stairs become curves."""
    if len(points) < 3:
        return points
    closed = len(points) > 3 and np.array_equal(points[0], points[-1])
    for _ in range(passes):
        inner = (points[:-2] + 2 * points[1:-1] + points[2:]) / 4
        if closed:
            start = (points[-2] + 2 * points[0] + points[1]) / 4
            points = np.vstack([start, inner, start])
        else:
            points = np.vstack([points[:1], inner, points[-1:]])
    return points


def digit_strokes(image: np.ndarray) -> list[np.ndarray]:
    """The pen strokes of one MNIST digit: its skeleton traced into polylines.

    Args:
        image: (28, 28) or (28, 28, 1) grey values in [0, 1].

    Returns:
        Polylines of (x, y) points in the image's own pixel units (0-28), y down; empty for an
        image without ink.
    """
    from scipy.ndimage import zoom
    from skimage.morphology import skeletonize

    image = np.asarray(image, dtype=np.float64)
    if image.shape not in ((MODEL_SIZE, MODEL_SIZE), (MODEL_SIZE, MODEL_SIZE, 1)):
        raise ValueError(
            f"Expected a (28, 28) or (28, 28, 1) digit image, got shape {image.shape}."
        )
    if not (np.isfinite(image).all() and image.min() >= 0 and image.max() <= 1):
        raise ValueError("Expected grey values in [0, 1] (divide uint8 MNIST pixels by 255).")
    large = zoom(image.reshape(MODEL_SIZE, MODEL_SIZE), _SKELETON_UPSAMPLE, order=1)
    skeleton = skeletonize(large > _INK_THRESHOLD)
    paths = _trace(skeleton)
    longest = max((len(p) for p in paths), default=0)
    # Spurs of one or two pixels are skeleton noise, not pen strokes.
    kept = [p for p in paths if len(p) > 2 or len(p) == longest]
    return [(_smooth(p) + 0.5) / _SKELETON_UPSAMPLE for p in kept]


def mnist_drawing(
    image: np.ndarray,
    label: int | None,
    rng: np.random.Generator,
    variation: Variation = DEFAULT_VARIATION,
) -> Drawing:
    """An MNIST digit redrawn with the pad's brush, at a random size, slant, place and wobble."""
    strokes = digit_strokes(image)
    if not strokes:
        raise ValueError("The image has no ink to turn into strokes.")
    return place(
        strokes,
        check_rng(rng),
        None if label is None else int(label),
        "mnist",
        variation,
        shift_strokes=False,
    )


def redraw_digits(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Augmentation: MNIST digits redrawn as pen strokes, back through the pad's preprocessing.

    Args:
        images: (N, 28, 28[, 1]) grey values in [0, 1] (MNIST training digits).
        rng: a numpy Generator (not the benchmark's seed).

    Returns:
        (N, 28, 28, 1) float32 model inputs, in the same order; a redraw the preprocessing
        refuses (rare: a digit with almost no ink) keeps the original image. Drawn on a
        :data:`AUGMENT_CANVAS` canvas (the pad's drawing scaled by one half) for speed.
    """
    rng = training_rng(rng)
    images = np.asarray(images, dtype=np.float32)
    out = np.array(images.reshape(-1, MODEL_SIZE, MODEL_SIZE, 1), copy=True)
    for i, image in enumerate(out):
        if not (image > _INK_THRESHOLD).any():
            continue
        try:
            out[i, ..., 0] = preprocess_canvas(mnist_drawing(image, None, rng).rgba(AUGMENT_CANVAS))
        except DrawingError:
            pass
    return out


#: At most this many held-out digits are redrawn for calibration (about 5 s of drawing).
CALIBRATION_DRAWINGS = 2000


def calibration_drawings(
    images: np.ndarray, labels: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Held-out digits as the pad would see them, to fit a temperature on (never the benchmark).

    Up to :data:`CALIBRATION_DRAWINGS` of the held-out MNIST training digits ``images``
    (``labels``), redrawn as pen strokes (:func:`redraw_digits`) from a stream of ``seed``.
    Only digits the model never trained on: the style templates are left out, because a model
    trained on them reads them perfectly and would pull the temperature towards overconfidence.

    Returns:
        ((M, 28, 28, 1) float32 model inputs, (M,) int labels), M <= CALIBRATION_DRAWINGS.
    """
    images = np.asarray(images, dtype=np.float32).reshape(-1, MODEL_SIZE, MODEL_SIZE, 1)
    labels = np.asarray(labels).reshape(-1)
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels.")
    rng = np.random.default_rng([seed, 31])
    chosen = np.sort(rng.choice(len(images), min(len(images), CALIBRATION_DRAWINGS), replace=False))
    return redraw_digits(images[chosen], rng), labels[chosen].astype(np.int64)
