"""The live training curves: each batch's own values from Keras' running means, smoothing, SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from handwriting.training import batch_values, curves


def test_batch_values_undo_keras_running_means():
    own = [0.9, 0.5, 0.7, 0.1]
    means = np.cumsum(own) / np.arange(1, 5)  # what Keras logs after each batch
    before, seen = {}, []
    for batch, mean in enumerate(means, 1):
        seen.append(batch_values({"loss": mean, "accuracy": 1 - mean}, before, batch)["loss"])
    assert seen == pytest.approx(own)
    assert batch_values({"loss": 0.3}, before, 1) == {"loss": 0.3}  # a new epoch starts afresh
    assert batch_values({"loss": float("nan")}, {}, 1) == {}


def test_batch_values_with_several_batches_per_report():
    """With steps_per_execution, Keras reports after batches 3, 6, 9: each report gives the mean
    of the three batches since the previous one."""
    own = np.array([0.9, 0.5, 0.7, 0.1, 0.3, 0.2, 0.4, 0.4, 0.1])
    means = np.cumsum(own) / np.arange(1, 10)
    before = {}
    seen = [batch_values({"loss": means[batch - 1]}, before, batch)["loss"] for batch in (3, 6, 9)]
    assert seen == pytest.approx(own.reshape(3, 3).mean(axis=1))
    assert batch_values({"loss": 0.3}, before, 3) == {"loss": 0.3}  # a new epoch starts afresh


def test_smoothing_follows_the_trend_not_the_noise():
    rng = np.random.default_rng(0)
    noisy = np.linspace(1, 0, 400) + rng.normal(0, 0.2, 400)
    smoothed = curves.smooth(noisy, span=20)
    assert smoothed[0] == pytest.approx(noisy[0])  # debiased: no pull to 0
    error = np.abs(smoothed - np.linspace(1, 0, 400))[50:]
    assert error.mean() < 0.06 and error.max() < 0.25  # the raw noise: 0.16 and 0.75
    assert np.std(np.diff(smoothed)) < np.std(np.diff(noisy)) / 5
    assert np.isfinite(curves.smooth([np.nan, 1.0, np.nan, 2.0], 3)[1:]).all()


def test_curves_svg_draws_batches_and_epochs_on_a_fixed_axis():
    steps, epochs_done, planned = 50, 2, 5
    positions = np.arange(1, steps * epochs_done + 1) / steps
    batch_history = {
        "epoch": list(positions),
        "loss": list(1 / (1 + positions)),
        "accuracy": list(1 - 0.5 / (1 + positions)),
    }
    history = {"val_loss": [0.5, 0.35], "val_accuracy": [0.8, 0.85]}
    svg = curves.curves_svg(batch_history, history, planned, steps)
    root = ET.fromstring(svg)  # well-formed XML
    assert root.get("class") == "hw-curves"
    lines = [e for e in root.iter() if e.get("class") == "hw-curve-train"]
    assert [line.get("data-points") for line in lines] == ["100", "100"]
    assert len([e for e in root.iter() if e.get("class") == "hw-curve-validation"]) == 4
    ticks = [e.text for e in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "5" in ticks and "epoch" in ticks  # the axis spans the plan
    # The newest batch sits at 2/5 of the x axis (the plot does not rescale as it goes).
    xs = [float(p.split(",")[0]) for p in lines[0].get("points").split()]
    assert (xs[-1] - xs[0]) / (len(xs) - 1) == pytest.approx((xs[1] - xs[0]), rel=0.05)


def test_long_runs_are_thinned_and_empty_runs_still_draw():
    n = 20_000
    batch_history = {
        "epoch": list(np.arange(1, n + 1) / 1000),
        "loss": [0.5] * n,
        "accuracy": [0.9] * n,
    }
    svg = curves.curves_svg(batch_history, {}, 20, 1000)
    points = re.search(r'class="hw-curve-train"[^>]*points="([^"]*)"', svg).group(1).split()
    assert len(points) <= curves.MOST_POINTS
    assert ET.fromstring(curves.curves_svg({}, {}, 3))  # before the first batch
