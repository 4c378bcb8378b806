"""Matplotlib figures for the lab (history, confusion matrix, mistakes, samples), as PNG bytes.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot), so nothing piles up in the
notebook and widgets can show them as images that update without flicker.
"""
from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure


def figure_to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return buffer.getvalue()


def history_figure(history: dict) -> Figure:
    """Loss and accuracy per epoch, training and validation (test) side by side."""
    fig = Figure(figsize=(8, 3))
    for ax, metric in zip(fig.subplots(1, 2), ("loss", "accuracy")):
        for key, label, style in ((metric, "train", "-o"), (f"val_{metric}", "test", "--s")):
            values = history.get(key, [])
            if values:
                ax.plot(range(1, len(values) + 1), values, style, label=label, markersize=4)
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        if history.get(metric):
            ax.legend()
    fig.tight_layout()
    return fig


def confusion_figure(matrix: np.ndarray) -> Figure:
    """The confusion matrix (rows: true digit, columns: predicted), counts written in cells."""
    fig = Figure(figsize=(4.5, 4))
    ax = fig.subplots()
    ax.imshow(np.log1p(matrix), cmap="Blues")
    for (row, col), count in np.ndenumerate(matrix):
        if count:
            ax.text(col, row, str(count), ha="center", va="center", fontsize=7,
                    color="white" if row == col else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix (test set)")
    return fig


def digit_grid_figure(images: np.ndarray, titles: list[str], columns: int = 8) -> Figure:
    """A grid of 28x28 digits with a title above each."""
    count = max(len(images), 1)
    rows = (count + columns - 1) // columns
    fig = Figure(figsize=(columns * 1.1, rows * 1.25))
    axes = np.atleast_1d(fig.subplots(rows, columns)).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, image, title in zip(axes, images, titles):
        ax.imshow(np.asarray(image).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig


def mistakes_figure(mistakes, images: np.ndarray, limit: int = 24) -> Figure:
    """The most confident mistakes: each digit with 'predicted (confidence) / true' above it."""
    shown = min(len(mistakes), limit)
    titles = [f"{p} ({c:.0%}) / {t}" for p, c, t in
              zip(mistakes.predicted[:shown], mistakes.confidence[:shown], mistakes.true[:shown])]
    fig = digit_grid_figure(images[mistakes.indices[:shown]], titles)
    fig.suptitle("Misclassified test digits: predicted (confidence) / true", fontsize=9)
    return fig


def samples_figure(x: np.ndarray, y: np.ndarray, n: int = 32) -> Figure:
    """The first ``n`` digits with their labels."""
    return digit_grid_figure(x[:n], [str(label) for label in y[:n]])


def label_counts_figure(y_train: np.ndarray, y_test: np.ndarray) -> Figure:
    """How many examples of each digit the training and test sets hold."""
    fig = Figure(figsize=(7, 2.8))
    ax = fig.subplots()
    digits = np.arange(10)
    for offset, labels, name in ((-0.2, y_train, "train"), (0.2, y_test, "test")):
        counts = np.bincount(labels, minlength=10)
        ax.bar(digits + offset, counts, width=0.4, label=f"{name} ({len(labels):,})")
    ax.set_xticks(digits)
    ax.set_xlabel("digit")
    ax.set_ylabel("examples")
    ax.legend()
    ax.set_title("Label counts")
    return fig


def show(fig: Figure) -> None:
    """Display a figure in the notebook as a PNG (works without pyplot or %matplotlib)."""
    from IPython.display import Image, display

    display(Image(figure_to_png(fig)))
