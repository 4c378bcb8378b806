"""Live training curves: each batch's training loss and accuracy (smoothed) and every epoch's
validation point, as a small SVG picture.

The training panel redraws these curves every second while a run trains, in the training
thread. An SVG string costs well under a millisecond to write; a matplotlib PNG costs 30 to
100 ms of the CPU the training needs (the benchmark's overhead section measures the whole run
against a plain ``model.fit``). Tick positions still come from matplotlib's locator.
"""

from __future__ import annotations

import html

import numpy as np
from matplotlib.ticker import MaxNLocator

SMOOTHING_SPAN = 20  # batches: the exponential moving average's span (at most)
MOST_POINTS = 300  # per line: longer runs are thinned to this many points
TRAIN_COLOUR, VALIDATION_COLOUR = "#1f77b4", "#ff7f0e"
PANEL = {"left": 48, "right": 12, "top": 24, "bottom": 34}  # margins of each panel, pixels


def smooth(values, span: int) -> np.ndarray:
    """Exponential moving average over ``span`` points, debiased at the start (as TensorBoard
    does, so the first points are not pulled towards 0); NaNs add no weight."""
    from scipy.signal import lfilter

    values = np.asarray(values, dtype=float)
    alpha = 2 / (max(span, 1) + 1)
    finite = np.isfinite(values)
    # y[i] = (1 - alpha) * y[i - 1] + alpha * x[i], for the values and for their weights
    average = lfilter([alpha], [1, alpha - 1], np.where(finite, values, 0.0))
    weight = lfilter([alpha], [1, alpha - 1], finite.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, average / weight, np.nan)


def smoothing_span(steps_per_epoch: int) -> int:
    """The moving average's span for a run: a fifth of an epoch, at most SMOOTHING_SPAN."""
    return max(1, min(SMOOTHING_SPAN, steps_per_epoch // 5))


def _thin(x: np.ndarray, y: np.ndarray, most: int = MOST_POINTS):
    """At most ``most`` evenly spaced points, always keeping the newest."""
    if len(x) <= most:
        return x, y
    keep = np.unique(np.linspace(0, len(x) - 1, most).round().astype(int))
    return x[keep], y[keep]


def _panel(
    metric: str, train, validation, epochs: int, offset: float, width: float, height: float
) -> str:
    """One panel (loss or accuracy): axes, ticks, the train line and the validation points."""
    (tx, ty), (vx, vy) = train, validation
    left, top = offset + PANEL["left"], PANEL["top"]
    plot_w, plot_h = width - PANEL["left"] - PANEL["right"], height - PANEL["top"] - PANEL["bottom"]
    seen = np.concatenate([ty[np.isfinite(ty)], vy[np.isfinite(vy)]])
    low, high = (float(seen.min()), float(seen.max())) if seen.size else (0.0, 1.0)
    if high - low < 1e-6:
        low, high = low - 0.05, high + 0.05
    y_ticks = MaxNLocator(nbins=5).tick_values(low, high)
    y_low, y_high = float(y_ticks[0]), float(y_ticks[-1])
    x_ticks = [
        t
        for t in MaxNLocator(nbins=min(epochs, 10), integer=True).tick_values(0, epochs)
        if 0 <= t <= epochs
    ]

    def px(x):
        return left + np.asarray(x, float) / epochs * plot_w

    def py(y):
        return top + (y_high - np.asarray(y, float)) / (y_high - y_low) * plot_h

    parts = [
        f'<text x="{left + plot_w / 2:.1f}" y="{top - 8}" text-anchor="middle" '
        f'font-weight="bold">{metric}</text>',
        f'<rect x="{left}" y="{top}" width="{plot_w:.1f}" height="{plot_h:.1f}" fill="none" '
        'stroke="#999"/>',
    ]
    for tick in y_ticks:
        y = py(tick)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    for tick in x_ticks:
        x = px(tick)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle">{tick:g}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">epoch</text>'
    )
    if len(tx):
        points = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in zip(px(tx), py(ty), strict=False) if np.isfinite(y)
        )
        parts.append(
            f'<polyline class="hw-curve-train" data-points="{len(tx)}" points="{points}" '
            f'fill="none" stroke="{TRAIN_COLOUR}" stroke-width="1.5"/>'
        )
    if len(vx):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(px(vx), py(vy), strict=False))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{VALIDATION_COLOUR}" '
            'stroke-dasharray="4 3"/>'
            + "".join(
                f'<circle class="hw-curve-validation" cx="{x:.1f}" cy="{y:.1f}" r="3.5" '
                f'fill="{VALIDATION_COLOUR}"/>'
                for x, y in zip(px(vx), py(vy), strict=False)
            )
        )
    return "".join(parts)


def curves_svg(
    batch_history: dict,
    history: dict,
    epochs: int,
    steps_per_epoch: int = 0,
    width: int = 760,
    height: int = 240,
) -> str:
    """Loss and accuracy of a run so far, as an ``<svg>`` element.

    Args:
        batch_history: :attr:`TrainingRun.batch_history` ("epoch", "loss", "accuracy" per batch).
        history: :attr:`TrainingRun.history` (per epoch; "val_loss" and "val_accuracy" are drawn).
        epochs: the run's planned epochs: the x axis spans them from the start.
        steps_per_epoch: sets how much the batch curves are smoothed (:func:`smoothing_span`).
    """
    epochs = max(int(epochs), 1)
    x = np.asarray(batch_history.get("epoch", []), float)
    span = smoothing_span(steps_per_epoch or len(x))
    panels = []
    for i, metric in enumerate(("loss", "accuracy")):
        train = _thin(x, smooth(batch_history.get(metric, []), span))
        validation = np.asarray(history.get(f"val_{metric}", []), float)
        panels.append(
            _panel(
                metric,
                train,
                (np.arange(1, len(validation) + 1), validation),
                epochs,
                i * width / 2,
                width / 2,
                height,
            )
        )
    legend_y = height - 4
    legend = (
        f'<line x1="{width - 330}" x2="{width - 310}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        f'stroke="{TRAIN_COLOUR}" stroke-width="1.5"/>'
        f'<text x="{width - 306}" y="{legend_y}">train (each batch, smoothed)</text>'
        f'<circle cx="{width - 130}" cy="{legend_y - 4}" r="3.5" fill="{VALIDATION_COLOUR}"/>'
        f'<text x="{width - 122}" y="{legend_y}">validation (each epoch)</text>'
    )
    label = html.escape(
        f"Training curves: {len(x)} batches, {len(history.get('val_loss', []))} epochs"
    )
    return (
        f'<svg class="hw-curves" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height + 14}" viewBox="0 0 {width} {height + 14}" role="img" '
        f'aria-label="{label}" font-family="sans-serif" font-size="11">'
        + "".join(panels)
        + f'<g transform="translate(0,14)">{legend}</g></svg>'
    )
