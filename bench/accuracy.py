"""Section 1: every architecture's test accuracy at its default recipe, next to the tutorial's."""
from __future__ import annotations

from handwriting import architectures
from handwriting.data import load_mnist
from handwriting.training import TrainingConfig, TrainingRun, save_model

from .common import MODELS_DIR, TUTORIAL_ACCURACY, markdown_table

TITLE = "Accuracy: every architecture at its default recipe (full MNIST)"


def run(quick: bool = False, archs=None) -> dict:
    data = load_mnist(train_size=5000, test_size=1000, quick=False) if quick else load_mnist(quick=False)
    rows, table = [], []
    for name in archs or architectures.names():
        overrides = {"epochs": 1} if quick else {}
        config = TrainingConfig.for_architecture(name, seed=0, **overrides)
        run_ = TrainingRun(config, data=data)
        record = run_.fit()
        save_model(run_.model, MODELS_DIR / f"{name}{'-quick' if quick else ''}.keras")
        row = record.as_row()
        rows.append(row)
        tutorial = TUTORIAL_ACCURACY.get(name)
        table.append([name, record.epochs, "yes" if config.augment else "no", f"{record.seconds:.0f}",
                      f"{record.seconds_per_epoch:.1f}", f"{record.train_accuracy:.2%}",
                      f"**{record.test_accuracy:.2%}**", f"{tutorial:.2%}" if tutorial else "-",
                      f"{record.parameters:,}"])
        print(f"  {name}: test {record.test_accuracy:.2%} in {record.seconds:.0f} s", flush=True)
    markdown = markdown_table(
        ["architecture", "epochs", "augment", "seconds", "s/epoch", "train acc", "test acc",
         "tutorial test acc", "parameters"], table)
    return {"title": TITLE, "markdown": markdown, "data": rows}
