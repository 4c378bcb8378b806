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
"""

from __future__ import annotations

from handwriting.data import load_mnist, split_validation
from handwriting.honest.metrics import accuracy
from handwriting.jobs import export_and_verify
from handwriting.models.ensemble import average, member_seeds, model_name, shift_averaged
from handwriting.training import TrainingConfig

from .common import QUICK_TRAIN_SIZE, ROOT, machine, markdown_table, median, trained

TITLE = (
    "Best accuracy: an ensemble of three bncnn with test-time shifts, 3 seeds, Keras and its "
    "TF.js export"
)
ARCH = "bncnn"
MEMBERS = 3
SEEDS = (0, 1, 2)
TARGET = 0.997  # issue #15: >= 99.7 % median of 3 seeds
BEFORE = (
    0.9958  # bncnn's 30-epoch recipe, one model, seed 0, with the validation split (2026-11-29)
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
        f"  ensemble seed {seed} (members {seeds}): test {row['test_accuracy']:.2%} (without the "
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


def markdown(rows: list[dict]) -> str:
    """The section's table and verdict, from its rows (also re-rendered by ``--readme``)."""
    table = [
        [
            f"{row['architecture']} x {row['members']} + TTA",
            row["seed"],
            ", ".join(map(str, row["member_seeds"])),
            " / ".join(f"{a:.2%}" for a in row["member_test_accuracy"]),
            row["epochs"],
            f"{row['seconds'] / 60:.0f}",
            f"{row['val_accuracy_without_tta']:.2%} / {row['test_accuracy_without_tta']:.2%}",
            f"{row['val_accuracy']:.2%}",
            f"**{row['test_accuracy']:.2%}**",
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
            "val acc",
            "test acc (Keras)",
            "test acc (TF.js, wasm)",
            "same argmax / max |Δp|",
        ],
        table,
    )
    keras, tfjs = (
        median([r["test_accuracy"] for r in rows]),
        median([r["tfjs_accuracy"] for r in rows]),
    )
    singles = [a for row in rows for a in row["member_test_accuracy"]]
    met = keras >= TARGET and tfjs >= TARGET
    plain = median([r["test_accuracy_without_tta"] for r in rows])
    return text + (
        f"\n\nAn ensemble of {rows[0]['members']} `{rows[0]['architecture']}` with test-time "
        f"augmentation (one model averages their probabilities over the drawing as it is and moved "
        f"one pixel up, down, left and right: {rows[0]['members'] * 5} readings per digit): median "
        f"test accuracy **{keras:.2%}** over {len(rows)} seeds in Keras, **{tfjs:.2%}** in its "
        f"float32 TF.js export (all {rows[0]['test_digits']:,} test digits read by the app in "
        f"headless Chromium); without the shifts {plain:.2%}. One `{rows[0]['architecture']}` "
        "alone: "
        f"median {median(singles):.2%} over the {len(singles)} members ({min(singles):.2%} to "
        f"{max(singles):.2%}); before: {BEFORE:.2%} (one model, the 30-epoch recipe, seed 0, "
        f"measured on 2026-11-29; the issue's 99.61 % was measured with the test set doubling as "
        f"validation data). Target: >= {TARGET:.1%} median, the export giving the same: "
        f"**{'met' if met else 'not met'}**. Minutes are the members' training times added up "
        "(each row's members may have been trained on other days: dates in bench/results.json)."
    )
