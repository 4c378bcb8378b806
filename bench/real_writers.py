"""Issue 31, "Real writers": train a candidate that reads real people's digits, and score it on
DEVELOPMENT data only.

Development data (looked at while choosing): MNIST's validation split (the 5,000 training images
:func:`handwriting.data.split_validation` holds out), the held-out part of the UCI pen digits
(:mod:`handwriting.drawn.pendigits`, ``load("held_out")``: it shares its 30 writers with the
training part, so it reads higher than unseen writers would) and non-digits from a training
generator with a seed no training uses (``non_digit_drawings(default_rng(5), 520)``, doodles
likewise), and issue 33's whole four-digit numbers made of that held-out part (the numbers
section's, read from strokes). The MNIST test set is never read here unless ``--test`` is given
(once, at the end, for the chosen candidate).

    PYTHONPATH=. HANDWRITING_MNIST=/work/shared/mnist nice -n 10 python -m bench.real_writers \\
        --out runs/real-writers --epochs 1 --learning-rate 3e-4 --pendigits-share 0.3

trains the candidate (the pretrained drawcnn fine-tuned on MNIST + drawn data + pen digits of
the training part, rendered with random variation) as ``python -m handwriting train`` does,
calibrated on the MNIST validation images, and writes model.keras, its calibration and run.json
(the run's record and settings, how it was made and its development numbers). The CLI makes
the same candidate from a trained drawcnn (:data:`handwriting.models.REBUILD_COMMAND`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from handwriting import data as data_module
from handwriting import files
from handwriting.drawn import doodle_drawings, non_digit_drawings, pendigits, to_model_inputs
from handwriting.honest import calibration as calibration_module
from handwriting.honest.drawn_benchmark import CONFIDENT, flag_rate
from handwriting.honest.metrics import predict_probabilities
from handwriting.jobs import train_and_calibrate
from handwriting.models.digit_model import PRETRAINED, as_digit_model
from handwriting.numbers import NumberReader
from handwriting.training import TrainingConfig, TrainingListener

from . import numbers as numbers_section

#: Seed of the development non-digits and doodles (no training stream uses it).
NON_DIGIT_SEED = 5
NON_DIGITS = 520
DOODLES = 200


def development_sets() -> dict:
    """{name: (images, labels)}: "mnist_val", "pendigits_held_out" (digit labels), "non_digits"
    and "doodles" (labels: True where the preprocessing refused the drawing: flagged)."""
    (x_train, y_train), _ = data_module.load_mnist(quick=False)
    _, (x_val, y_val) = data_module.split_validation(x_train, y_train)
    points, labels = pendigits.load("held_out")
    sets = {
        "mnist_val": (x_val, y_val),
        "pendigits_held_out": (pendigits.model_inputs(points), labels),
    }
    for name, make, n in (
        ("non_digits", non_digit_drawings, NON_DIGITS),
        ("doodles", doodle_drawings, DOODLES),
    ):
        images, refusals = to_model_inputs(make(np.random.default_rng(NON_DIGIT_SEED), n))
        sets[name] = (images, np.array([r is not None for r in refusals]))
    return sets


def pad_answers(calibrated: np.ndarray, labels: np.ndarray, calibration) -> dict:
    """What the pad answers on labelled digits: shares right / wrong / unsure / not a digit, and
    wrong with a calibrated confidence >= CONFIDENT (all as shares of every digit)."""
    verdicts = calibration.verdicts(calibrated)
    read = calibrated.argmax(axis=1)
    digit = verdicts == "digit"
    return {
        "right": float((digit & (read == labels)).mean()),
        "wrong": float((digit & (read != labels)).mean()),
        "unsure": float((verdicts == "unsure").mean()),
        "not_a_digit": float((verdicts == "not_a_digit").mean()),
        "wrong_confident": float(((read != labels) & (calibrated.max(axis=1) >= CONFIDENT)).mean()),
    }


def evaluate(model, calibration=None, sets=None) -> dict:
    """Every development number of ``model``; its calibration refitted on MNIST validation
    (:func:`handwriting.honest.calibration.fit`, as the CLI's train does) unless given."""
    sets = sets or development_sets()
    x_val, y_val = sets["mnist_val"]
    if calibration is None:
        calibration = calibration_module.fit(model, x_val, y_val)
    report = {"calibration": calibration.as_dict()}
    val_read = predict_probabilities(model, x_val).argmax(axis=1)
    report["mnist_val_accuracy"] = float((val_read == y_val).mean())
    x_pen, y_pen = sets["pendigits_held_out"]
    calibrated = calibration.apply(predict_probabilities(model, x_pen))
    read = calibrated.argmax(axis=1)
    report["pendigits_accuracy"] = float((read == y_pen).mean())
    report["pendigits_per_digit"] = [float((read[y_pen == d] == d).mean()) for d in range(10)]
    report["pendigits_pad"] = pad_answers(calibrated, y_pen, calibration)
    confusions = {}
    for true, got in zip(y_pen[read != y_pen], read[read != y_pen], strict=True):
        confusions[f"{true}->{got}"] = confusions.get(f"{true}->{got}", 0) + 1
    report["pendigits_confusions"] = dict(sorted(confusions.items(), key=lambda kv: -kv[1])[:8])
    for name in ("non_digits", "doodles"):
        images, refused = sets[name]
        verdicts = calibration.verdicts(calibration.apply(predict_probabilities(model, images)))
        report[f"{name}_flagged"] = flag_rate(np.where(refused, "refused", verdicts))
    report["four_digit_numbers_right"] = four_digit_numbers_right(model, calibration)
    return report


def four_digit_numbers_right(model, calibration) -> float:
    """Share of the numbers section's four-digit non-touching numbers (made of the pen digits'
    held-out part: development) that ``model`` with ``calibration`` reads right from strokes:
    issue 33's whole-number target, measured as ``python -m bench --only numbers`` does."""
    reader = NumberReader(model, calibration=calibration)
    chosen = [n for n in numbers_section.numbers_to_read(quick=False) if n.targeted]
    read = [reader.read_strokes(n.strokes, numbers_section.CANVAS).text for n in chosen]
    return float(np.mean([text == n.digits for text, n in zip(read, chosen, strict=True)]))


def mnist_test_accuracy(model) -> float:
    """The MNIST test set's argmax accuracy: report it once, for the chosen candidate only."""
    _, (x_test, y_test) = data_module.load_mnist(quick=False)
    return float((predict_probabilities(model, x_test).argmax(axis=1) == y_test).mean())


def summary(name: str, report: dict) -> str:
    """One line of :func:`evaluate`'s numbers, to compare candidates at a glance."""
    pad = report["pendigits_pad"]
    per = " ".join(f"{a:.0%}" for a in report["pendigits_per_digit"])
    calibration = report["calibration"]
    return (
        f"{name}: MNIST val {report['mnist_val_accuracy']:.2%} | pen held-out "
        f"{report['pendigits_accuracy']:.1%} [{per}] | pad right {pad['right']:.1%} wrong "
        f"{pad['wrong']:.1%} unsure {pad['unsure']:.1%} not-digit {pad['not_a_digit']:.1%} "
        f"wrong>=90% {pad['wrong_confident']:.2%} | non-digits flagged "
        f"{report['non_digits_flagged']:.1%} doodles {report['doodles_flagged']:.1%} | "
        f"four-digit numbers {report['four_digit_numbers_right']:.1%} | "
        f"T {calibration['temperature']:.3f} floor {calibration['floor']:.4f} | "
        f"{report['pendigits_confusions']}"
    )


def _commit() -> str:
    """The worktree's git commit (with "+changes" when it has uncommitted ones), or "unknown"."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=Path(__file__).parent, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        dirty = git("status", "--porcelain", "--untracked-files=no")
        return git("rev-parse", "HEAD") + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class _Progress(TrainingListener):
    """Print an epoch's logs, and every 100th batch (training a candidate takes minutes)."""

    def on_batch_end(self, run, epoch, batch, logs):
        if batch % 100 == 0:
            print(f"  epoch {epoch + 1} batch {batch}/{run.steps_per_epoch}: {logs}", flush=True)

    def on_epoch_end(self, run, epoch, logs):
        print(f"epoch {epoch + 1}: {logs} ({run.elapsed:.0f} s)", flush=True)


def train_candidate(
    out,
    start=PRETRAINED,
    architecture: str = "drawcnn",
    epochs: int = 1,
    learning_rate: float = 3e-4,
    pendigits_share: float = 0.3,
    seed: int = 0,
    sets=None,
    teacher: str | None = None,
) -> dict:
    """Train one candidate into ``out`` and score it on development data.

    The model is ``architecture``'s recipe (drawcnn: MNIST training digits minus the validation
    split, the drawn training data with non-digits trained towards "no idea", the pad-like
    augmentation, one-cycle schedule peaking at ``learning_rate``) plus ``pendigits_share`` x
    55,000 renderings of the pen digits' TRAINING part, started from the weights of ``start``
    ("pretrained" or a ``.keras`` of the same layers), and with a ``teacher`` (a ``.keras``)
    taught on the MNIST images (knowledge distillation, :mod:`handwriting.models.losses`).
    The run's "test" slot is given the MNIST validation images, so the test set is never
    read (its record's test_accuracy is the validation accuracy). Trained and saved by
    :func:`handwriting.jobs.train_and_calibrate` (``out``/model.keras with its calibration,
    fitted on the MNIST validation images, and run.json), then run.json gains how the
    candidate was made and :func:`evaluate`'s report.

    Returns: the run.json dict.
    """
    out = files.writable_folder(out)
    initial = Path(start)
    if start == PRETRAINED:  # the run starts from a .keras file of the same layers
        initial = out / "initial-pretrained.keras"
        as_digit_model(PRETRAINED).save(initial)
    (x_train, y_train), _ = data_module.load_mnist(quick=False)
    _, validation = data_module.split_validation(x_train, y_train)
    config = TrainingConfig.for_architecture(
        architecture,
        epochs=epochs,
        learning_rate=learning_rate,
        seed=seed,
        initial_model=str(initial),
        pendigits_share=pendigits_share,
        teacher=teacher,
    ).validate()
    started = time.time()
    run, saved = train_and_calibrate(
        config, ((x_train, y_train), validation), out, listeners=[_Progress()]
    )
    seconds = time.time() - started
    if saved is None:
        raise SystemExit(f"Stopped before the first epoch ended: nothing saved in {out}.")
    report = evaluate(run.model, saved.calibration, sets=sets)
    record = {
        **json.loads(saved.record_path.read_text()),
        "how": {
            "function": "bench.real_writers.train_candidate",
            "command": " ".join(["python -m bench.real_writers", *sys.argv[1:]]),
            "commit": _commit(),
            "start": str(start),
            "teacher": teacher,
            "note": (
                "the run's test slot held the MNIST validation images: its "
                "record.test_accuracy is the validation accuracy; the test set "
                "was not read while training or choosing"
            ),
        },
        "seconds": round(seconds, 1),
        "development": report,
    }
    files.write_json(saved.record_path, record)
    print(summary(str(out), report), f"| {seconds:.0f} s", flush=True)
    return record


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default=PRETRAINED, help="a .keras model or 'pretrained' to score"
    )
    parser.add_argument("--out", help="train a candidate into this folder (see train_candidate)")
    parser.add_argument("--start", default=PRETRAINED)
    parser.add_argument("--arch", default="drawcnn")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    parser.add_argument("--pendigits-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--teacher", help="a .keras model teaching the MNIST images (distillation)")
    parser.add_argument(
        "--shipped-calibration",
        action="store_true",
        help="score with the model's own calibration, not one refitted on MNIST validation",
    )
    parser.add_argument(
        "--test", action="store_true", help="also report MNIST test accuracy (once, at the end)"
    )
    args = parser.parse_args(argv)
    if args.out:
        train_candidate(
            args.out,
            args.start,
            args.arch,
            args.epochs,
            args.learning_rate,
            args.pendigits_share,
            args.seed,
            teacher=args.teacher,
        )
        args.model = str(Path(args.out) / "model.keras")
        if not args.test:
            return
    model = as_digit_model(args.model)
    calibration = calibration_module.for_model(args.model) if args.shipped_calibration else None
    report = evaluate(model, calibration)
    print(summary(args.model, report))
    if args.test:
        print(f"MNIST test accuracy: {mnist_test_accuracy(model):.2%}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
