"""A picture of a digit or a number (a PNG file) as the canvas the reader reads.

Pictures come either way round: the pad's white ink on black, or dark ink on a light page (a
scan, a drawing app). :func:`as_canvas` tells them apart by the border, the picture's most
common background, and turns either into white ink on opaque black with the background at 0;
a picture narrower than high (one digit, cropped tight) is widened with background to a square.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..drawn.collected import read_canvas

WHITE_ON_DARK = "white ink on a dark background"
DARK_ON_LIGHT = "dark ink on a light background"


@dataclass(frozen=True)
class Picture:
    """A picture made ready to read."""

    canvas: np.ndarray  # RGBA uint8 (H, W >= H, 4): white ink on opaque black
    polarity: str  # WHITE_ON_DARK or DARK_ON_LIGHT: what the picture was
    size: tuple[int, int]  # (height, width) of the picture as it was
    widened: bool  # it was narrower than high: background added left and right


def as_canvas(rgba: np.ndarray) -> Picture:
    """Any RGBA picture (H, W, 4) uint8 as white ink on opaque black, width >= height.

    1. Grey: ``(R + G + B) / 3 * A / 255`` (a transparent pixel is black).
    2. Polarity: the median grey of the border pixels (the outermost rows and columns) above
       127.5 is a light page: grey becomes ``255 - grey`` (and the background with it).
    3. Background to black: ``ink = clip((grey - background) / (255 - background), 0, 1)``;
       the pad's own pictures (background 0) keep every pixel.
    4. Narrower than high: black columns added, ``(H - W) // 2`` on the left, the rest right.
    """
    rgba = np.asarray(rgba)
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(
            f"Expected an RGBA uint8 picture (H, W, 4), got {rgba.dtype} {rgba.shape}."
        )
    pixels = rgba.astype(np.float64)
    grey = pixels[..., :3].sum(axis=2) / 3 * pixels[..., 3] / 255
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    dark_on_light = bool(np.median(border) > 127.5)
    if dark_on_light:
        grey = 255 - grey
    background = float(np.median(border if not dark_on_light else 255 - border))
    ink = np.clip((grey - background) / (255 - background), 0, 1)
    height, width = ink.shape
    widened = width < height
    if widened:
        left = (height - width) // 2
        ink = np.pad(ink, ((0, 0), (left, height - width - left)))
    canvas = np.empty(ink.shape + (4,), np.uint8)
    canvas[..., :3] = np.round(ink * 255).astype(np.uint8)[..., None]
    canvas[..., 3] = 255
    polarity = DARK_ON_LIGHT if dark_on_light else WHITE_ON_DARK
    return Picture(canvas, polarity, (height, width), widened)


def load_picture(path: str | os.PathLike) -> Picture:
    """A PNG file (grey, RGB, RGBA, 16-bit, palette) as :func:`as_canvas` makes it.

    Raises:
        UnusableDrawing: no such file, not a readable image, too large (it says what to do).
    """
    return as_canvas(read_canvas(path))
