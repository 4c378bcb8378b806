"""Section 2: the training panel's run (TrainingRun's progress, stop and best-weights callbacks, the
live progress bar and plots) against a plain ``model.fit`` of the same model, data and epochs,
interleaved in one process: fitting alone, and the whole Train click including the end-of-run
evaluation (validation and test) and analysis plots (confusion matrix, mistakes)."""

from __future__ import annotations

import math

import keras

from handwriting.data import load_mnist, make_dataset
from handwriting.models import architectures
from handwriting.training import TrainingConfig, compile_model
from handwriting.widgets.training_panel import TrainingPanel

from .common import markdown_table, median, timed

TITLE = "Training overhead: the training panel's run vs plain model.fit"
ARCH = "cnn1"
TARGET = 1.03


def plain_fit(config: TrainingConfig, data) -> float:
    """Seconds of a bare ``model.fit`` on the same training / validation images as a run."""
    (x_all, y_all), _ = data
    train, validation = config.split(len(x_all))
    keras.utils.set_random_seed(config.seed)
    model = architectures.build(config.architecture)
    compile_model(model, config, math.ceil(len(train) / config.batch_size))
    train_ds = make_dataset(x_all[train], y_all[train], config.batch_size, seed=config.seed)
    val_ds = make_dataset(x_all[validation], y_all[validation], 1024, shuffle=False)
    _, seconds = timed(
        model.fit, train_ds, epochs=config.epochs, validation_data=val_ds, verbose=0, shuffle=False
    )
    return seconds


def our_run(config: TrainingConfig, data) -> tuple[float, float]:
    """(fitting seconds, whole-click seconds) of the panel's own run: progress bar and label
    every 0.25 s, the live curves (every batch's loss and accuracy) re-drawn every second and
    after every epoch, then the end-of-run evaluation and analysis plots, as a Train click does."""
    panel = TrainingPanel(
        data=data, architecture=config.architecture, epochs=config.epochs, seed=config.seed
    )
    record, whole = timed(panel.train, wait=True)
    return record.seconds, whole


def run(quick: bool = False, repeats: int = 3) -> dict:
    data = (
        load_mnist(train_size=5000, test_size=1000, quick=False)
        if quick
        else load_mnist(quick=False)
    )
    config = TrainingConfig.for_architecture(ARCH, epochs=1, seed=0)
    plain_fit(config, data)  # warm-up: first graph building is paid once, by neither side
    plain, ours, whole = [], [], []
    for _ in range(1 if quick else repeats):
        plain.append(plain_fit(config, data))
        fit_seconds, click_seconds = our_run(config, data)
        ours.append(fit_seconds)
        whole.append(click_seconds)
    ratio, whole_ratio = median(ours) / median(plain), median(whole) / median(plain)
    print(
        f"  plain {plain}  ours {ours}  whole click {whole}  ratio {ratio:.3f} / {whole_ratio:.3f}",
        flush=True,
    )
    images = f"{config.epochs} x {config.train_size(len(data[0][0])):,}"
    markdown = markdown_table(
        [
            "model",
            "epochs x training images",
            "what is timed",
            "plain model.fit (median s)",
            "panel run (median s)",
            "ratio",
            "target",
        ],
        [
            [
                ARCH,
                images,
                "fitting only (progress every 0.25 s and live curves every 1 s included)",
                f"{median(plain):.2f}",
                f"{median(ours):.2f}",
                f"**{ratio:.3f}**",
                f"<= {TARGET}",
            ],
            [
                ARCH,
                images,
                "the whole Train click: fitting + end-of-run evaluation (validation, test) "
                "+ confusion matrix and mistakes plots",
                f"{median(plain):.2f}",
                f"{median(whole):.2f}",
                f"{whole_ratio:.3f}",
                "-",
            ],
        ],
    )
    markdown += (
        f"\n\n{len(plain)} interleaved runs each, seed {config.seed}. Target: the panel's "
        f"run (live curves included) <= {TARGET} x plain `model.fit`: "
        f"**{'met' if ratio <= TARGET else 'not met'}**."
    )
    return {
        "title": TITLE,
        "markdown": markdown,
        "data": {
            "plain_seconds": plain,
            "ours_seconds": ours,
            "whole_click_seconds": whole,
            "ratio": ratio,
            "whole_click_ratio": whole_ratio,
        },
    }
