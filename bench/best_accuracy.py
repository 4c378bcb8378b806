"""The best recipe's test accuracy over 3 seeds, in Keras and in its TF.js export.

``bncnn`` at its registry recipe is trained with seeds 0, 1 and 2 on the 55,000 training images
(5,000 held out for validation); the test set is evaluated once per model, at the end. Each model
is then exported (float32) and the whole test set is read by the app in headless Chromium (wasm),
so the accuracy claimed is also the exported app's. Seed 0 is the accuracy section's model when
that section trained it with the same recipe (one run of 20 minutes saved); the other seeds'
models are kept in runs/bench/ beside it.
"""
from __future__ import annotations

from handwriting.data import load_mnist
from handwriting.export import export_web_app, verify_export
from handwriting.models import load_model
from handwriting.training import TrainingConfig, TrainingRun, save_model

from .common import (MODELS_DIR, QUICK_TRAIN_SIZE, ROOT, load_results, machine, markdown_table, median,
                     model_path)

TITLE = "Best accuracy: one recipe, 3 seeds, Keras and its TF.js export"
ARCH = "bncnn"
SEEDS = (0, 1, 2)
TARGET = 0.997          # issue #15: >= 99.7 % median of 3 seeds
BEFORE = 0.9958         # bncnn's 30-epoch recipe, seed 0, with the validation split (2026-11-29)
OUT = ROOT / "build" / "bench-best"
_RECIPE_FIELDS = ("epochs_planned", "batch_size", "learning_rate", "augment", "train_size")


def _accuracy_section_run(config: TrainingConfig, train_size: int):
    """The accuracy section's row and model for ``config`` when it trained exactly that recipe
    (same seed, full data, same schedule, not stopped); else None."""
    rows = load_results()["sections"].get("accuracy", {}).get("data", [])
    row = next((r for r in rows if r["architecture"] == config.architecture), None)
    wanted = {"epochs_planned": config.epochs, "batch_size": config.batch_size,
              "learning_rate": config.learning_rate, "augment": config.augment,
              "train_size": train_size}
    if (row is None or row.get("seed") != config.seed or row.get("stopped")
            or any(row.get(k) != wanted[k] for k in _RECIPE_FIELDS)
            or not model_path(config.architecture, quick=False).exists()):
        return None
    return row, load_model(model_path(config.architecture, quick=False))


def _trained(seed: int, data, quick: bool):
    """(row, model) of ``ARCH`` trained with ``seed``."""
    config = TrainingConfig.for_architecture(ARCH, seed=seed, **({"epochs": 1} if quick else {}))
    if not quick:
        reused = _accuracy_section_run(config, config.train_size(len(data[0][0])))
        if reused is not None:
            print(f"  seed {seed}: the accuracy section's model "
                  f"(test {reused[0]['test_accuracy']:.2%})", flush=True)
            return {**reused[0], "from_accuracy_section": True}, reused[1]
    run = TrainingRun(config, data=data)
    record = run.fit()
    save_model(run.model, MODELS_DIR / f"{ARCH}-seed{seed}{'-quick' if quick else ''}.keras")
    print(f"  seed {seed}: {record.summary()}", flush=True)
    return {**record.as_row(), "seed": seed, "measured": machine()}, run.model


def run(quick: bool = False) -> dict:
    data = (load_mnist(train_size=QUICK_TRAIN_SIZE, test_size=1000, quick=False) if quick
            else load_mnist(quick=False))
    x_test, y_test = data[1]
    rows = []
    for seed in SEEDS:
        row, model = _trained(seed, data, quick)
        out = export_web_app(model, OUT / f"seed{seed}", overwrite=True).out_dir
        report = verify_export(model, out, digits=len(y_test), backend="wasm",
                               test_data=(x_test, y_test), quantization=None)
        row.update(tfjs_accuracy=report.tfjs_accuracy, keras_accuracy=report.keras_accuracy,
                   argmax_agreement=report.argmax_agreement, max_abs_diff=report.max_abs_diff,
                   tfjs_backend=report.backend, test_digits=report.digits)
        print(f"  seed {seed}: TF.js ({report.backend}) {report.tfjs_accuracy:.2%}, Keras "
              f"{report.keras_accuracy:.2%}, max |dp| {report.max_abs_diff:.1e}", flush=True)
        rows.append(row)
    return {"title": TITLE, "markdown": markdown(rows), "data": rows}


def markdown(rows: list[dict]) -> str:
    """The section's table and verdict, from its rows (also re-rendered by ``--readme``)."""
    table = [[row["architecture"], row["seed"], row["epochs"], f"{row['seconds'] / 60:.0f}",
              f"{row['val_accuracy']:.2%}", f"**{row['test_accuracy']:.2%}**",
              f"{row['tfjs_accuracy']:.2%}", f"{row['argmax_agreement']:.2%} / {row['max_abs_diff']:.1e}"]
             for row in rows]
    text = markdown_table(["recipe", "seed", "epochs", "minutes", "val acc", "test acc (Keras)",
                           "test acc (TF.js, wasm)", "same argmax / max |Δp|"], table)
    keras, tfjs = median([r["test_accuracy"] for r in rows]), median([r["tfjs_accuracy"] for r in rows])
    met = keras >= TARGET and tfjs >= TARGET
    reused = [r["seed"] for r in rows if r.get("from_accuracy_section")]
    return text + (
        f"\n\n`{rows[0]['architecture']}`: median test accuracy **{keras:.2%}** over {len(rows)} "
        f"seeds in Keras, **{tfjs:.2%}** in its float32 TF.js export (all {rows[0]['test_digits']:,} "
        f"test digits read by the app in headless Chromium); before: {BEFORE:.2%} (the "
        f"30-epoch recipe, seed 0, measured on 2026-11-29; the issue's 99.61 % was measured with "
        f"the test set doubling as validation data). Target: >= {TARGET:.1%} median, "
        f"the export giving the same: **{'met' if met else 'not met'}**. One model per seed, no "
        "test-time augmentation or ensemble; the recipe is the registry's (see the accuracy "
        "section's notes)."
        + (f" Seed {reused[0]} is the accuracy section's run of the same recipe." if reused else ""))

