"""Training for drawn digits: augmentation that imitates the drawing pad.

A digit drawn on the pad differs from an MNIST digit in ways a shift/rotate/zoom does not cover:
the brush is thicker or thinner relative to the digit, people slant and wobble, write their 7s
and 1s in other styles, and draw things that are no digit at all. The ``drawcnn`` recipe trains
on MNIST plus drawings from :mod:`handwriting.drawn`'s TRAINING generators (digits redrawn as pen
strokes, style digits, non-digits and random doodles; made once per run by
:func:`drawn_training_data`), with ``pendigits_share`` > 0 also on real writers' pen digits
(:func:`pendigits_training_data`), and augments every batch:

* :func:`random_brush_width` thickens or thins strokes (grey-level dilation / erosion);
* :func:`random_warp` slants, rotates, scales, shifts and elastically distorts (Simard et al.
  2003) every image in one resampling;
* non-digit drawings carry the label :data:`~handwriting.models.losses.OUTLIER_LABEL` (outlier
  exposure, :mod:`handwriting.models.losses`).

This module imports TensorFlow: import it lazily.
"""

from __future__ import annotations

import hashlib
import math
import warnings

import numpy as np
import tensorflow as tf

from .. import drawn, files
from ..data import CACHE_ENV, cache_dir
from ..drawn import pendigits
from ..models.losses import OUTLIER_LABEL, taught_targets

#: Brush width change, in pixels of stroke width (negative: thinner), drawn uniformly.
BRUSH_STEPS = (-0.7, 2.0)


#: Random geometry of :func:`random_warp`: degrees, shear (tan of the slant), scale, pixels.
ROTATION_DEGREES = 12.0


SHEAR = 0.3


SCALE = (0.85, 1.15)


SHIFT_PIXELS = 2.0


#: Elastic distortion: displacements of this many pixels (standard deviation) on a coarse grid
#: of ELASTIC_GRID x ELASTIC_GRID knots, interpolated smoothly over the 28x28 image.
ELASTIC_PIXELS = 0.8


ELASTIC_GRID = 4


def random_brush_width(images, steps: tuple[float, float] = BRUSH_STEPS):
    """Thicken or thin the strokes of a batch (B, 28, 28, 1) by a random amount per image.

    The amount is drawn uniformly from ``steps``: 1 is one 2x2 grey-level dilation (strokes one
    pixel wider), 2 two of them, -1 one erosion; fractions blend neighbouring levels, so the
    change is continuous.
    """

    def dilate(x):
        return tf.nn.max_pool2d(x, 2, 1, "SAME")

    thicker = dilate(images)
    thickest = dilate(thicker)
    thinner = -dilate(-images)
    amount = tf.random.uniform([tf.shape(images)[0], 1, 1, 1], *steps)
    return (
        images
        + tf.clip_by_value(-amount, 0.0, 1.0) * (thinner - images)
        + tf.clip_by_value(amount, 0.0, 1.0) * (thicker - images)
        + tf.clip_by_value(amount - 1.0, 0.0, 1.0) * (thickest - thicker)
    )


def random_warp(
    images,
    rotation_degrees: float = ROTATION_DEGREES,
    shear: float = SHEAR,
    scale: tuple[float, float] = SCALE,
    shift_pixels: float = SHIFT_PIXELS,
    elastic_pixels: float = ELASTIC_PIXELS,
    elastic_grid: int = ELASTIC_GRID,
):
    """Resample a batch (B, 28, 28, 1) through a random affine map plus a smooth elastic field.

    Per image: rotation, horizontal shear (slant), scale and shift about the centre, then each
    pixel's source position moves by a smooth random displacement (bilinear interpolation,
    black outside the image).
    """
    batch = tf.shape(images)[0]
    size = images.shape[1]
    centre = (size - 1) / 2

    def uniform(low, high):
        return tf.random.uniform([batch, 1, 1], low, high)

    angle = uniform(-1.0, 1.0) * (rotation_degrees * math.pi / 180)
    slant = uniform(-shear, shear)
    zoom = uniform(*scale)
    rows, cols = tf.meshgrid(
        tf.range(size, dtype=tf.float32) - centre,
        tf.range(size, dtype=tf.float32) - centre,
        indexing="ij",
    )
    rows, cols = rows[None] / zoom, cols[None] / zoom  # output -> source: inverse map
    cos, sin = tf.cos(angle), tf.sin(angle)
    source_rows = cos * rows - sin * cols
    source_cols = sin * rows + cos * cols + slant * rows
    knots = tf.random.normal([batch, elastic_grid, elastic_grid, 2], stddev=elastic_pixels)
    field = tf.image.resize(knots, (size, size), method="bicubic")
    source_rows += centre + uniform(-shift_pixels, shift_pixels) + field[..., 0]
    source_cols += centre + uniform(-shift_pixels, shift_pixels) + field[..., 1]
    return tf.clip_by_value(_sample_bilinear(images, source_rows, source_cols), 0.0, 1.0)


def _sample_bilinear(images, rows, cols):
    """images (B, H, W, 1) read at fractional (rows, cols) (B, H, W); black outside the image."""
    height, width = images.shape[1], images.shape[2]
    padded = tf.pad(images[..., 0], [[0, 0], [1, 1], [1, 1]])  # a black border to read from
    rows = tf.clip_by_value(rows + 1.0, 0.0, height + 1.0)  # ... in padded coordinates
    cols = tf.clip_by_value(cols + 1.0, 0.0, width + 1.0)
    top, left = tf.floor(rows), tf.floor(cols)
    dy, dx = rows - top, cols - left
    top = tf.minimum(tf.cast(top, tf.int32), height)
    left = tf.minimum(tf.cast(left, tf.int32), width)

    flat = tf.reshape(padded, [tf.shape(padded)[0], -1])

    def pixel(r, c):
        return tf.gather(flat, r * (width + 2) + c, batch_dims=1)

    top_row = (1 - dx) * pixel(top, left) + dx * pixel(top, left + 1)
    bottom_row = (1 - dx) * pixel(top + 1, left) + dx * pixel(top + 1, left + 1)
    return ((1 - dy) * top_row + dy * bottom_row)[..., None]


def pad_augmentation(images):
    """The pad-like augmentation of a training batch: brush width, then the random warp."""
    return random_warp(random_brush_width(images))


#: Drawings added to the MNIST training images, as shares of their number (precomputed once
#: per run: drawing is ~20-80 ms a picture in numpy, far too slow to do per batch).
REDRAWN_SHARE = 0.08  # MNIST training digits redrawn as pen strokes


STYLE_SHARE = 0.04  # digits in the hand-written styles (7 with a bar, open 4, ...)


NON_DIGIT_SHARE = 0.08  # non-digit drawings (scribbles, hatching, letters, shapes, ...)


DOODLE_SHARE = 0.08  # random doodles of 3-5 parts: non-digits far from the named kinds


def drawn_training_data(x: np.ndarray, y: np.ndarray, seed: int = 0, cache: bool = True):
    """Drawn training data made from the MNIST training images ``x``, ``y``:
    ((M, 28, 28, 1) float32 images, (M,) labels, non-digits labelled :data:`OUTLIER_LABEL`).

    Uses the TRAINING generators of :mod:`handwriting.drawn` with a stream of ``seed``
    (never the benchmark's); drawings the preprocessing refuses are left out. The arrays are
    cached in ``$HANDWRITING_CACHE`` (default ``~/.cache/handwriting``), keyed by the inputs.
    """
    counts = [
        int(round(len(x) * share))
        for share in (REDRAWN_SHARE, STYLE_SHARE, NON_DIGIT_SHARE, DOODLE_SHARE)
    ]
    key = hashlib.sha1(
        np.ascontiguousarray(x).tobytes()
        + np.ascontiguousarray(y).tobytes()
        + repr((seed, counts, drawn.EVALUATION_SEED)).encode()
    ).hexdigest()[:16]
    path = cache_dir() / f"drawings-{key}.npz"
    if cache and path.is_file():
        with np.load(path) as cached:
            return cached["images"], cached["labels"]

    redrawn_n, styles_n, non_digits_n, doodles_n = counts
    rng = np.random.default_rng([seed, 12])
    chosen = rng.choice(len(x), redrawn_n, replace=False)
    images = [drawn.redraw_digits(x[chosen], rng)]
    labels = [np.asarray(y)[chosen]]
    drawings = (
        drawn.training_drawings(rng, styles_n)
        + drawn.non_digit_drawings(rng, non_digits_n)
        + drawn.doodle_drawings(rng, doodles_n)
    )
    drawn_images, refusals = drawn.to_model_inputs(drawings, size=drawn.AUGMENT_CANVAS)
    kept = [i for i, refusal in enumerate(refusals) if refusal is None]
    images.append(drawn_images[kept])
    labels.append(
        np.array(
            [OUTLIER_LABEL if drawings[i].label is None else drawings[i].label for i in kept],
            dtype=np.int64,
        )
    )
    images, labels = (
        np.concatenate(images).astype(np.float32),
        np.concatenate(labels).astype(np.int64),
    )
    if cache:
        try:
            with files.replacing(path) as partial:
                np.savez_compressed(partial, images=images, labels=labels)
        except OSError as err:  # a cache is a shortcut: training goes on without it
            warnings.warn(
                f"Could not keep the drawn training data in {path.parent} ({err.strerror or err}); "
                f"it will be made again next time. Set ${CACHE_ENV} to a folder you can "
                "write to.",
                stacklevel=2,
            )
    return images, labels


#: Real writers' pen digits (:mod:`handwriting.drawn.pendigits`, its TRAINING part only), as a
#: share of the MNIST training images; 0 in the drawcnn recipe (:func:`pendigits_training_data`).
PENDIGITS_SHARE = 0.0


def pendigits_training_data(n: int, seed: int = 0, cache: bool = True):
    """``n`` renderings of real writers' pen digits: ((n, 28, 28, 1) float32, (n,) labels).

    Only the TRAINING part of :mod:`handwriting.drawn.pendigits` (``load("train")``; its held-out
    part is development data and never trained on). Each digit is drawn ``ceil(n / 5,996)``
    times, every time varied anew by a generator of ``seed`` (size, place, brush, slant, width:
    :data:`~handwriting.drawn.pendigits.PEN_VARIATION`), so a model cannot learn one rendering
    by heart; the first ``n`` of the shuffled renderings are kept. Rendered through the pad's
    path (about 8 ms a digit, 45 s a round) and cached in ``$HANDWRITING_CACHE`` like
    :func:`drawn_training_data`.
    """
    n = drawn.drawing.count(n)
    points, labels = pendigits.load("train")
    rounds = math.ceil(n / len(points))
    images = np.concatenate(
        [_pendigits_round(points, seed, r, cache) for r in range(rounds)]
        or [np.zeros((0, 28, 28, 1), np.float32)]
    )
    chosen = np.random.default_rng([seed, 54]).permutation(len(images))[:n]
    return images[chosen], np.tile(labels, rounds)[chosen].astype(np.int64)


def _pendigits_round(points: np.ndarray, seed: int, round_: int, cache: bool) -> np.ndarray:
    """One varied rendering of every pen digit ``points``, cached by everything that makes it."""
    path = cache_dir() / f"pendigits-varied-{pendigits.cache_key(points, seed, round_)}.npy"
    if cache and path.is_file():
        return np.load(path)
    rng = np.random.default_rng([seed, 53, round_])
    images = pendigits.model_inputs(points, rng=rng).astype(np.float32)
    if cache:
        try:
            with files.replacing(path) as partial:
                np.save(partial, images)
        except OSError as err:  # a cache is a shortcut: training goes on without it
            warnings.warn(
                f"Could not keep the pen digits' renderings in {path.parent} "
                f"({err.strerror or err}); they will be drawn again next time. Set "
                f"${CACHE_ENV} to a folder you can write to.",
                stacklevel=2,
            )
    return images


def make_drawing_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = 128,
    shuffle: bool = True,
    augment: bool = True,
    seed: int | None = None,
    pendigits_share: float = PENDIGITS_SHARE,
    teacher=None,
):
    """The training ``tf.data`` pipeline for drawn digits (same signature as ``data.make_dataset``).

    With ``augment``, the MNIST images ``x``, ``y`` are joined by :func:`drawn_training_data`
    (redrawn digits, styles, non-digits, doodles) and, when ``pendigits_share`` > 0, by
    ``pendigits_share * len(x)`` renderings of real writers' digits
    (:func:`pendigits_training_data`); every batch gets :func:`pad_augmentation`. With a
    ``teacher`` (a Keras digit model), the MNIST images are taught: their targets also carry
    the teacher's probabilities for the image as augmented
    (:func:`~handwriting.models.losses.taught_targets`).
    """
    parts = [(x, y)] + ([drawn_training_data(x, y, seed or 0)] if augment else [])
    if augment and pendigits_share > 0:
        parts.append(pendigits_training_data(int(round(len(x) * pendigits_share)), seed or 0))
    images = np.concatenate(
        [np.asarray(images, np.float32).reshape(-1, 28, 28, 1) for images, _ in parts]
    )
    labels = np.concatenate([np.asarray(labels, np.int64) for _, labels in parts])
    from_mnist = np.arange(len(images)) < len(x)
    ds = tf.data.Dataset.from_tensor_slices((images, labels, from_mnist)).cache()
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)

    def batch_targets(batch, labels, mnist):
        if augment:
            batch = pad_augmentation(batch)
        if teacher is None:
            return batch, labels
        return batch, taught_targets(labels, teacher(batch, training=False), mnist)

    ds = ds.map(batch_targets, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
