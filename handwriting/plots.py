"""Matplotlib figures for the lab (confusion matrix, mistakes, samples), as PNG bytes.

The live training curves are SVG, drawn by :mod:`handwriting.training.curves`.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot), so nothing piles up in the
notebook and widgets can show them as images that update without flicker.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle


def figure_to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (for ``ipywidgets.Image`` or ``IPython.display.Image``)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def confusion_figure(matrix: np.ndarray, subset: str = "validation") -> Figure:
    """The confusion matrix (rows: true digit, columns: predicted) of the ``subset`` digits,
    counts written in cells."""
    fig = Figure(figsize=(4.5, 4))
    ax = fig.subplots()
    shade = np.log1p(np.asarray(matrix))  # log scale: the few mistakes stay visible
    ax.imshow(shade, cmap="Blues")
    dark = shade.max() / 2
    for (row, col), count in np.ndenumerate(matrix):
        if count:
            ax.text(
                col,
                row,
                str(count),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if shade[row, col] > dark else "black",
            )
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"Confusion matrix ({subset} digits)")
    return fig


def digit_grid_figure(images: np.ndarray, titles: list[str], columns: int = 8) -> Figure:
    """A grid of 28x28 digits with a title above each."""
    count = max(len(images), 1)
    rows = (count + columns - 1) // columns
    fig = Figure(figsize=(columns * 1.1, rows * 1.35))
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, image, title in zip(axes, images, titles, strict=False):
        ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig


def mistakes_figure(
    mistakes, images: np.ndarray, limit: int = 24, subset: str = "validation"
) -> Figure:
    """The most confident mistakes, each titled "pred p / true t" with the model's confidence.

    Args:
        mistakes: an :class:`handwriting.honest.metrics.Mistakes` (indices into ``images``).
        images: the evaluated images (N, 28, 28, 1), e.g. the validation set.
        limit: show at most this many.
        subset: what ``images`` are, for the heading.
    """
    shown = min(len(mistakes), limit)
    titles = [
        f"pred {p} / true {t}\n{c:.0%} sure"
        for p, c, t in zip(
            mistakes.predicted[:shown],
            mistakes.confidence[:shown],
            mistakes.true[:shown],
            strict=False,
        )
    ]
    fig = digit_grid_figure(images[mistakes.indices[:shown]], titles, columns=6)
    heading = (
        f"Misclassified {subset} digits ({len(mistakes):,} in all), most confident first"
        if len(mistakes)
        else f"No misclassified {subset} digits"
    )
    fig.suptitle(heading, fontsize=9)
    fig.tight_layout()
    return fig


def samples_figure(x: np.ndarray, y: np.ndarray, n: int = 32) -> Figure:
    """The first ``n`` digits with their labels."""
    return digit_grid_figure(x[:n], [str(label) for label in y[:n]])


def label_counts_figure(y_train: np.ndarray, y_test: np.ndarray) -> Figure:
    """How many examples of each digit the training and test sets hold."""
    fig = Figure(figsize=(7, 2.8))
    ax = fig.subplots()
    digits = np.arange(10)
    highest = 0
    for offset, labels, name in ((-0.2, y_train, "train"), (0.2, y_test, "test")):
        counts = np.bincount(np.asarray(labels, int), minlength=10)
        highest = max(highest, counts.max(initial=0))
        ax.bar(digits + offset, counts, width=0.4, label=f"{name} ({len(labels):,})")
    ax.set_ylim(0, highest * 1.3 or 1)  # headroom for the legend
    ax.set_xticks(digits)
    ax.set_xlabel("digit")
    ax.set_ylabel("examples")
    ax.legend(loc="upper center", ncol=2)
    ax.set_title("Label counts")
    return fig


def number_figure(
    canvas: np.ndarray,
    boxes: list,
    squares: list[np.ndarray],
    images: list,
    titles: list[str],
    heading: str = "",
) -> Figure:
    """A number cut into digits: the canvas with each digit's box (numbered), then per digit
    the square it is read on and the 28x28 the model sees, titled.

    Args:
        canvas: the number's RGBA canvas (H, W, 4) uint8, white ink on black.
        boxes: (x0, y0, x1, y1) per digit, half-open canvas pixels.
        squares: per digit, its ink on the square it is read on ((s, s) floats in [0, 1]).
        images: per digit, the 28x28 the model saw, or None (refused before the model).
        titles: per digit, what was read.
    """
    count = max(len(boxes), 1)
    columns = max(count, 4)
    height, width = canvas.shape[:2]
    inches = max(7.0, 1.5 * columns)  # the figure's width; the canvas spans it
    fig = Figure(figsize=(inches, inches * height / width + 3.6))
    grid = fig.add_gridspec(3, columns, height_ratios=[inches * height / width, 1.8, 1.8])
    top = fig.add_subplot(grid[0, :])
    top.imshow(canvas[..., 0], cmap="gray", vmin=0, vmax=255)
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        top.add_patch(
            Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, color="#f5a623", lw=1.5)
        )
        top.text(x0, y0 - 4, str(i + 1), color="#f5a623", fontsize=9, va="bottom")
    top.set_title(heading or f"{len(boxes)} digit(s)", fontsize=10)
    top.axis("off")
    for i in range(columns):
        for row in (1, 2):
            ax = fig.add_subplot(grid[row, i])
            ax.axis("off")
            if i >= len(boxes):
                continue
            if row == 1:
                ax.imshow(squares[i], cmap="gray", vmin=0, vmax=1)
                ax.set_title(f"{i + 1}: its square", fontsize=8)
            else:
                image = np.zeros((28, 28)) if images[i] is None else images[i]
                ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray", vmin=0, vmax=1)
                ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def show(fig: Figure) -> None:
    """Display a figure in the notebook as a PNG (works without pyplot or %matplotlib)."""
    from IPython.display import Image, display

    display(Image(figure_to_png(fig)))
