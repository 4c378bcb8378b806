"""Section 3: wall time until the model first reaches 99.0 % validation accuracy (checked every
epoch, on the 5,000 held-out training images); the test set is evaluated once, when it stops."""
from __future__ import annotations

from handwriting.data import load_mnist
from handwriting.training import TrainingConfig, TrainingListener, TrainingRun

from .common import markdown_table

TITLE = "Time to 99.0 % validation accuracy"
SEED = 0
TARGET = 0.99
TARGET_SECONDS = 60
#: Candidates, fastest first: (architecture, overrides of its recipe).
RECIPES = [("tiny", {}), ("cnn1", {"epochs": 6, "lr_decay": 0.7}), ("cnn2", {"epochs": 4, "lr_decay": 0.6})]


class StopAtTarget(TrainingListener):
    """Stops the run at the end of the first epoch whose validation accuracy reaches TARGET."""

    def __init__(self, target: float):
        self.target, self.reached_at, self.epoch = target, None, None

    def on_epoch_end(self, run, epoch, logs):
        if self.reached_at is None and logs.get("val_accuracy", 0.0) >= self.target:
            self.reached_at, self.epoch = run.elapsed, epoch + 1
            run.stop()


def run(quick: bool = False) -> dict:
    data = load_mnist(train_size=5000, test_size=1000, quick=False) if quick else load_mnist(quick=False)
    target = 0.9 if quick else TARGET
    rows = []
    for arch, overrides in RECIPES:
        config = TrainingConfig.for_architecture(arch, seed=SEED, **overrides)
        watcher = StopAtTarget(target)
        record = TrainingRun(config, data=data, listeners=[watcher]).fit()
        rows.append({"architecture": arch, "overrides": overrides, "target": target,
                     "recipe": {"epochs": config.epochs, "batch_size": config.batch_size,
                                "learning_rate": config.learning_rate, "lr_decay": config.lr_decay},
                     "reached_seconds": watcher.reached_at, "epochs": watcher.epoch,
                     "seconds": record.seconds, "val_accuracy": record.val_accuracy,
                     "final_test_accuracy": record.test_accuracy, "seed": SEED})
        print(f"  {arch}: {_reached(rows[-1])}", flush=True)
    return {"title": TITLE, "markdown": markdown(rows), "data": rows}


def _reached(row: dict) -> str:
    if row["reached_seconds"] is not None:
        return f"**{row['reached_seconds']:.0f} s** (epoch {row['epochs']})"
    return f"not reached in {row['recipe']['epochs']} epochs ({row['seconds']:.0f} s)"


def markdown(rows: list[dict]) -> str | None:
    """The section's table, target and notes, from its rows (also re-rendered by ``--readme``);
    None for rows measured before this format (their stored table stays as it was)."""
    if not all("recipe" in row for row in rows):
        return None
    target = rows[0]["target"]
    table = [[row["architecture"],
              "{epochs} ep, batch {batch_size}, lr {learning_rate}, decay {lr_decay}".format(**row["recipe"]),
              _reached(row), f"{row['val_accuracy']:.2%}", f"{row['final_test_accuracy']:.2%}"]
             for row in rows]
    text = markdown_table(["architecture", "recipe", f"time to {target:.1%} validation accuracy",
                           "val acc at stop", "test acc at stop"], table)
    times = [row["reached_seconds"] for row in rows if row["reached_seconds"] is not None]
    fastest = min(times) if times else None
    verdict = (f"fastest {fastest:.0f} s, **{'met' if fastest <= TARGET_SECONDS else 'not met'}**"
               if fastest is not None else "**not met** (no recipe reached it)")
    return text + (f"\n\nTarget: <= {TARGET_SECONDS} s wall on the 2-core CPU: {verdict}. Seed "
                   f"{rows[0]['seed']}; wall time of fitting, data loading excluded; validation "
                   "checked after every epoch. The original tutorial: about 200 s for 20 epochs on a GPU.")
