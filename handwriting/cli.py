"""Command line: the notebook's jobs without a notebook (``python -m handwriting``).

    python -m handwriting architectures
    python -m handwriting train --arch cnn2 --epochs 12 --out runs/cnn2
    python -m handwriting train --arch drawcnn --init runs/bncnn/model.keras   # start from a bncnn
    python -m handwriting train --arch drawcnn --init runs/drawcnn/model.keras --epochs 1 \
        --lr 3e-4 --pendigits-share 0.3 --out runs/realcnn   # + real writers' pen digits
    python -m handwriting train --arch bncnn --members 3 --out runs/bncnn-x3   # an ensemble
    python -m handwriting train --members bncnn,bncnn,cnn2 --out runs/mixed    # mixed architectures
    python -m handwriting train --arch bncnn --members 3 --tta --out runs/tta  # + test-time shifts
    python -m handwriting evaluate --model runs/cnn2/model.keras
    python -m handwriting evaluate --model pretrained --drawn   # + digits and non-digits as drawn
    python -m handwriting average runs/taught-t4 runs/taught-t1 --out runs/soup  # mean weights
    python -m handwriting calibrate --model runs/cnn2/model.keras
    python -m handwriting export --model runs/cnn2/model.keras --out build/web --quantize uint8
    --zip
    python -m handwriting pretrained --run runs/drawcnn     # ship a run as the pretrained model
    python -m handwriting finetune --model pretrained --drawings my_digits --out mine.keras
    python -m handwriting read number.png                 # a digit or a number, either ink colour

Wherever a model is asked for, ``pretrained`` means the lab's own model, shipped in the package.

No lost work: a model is saved with its calibration (and its run.json) or not at all; a run
stopped with Ctrl+C before its first epoch ended saves nothing; a stopped run never replaces an
earlier model (it saves beside it, as model.stopped.keras); and an output that is one of the
command's inputs (also through a link), or a folder where a file goes, is refused before any
training.

One concern: the command line. Most of its lines are the argument parser and what each
command prints; every job it runs is in :mod:`handwriting.jobs`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

from . import files, jobs
from .browser import BrowserUnavailableError
from .constants import TEACHER_TEMPERATURE, TEACHER_WEIGHT
from .data import MnistDataError, load_mnist
from .drawn.collected import DrawingsError, skipped_lines
from .drawn.quickdraw import QuickDrawError
from .drawn.redrawn import CALIBRATION_DRAWINGS
from .export import ExportError, ParityError
from .honest.calibration import NOT_A_DIGIT_SHARE, CalibrationError, CalibrationWarning, for_model
from .honest.drawn_benchmark import drawn_report
from .honest.metrics import confusion_matrix, predict_probabilities
from .models import REBUILD_COMMAND, ModelError, architectures, as_digit_model, pretrained_record
from .models.digit_model import calibration_path
from .models.ensemble import MIXED_EXAMPLE, member_architectures, model_name
from .numbers import NumberError, NumberReader, load_picture
from .quiet_tensorflow import import_tensorflow
from .training import ConfigError, TrainingConfig, TrainingListener
from .training.finetune import format_changes, format_comparison

DEFAULT_ARCH = "cnn2"
NOTHING_SAVED = "Stopped before the first epoch ended: nothing to save; {out} is as it was."


class CtrlC(TrainingListener):
    """Ctrl+C while training ends the run after the current batch, as interrupted.

    A SIGINT only sets a flag, and the next batch's callback raises the KeyboardInterrupt: raised
    at a random point instead, inside TensorFlow's own Python code, it can be swallowed there
    and the epoch runs on (seen on a busy machine). A second Ctrl+C interrupts at once.
    """

    def on_run_begin(self, run):
        self.pressed, self._previous = False, None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._press)

    def _press(self, signum, frame):
        if self.pressed:
            raise KeyboardInterrupt
        self.pressed = True

    def on_batch_end(self, run, epoch, batch, logs):
        if self.pressed:
            raise KeyboardInterrupt

    def on_run_end(self, run):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


class ConsoleProgress(TrainingListener):
    """Prints a progress line per epoch, and an updating batch counter on a terminal."""

    def __init__(self, stream=sys.stdout):
        self.stream = stream
        self.interactive = stream.isatty()
        self._last = 0.0

    def on_run_begin(self, run):
        print(
            f"Training {run.config.architecture} for {run.config.epochs} epochs ...",
            file=self.stream,
        )

    def on_batch_end(self, run, epoch, batch, logs):
        now = time.perf_counter()
        if self.interactive and now - self._last > 0.2:
            self._last = now
            print(
                f"\r  epoch {epoch + 1}/{run.config.epochs}  batch "
                f"{batch + 1}/{run.steps_per_epoch}"
                f"  loss {logs.get('loss', float('nan')):.4f}",
                end="",
                file=self.stream,
                flush=True,
            )

    def on_epoch_end(self, run, epoch, logs):
        if self.interactive:
            print("\r" + " " * 70 + "\r", end="", file=self.stream)
        print(
            f"  epoch {epoch + 1}/{run.config.epochs}  {run.elapsed:7.1f} s  "
            f"loss {logs.get('loss', float('nan')):.4f}  acc "
            f"{logs.get('accuracy', float('nan')):.4f}  "
            f"val_acc {logs.get('val_accuracy', float('nan')):.4f}",
            file=self.stream,
            flush=True,
        )


def cmd_architectures(args) -> int:
    for name in architectures.names():
        print(
            f"{name:<8} {architectures.count_parameters(name):>10,} params  "
            f"{architectures.describe(name)}"
        )
    return 0


def cmd_train(args) -> int:
    overrides = {
        key: value
        for key, value in {
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "learning_rate": args.lr,
            "lr_decay": args.lr_decay,
            "optimizer": args.optimizer,
            "augment": args.augment,
            "data_fraction": args.fraction,
            "seed": args.seed,
            "validation_size": args.validation,
            "initial_model": args.init,
            "pendigits_share": args.pendigits_share,
            "teacher": args.teacher,
            "teacher_weight": args.teacher_weight,
            "teacher_temperature": args.teacher_temperature,
        }.items()
        if value is not None
    }
    if args.arch and "," in args.members:
        raise ConfigError(
            f"Give --arch with a count (--arch {args.arch} --members 3) or the list "
            f"alone (--members {args.members}), not both."
        )
    try:
        members = member_architectures(args.members, args.arch or DEFAULT_ARCH)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    if args.init and len(members) > 1:
        raise ConfigError(
            "--init starts one model from another's weights; an ensemble's members "
            "start from random weights (leave out --init or --members)."
        )
    if args.tta and len(members) == 1:
        raise ConfigError(
            "--tta averages an ensemble's readings (e.g. --arch bncnn --members 3 --tta); "
            "for one model it measured no better."
        )
    configs = [TrainingConfig.for_architecture(name, **overrides).validate() for name in members]
    out = jobs.output_folder(Path(args.out or f"runs/{model_name(members, args.tta)}"))
    jobs.check_outputs(jobs.run_files(out), {"--init": args.init} if args.init else {})
    data = load_mnist(quick=args.quick or None)
    if len(configs) > 1:
        return _train_ensemble(configs, data, out, tta=args.tta)
    if configs[0].initial_model is not None:
        print(f"Starting from the weights of {configs[0].initial_model}")
    run, saved = jobs.train_and_calibrate(configs[0], data, out, [ConsoleProgress(), CtrlC()])
    _say_trained(run, saved, out)
    return 130 if run.status == "interrupted" else 0


def _say_trained(run, saved, out: Path) -> None:
    if saved is None:
        print(NOTHING_SAVED.format(out=out))
        return
    print(run.record.summary())
    _say_saved(saved)
    if saved.beside is not None:
        print(
            f"Stopped early: {saved.beside}, an earlier model, is kept as it was; this run's "
            f"best epoch is {saved.model_path} (its record: {saved.record_path})."
        )


def _train_ensemble(configs: list, data, out: Path, tta: bool = False) -> int:
    def announce(k, config, seed):
        print(f"Member {k + 1} of {len(configs)}: {config.architecture} (seed {seed})")

    result = jobs.train_ensemble(
        configs, data, out, tta=tta, listeners=[ConsoleProgress(), CtrlC()], on_member=announce
    )
    if result.saved is None:
        print(
            f"Stopped: the {result.members_kept} member(s) trained so far are kept in {out}; "
            "no ensemble was written."
        )
        return 130
    record = result.record
    _say_saved(result.saved)
    print(
        f"Ensemble of {record['architecture']}: test {record['test_accuracy']:.2%} "
        f"(members {', '.join(f'{a:.2%}' for a in record['member_test_accuracy'])}), "
        f"{record['seconds']:.0f} s of training"
    )
    return 0


def _say_saved(saved: jobs.Saved) -> None:
    """Say what was saved: the calibration (how it was fitted) and the model."""
    calibration, held_out = saved.calibration, saved.held_out
    if calibration is not None:
        print(
            f"Calibration: temperature {calibration.temperature:.3f} (fitted on "
            f"{min(held_out, CALIBRATION_DRAWINGS):,} held-out training digits redrawn as pen "
            f"strokes); 'not a digit' when the top two hold less than {calibration.floor:.2%} (the "
            f"floor: {NOT_A_DIGIT_SHARE:.0%} of the {held_out:,} held-out digits fall below it), "
            "else "
            f"'not sure' below {calibration.sure:.0%} (and 'not a digit' when the top two hold "
            "less "
            f"than {calibration.pair:.0%}); saved {calibration_path(saved.model_path)}"
        )
    print(f"Saved {saved.model_path}")


def cmd_average(args) -> int:
    record, saved = jobs.average_runs(args.runs, args.out, quick=args.quick)
    print(f"Averaged the weights of {', '.join(args.runs)}")
    print(record.summary())
    _say_saved(saved)
    return 0


def cmd_calibrate(args) -> int:
    _say_saved(jobs.calibrate_and_save(args.model, quick=args.quick))
    return 0


def cmd_evaluate(args) -> int:
    model = as_digit_model(args.model)
    calibration = for_model(args.model)
    (_, _), (x_test, y_test) = load_mnist(train_size=1, quick=args.quick or None)
    probabilities = calibration.apply(predict_probabilities(model, x_test))
    predicted = probabilities.argmax(axis=1)
    print(f"{args.model}: test accuracy {(predicted == y_test).mean():.2%} on {len(y_test)} digits")
    print("confusion matrix (rows: true digit, columns: predicted digit)")
    for digit, row in enumerate(confusion_matrix(y_test, predicted)):
        print(f"  {digit}: " + " ".join(f"{n:5d}" for n in row))
    verdicts = calibration.verdicts(probabilities)
    answered = verdicts == "digit"
    print(
        f"What the pad would say (temperature {calibration.temperature:.3f}): a digit for "
        f"{answered.mean():.2%} ({(answered & (predicted == y_test)).mean():.2%} right), "
        f'"not sure" for {(verdicts == "unsure").mean():.2%}, '
        f'"not a digit" for {(verdicts == "not_a_digit").mean():.2%}'
    )
    if args.drawn:
        print("Drawn-digit benchmark (read as the pad reads them; about a minute) ...", flush=True)
        print(
            drawn_report(model, calibration, quick=args.quick or None, mnist_test=(x_test, y_test))
        )
    return 0


def cmd_export(args) -> int:
    result, report, _ = jobs.export_and_verify(
        args.model,
        args.out,
        quantization=args.quantize,
        overwrite=args.overwrite,
        zip=args.zip,
        verify=args.verify,
    )
    print(
        f"Wrote {result.out_dir} ({result.total_bytes / 1e6:.2f} MB, model "
        f"{result.model_bytes / 1e6:.2f} MB)"
    )
    if result.zip_path is not None:
        print(f"Zip: {result.zip_path}")
    if report is not None:
        print(report)
        if not report.ok:
            raise ParityError(report)
    return 0


def cmd_pretrained(args) -> int:
    if args.run:
        weights = jobs.ship_pretrained(args.run, replace=args.replace)
        print(f"Wrote {weights} ({weights.stat().st_size / 1e6:.2f} MB) and its record")
    record = pretrained_record()["record"]
    print(f"pretrained: {jobs.run_record(record).summary()}")
    print(f"rebuild: {REBUILD_COMMAND}")
    return 0


def cmd_finetune(args) -> int:
    """Fine-tune --model into --out (with its calibration); see :func:`jobs.finetune_and_save`."""

    def loaded(drawings):
        for line in skipped_lines(drawings.skipped):
            print(f"skipped {line}")
        print(
            f"{len(drawings)} drawings in {args.drawings}: "
            + ", ".join(f"{n} x {d}" for d, n in enumerate(drawings.counts()) if n)
        )

    run, result, saved = jobs.finetune_and_save(
        args.model,
        args.drawings,
        args.out,
        epochs=args.epochs,
        held_out=args.held_out,
        seed=args.seed,
        quick=args.quick,
        listeners=[ConsoleProgress(), CtrlC()],
        on_loaded=loaded,
    )
    if saved is None:
        print(NOTHING_SAVED.format(out=args.out))
        return 130
    print(run.record.summary())
    for line in format_changes(result.comparison, result.held_out):
        print(f"  changed {line}")
    print(format_comparison(result.comparison))
    print(f"Calibration: {result.calibration_note}; saved {calibration_path(saved.model_path)}")
    print(f"Saved {saved.model_path}")
    if saved.beside is not None:
        print(
            f"Stopped early: {saved.beside}, an earlier model, is kept as it was; this run's best "
            f"epoch is {saved.model_path}."
        )
    return 130 if run.status == "interrupted" else 0


def cmd_read(args) -> int:
    """Read a digit or a number from a PNG (:mod:`handwriting.numbers`) and print each digit."""
    picture = load_picture(args.image)
    height, width = picture.size
    widened = " (narrower than high: read on a square, background added left and right)"
    print(f"{args.image}: {picture.polarity}, {width}x{height}{widened if picture.widened else ''}")
    reading = NumberReader(args.model).read(picture.canvas)
    if reading.refused:
        print(f"nothing read: {reading.message}")
        return 0
    print(f"number: {reading.text}")
    for i, (digit, box) in enumerate(zip(reading.digits, reading.boxes, strict=True)):
        read = "?" if digit.refused else str(digit.digit)
        confidence = "" if digit.confidence is None else f"{digit.confidence:.1%}"
        where = f"x {box[0]}-{box[2] - 1}, y {box[1]}-{box[3] - 1}"
        print(f"  {i + 1}. {read} {confidence:>7}  {where}  {digit.message}".rstrip())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m handwriting", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("architectures", help="list the architectures").set_defaults(
        func=cmd_architectures
    )

    train = sub.add_parser("train", help="train a model on MNIST and save it")
    train.add_argument("--arch", choices=architectures.names(), help=f"default {DEFAULT_ARCH}")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--lr", type=float, help="learning rate")
    train.add_argument("--lr-decay", type=float, help="learning-rate multiplier per epoch (0-1]")
    train.add_argument("--optimizer", choices=("adam", "sgd", "rmsprop"))
    train.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None)
    train.add_argument("--fraction", type=float, help="share of the training data to use (0-1]")
    train.add_argument("--seed", type=int)
    train.add_argument(
        "--init",
        metavar="MODEL.keras",
        help="start from this saved model's weights (same layers, e.g. a bncnn for drawcnn)",
    )
    train.add_argument(
        "--pendigits-share",
        type=float,
        metavar="SHARE",
        help="also train on real writers' pen digits (the training part of the UCI pen "
        "digits, drawn anew with random variation), SHARE x the MNIST training images "
        "(0-10, default 0; drawcnn, augmented)",
    )
    train.add_argument(
        "--teacher",
        metavar="MODEL.keras",
        help="also learn this trained model's readings of the MNIST training images "
        "(knowledge distillation: e.g. a bncnn teaching a drawcnn that learns the pen digits "
        "to keep reading MNIST as well; drawcnn)",
    )
    train.add_argument(
        "--teacher-weight",
        type=float,
        metavar="W",
        help=f"the teacher's share of a taught image's loss (0-1, default {TEACHER_WEIGHT})",
    )
    train.add_argument(
        "--teacher-temperature",
        type=float,
        metavar="T",
        help="softens the teacher's and the model's readings before they are compared "
        f"(default {TEACHER_TEMPERATURE}; Hinton et al. use 2-20)",
    )
    train.add_argument(
        "--validation",
        type=int,
        metavar="N",
        help="training images held out for validation (default 5000; 0: none)",
    )
    train.add_argument(
        "--members",
        default="1",
        metavar="N|ARCH,ARCH,...",
        help=f"train N models of --arch, or one of each listed architecture (e.g. "
        f"{MIXED_EXAMPLE}), with seeds N*SEED .. N*SEED+N-1, and save their average",
    )
    train.add_argument(
        "--tta",
        action="store_true",
        help="test-time augmentation for an ensemble: also read each digit moved one "
        "pixel up, down, left and right, and average the five readings",
    )
    train.add_argument(
        "--out",
        help="output folder (default runs/ARCH; an ensemble: runs/bncnn_x3, "
        "runs/bncnn_x2_cnn2, runs/bncnn_x3_tta, ...): model.keras, its calibration and "
        "run.json, replaced together. Stopped with Ctrl+C, a run keeps its best epoch, "
        "beside an earlier model.keras as model.stopped.keras (and run.stopped.json); "
        "stopped before its first epoch ended, it writes nothing",
    )
    train.add_argument(
        "--quick", action="store_true", help="small data subset (as $HANDWRITING_QUICK=1)"
    )
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser(
        "evaluate", help="test accuracy and confusion matrix of a saved model"
    )
    evaluate.add_argument("--model", required=True, help="a .keras file, or 'pretrained'")
    evaluate.add_argument("--quick", action="store_true")
    evaluate.add_argument(
        "--drawn",
        action="store_true",
        help="also read the drawn-digit benchmark: digits redrawn as pen strokes, "
        "hand-written styles and non-digits, as the pad reads them",
    )
    evaluate.set_defaults(func=cmd_evaluate)

    soup = sub.add_parser(
        "average",
        help="average the weights of fine-tunes of one run into one model (a model soup), "
        "calibrated, with its run.json",
    )
    soup.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help="training run folders (model.keras and run.json), each a fine-tune of one run "
        "(train --init the same model)",
    )
    soup.add_argument("--out", required=True, help="output folder (model.keras, run.json)")
    soup.add_argument("--quick", action="store_true")
    soup.set_defaults(func=cmd_average)

    calibrate = sub.add_parser(
        "calibrate",
        help="fit a saved model's temperature and not-a-digit "
        "floor on held-out training digits (written beside it as "
        ".calibration.json)",
    )
    calibrate.add_argument("--model", required=True)
    calibrate.add_argument("--quick", action="store_true")
    calibrate.set_defaults(func=cmd_calibrate)

    export = sub.add_parser("export", help="write the TF.js browser app for a saved model")
    export.add_argument("--model", required=True, help="a .keras file, or 'pretrained'")
    export.add_argument("--out", required=True)
    export.add_argument("--quantize", choices=("float16", "uint8"))
    export.add_argument("--zip", action="store_true", help="also write OUT.zip")
    export.add_argument(
        "--overwrite",
        action="store_true",
        help="replace OUT if it is an earlier export (never another folder)",
    )
    export.add_argument("--verify", action="store_true", help="check TF.js vs Keras in Chromium")
    export.set_defaults(func=cmd_export)

    pretrained = sub.add_parser(
        "pretrained", help="show the lab's pretrained model; --run ships a new one"
    )
    pretrained.add_argument(
        "--run",
        help="a `train --out` folder (model.keras + run.json) to ship "
        "inside the package as the pretrained model",
    )
    pretrained.add_argument(
        "--replace",
        action="store_true",
        help="ship the run even if its validation accuracy (the mean of MNIST validation and "
        "the pen digits' held-out part) is below the current one's",
    )
    pretrained.set_defaults(func=cmd_pretrained)

    finetune = sub.add_parser(
        "finetune",
        help="teach a model your handwriting: fine-tune it on a "
        "folder of drawings (DIR/<digit>/*.png) mixed with MNIST",
    )
    finetune.add_argument("--model", required=True, help="the base: a .keras file, or 'pretrained'")
    finetune.add_argument(
        "--drawings",
        required=True,
        metavar="DIR",
        help="drawings folder, one sub-folder per digit 0-9 of PNGs (white on black)",
    )
    finetune.add_argument(
        "--out",
        required=True,
        help="the fine-tuned model (.keras; not the base), saved with its calibration; "
        "stopped with Ctrl+C, beside an existing OUT as NAME.stopped.keras",
    )
    finetune.add_argument("--epochs", type=int)
    finetune.add_argument(
        "--held-out",
        type=float,
        default=0.3,
        help="share of each digit's drawings kept to compare before/after (default 0.3)",
    )
    finetune.add_argument("--seed", type=int, default=0, help="seed of that split")
    finetune.add_argument(
        "--quick", action="store_true", help="small MNIST subsets (as $HANDWRITING_QUICK=1)"
    )
    finetune.set_defaults(func=cmd_finetune)

    read = sub.add_parser(
        "read",
        help="read a digit or a number from a PNG: white ink on black or dark ink on a light "
        "page (told apart by the border); prints the number and each digit's reading",
    )
    read.add_argument("image", metavar="IMAGE.png")
    read.add_argument("--model", default="pretrained", help="a .keras file, or 'pretrained'")
    read.set_defaults(func=cmd_read)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    import_tensorflow()
    with warnings.catch_warnings():
        show = warnings.showwarning

        def one_line(message, category, *where, **more):
            if issubclass(category, CalibrationWarning):  # for the learner: no source line
                print(f"warning: {message}", file=sys.stderr)
            else:
                show(message, category, *where, **more)

        warnings.showwarning = one_line
        return _run(args)


def _run(args) -> int:
    try:
        return args.func(args)
    except (
        ConfigError,
        MnistDataError,
        ModelError,
        ExportError,
        BrowserUnavailableError,
        CalibrationError,
        DrawingsError,
        QuickDrawError,
        NumberError,
        FileExistsError,
        FileNotFoundError,
        files.SaveError,
    ) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
