"""Inspection results as small RGBA pictures: map grids, weight grids, saliency overlays, bars.

Pure numpy (matplotlib's colour maps only as lookup tables), fast enough to redraw after every
stroke: a grid is drawn at one pixel per value and the browser scales it up
(``image-rendering: pixelated``), so the PNGs stay small and quick to encode.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib import colormaps

GAP = 1  # pixels between the cells of a grid
BACKGROUND = (255, 255, 255, 255)
EVIDENCE_FOR = np.array([214, 39, 40], np.float32)  # red: this ink speaks for the digit
EVIDENCE_AGAINST = np.array([31, 119, 180], np.float32)  # blue: this ink speaks against it


@functools.cache
def _lookup_table(cmap: str) -> np.ndarray:
    """256 RGBA uint8 colours of a matplotlib colour map (read once, then indexed)."""
    return colormaps[cmap](np.linspace(0, 1, 256), bytes=True)


def colorize(values: np.ndarray, cmap: str = "magma", signed: bool = False) -> np.ndarray:
    """RGBA uint8 of ``values`` scaled to [0, 1] (or [-1, 1] when ``signed``), through ``cmap``;
    NaN is drawn as zero."""
    values = np.nan_to_num(np.asarray(values, np.float32), nan=0.0)
    if signed:
        values = (values + 1) / 2
    return _lookup_table(cmap)[np.round(np.clip(values, 0, 1) * 255).astype(np.intp)]


def _scale(values: np.ndarray, axis=None) -> tuple[np.ndarray, bool]:
    """Values divided by their largest magnitude (along ``axis``); True when any is negative.
    Values that are not finite (a model whose training diverged) count as zero."""
    values = np.asarray(values, np.float32)
    values = np.where(np.isfinite(values), values, np.float32(0))
    peak = np.abs(values).max(axis=axis, keepdims=axis is not None)
    return values / np.maximum(peak, 1e-12), bool((values < 0).any())


def enlarge(cells: np.ndarray, cell: int) -> np.ndarray:
    """Cells (N, h, w, 4) enlarged by a whole factor (nearest neighbour) to about ``cell`` high."""
    factor = max(1, cell // cells.shape[1])
    return cells.repeat(factor, axis=1).repeat(factor, axis=2)


def tile(cells: np.ndarray, columns: int, gap: int = GAP) -> np.ndarray:
    """RGBA cells (N, h, w, 4) laid out in rows of ``columns``, ``gap`` pixels apart, on white."""
    count, height, width = cells.shape[:3]
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    padded = np.empty((rows * columns, height + gap, width + gap, 4), np.uint8)
    padded[:] = BACKGROUND
    padded[:count, :height, :width] = cells
    grid = padded.reshape(rows, columns, height + gap, width + gap, 4).transpose(0, 2, 1, 3, 4)
    return grid.reshape(rows * (height + gap), columns * (width + gap), 4)[
        : -gap or None, : -gap or None
    ]


def feature_map_grid(maps: np.ndarray, columns: int = 16) -> np.ndarray:
    """A conv layer's maps (H, W, C) as a grid of C pictures, all on the layer's one scale.

    One scale per layer (its largest magnitude), so a map that barely fires looks dark next to
    one that fires strongly. Maps with negative values (conv layers without an activation, e.g.
    before batch norm) use a diverging red-blue scale, others ``magma``. One pixel per value:
    show small maps (7x7) enlarged more than large ones.
    """
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(
            f"Expected feature maps (height, width, channels), got shape {maps.shape}."
        )
    scaled, signed = _scale(maps)
    return tile(
        colorize(scaled.transpose(2, 0, 1), "RdBu_r" if signed else "magma", signed), columns
    )


def weight_grid(filters: np.ndarray, columns: int = 16, cell: int = 28) -> np.ndarray:
    """First-layer filters (N, h, w) as a grid, each on its own red (+) / blue (-) scale."""
    filters = np.asarray(filters)
    if filters.ndim != 3:
        raise ValueError(f"Expected filters (count, height, width), got shape {filters.shape}.")
    scaled, _ = _scale(filters.reshape(len(filters), -1), axis=1)
    cells = colorize(scaled.reshape(filters.shape), "RdBu_r", signed=True)
    return tile(enlarge(cells, cell), columns, gap=3)


def saliency_overlay(image: np.ndarray, saliency: np.ndarray) -> np.ndarray:
    """The 28x28 input in grey with the saliency on top: red for, blue against, clear for none."""
    image, saliency = np.asarray(image, np.float32), np.asarray(saliency, np.float32)
    if image.shape != (28, 28) or saliency.shape != (28, 28):
        raise ValueError(
            f"Expected a 28x28 image and saliency, got {image.shape} and {saliency.shape}."
        )
    scaled, _ = _scale(saliency)
    grey = (30 + 120 * image)[..., None]  # the digit, dimmed under the colour
    colour = np.where(scaled[..., None] >= 0, EVIDENCE_FOR, EVIDENCE_AGAINST)
    alpha = np.sqrt(np.abs(scaled))[..., None]  # faint evidence stays visible
    rgb = (1 - alpha) * grey + alpha * colour
    return np.concatenate([rgb, np.full((28, 28, 1), 255.0)], axis=2).round().astype(np.uint8)


def activation_bars(values: np.ndarray, height: int = 32, bar: int = 3) -> np.ndarray:
    """A dense layer's activations (units,) as vertical bars, tallest = the largest magnitude."""
    values = np.asarray(values, np.float32).ravel()
    scaled, _ = _scale(values)
    heights = np.round(np.abs(scaled) * height).astype(int)
    filled = np.arange(height)[:, None] >= height - heights[None, :]  # (height, units)
    colour = np.where(scaled >= 0, 1, 0)[None, :]  # 1: positive
    image = np.empty((height, len(values), 4), np.uint8)
    image[:] = (238, 238, 238, 255)
    image[filled & (colour == 1)] = (47, 126, 216, 255)
    image[filled & (colour == 0)] = (214, 39, 40, 255)
    return image.repeat(bar, axis=1)


def grey_digits(images: np.ndarray) -> np.ndarray:
    """Digits (N, 28, 28) in [0, 1] as RGBA cells (white ink on black, like the pad's preview)."""
    grey = np.round(np.clip(np.asarray(images, np.float32), 0, 1) * 255).astype(np.uint8)
    return np.concatenate(
        [np.repeat(grey[..., None], 3, axis=3), np.full(grey.shape + (1,), 255, np.uint8)], axis=3
    )
