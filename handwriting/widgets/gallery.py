"""Pictures as HTML for the widgets: any RGBA image as an inline, unblurred ``<img>`` (the
inspector's maps too), 28x28 thumbnails with captions (the collector's grid, the panel's gallery
of drawings that changed answer), and the panel's before/after table of a fine-tuning."""

from __future__ import annotations

import base64
import html

import numpy as np

from ..drawn.collected import DrawingSet
from ..inspection import heatmaps
from ..png import encode_png
from ..training.finetune import Comparison

THUMBNAIL_SCALE = 2  # 28x28 -> 56x56 pixels


def image_html(rgba: np.ndarray, scale: float = 1, css_class: str = "", title: str = "") -> str:
    """An <img> holding ``rgba`` as an inline PNG, enlarged ``scale`` times without blurring."""
    height, width = rgba.shape[:2]
    data = base64.b64encode(encode_png(rgba, level=1)).decode("ascii")
    return (
        f'<img class="{css_class}" title="{html.escape(title)}" src="data:image/png;base64,{data}" '
        f'width="{round(width * scale)}" height="{round(height * scale)}" '
        'style="image-rendering:pixelated;max-width:none">'
    )


def thumbnail_grid_html(images, captions, empty: str = "") -> str:
    """A wrapping grid of images (each (28, 28) or (28, 28, 1) floats in [0, 1]) with a caption
    under each; ``empty`` (HTML) when there are none. Each item is a ``.hw-thumb`` element."""
    captions = list(captions)
    if len(images) != len(captions):
        raise ValueError(
            f"Expected a caption per image, got {len(images)} images and {len(captions)} captions."
        )
    if not captions:
        return empty
    cells = heatmaps.grey_digits(np.asarray(images, np.float32).reshape(-1, 28, 28))
    items = [
        f'<figure class="hw-thumb" style="margin:0;text-align:center;font-size:11px">'
        f"{image_html(cell, THUMBNAIL_SCALE)}"
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for cell, caption in zip(cells, captions, strict=False)
    ]
    return (
        '<div class="hw-thumbs" style="display:flex;flex-wrap:wrap;gap:6px">'
        + "".join(items)
        + "</div>"
    )


def comparison_html(comparison: Comparison) -> str:
    """Before/after fine-tuning, side by side: the person's held-out drawings and MNIST test."""
    c = comparison
    rows = [
        (
            f"your held-out drawings ({c.held_out})",
            f"{c.drawings_before:.1%}",
            f"{c.drawings_after:.1%}",
        ),
        (f"MNIST test ({c.mnist_size:,})", f"{c.mnist_before:.2%}", f"{c.mnist_after:.2%}"),
    ]
    cell = '<td style="padding:2px 8px">'
    return (
        '<table class="hw-finetune-comparison" style="border-collapse:collapse;font-size:13px">'
        "<thead><tr><th></th><th>before</th><th>after</th></tr></thead><tbody>"
        + "".join(
            "<tr>" + "".join(f"{cell}{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows
        )
        + "</tbody></table>"
    )


def changed_gallery_html(comparison: Comparison, held_out: DrawingSet) -> str:
    """The held-out drawings whose answer changed, each captioned "a 4: 9 → 4"."""
    changes = comparison.changed
    return thumbnail_grid_html(
        [held_out.images[c.index] for c in changes],
        [f"a {c.label}: {c.before} → {c.after}" for c in changes],
        empty="<i>No held-out drawing changed answer.</i>",
    )
