"""The best recipe's test accuracy over 3 seeds, in Keras and in its TF.js export.

The recipe is an ensemble with test-time augmentation: three ``bncnn`` models at their registry
recipe, each trained alone on the 55,000 training images (5,000 held out for validation) with its
own seed, their probabilities averaged over the drawing as it is and moved one pixel each way, by
one exported model (``python -m handwriting train --arch bncnn --members 3 --tta``). Ensemble
seed ``s`` has the members ``3s``, ``3s + 1``, ``3s + 2``, so the three ensembles share no member;
each row also gives the ensemble's accuracy without the shifts. The test set is evaluated once
per model, at the end. Each ensemble is then exported (float32) and the whole test set is read by
the app in headless Chromium (wasm), so the accuracy claimed is also the exported app's. Members
are kept in runs/bench/ with their records and re-used while the recipe is unchanged (member
seed 0 is the accuracy section's run).

The verdict is on validation accuracy (the 5,000 training images each member held out), as issue
#32 asks of every target; the test figures are reported beside it. The recipe itself was chosen
after several variants missed on this very test set (:data:`VARIANTS_COMPARED_ON_TEST`): the text
says how many, and by how many test digits the median clears the target. "Before" is one
``bncnn`` alone: the accuracy section's row in bench/results.json, read when the text is written.
"""

from __future__ import annotations

from handwriting.data import load_mnist, split_validation
from handwriting.honest.metrics import accuracy
from handwriting.jobs import export_and_verify
from handwriting.models.ensemble import average, member_seeds, model_name, shift_averaged
from handwriting.training import TrainingConfig

from .common import (
    QUICK_TRAIN_SIZE,
    ROOT,
    load_results,
    machine,
    markdown_table,
    median,
    trained,
)

TITLE = (
    "Best accuracy: an ensemble of three bncnn with test-time shifts, 3 seeds, Keras and its "
    "TF.js export"
)
ARCH = "bncnn"
MEMBERS = 3
SEEDS = (0, 1, 2)
TARGET = 0.997  # issue #15: >= 99.7 % median of 3 seeds; judged on validation (issue #32)
#: The recipes compared on the MNIST test set before this one met the target there (issue #32's
#: account of the choice; bncnn's own recipe was also re-tuned after a test-set miss).
VARIANTS_COMPARED_ON_TEST = (
    "one bncnn",
    "three bncnn averaged",
    "two bncnn and a cnn2 averaged",
    "three bncnn averaged over test-time shifts",
)
OUT = ROOT / "build" / "bench-best"


def _ensemble_row(seed: int, data, quick: bool) -> tuple[dict, object]:
    seeds = member_seeds(seed, MEMBERS)
    members = [
        trained(
            TrainingConfig.for_architecture(
                ARCH, seed=member_seed, **({"epochs": 1} if quick else {})
            ),
            data,
            quick,
        )
        for member_seed in seeds
    ]
    plain = average(
        [member_model for _, member_model in members], name=model_name([ARCH] * MEMBERS)
    )
    model = shift_averaged(plain)
    (x_train, y_train), (x_test, y_test) = data
    x_val, y_val = split_validation(x_train, y_train)[1]
    row = {
        "architecture": ARCH,
        "seed": seed,
        "members": MEMBERS,
        "member_seeds": seeds,
        "tta": True,
        "epochs": members[0][0]["epochs"],
        "seconds": sum(r["seconds"] for r, _ in members),
        "member_test_accuracy": [accuracy(m, x_test, y_test) for _, m in members],
        "member_measured": [r["measured"]["date"] for r, _ in members],
        "val_accuracy_without_tta": accuracy(plain, x_val, y_val),
        "test_accuracy_without_tta": accuracy(plain, x_test, y_test),
        "val_accuracy": accuracy(model, x_val, y_val),
        "test_accuracy": accuracy(model, x_test, y_test),
        "measured": machine(),
    }
    print(
        f"  ensemble seed {seed} (members {seeds}): validation {row['val_accuracy']:.2%}, test "
        f"{row['test_accuracy']:.2%} (without the "
        f"shifts {row['test_accuracy_without_tta']:.2%}), members "
        + ", ".join(f"{a:.2%}" for a in row["member_test_accuracy"]),
        flush=True,
    )
    return row, model


def run(quick: bool = False) -> dict:
    data = (
        load_mnist(train_size=QUICK_TRAIN_SIZE, test_size=1000, quick=False)
        if quick
        else load_mnist(quick=False)
    )
    x_test, y_test = data[1]
    rows = []
    for seed in SEEDS:
        row, model = _ensemble_row(seed, data, quick)
        _, report, _ = export_and_verify(
            model,
            OUT / f"seed{seed}",
            overwrite=True,
            digits=len(y_test),
            verify_options={"backend": "wasm", "test_data": (x_test, y_test), "quantization": None},
        )
        row.update(
            tfjs_accuracy=report.tfjs_accuracy,
            keras_accuracy=report.keras_accuracy,
            argmax_agreement=report.argmax_agreement,
            max_abs_diff=report.max_abs_diff,
            tfjs_backend=report.backend,
            test_digits=report.digits,
        )
        print(
            f"  ensemble seed {seed}: TF.js ({report.backend}) {report.tfjs_accuracy:.2%}, Keras "
            f"{report.keras_accuracy:.2%}, max |dp| {report.max_abs_diff:.1e}",
            flush=True,
        )
        rows.append(row)
    return {"title": TITLE, "markdown": markdown(rows), "data": rows}


def single_model_row(results: dict | None = None) -> dict | None:
    """One ``bncnn`` alone, the "before" figure: the accuracy section's row for :data:`ARCH`,
    seed 0, in ``results`` (default: bench/results.json); None when it has none."""
    results = load_results() if results is None else results
    rows = results["sections"].get("accuracy", {}).get("data", [])
    return next((r for r in rows if r.get("architecture") == ARCH and r.get("seed", 0) == 0), None)


def _digits(accuracy: float, digits: int) -> int:
    return round(accuracy * digits)


def _before(single: dict | None) -> str:
    if not single:
        return (
            f"One `{ARCH}` alone: the accuracy section of bench/results.json has no `{ARCH}` row "
            "yet (`python -m bench --only accuracy`)."
        )
    return (
        f"Before: one `{ARCH}` alone at its registry recipe ({single['epochs']} epochs, seed "
        f"{single.get('seed', 0)}; the accuracy section's row in bench/results.json, measured "
        f"{single['measured']['date']}): validation {single['val_accuracy']:.2%}, test "
        f"{single['test_accuracy']:.2%}."
    )


def markdown(rows: list[dict], single: dict | None = None) -> str:
    """The section's table and verdict, from its rows (also re-rendered by ``--readme``); the
    "before" figure from ``single`` (default: :func:`single_model_row` of bench/results.json).
    The verdict is on validation accuracy when every row has it, else on test accuracy, saying
    so; either way the test figures come with the number of variants compared on the test set
    and the margin in test digits."""
    single = single_model_row() if single is None else single
    table = [
        [
            f"{row['architecture']} x {row['members']} + TTA",
            row["seed"],
            ", ".join(map(str, row["member_seeds"])),
            " / ".join(f"{a:.2%}" for a in row["member_test_accuracy"]),
            row["epochs"],
            f"{row['seconds'] / 60:.0f}",
            f"{row['val_accuracy_without_tta']:.2%} / {row['test_accuracy_without_tta']:.2%}"
            if "val_accuracy_without_tta" in row
            else "-",
            f"**{row['val_accuracy']:.2%}**" if "val_accuracy" in row else "-",
            f"{row['test_accuracy']:.2%}",
            f"{row['tfjs_accuracy']:.2%}",
            f"{row['argmax_agreement']:.2%} / {row['max_abs_diff']:.1e}",
        ]
        for row in rows
    ]
    text = markdown_table(
        [
            "recipe",
            "seed",
            "member seeds",
            "members' test acc",
            "epochs each",
            "minutes (all members)",
            "val / test acc without TTA",
            f"val acc (target {TARGET:.1%})",
            "test acc (Keras)",
            "test acc (TF.js, wasm)",
            "same argmax / max |Δp|",
        ],
        table,
    )
    first, n = rows[0], len(rows)
    digits = first["test_digits"]
    keras = median([r["test_accuracy"] for r in rows])
    tfjs = median([r["tfjs_accuracy"] for r in rows])
    singles = [a for row in rows for a in row["member_test_accuracy"]]
    plain = median([r["test_accuracy_without_tta"] for r in rows])
    same_export = all(
        _digits(r["tfjs_accuracy"], digits) == _digits(r["keras_accuracy"], digits) for r in rows
    )
    recipe = (
        f"An ensemble of {first['members']} `{first['architecture']}` with test-time "
        f"augmentation (one model averages their probabilities over the drawing as it is and "
        f"moved one pixel up, down, left and right: {first['members'] * 5} readings per digit)."
    )
    margin = _digits(keras, digits) - _digits(TARGET, digits)
    below = [r["seed"] for r in rows if r["test_accuracy"] < TARGET]
    test_account = (
        f"median test accuracy **{keras:.2%}** over {n} seeds in Keras, **{tfjs:.2%}** in its "
        f"float32 TF.js export (all {digits:,} test digits read by the app in headless "
        f"Chromium); without the shifts {plain:.2%}. {len(VARIANTS_COMPARED_ON_TEST)} recipe "
        "variants were compared on this test set, this one last ("
        + ", ".join(VARIANTS_COMPARED_ON_TEST)
        + (
            f"): the median clears {TARGET:.1%} by {margin} of the {digits:,} test digits"
            if margin > 0
            else f"): the median is {-margin} of the {digits:,} test digits short of {TARGET:.1%}"
            if margin < 0
            else f"): the median is exactly {TARGET:.1%}"
        )
        + (
            f" (seed{'s' if len(below) > 1 else ''} {', '.join(map(str, below))} "
            f"{'are' if len(below) > 1 else 'is'} below it)"
            if below
            else ""
        )
        + ". The recipe was chosen looking at this test set: here it is a development set."
    )
    if all("val_accuracy" in r for r in rows):
        val = median([r["val_accuracy"] for r in rows])
        met = val >= TARGET and same_export
        verdict = (
            f"Target: >= {TARGET:.1%} median validation accuracy over {n} seeds, its TF.js "
            f"export reading the test digits as Keras does: **{'met' if met else 'not met'}** "
            f"(median validation accuracy **{val:.2%}**, "
            f"{min(r['val_accuracy'] for r in rows):.2%} to "
            f"{max(r['val_accuracy'] for r in rows):.2%}; the export "
            f"{'matches' if same_export else 'does not match'}). Test accuracy, reported beside "
            f"it and not judged: {test_account}"
        )
    else:
        met = keras >= TARGET and tfjs >= TARGET
        verdict = (
            "These rows hold no validation accuracy of the ensemble, so the verdict is on the "
            f"test set: >= {TARGET:.1%} median test accuracy, the export giving the same: "
            f"**{'met' if met else 'not met'}**; {test_account}"
        )
    return text + (
        f"\n\n{recipe} {verdict} One `{first['architecture']}` alone in these ensembles: median "
        f"test accuracy {median(singles):.2%} over the {len(singles)} members "
        f"({min(singles):.2%} to {max(singles):.2%}). {_before(single)} Minutes are the "
        "members' training times added up (each row's members may have been trained on other "
        "days: dates in bench/results.json)."
    )
