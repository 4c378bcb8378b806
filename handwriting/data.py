"""MNIST loading, subsets, the tf.data input pipeline and augmentation.

The data comes from the folder named by ``$HANDWRITING_MNIST`` (the four standard IDX ``.gz``
files, as distributed by LeCun et al.), else from ``keras.datasets.mnist.load_data()``, which
downloads ``mnist.npz`` once (what Colab and most users online get). There is no fallback to fake
data: if neither source works, :class:`MnistDataError` says what to do.

Images come back as float32 in [0, 1] with shape (N, 28, 28, 1); labels as int64 (N,).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from .constants import MODEL_SIZE, NUM_CLASSES

MNIST_ENV = "HANDWRITING_MNIST"
QUICK_ENV = "HANDWRITING_QUICK"
CACHE_ENV = "HANDWRITING_CACHE"

#: The four standard file names, keyed by (split, kind).
MNIST_FILES = {
    ("train", "images"): "train-images-idx3-ubyte.gz",
    ("train", "labels"): "train-labels-idx1-ubyte.gz",
    ("test", "images"): "t10k-images-idx3-ubyte.gz",
    ("test", "labels"): "t10k-labels-idx1-ubyte.gz",
}
_IDX_MAGIC = {"images": 0x00000803, "labels": 0x00000801}

#: Sizes used when the quick switch is on (tests, quick notebook runs).
QUICK_TRAIN_SIZE = 2000
QUICK_TEST_SIZE = 1000

#: Training images held out to choose epochs, weights and calibration (never the test set).
VALIDATION_SIZE = 5000
#: ... but never more than this share of the training images at hand (small quick subsets).
MAX_VALIDATION_SHARE = 0.1
#: The split's seed: the same images are held out in every run, so runs compare fairly.
VALIDATION_SEED = 0


def cache_dir() -> Path:
    """Where the lab keeps what it makes or downloads once (drawn training data, the Quick,
    Draw! package): ``$HANDWRITING_CACHE``, else ``~/.cache/handwriting``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "handwriting")


class MnistDataError(RuntimeError):
    """MNIST could not be loaded; the message names the file and what to do."""


class DigitDataError(ValueError):
    """Training or test data a run cannot use as it is; the message says what was expected."""


def as_digit_data(data):
    """``((x_train, y_train), (x_test, y_test))`` as every run trains on it: images float32
    (N, 28, 28, 1) in [0, 1], labels int64 digits 0-9; else a :class:`DigitDataError`.

    Raw MNIST as ``keras.datasets.mnist.load_data()`` gives it ((N, 28, 28) uint8, 0-255) is
    normalised as :func:`load_mnist` does. Float images must already be in [0, 1]: a model
    trained on 0-255 floats would misread every drawing the pad gives it in [0, 1].
    """
    try:
        (x_train, y_train), (x_test, y_test) = data
    except (TypeError, ValueError):
        raise DigitDataError(
            "Expected data as ((x_train, y_train), (x_test, y_test)), as "
            "handwriting.data.load_mnist() gives it."
        ) from None
    return _digit_part("training", x_train, y_train), _digit_part("test", x_test, y_test)


def _digit_part(name: str, images, labels) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(images), np.asarray(labels)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.ndim != 4 or x.shape[1:] != (MODEL_SIZE, MODEL_SIZE, 1) or not len(x):
        raise DigitDataError(
            f"The {name} images have shape {np.shape(images)}; expected (N, 28, 28) "
            "or (N, 28, 28, 1) with N >= 1 (flat 784-pixel rows: reshape(-1, 28, 28))."
        )
    if x.dtype == np.uint8:
        x = normalize(x[..., 0])
    elif not np.issubdtype(x.dtype, np.floating):
        raise DigitDataError(
            f"The {name} images are {x.dtype}; expected uint8 (0-255) or floats in [0, 1]."
        )
    else:
        x = x.astype(np.float32, copy=False)
        low, high = float(x.min()), float(x.max())
        if not (np.isfinite(low) and np.isfinite(high) and 0 <= low and high <= 1):
            raise DigitDataError(
                f"The {name} images' pixels go from {low:g} to {high:g}; expected "
                "[0, 1], as the pad gives them: divide 0-255 images by 255."
            )
    if y.ndim == 2 and y.shape[1] == NUM_CLASSES:
        raise DigitDataError(
            f"The {name} labels are one-hot ({y.shape}); give the digits themselves "
            "(N,), e.g. y.argmax(axis=1)."
        )
    if (
        y.ndim != 1
        or not np.issubdtype(y.dtype, np.integer)
        or (len(y) and not 0 <= y.min() <= y.max() < NUM_CLASSES)
    ):
        raise DigitDataError(
            f"The {name} labels must be whole numbers 0-9 of shape (N,); got "
            f"{y.dtype} of shape {y.shape}."
        )
    if len(y) != len(x):
        raise DigitDataError(
            f"{len(x):,} {name} images but {len(y):,} labels; give one label per image."
        )
    return x, y.astype(np.int64, copy=False)


def check_digit(digit) -> int:
    """``digit`` as an int if it is a whole number from 0 to 9 (a label), else a ValueError."""
    if (
        isinstance(digit, bool)
        or not isinstance(digit, (int, np.integer))
        or not 0 <= digit < NUM_CLASSES
    ):
        raise ValueError(f"Expected a digit from 0 to 9 (a whole number), not {digit!r}.")
    return int(digit)


def quick_mode() -> bool:
    """True when ``$HANDWRITING_QUICK`` is set to a true value (1/true/yes/on)."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def read_idx(path: str | os.PathLike, kind: str) -> np.ndarray:
    """Read one gzip-compressed IDX file of ``kind`` "images" (N, 28, 28) or "labels" (N,).

    Raises:
        MnistDataError: the file is missing, not gzip, truncated, or has the wrong header.
    """
    path = Path(path)
    if not path.is_file():
        raise MnistDataError(
            f"MNIST file not found: {path}. The folder in ${MNIST_ENV} must hold the four files "
            f"{', '.join(MNIST_FILES.values())}."
        )
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise MnistDataError(
            f"MNIST file {path} is corrupt or truncated ({err}). Download it again "
            "(or delete it and unset $" + MNIST_ENV + " to let Keras fetch mnist.npz)."
        ) from err
    header_len = 16 if kind == "images" else 8
    if len(raw) < header_len:
        raise MnistDataError(
            f"MNIST file {path} is truncated: only {len(raw)} bytes. Download it again."
        )
    magic, count = struct.unpack(">II", raw[:8])
    if magic != _IDX_MAGIC[kind]:
        raise MnistDataError(
            f"MNIST file {path} has magic number {magic:#010x}, expected {_IDX_MAGIC[kind]:#010x} "
            f"for {kind}: is it the right file, uncompressed or renamed? Use the original .gz "
            "files."
        )
    shape: tuple[int, ...] = (count,)
    if kind == "images":
        rows, cols = struct.unpack(">II", raw[8:16])
        if (rows, cols) != (MODEL_SIZE, MODEL_SIZE):
            raise MnistDataError(f"MNIST file {path} holds {rows}x{cols} images, expected 28x28.")
        shape = (count, rows, cols)
    expected = int(np.prod(shape))
    body = np.frombuffer(raw, dtype=np.uint8, offset=header_len)
    if body.size != expected:
        raise MnistDataError(
            f"MNIST file {path} is truncated or padded: header says {count} {kind} "
            f"({expected} bytes), file has {body.size}. Download it again."
        )
    return body.reshape(shape)


def _load_from_folder(folder: Path):
    if not folder.is_dir():
        raise MnistDataError(
            f"${MNIST_ENV} points at {folder}, which is not a folder. Point it at the folder "
            "holding the four MNIST .gz files, or unset it to download with Keras."
        )
    arrays = {key: read_idx(folder / name, key[1]) for key, name in MNIST_FILES.items()}
    for split in ("train", "test"):
        n_images, n_labels = len(arrays[(split, "images")]), len(arrays[(split, "labels")])
        if n_images != n_labels:
            raise MnistDataError(
                f"MNIST {split} files in {folder} disagree: {n_images} images but {n_labels} "
                "labels. One of them is from another data set or truncated; download both again."
            )
    return (
        (arrays[("train", "images")], arrays[("train", "labels")]),
        (arrays[("test", "images")], arrays[("test", "labels")]),
    )


def _load_from_keras():
    import keras  # deferred: importing TensorFlow is slow

    try:
        return keras.datasets.mnist.load_data()
    except Exception as err:  # noqa: BLE001 - any download failure gets the same advice
        raise MnistDataError(
            f"Could not download MNIST with keras.datasets.mnist.load_data() ({err}). Without "
            f"internet, set ${MNIST_ENV} to a folder holding the four MNIST .gz files, e.g. "
            f"`export {MNIST_ENV}=../shared/mnist`."
        ) from err


def load_mnist_uint8(source: str | os.PathLike | None = None):
    """Raw MNIST as uint8 ((x_train, y_train), (x_test, y_test)), images (N, 28, 28).

    Args:
        source: a folder of IDX .gz files; default ``$HANDWRITING_MNIST``, else Keras' download.
    """
    folder = source if source is not None else os.environ.get(MNIST_ENV)
    if folder:
        return _load_from_folder(Path(folder).expanduser())
    return _load_from_keras()


def normalize(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1]."""
    return (images.astype(np.float32) / 255.0)[..., np.newaxis]


def load_mnist(
    train_size: int | None = None,
    test_size: int | None = None,
    source: str | os.PathLike | None = None,
    quick: bool | None = None,
):
    """MNIST as ((x_train, y_train), (x_test, y_test)), images float32 (N, 28, 28, 1) in [0, 1].

    Args:
        train_size: keep the first ``train_size`` training images (default all, 60,000).
        test_size: keep the first ``test_size`` test images (default all, 10,000).
        source: folder of IDX .gz files; default ``$HANDWRITING_MNIST``, else Keras' download.
        quick: use the small quick-run sizes (default: ``$HANDWRITING_QUICK``); explicit sizes win.
    """
    if quick is None:
        quick = quick_mode()
    if quick:
        train_size = QUICK_TRAIN_SIZE if train_size is None else train_size
        test_size = QUICK_TEST_SIZE if test_size is None else test_size
    for name, size in (("train_size", train_size), ("test_size", test_size)):
        if size is not None and (not isinstance(size, (int, np.integer)) or size < 1):
            raise ValueError(f"{name} must be a positive whole number or None, got {size!r}.")
    (x_train, y_train), (x_test, y_test) = load_mnist_uint8(source)
    x_train, y_train = x_train[:train_size], y_train[:train_size]
    x_test, y_test = x_test[:test_size], y_test[:test_size]
    return (
        (normalize(x_train), y_train.astype(np.int64)),
        (normalize(x_test), y_test.astype(np.int64)),
    )


def validation_indices(
    available: int, size: int = VALIDATION_SIZE, seed: int = VALIDATION_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``range(available)`` training images into (train, validation) index arrays.

    The validation part is ``size`` images drawn at random with ``seed`` (capped at
    :data:`MAX_VALIDATION_SHARE` of ``available``; 0 means no validation); both parts keep
    the original order, and they never overlap.
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 0:
        raise ValueError(f"validation size must be a whole number >= 0, not {size!r}.")
    size = min(int(size), int(available * MAX_VALIDATION_SHARE))
    held_out = np.zeros(available, dtype=bool)
    held_out[np.random.default_rng(seed).permutation(available)[:size]] = True
    return np.flatnonzero(~held_out), np.flatnonzero(held_out)


def split_validation(
    x: np.ndarray, y: np.ndarray, size: int = VALIDATION_SIZE, seed: int = VALIDATION_SEED
):
    """((x_train, y_train), (x_val, y_val)): :func:`validation_indices` applied to the arrays."""
    train, val = validation_indices(len(x), size, seed)
    return (x[train], y[train]), (x[val], y[val])


def augmentation_layers(shift: float = 0.1, rotation_degrees: float = 10.0, zoom: float = 0.1):
    """Random shifts, rotations and zoom: how hand-drawn digits differ from one another."""
    import keras

    return keras.Sequential(
        [
            keras.layers.RandomTranslation(shift, shift, fill_mode="constant"),
            keras.layers.RandomRotation(rotation_degrees / 360.0, fill_mode="constant"),
            keras.layers.RandomZoom(zoom, zoom, fill_mode="constant"),
        ],
        name="augmentation",
    )


def make_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = 128,
    shuffle: bool = True,
    augment: bool = False,
    seed: int | None = None,
):
    """A ``tf.data`` pipeline: cache, shuffle each epoch, batch, (augment), prefetch."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        ds = ds.shuffle(min(len(x), 10_000), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment:
        augmenter = augmentation_layers()
        ds = ds.map(
            lambda images, labels: (augmenter(images, training=True), labels),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return ds.prefetch(tf.data.AUTOTUNE)
