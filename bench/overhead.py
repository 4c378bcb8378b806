"""Section 2: our TrainingRun (progress, stop and best-weights callbacks, the training panel's live
progress bar and plots) against a plain ``model.fit`` of the same model, data and epochs,
interleaved in one process."""
from __future__ import annotations

import math

import keras

from handwriting import architectures
from handwriting.data import load_mnist, make_dataset
from handwriting.training import TrainingConfig, TrainingRun, compile_model
from handwriting.widgets.training_panel import TrainingPanel, _PanelListener

from .common import markdown_table, median, timed

TITLE = "Training overhead: TrainingRun with the panel's live progress and plots vs plain model.fit"
ARCH = "cnn1"


def plain_fit(config: TrainingConfig, data) -> float:
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(config.seed)
    model = architectures.build(config.architecture)
    compile_model(model, config, math.ceil(len(x_train) / config.batch_size))
    train_ds = make_dataset(x_train, y_train, config.batch_size, seed=config.seed)
    test_ds = make_dataset(x_test, y_test, 1024, shuffle=False)
    _, seconds = timed(model.fit, train_ds, epochs=config.epochs, validation_data=test_ds,
                       verbose=0, shuffle=False)
    return seconds


def our_run(config: TrainingConfig, data) -> float:
    """A run with the notebook panel's own listener: progress bar and label every 0.25 s,
    the loss/accuracy plot re-drawn as a PNG after every epoch."""
    panel = TrainingPanel(data=data)
    run = TrainingRun(config, data=data, listeners=[_PanelListener(panel)])
    return run.fit().seconds


def run(quick: bool = False, repeats: int = 3) -> dict:
    data = load_mnist(train_size=5000, test_size=1000, quick=False) if quick else load_mnist(quick=False)
    config = TrainingConfig.for_architecture(ARCH, epochs=1, seed=0)
    plain_fit(config, data)  # warm-up: first graph building is paid once, by neither side
    plain, ours = [], []
    for _ in range(1 if quick else repeats):
        plain.append(plain_fit(config, data))
        ours.append(our_run(config, data))
    ratio = median(ours) / median(plain)
    print(f"  plain {plain}  ours {ours}  ratio {ratio:.3f}", flush=True)
    markdown = markdown_table(
        ["model", "epochs x images", "plain model.fit (median s)", "TrainingRun (median s)", "ratio", "target"],
        [[ARCH, f"{config.epochs} x {len(data[0][0]):,}", f"{median(plain):.2f}", f"{median(ours):.2f}",
          f"**{ratio:.3f}**", "<= 1.05"]])
    return {"title": TITLE, "markdown": markdown,
            "data": {"plain_seconds": plain, "ours_seconds": ours, "ratio": ratio}}
