"""PNG bytes of numpy images (Pillow), for the widgets' previews and pictures."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def encode_png(image: np.ndarray, scale: int = 1, level: int = 6) -> bytes:
    """PNG bytes of a (H, W) grey or (H, W, 4) RGBA uint8 image, upscaled ``scale`` times.

    ``level`` is zlib's compression level: 1 is several times faster (for pictures redrawn on
    every stroke), 6 a little smaller.
    """
    image = np.asarray(image)
    if (
        image.dtype != np.uint8
        or image.ndim not in (2, 3)
        or (image.ndim == 3 and image.shape[2] != 4)
    ):
        raise ValueError(
            f"Expected a (H, W) or (H, W, 4) uint8 image, got {image.dtype} {image.shape}."
        )
    if scale > 1:
        image = image.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", compress_level=level)
    return buffer.getvalue()
