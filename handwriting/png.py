"""A tiny PNG encoder for uint8 images, so widgets can show a 28x28 preview without PIL."""
from __future__ import annotations

import struct
import zlib

import numpy as np


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(image: np.ndarray, scale: int = 1, level: int = 6) -> bytes:
    """PNG bytes of a (H, W) grey or (H, W, 4) RGBA uint8 image, upscaled ``scale`` times.

    ``level`` is zlib's compression level: 1 is several times faster (for pictures redrawn on
    every stroke), 6 a little smaller.
    """
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 4):
        raise ValueError(f"Expected a (H, W) or (H, W, 4) uint8 image, got {image.dtype} {image.shape}.")
    if scale > 1:
        image = image.repeat(scale, axis=0).repeat(scale, axis=1)
    height, width = image.shape[:2]
    color_type = 0 if image.ndim == 2 else 6
    rows = image.reshape(height, -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, level)) + _chunk(b"IEND", b""))
