"""THE canvas -> 28x28 preprocessing spec (web/PREPROCESSING.md), in pure numpy.

The browser app implements the same steps in ``web/preprocess.js``; tests run both on the same
pixels and require the same 28x28 to 1e-6. Keep the two in step: same constants, same order of
floating-point operations (float64 throughout, float32 only at the end).
"""

from __future__ import annotations

import math

import numpy as np

from .constants import MODEL_SIZE

CANVAS_SIZE = 280  # drawing canvas, pixels (10 x 28: every model pixel is 10x10 canvas pixels)
DIGIT_BOX = 20  # MNIST fits each digit's bounding box into 20x20 ...
STROKE_WIDTH = 20  # brush diameter on the canvas, pixels (2 model pixels, like MNIST pens)
MIN_DIGIT_FRACTION = 0.1  # ink bounding box smaller than this share of the canvas: "too small"
MAX_INK_FRACTION = 0.5  # more than this share of the canvas inked: "too full"
MIN_INK_MASS = 10.0  # centred 28x28 input whose values sum to less: "too little" (MNIST's
# lightest training digit sums to 19.95, a 1-px frame to 5.69)

# ... and shifts its centre of mass to pixel (14, 14) (0-based): the 10,000 MNIST test digits
# average (13.99, 14.01), not the geometric middle 13.5.
CENTER_OF_MASS = 14.0
_MIDDLE = (MODEL_SIZE - 1) / 2  # geometric centre, for zooming in shift_and_scale

_MESSAGES = {
    "blank": "Draw a digit first: the canvas is empty.",
    "too_small": "Draw the digit bigger: that looks like a dot, not a digit.",
    "too_full": "Clear the pad and draw one digit: more than half of the canvas is inked.",
    "too_little": "Draw a digit: there is too little ink here to read.",
}


class DrawingError(ValueError):
    """The drawing cannot be read as a digit; ``reason`` is "blank", "too_small", "too_full" or
    "too_little"."""

    def __init__(self, reason: str):
        super().__init__(_MESSAGES[reason])
        self.reason = reason


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """Ink per pixel, (R/255) * (A/255), as float64 (H, W): transparent or black is 0.

    Raises:
        TypeError / ValueError: with the expected and the given shape or dtype.
    """
    if not isinstance(rgba, np.ndarray):
        raise TypeError(
            f"Expected the canvas as a numpy uint8 array (H, W, 4), got {type(rgba).__name__}."
        )
    if rgba.dtype != np.uint8:
        raise TypeError(
            f"Expected RGBA pixels as uint8 (0-255), got dtype {rgba.dtype}; "
            "convert with np.clip(x, 0, 255).astype(np.uint8) if they are 0-255 floats."
        )
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"Expected a canvas of shape (H, W, 4) (RGBA), got {rgba.shape}.")
    check_canvas_size(*rgba.shape[:2])
    return (rgba[..., 0] / 255.0) * (rgba[..., 3] / 255.0)


def check_canvas_size(height: int, width: int) -> None:
    """A ValueError unless a canvas of ``height`` x ``width`` pixels can be read (>= 28x28)."""
    if min(height, width) < MODEL_SIZE:
        raise ValueError(
            f"The canvas is {width}x{height}; it must be at least "
            f"{MODEL_SIZE}x{MODEL_SIZE} (the app uses {CANVAS_SIZE}x{CANVAS_SIZE})."
        )


def area_matrix(n: int, m: int) -> np.ndarray:
    """(m, n) weights that area-average a length-n axis down (or up) to length m.

    ``M[o, i]`` is the overlap of input cell [i, i+1) with output cell [o*n/m, (o+1)*n/m),
    divided by the output cell's width n/m; every row sums to 1.
    """
    scale = n / m
    weights = np.zeros((m, n))
    for o in range(m):
        start, stop = o * scale, (o + 1) * scale
        for i in range(int(math.floor(start)), min(n, int(math.ceil(stop)))):
            overlap = min(stop, i + 1) - max(start, i)
            if overlap > 0:
                weights[o, i] = overlap / scale
    return weights


def area_resize(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Area-average a 2-D float image to (out_h, out_w): ``My @ image @ Mx.T``."""
    image = np.asarray(image, dtype=np.float64)
    rows = area_matrix(image.shape[0], out_h)
    cols = area_matrix(image.shape[1], out_w)
    return rows @ image @ cols.T


def check_ink(ink: np.ndarray) -> str | None:
    """The :class:`DrawingError` reason for a 2-D ink image, or None when it is a drawing."""
    return _check_and_center(ink)[0]


def centred_ink_mass(rgba: np.ndarray) -> float:
    """The ink that reaches the model: the sum of the centred 28x28 input's values (0 if blank).

    The measure of the "too_little" refusal (below MIN_INK_MASS), for any canvas, refused or not.
    """
    ink = ink_from_rgba(rgba)
    return _ink_mass(_center_like_mnist(ink)) if (ink > 0).any() else 0.0


def _ink_mass(digit: np.ndarray) -> float:
    """Sum of a 28x28 float64 image, rounded to 6 decimals so numpy and JS decide alike."""
    return math.floor(float(digit.sum()) * 1e6 + 0.5) / 1e6


def _check_and_center(ink: np.ndarray) -> tuple[str | None, np.ndarray | None]:
    """(refusal reason or None, the centred 28x28 float64 image or None if refused before it).

    The canvas checks come first (blank, too_full, too_small); then the ink that would reach the
    model, centred: less than MIN_INK_MASS in all is "too_little" (a frame, specks, dust)."""
    reason = _check_canvas_ink(ink)
    if reason:
        return reason, None
    digit = _center_like_mnist(ink)
    return ("too_little" if _ink_mass(digit) < MIN_INK_MASS else None), digit


def _check_canvas_ink(ink: np.ndarray) -> str | None:
    """The refusals decided on canvas pixels: blank, too_full, too_small (or None)."""
    inked = ink > 0
    if not inked.any():
        return "blank"
    if inked.mean() > MAX_INK_FRACTION:
        return "too_full"
    ys, xs = np.nonzero(inked)
    extent = max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1)
    if extent < MIN_DIGIT_FRACTION * max(ink.shape):
        return "too_small"
    return None


def check_drawing(rgba: np.ndarray) -> str | None:
    """Like :func:`preprocess_canvas` but returns the refusal reason (or None) instead of
    raising."""
    return check_ink(ink_from_rgba(rgba))


def _center_like_mnist(ink: np.ndarray) -> np.ndarray:
    """Bounding box -> square -> 20x20 by area averaging -> 28x28 -> centre of mass to 14."""
    ys, xs = np.nonzero(ink > 0)
    top, left = ys.min(), xs.min()
    height, width = ys.max() - top + 1, xs.max() - left + 1
    side = max(height, width)
    square = np.zeros((side, side))
    pad_y, pad_x = (side - height) // 2, (side - width) // 2
    square[pad_y : pad_y + height, pad_x : pad_x + width] = ink[
        top : top + height, left : left + width
    ]
    digit = np.zeros((MODEL_SIZE, MODEL_SIZE))
    offset = (MODEL_SIZE - DIGIT_BOX) // 2
    digit[offset : offset + DIGIT_BOX, offset : offset + DIGIT_BOX] = area_resize(
        square, DIGIT_BOX, DIGIT_BOX
    )
    return shift_to_center_of_mass(digit)


def shift_to_center_of_mass(digit: np.ndarray) -> np.ndarray:
    """Shift a 28x28 image by whole pixels so its centre of mass is nearest CENTER_OF_MASS."""
    total = digit.sum()
    index = np.arange(MODEL_SIZE, dtype=np.float64)
    shifts = []
    for axis in (0, 1):
        profile = digit.sum(axis=1 - axis)  # ink per row (axis 0) or per column (axis 1)
        mass = (profile * index).sum() / total
        # Rounded to 6 decimals so numpy and JS (different summation orders) break an exact
        # half-pixel tie, e.g. a perfectly symmetric stroke, the same way.
        mass = math.floor(mass * 1e6 + 0.5) / 1e6
        inked = np.nonzero(profile > 0)[0]
        shift = math.floor(CENTER_OF_MASS - mass + 0.5)
        shifts.append(min(max(shift, -int(inked[0])), MODEL_SIZE - 1 - int(inked[-1])))
    dy, dx = shifts
    shifted = np.zeros_like(digit)
    shifted[max(dy, 0) : MODEL_SIZE + min(dy, 0), max(dx, 0) : MODEL_SIZE + min(dx, 0)] = digit[
        max(-dy, 0) : MODEL_SIZE + min(-dy, 0), max(-dx, 0) : MODEL_SIZE + min(-dx, 0)
    ]
    return shifted


def preprocess_ink(ink: np.ndarray, center: bool = True) -> np.ndarray:
    """Steps b-e of the spec on a 2-D ink image in [0, 1]: a (28, 28) float32 model input."""
    ink = np.asarray(ink, dtype=np.float64)
    if ink.ndim != 2 or not np.isfinite(ink).all():
        raise ValueError(f"Expected a finite 2-D ink image, got shape {ink.shape}.")
    reason, centred = _check_and_center(ink)
    if reason:
        raise DrawingError(reason)
    image = centred if center else area_resize(ink, MODEL_SIZE, MODEL_SIZE)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def preprocess_canvas(rgba: np.ndarray, center: bool = True) -> np.ndarray:
    """An RGBA canvas (H, W, 4) uint8 -> the (28, 28) float32 image in [0, 1] the model sees.

    Args:
        rgba: the drawing, white ink on black (or transparent), e.g. 280x280.
        center: MNIST-style centring (fit into 20x20, centre of mass to the middle); off: the
            whole canvas is area-averaged to 28x28.

    Raises:
        DrawingError: blank, too small (a dot), too full, or too little ink once centred (a
            frame, specks, dust); never guessed at.
    """
    return preprocess_ink(ink_from_rgba(rgba), center=center)


def digit_to_canvas(image: np.ndarray, size: int = CANVAS_SIZE) -> np.ndarray:
    """Render a 28x28 image in [0, 1] as an opaque black RGBA canvas (nearest-neighbour upscale).

    Args:
        image: (28, 28) or (28, 28, 1) floats in [0, 1] (clipped), e.g. an MNIST digit.
        size: canvas side, a positive multiple of 28; every image pixel becomes size/28 squared.

    Returns:
        uint8 (size, size, 4): R = G = B = round(v * 255), A = 255.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.shape not in ((MODEL_SIZE, MODEL_SIZE), (MODEL_SIZE, MODEL_SIZE, 1)):
        raise ValueError(f"Expected a (28, 28) or (28, 28, 1) image, got shape {image.shape}.")
    image = image.reshape(MODEL_SIZE, MODEL_SIZE)
    if size <= 0 or size % MODEL_SIZE:
        raise ValueError(f"size must be a positive multiple of {MODEL_SIZE}, not {size}.")
    scale = size // MODEL_SIZE
    value = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8).repeat(scale, 0).repeat(scale, 1)
    canvas = np.empty((size, size, 4), np.uint8)
    canvas[..., :3] = value[..., None]
    canvas[..., 3] = 255
    return canvas


def shift_and_scale(image: np.ndarray, scale: float = 1.0, dy: int = 0, dx: int = 0) -> np.ndarray:
    """A 28x28 digit drawn as people do: zoomed about the centre by ``scale`` (bilinear), then
    moved ``dy``/``dx`` pixels; what leaves the frame is lost. Used to test centring."""
    image = np.asarray(image, dtype=np.float64).reshape(MODEL_SIZE, MODEL_SIZE)
    if not scale > 0:
        raise ValueError(f"scale must be a positive number, not {scale}.")
    centre = _MIDDLE
    coords = (np.arange(MODEL_SIZE) - centre) / scale + centre  # source position of each pixel
    y0 = np.floor(coords).astype(int)
    frac = coords - y0

    def sample(axis_image, positions, fractions, axis):
        low = np.take(axis_image, np.clip(positions, 0, MODEL_SIZE - 1), axis=axis)
        high = np.take(axis_image, np.clip(positions + 1, 0, MODEL_SIZE - 1), axis=axis)
        valid_low = ((positions >= 0) & (positions < MODEL_SIZE)).astype(float)
        valid_high = ((positions + 1 >= 0) & (positions + 1 < MODEL_SIZE)).astype(float)
        shape = [1, 1]
        shape[axis] = MODEL_SIZE
        w_low = ((1 - fractions) * valid_low).reshape(shape)
        w_high = (fractions * valid_high).reshape(shape)
        return low * w_low + high * w_high

    zoomed = sample(sample(image, y0, frac, 0), y0, frac, 1)
    moved = np.zeros_like(zoomed)
    moved[max(dy, 0) : MODEL_SIZE + min(dy, 0), max(dx, 0) : MODEL_SIZE + min(dx, 0)] = zoomed[
        max(-dy, 0) : MODEL_SIZE + min(-dy, 0), max(-dx, 0) : MODEL_SIZE + min(-dx, 0)
    ]
    return np.clip(moved, 0, 1).astype(np.float32)
