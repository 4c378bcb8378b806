"""Section 1: every architecture's test accuracy at its default recipe, next to the tutorial's.

``python -m bench --only accuracy --arch bncnn`` re-measures one architecture and keeps the
other rows of the last full run.
"""
from __future__ import annotations

from handwriting import architectures
from handwriting.data import load_mnist
from handwriting.training import TrainingConfig, TrainingRun, save_model

from .common import MODELS_DIR, QUICK_TRAIN_SIZE, TUTORIAL_ACCURACY, load_results, markdown_table

TITLE = "Accuracy: every architecture at its default recipe (full MNIST)"
HEADERS = ["architecture", "epochs", "augment", "seconds", "s/epoch", "train acc", "test acc",
           "tutorial test acc", "parameters"]


def _table_row(row: dict) -> list:
    tutorial = TUTORIAL_ACCURACY.get(row["architecture"])
    return [row["architecture"], row["epochs"], "yes" if row["augment"] else "no",
            f"{row['seconds']:.0f}", f"{row['seconds_per_epoch']:.1f}", f"{row['train_accuracy']:.2%}",
            f"**{row['test_accuracy']:.2%}**", f"{tutorial:.2%}" if tutorial else "-",
            f"{row['parameters']:,}"]


def run(quick: bool = False, archs=None) -> dict:
    data = load_mnist(train_size=QUICK_TRAIN_SIZE, test_size=1000, quick=False) if quick else load_mnist(quick=False)
    measured = {}
    for name in archs or architectures.names():
        config = TrainingConfig.for_architecture(name, seed=0, **({"epochs": 1} if quick else {}))
        training = TrainingRun(config, data=data)
        record = training.fit()
        save_model(training.model, MODELS_DIR / f"{name}{'-quick' if quick else ''}.keras")
        measured[name] = record.as_row()
        print(f"  {name}: test {record.test_accuracy:.2%} in {record.seconds:.0f} s", flush=True)
    previous = {} if quick or not archs else {
        row["architecture"]: row for row in load_results()["sections"].get("accuracy", {}).get("data", [])}
    rows = [measured.get(name) or previous[name] for name in architectures.names()
            if name in measured or name in previous]
    return {"title": TITLE, "markdown": markdown_table(HEADERS, [_table_row(r) for r in rows]),
            "data": rows}
