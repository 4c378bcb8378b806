"""Small 28x28 thumbnails with captions, as one HTML block (the collector's grid, the panel's
gallery of drawings that changed answer)."""
from __future__ import annotations

import base64
import html

import numpy as np

from ..png import encode_png

THUMBNAIL_SCALE = 2     # 28x28 -> 56x56 pixels


def thumbnail_grid_html(images, captions, empty: str = "") -> str:
    """A wrapping grid of images (each (28, 28) or (28, 28, 1) floats in [0, 1]) with a caption
    under each; ``empty`` (HTML) when there are none. Each item is a ``.hw-thumb`` element."""
    captions = list(captions)
    if len(images) != len(captions):
        raise ValueError(f"Expected a caption per image, got {len(images)} images and {len(captions)} captions.")
    if not captions:
        return empty
    items = []
    for image, caption in zip(images, captions):
        pixels = np.round(np.clip(np.asarray(image, np.float32).reshape(28, 28), 0, 1) * 255).astype(np.uint8)
        data = base64.b64encode(encode_png(pixels, scale=THUMBNAIL_SCALE, level=1)).decode("ascii")
        items.append('<figure class="hw-thumb" style="margin:0;text-align:center;font-size:11px">'
                     f'<img src="data:image/png;base64,{data}" width="56" height="56" '
                     f'style="display:block;image-rendering:pixelated"><figcaption>{html.escape(caption)}'
                     "</figcaption></figure>")
    return '<div class="hw-thumbs" style="display:flex;flex-wrap:wrap;gap:6px">' + "".join(items) + "</div>"
