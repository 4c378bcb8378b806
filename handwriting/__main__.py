"""Command line: the notebook's jobs without a notebook.

    python -m handwriting architectures
    python -m handwriting train --arch cnn2 --epochs 12 --out runs/cnn2
    python -m handwriting train --arch drawcnn --init runs/bncnn/model.keras   # start from a bncnn
    python -m handwriting train --arch bncnn --members 3 --out runs/bncnn-x3   # an ensemble
    python -m handwriting train --members bncnn,bncnn,cnn2 --out runs/mixed    # mixed architectures
    python -m handwriting train --arch bncnn --members 3 --tta --out runs/tta  # + test-time shifts
    python -m handwriting evaluate --model runs/cnn2/model.keras
    python -m handwriting evaluate --model pretrained --drawn   # + digits and non-digits as drawn
    python -m handwriting calibrate --model runs/cnn2/model.keras
    python -m handwriting export --model runs/cnn2/model.keras --out build/web --quantize uint8 --zip
    python -m handwriting pretrained --run runs/drawcnn     # ship a run as the pretrained model
    python -m handwriting finetune --model pretrained --drawings my_digits --out mine.keras

Wherever a model is asked for, ``pretrained`` means the lab's own model, shipped in the package.

No lost work: a model is saved with its calibration (and its run.json) or not at all; a run
stopped with Ctrl+C before its first epoch ended saves nothing; a stopped run never replaces an
earlier model (it saves beside it, as model.stopped.keras); and an output that is one of the
command's inputs (also through a link), or a folder where a file goes, is refused before any
training.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
import warnings
from pathlib import Path

from .models import architectures
from . import files
from .browser import BrowserUnavailableError
from .honest.calibration import CalibrationError, CalibrationWarning
from .data import MnistDataError
from .drawn.collected import DrawingsError
from .models.ensemble import MIXED_EXAMPLE, member_architectures, model_name
from .export import ExportError
from .models.digit_model import PRETRAINED, ModelError, calibration_path, save_model
from .drawn.quickdraw import QuickDrawError
from .quiet_tensorflow import import_tensorflow
from .training.run import ConfigError, TrainingListener

DEFAULT_ARCH = "cnn2"
#: What ``train`` writes into its --out folder (and model.keras' calibration beside it).
MODEL_FILE, RECORD_FILE, CHECKPOINT_FILE = "model.keras", "run.json", "checkpoint.keras"
NOTHING_SAVED = "Stopped before the first epoch ended: nothing to save; {out} is as it was."


class ConsoleProgress(TrainingListener):
    """Prints a progress line per epoch, and an updating batch counter on a terminal."""

    def __init__(self, stream=sys.stdout):
        self.stream = stream
        self.interactive = stream.isatty()
        self._last = 0.0

    def on_run_begin(self, run):
        print(f"Training {run.config.architecture} for {run.config.epochs} epochs ...", file=self.stream)

    def on_batch_end(self, run, epoch, batch, logs):
        now = time.perf_counter()
        if self.interactive and now - self._last > 0.2:
            self._last = now
            print(f"\r  epoch {epoch + 1}/{run.config.epochs}  batch {batch + 1}/{run.steps_per_epoch}"
                  f"  loss {logs.get('loss', float('nan')):.4f}", end="", file=self.stream, flush=True)

    def on_epoch_end(self, run, epoch, logs):
        if self.interactive:
            print("\r" + " " * 70 + "\r", end="", file=self.stream)
        print(f"  epoch {epoch + 1}/{run.config.epochs}  {run.elapsed:7.1f} s  "
              f"loss {logs.get('loss', float('nan')):.4f}  acc {logs.get('accuracy', float('nan')):.4f}  "
              f"val_acc {logs.get('val_accuracy', float('nan')):.4f}", file=self.stream, flush=True)


class EpochCheckpoint(TrainingListener):
    """Saves the model after every completed epoch, so that a run killed late still leaves a model."""

    def __init__(self, path: Path):
        self.path = path

    def on_epoch_end(self, run, epoch, logs):
        if run.completed_epochs == epoch + 1:
            run.save(self.path)


def cmd_architectures(args) -> int:
    for name in architectures.names():
        print(f"{name:<8} {architectures.count_parameters(name):>10,} params  {architectures.describe(name)}")
    return 0


def cmd_train(args) -> int:
    from .data import load_mnist
    from .training.run import TrainingConfig

    overrides = {key: value for key, value in {
        "epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.lr,
        "lr_decay": args.lr_decay, "optimizer": args.optimizer, "augment": args.augment,
        "data_fraction": args.fraction, "seed": args.seed,
        "validation_size": args.validation, "initial_model": args.init}.items() if value is not None}
    if args.arch and "," in args.members:
        raise ConfigError(f"Give --arch with a count (--arch {args.arch} --members 3) or the list "
                          f"alone (--members {args.members}), not both.")
    try:
        members = member_architectures(args.members, args.arch or DEFAULT_ARCH)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    if args.init and len(members) > 1:
        raise ConfigError("--init starts one model from another's weights; an ensemble's members "
                          "start from random weights (leave out --init or --members).")
    if args.tta and len(members) == 1:
        raise ConfigError("--tta averages an ensemble's readings (e.g. --arch bncnn --members 3 --tta); "
                          "for one model it measured no better.")
    configs = [TrainingConfig.for_architecture(name, **overrides).validate() for name in members]
    out = _output_folder(Path(args.out or f"runs/{model_name(members, args.tta)}"))
    _check_outputs(_run_files(out), {"--init": args.init} if args.init else {})
    data = load_mnist(quick=args.quick or None)
    if len(configs) > 1:
        return _train_ensemble(configs, data, out, tta=args.tta)
    run = _train_run(configs[0], data, out)
    return 130 if run.status == "interrupted" else 0


def _output_folder(folder: Path) -> Path:
    """``folder``, made and checked writable before any training (:func:`files.writable_folder`)."""
    try:
        return files.writable_folder(folder)
    except files.FolderError as err:
        raise ConfigError(f"{err}; choose another --out.") from None


def _run_files(out: Path) -> list[Path]:
    """The files a training run may replace in its --out folder ``out``."""
    model = out / MODEL_FILE
    return [model, calibration_path(model), out / RECORD_FILE, out / CHECKPOINT_FILE]


def _model_files(model: str | Path) -> dict[str, Path]:
    """A model given as a command's input: the ``.keras`` file and its calibration ({} for
    :data:`PRETRAINED`, which lives in the package)."""
    if model == PRETRAINED:
        return {}
    return {"": Path(model), " (its calibration)": calibration_path(model)}


def _check_outputs(outputs: list[Path], inputs: dict[str, str | Path],
                   fix: str = "choose another --out") -> None:
    """Before any work: each of ``outputs`` can be written as a file
    (:func:`files.writable_as_files`) and none is one of the command's ``inputs``
    ({option: path}), also through a link (:func:`files.same_file`)."""
    try:
        files.writable_as_files(*outputs)
    except files.SaveError as err:
        raise ConfigError(f"{str(err).rstrip('.')}; {fix}.") from None
    for output in outputs:
        for option, given in inputs.items():
            if files.same_file(output, given):
                same_name = os.path.abspath(output) == os.path.abspath(given)
                through = "" if same_name else " (the same file, through a link)"
                raise ConfigError(f"{output} is {option} {given}{through}: writing it would destroy "
                                  f"an input of this command. Nothing was written; {fix}.")


def _stopped_paths(*paths: Path) -> tuple[Path, ...]:
    """New names beside ``paths`` for a stopped run's result, which must not replace an earlier
    model: model.keras -> model.stopped.keras, run.json -> run.stopped.json (then .stopped-2,
    ...): the first tag that none of them, nor the model's calibration, uses yet."""
    for n in itertools.count(1):
        tag = ".stopped" if n == 1 else f".stopped-{n}"
        named = tuple(path.with_name(path.stem + tag + path.suffix) for path in paths)
        if not any(path.exists() for path in (*named, calibration_path(named[0]))):
            return named


def _train_run(config, data, out: Path):
    """Train one model into ``out``: model.keras with its calibration and run.json, and
    checkpoint.keras after every completed epoch.

    A run stopped (Ctrl+C) before its first epoch ended writes nothing. A run stopped later
    keeps its best epoch: in model.keras if ``out`` had no model yet, else beside the earlier
    one, as model.stopped.keras and run.stopped.json (:func:`_stopped_paths`).
    """
    from .training.run import TrainingRun

    checkpoint = out / CHECKPOINT_FILE
    run = TrainingRun(config, data=data, listeners=[ConsoleProgress(), EpochCheckpoint(checkpoint)])
    if config.initial_model is not None:
        print(f"Starting from the weights of {config.initial_model}")
    record = run.fit()
    if record is None:
        print(NOTHING_SAVED.format(out=out))
        return run
    print(record.summary())
    model_path, record_path = out / MODEL_FILE, out / RECORD_FILE
    if record.stopped and model_path.exists():
        model_path, record_path = _stopped_paths(model_path, record_path)
    started = {} if config.initial_model is None else {"initial_model": str(config.initial_model)}
    try:
        calibration = _fit_calibration(run.model, *run.validation)
        save_model(run.model, model_path, calibration,
                   records={record_path: {"record": record.as_row(), "history": run.history, **started}})
    except KeyboardInterrupt:
        print(f"Interrupted before {model_path} was saved; {checkpoint} holds the model of the last "
              "completed epoch.", file=sys.stderr)
        raise
    _saved(model_path, calibration, len(run.validation[1]))
    if model_path.name != MODEL_FILE:
        print(f"Stopped early: {out / MODEL_FILE}, an earlier model, is kept as it was; this run's "
              f"best epoch is {model_path} (its record: {record_path}).")
    return run


def _train_ensemble(configs: list, data, out: Path, tta: bool = False) -> int:
    """Train one model per config (seeds from :func:`ensemble.member_seeds`), each in its own
    folder out/memberK, then save their average (``tta``: also over the drawing moved a pixel
    each way) as out/model.keras with its calibration."""
    import dataclasses

    from .models.ensemble import average, describe, member_seeds, shift_averaged
    from .honest.metrics import accuracy

    members = len(configs)
    names = [config.architecture for config in configs]
    seeds = member_seeds(configs[0].seed or 0, members)
    runs = []
    for k, (config, seed) in enumerate(zip(configs, seeds)):
        print(f"Member {k + 1} of {members}: {config.architecture} (seed {seed})")
        run = _train_run(dataclasses.replace(config, seed=seed), data, out / f"member{k}")
        if run.status == "interrupted":
            print(f"Stopped: the {k + (run.record is not None)} member(s) trained so far are kept "
                  f"in {out}; no ensemble was written.")
            return 130
        runs.append(run)
    model = average([run.model for run in runs], name=model_name(names))
    validation, (x_test, y_test) = runs[0].validation, data[1]

    def accuracies(reader) -> dict:
        return {"val_accuracy": accuracy(reader, *validation) if len(validation[1]) else float("nan"),
                "test_accuracy": accuracy(reader, x_test, y_test)}

    record = {"architecture": describe(names) + (" + TTA" if tta else ""), "members": names,
              "seeds": seeds, "tta": tta, "seconds": sum(run.record.seconds for run in runs)}
    if tta:
        record["without_tta"] = accuracies(model)
        model = shift_averaged(model)                    # named bncnn_x3_tta, ...
    record.update(accuracies(model), member_test_accuracy=[run.record.test_accuracy for run in runs])
    calibration = _fit_calibration(model, *validation)
    model_path = save_model(model, out / MODEL_FILE, calibration,
                            records={out / RECORD_FILE: {"ensemble": record}})
    _saved(None, calibration, len(validation[1]), calibration_path(model_path))
    print(f"Ensemble of {record['architecture']}: test {record['test_accuracy']:.2%} "
          f"(members {', '.join(f'{a:.2%}' for a in record['member_test_accuracy'])}), "
          f"{record['seconds']:.0f} s of training")
    print(f"Saved {model_path}")
    return 0


def _fit_calibration(model, x_val, y_val):
    """The model's calibration fitted on held-out digits (None when there are none)."""
    from .honest.calibration import fit

    return fit(model, x_val, y_val) if len(y_val) else None


def _saved(model_path, calibration, held_out: int, calibration_file=None) -> None:
    """Say what was saved: the calibration (how it was fitted) and the model (unless None)."""
    from .honest.calibration import NOT_A_DIGIT_SHARE
    from .drawn.redrawn import CALIBRATION_DRAWINGS

    if calibration is not None:
        print(f"Calibration: temperature {calibration.temperature:.3f} (fitted on "
              f"{min(held_out, CALIBRATION_DRAWINGS):,} held-out training digits redrawn as pen "
              f"strokes); 'not a digit' when the top two hold less than {calibration.floor:.2%} (the "
              f"floor: {NOT_A_DIGIT_SHARE:.0%} of the {held_out:,} held-out digits fall below it), else "
              f"'not sure' below {calibration.sure:.0%} (and 'not a digit' when the top two hold less "
              f"than {calibration.pair:.0%}); saved {calibration_file or calibration_path(model_path)}")
    if model_path is not None:
        print(f"Saved {model_path}")


def _calibrate_on_held_out(model, model_path, quick: bool = False) -> None:
    """Fit the calibration on the training images a run holds out by default, and save it
    beside ``model_path`` (the file ``model`` was loaded from)."""
    from .data import load_mnist, split_validation

    (x_train, y_train), _ = load_mnist(test_size=1, quick=quick or None)
    x_val, y_val = split_validation(x_train, y_train)[1]
    calibration = _fit_calibration(model, x_val, y_val)
    _saved(None, calibration, len(y_val), calibration.save(model_path))


def cmd_calibrate(args) -> int:
    from .models.digit_model import load_model

    _calibrate_on_held_out(load_model(args.model), args.model, args.quick)
    return 0


def cmd_evaluate(args) -> int:
    from .honest.calibration import for_model
    from .data import load_mnist
    from .honest.metrics import confusion_matrix, predict_probabilities
    from .models.digit_model import as_digit_model

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
    print(f"What the pad would say (temperature {calibration.temperature:.3f}): a digit for "
          f"{answered.mean():.2%} ({(answered & (predicted == y_test)).mean():.2%} right), "
          f"\"not sure\" for {(verdicts == 'unsure').mean():.2%}, "
          f"\"not a digit\" for {(verdicts == 'not_a_digit').mean():.2%}")
    if args.drawn:
        from .honest.drawn_benchmark import drawn_report

        print("Drawn-digit benchmark (read as the pad reads them; about a minute) ...", flush=True)
        print(drawn_report(model, calibration, quick=args.quick or None, mnist_test=(x_test, y_test)))
    return 0


def cmd_export(args) -> int:
    from .honest.calibration import for_model
    from .export import ParityError, export_web_app, make_zip, verify_export
    from .models.digit_model import as_digit_model

    model = as_digit_model(args.model)
    result = export_web_app(model, args.out, quantization=args.quantize, overwrite=args.overwrite,
                            calibration=for_model(args.model))
    print(f"Wrote {result.out_dir} ({result.total_bytes / 1e6:.2f} MB, model {result.model_bytes / 1e6:.2f} MB)")
    if args.zip:
        print(f"Zip: {make_zip(result.out_dir)}")
    if args.verify:
        report = verify_export(model, result.out_dir)
        print(report)
        if not report.ok:
            raise ParityError(report)
    return 0


def cmd_pretrained(args) -> int:
    from .honest import calibration
    from .models.digit_model import REBUILD_COMMAND, load_model, pretrained_paths, pretrained_record, write_pretrained

    if args.run:
        run_dir = Path(args.run)
        run_json, model_path = run_dir / RECORD_FILE, run_dir / MODEL_FILE
        _check_outputs(list(pretrained_paths()), {"--run's record": run_json, **{
            f"--run's model{role}": path for role, path in _model_files(model_path).items()}},
            fix="ship a copy of that run instead")
        if not run_json.is_file():
            raise FileNotFoundError(f"No {run_json}: train first, e.g. {REBUILD_COMMAND}")
        run = json.loads(run_json.read_text())
        if "record" not in run:
            raise ConfigError(f"{run_dir} holds an ensemble; the pretrained model is one network. "
                              f"Ship one run, e.g. {REBUILD_COMMAND}")
        new, shipped = (_run_record_from_row(r) for r in (run["record"], pretrained_record()["record"]))
        if new.test_accuracy < shipped.test_accuracy and not args.replace:
            raise ConfigError(f"{run_dir} ({new.architecture}, test {new.test_accuracy:.2%}) is less "
                              f"accurate than the pretrained model it would replace ({shipped.architecture}, "
                              f"test {shipped.test_accuracy:.2%}); add --replace to ship it anyway.")
        model = load_model(model_path)
        if not calibration.calibration_path(model_path).is_file():   # e.g. an interrupted run
            _calibrate_on_held_out(model, model_path)
        weights = write_pretrained(model, {**run, "calibration": calibration.for_model(model_path).as_dict()})
        print(f"Wrote {weights} ({weights.stat().st_size / 1e6:.2f} MB) and its record")
    record = pretrained_record()["record"]
    print(f"pretrained: {_run_record_from_row(record).summary()}")
    print(f"rebuild: {REBUILD_COMMAND}")
    return 0


def cmd_finetune(args) -> int:
    """Fine-tune --model into --out (with its calibration). --out is checked before any
    training: a .keras file, not a folder, not the base model (also through a link). A run
    stopped with Ctrl+C before its first epoch ended saves nothing; stopped later, it saves its
    best epoch to --out, or beside an existing --out as NAME.stopped.keras."""
    from .honest.calibration import for_model
    from .data import load_mnist
    from .drawn.collected import load_drawings, skipped_lines
    from .training.finetune import FineTuneConfig, format_changes, format_comparison, prepare, run_result
    from .models.digit_model import as_digit_model

    out = Path(args.out)
    if out.suffix != ".keras":
        raise ConfigError(f"--out must name a .keras file (e.g. runs/mine.keras), not {args.out!r}.")
    _output_folder(out.parent)
    _check_outputs([out, calibration_path(out)],
                   {f"--model{role}": path for role, path in _model_files(args.model).items()})
    base, calibration = as_digit_model(args.model), for_model(args.model)
    drawings = load_drawings(args.drawings)
    for line in skipped_lines(drawings.skipped):
        print(f"skipped {line}")
    print(f"{len(drawings)} drawings in {args.drawings}: "
          + ", ".join(f"{n} x {d}" for d, n in enumerate(drawings.counts()) if n))
    epochs = {} if args.epochs is None else {"epochs": args.epochs}
    config = FineTuneConfig.for_model(base, **epochs).validate()
    run, held_out, base_calibration = prepare(
        base, drawings, config, data=load_mnist(quick=args.quick or None), held_out=args.held_out,
        seed=args.seed, listeners=[ConsoleProgress()], calibration=calibration)
    if run.fit() is None:
        print(NOTHING_SAVED.format(out=out))
        return 130
    result = run_result(run, held_out, base_calibration)
    kept = out if not (run.record.stopped and out.exists()) else _stopped_paths(out)[0]
    save_model(result.model, kept, result.calibration)
    print(run.record.summary())
    for line in format_changes(result.comparison, result.held_out):
        print(f"  changed {line}")
    print(format_comparison(result.comparison))
    print(f"Calibration: {result.calibration_note}; saved {calibration_path(kept)}")
    print(f"Saved {kept}")
    if kept != out:
        print(f"Stopped early: {out}, an earlier model, is kept as it was; this run's best epoch is {kept}.")
    return 130 if run.status == "interrupted" else 0


def _run_record_from_row(row: dict):
    from .training.run import RunRecord

    return RunRecord(**{key: value for key, value in row.items() if key in RunRecord.__dataclass_fields__})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m handwriting", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("architectures", help="list the architectures").set_defaults(func=cmd_architectures)

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
    train.add_argument("--init", metavar="MODEL.keras",
                       help="start from this saved model's weights (same layers, e.g. a bncnn for drawcnn)")
    train.add_argument("--validation", type=int, metavar="N",
                       help="training images held out for validation (default 5000; 0: none)")
    train.add_argument("--members", default="1", metavar="N|ARCH,ARCH,...",
                       help=f"train N models of --arch, or one of each listed architecture (e.g. "
                       f"{MIXED_EXAMPLE}), with seeds N*SEED .. N*SEED+N-1, and save their average")
    train.add_argument("--tta", action="store_true",
                       help="test-time augmentation for an ensemble: also read each digit moved one "
                       "pixel up, down, left and right, and average the five readings")
    train.add_argument("--out", help="output folder (default runs/ARCH; an ensemble: runs/bncnn_x3, "
                       "runs/bncnn_x2_cnn2, runs/bncnn_x3_tta, ...): model.keras, its calibration and "
                       "run.json, replaced together. Stopped with Ctrl+C, a run keeps its best epoch, "
                       "beside an earlier model.keras as model.stopped.keras (and run.stopped.json); "
                       "stopped before its first epoch ended, it writes nothing")
    train.add_argument("--quick", action="store_true", help="small data subset (as $HANDWRITING_QUICK=1)")
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", help="test accuracy and confusion matrix of a saved model")
    evaluate.add_argument("--model", required=True, help="a .keras file, or 'pretrained'")
    evaluate.add_argument("--quick", action="store_true")
    evaluate.add_argument("--drawn", action="store_true",
                          help="also read the drawn-digit benchmark: digits redrawn as pen strokes, "
                               "hand-written styles and non-digits, as the pad reads them")
    evaluate.set_defaults(func=cmd_evaluate)

    calibrate = sub.add_parser("calibrate", help="fit a saved model's temperature and not-a-digit "
                               "floor on held-out training digits (written beside it as "
                               ".calibration.json)")
    calibrate.add_argument("--model", required=True)
    calibrate.add_argument("--quick", action="store_true")
    calibrate.set_defaults(func=cmd_calibrate)

    export = sub.add_parser("export", help="write the TF.js browser app for a saved model")
    export.add_argument("--model", required=True, help="a .keras file, or 'pretrained'")
    export.add_argument("--out", required=True)
    export.add_argument("--quantize", choices=("float16", "uint8"))
    export.add_argument("--zip", action="store_true", help="also write OUT.zip")
    export.add_argument("--overwrite", action="store_true",
                        help="replace OUT if it is an earlier export (never another folder)")
    export.add_argument("--verify", action="store_true", help="check TF.js vs Keras in Chromium")
    export.set_defaults(func=cmd_export)

    pretrained = sub.add_parser("pretrained", help="show the lab's pretrained model; --run ships a new one")
    pretrained.add_argument("--run", help="a `train --out` folder (model.keras + run.json) to ship "
                                          "inside the package as the pretrained model")
    pretrained.add_argument("--replace", action="store_true",
                            help="ship the run even if its test accuracy is below the current one's")
    pretrained.set_defaults(func=cmd_pretrained)

    finetune = sub.add_parser("finetune", help="teach a model your handwriting: fine-tune it on a "
                              "folder of drawings (DIR/<digit>/*.png) mixed with MNIST")
    finetune.add_argument("--model", required=True, help="the base: a .keras file, or 'pretrained'")
    finetune.add_argument("--drawings", required=True, metavar="DIR",
                          help="drawings folder, one sub-folder per digit 0-9 of PNGs (white on black)")
    finetune.add_argument("--out", required=True,
                          help="the fine-tuned model (.keras; not the base), saved with its calibration; "
                          "stopped with Ctrl+C, beside an existing OUT as NAME.stopped.keras")
    finetune.add_argument("--epochs", type=int)
    finetune.add_argument("--held-out", type=float, default=0.3,
                          help="share of each digit's drawings kept to compare before/after (default 0.3)")
    finetune.add_argument("--seed", type=int, default=0, help="seed of that split")
    finetune.add_argument("--quick", action="store_true", help="small MNIST subsets (as $HANDWRITING_QUICK=1)")
    finetune.set_defaults(func=cmd_finetune)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    import_tensorflow()
    with warnings.catch_warnings():
        show = warnings.showwarning

        def one_line(message, category, *where, **more):
            if issubclass(category, CalibrationWarning):      # for the learner: no source line
                print(f"warning: {message}", file=sys.stderr)
            else:
                show(message, category, *where, **more)

        warnings.showwarning = one_line
        return _run(args)


def _run(args) -> int:
    try:
        return args.func(args)
    except (ConfigError, MnistDataError, ModelError, ExportError, BrowserUnavailableError,
            CalibrationError, DrawingsError, QuickDrawError, FileExistsError, FileNotFoundError,
            files.SaveError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
