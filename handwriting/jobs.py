"""The lab's jobs, one home each: the CLI, the widgets and the bench call these.

- :func:`train_and_calibrate`: train one model into a folder, saved with its calibration and
  record, or nothing at all (stopped before its first epoch); a stopped run never replaces an
  earlier model (it goes beside it, :func:`stopped_paths`);
- :func:`train_ensemble`: several members, then their average, calibrated;
- :func:`average_runs`: several fine-tunes of one run, their weights averaged (a model soup),
  calibrated;
- :func:`calibrate_and_save`: fit a saved model's calibration on the digits training holds out;
- :func:`finetune_and_save`: teach a model a person's drawings, saved with its new calibration;
- :func:`export_and_verify`: write the TF.js app (and its zip) and check it against Keras in
  Chromium;
- :func:`ship_pretrained`: make a training run the package's pretrained model (if it reads
  MNIST's validation digits and the real writers' held-out pen digits no worse on average).

Before any long work, :func:`check_outputs` refuses an output that is one of the job's inputs
(also through a link) or that cannot be written as the kind of thing it will be. Jobs print
nothing: they return what they did, and the caller says it.

One concern: the jobs' sequences (train, calibrate, save; export, verify), kept in one place
so the CLI, the widgets and the bench run the very same steps.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from . import files
from .browser import BrowserUnavailableError
from .data import load_mnist, split_validation
from .drawn import pendigits
from .drawn.collected import load_drawings
from .export import (
    PARITY_DIGITS,
    ExportResult,
    ParityReport,
    export_web_app,
    verify_export,
)
from .honest.calibration import Calibration, fit, for_model
from .honest.metrics import accuracy
from .models import PRETRAINED, REBUILD_COMMAND, as_digit_model, load_model, pretrained_record
from .models.digit_model import calibration_path, pretrained_paths, save_model, write_pretrained
from .models.ensemble import average, describe, member_seeds, model_name, shift_averaged
from .models.soup import average_weights
from .training import ConfigError, RunRecord, TrainingListener, TrainingRun
from .training.finetune import FineTuneConfig, prepare, run_result

#: What a training run writes into its folder (and model.keras' calibration beside it).
MODEL_FILE, RECORD_FILE, CHECKPOINT_FILE = "model.keras", "run.json", "checkpoint.keras"


class EpochCheckpoint(TrainingListener):
    """Saves the model after every completed epoch, so that a run killed late leaves a model."""

    def __init__(self, path: Path):
        self.path = path

    def on_epoch_end(self, run, epoch, logs):
        if run.completed_epochs == epoch + 1:
            run.save(self.path)


@dataclass
class Saved:
    """What a job wrote: the model, its calibration (None: no held-out digits to fit it on), how
    many held-out digits it was fitted on, and its record; ``beside`` names the earlier model a
    stopped run was saved beside."""

    model_path: Path
    calibration: Calibration | None
    held_out: int = 0
    record_path: Path | None = None
    beside: Path | None = None


# ------------------------------------------------------------------ outputs never destroy inputs


def output_folder(folder: str | os.PathLike, fix: str = "choose another --out") -> Path:
    """``folder``, made and checked writable before any work (:func:`files.writable_folder`)."""
    try:
        return files.writable_folder(folder)
    except files.FolderError as err:
        raise ConfigError(f"{err}; {fix}.") from None


def run_files(out: Path) -> list[Path]:
    """The files a training run may replace in its folder ``out``."""
    model = out / MODEL_FILE
    return [model, calibration_path(model), out / RECORD_FILE, out / CHECKPOINT_FILE]


def model_files(model: str | os.PathLike) -> dict[str, Path]:
    """A model given as an input: the ``.keras`` file and its calibration ({} for
    :data:`~handwriting.models.PRETRAINED`, which lives in the package)."""
    if model == PRETRAINED:
        return {}
    return {"": Path(model), " (its calibration)": calibration_path(model)}


def check_outputs(
    outputs: list[Path], inputs: dict[str, str | os.PathLike], fix: str = "choose another --out"
) -> None:
    """Before any work: each of ``outputs`` can be written as a file
    (:func:`files.writable_as_files`) and none is one of the job's ``inputs`` ({option: path}),
    also through a link (:func:`files.same_file`).

    Raises:
        ConfigError: naming the output, the input it is, and ``fix``.
    """
    try:
        files.writable_as_files(*outputs)
    except files.SaveError as err:
        raise ConfigError(f"{str(err).rstrip('.')}; {fix}.") from None
    for output in outputs:
        for option, given in inputs.items():
            if files.same_file(output, given):
                same_name = os.path.abspath(output) == os.path.abspath(given)
                through = "" if same_name else " (the same file, through a link)"
                raise ConfigError(
                    f"{output} is {option} {given}{through}: writing it would destroy "
                    f"an input of this command. Nothing was written; {fix}."
                )


def run_inputs(run_dir: Path, name: str) -> dict[str, Path]:
    """A training run given as an input, for :func:`check_outputs`: its record and its model
    (with the model's calibration), each labelled "``name``'s ..."."""
    model = model_files(run_dir / MODEL_FILE)
    return {
        f"{name}'s record": run_dir / RECORD_FILE,
        **{f"{name}'s model{role}": path for role, path in model.items()},
    }


def stopped_paths(*paths: Path) -> tuple[Path, ...]:
    """New names beside ``paths`` for a stopped run's result, which must not replace an earlier
    model: model.keras -> model.stopped.keras, run.json -> run.stopped.json (then .stopped-2,
    ...): the first tag that none of them, nor the model's calibration, uses yet."""
    for n in itertools.count(1):
        tag = ".stopped" if n == 1 else f".stopped-{n}"
        named = tuple(path.with_name(path.stem + tag + path.suffix) for path in paths)
        if not any(path.exists() for path in (*named, calibration_path(named[0]))):
            return named
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------------- calibration


def fit_calibration(model, x_val, y_val) -> Calibration | None:
    """The model's calibration fitted on held-out digits (None when there are none)."""
    return fit(model, x_val, y_val) if len(y_val) else None


def calibrate_and_save(model_path: str | os.PathLike, model=None, quick: bool = False) -> Saved:
    """Fit the calibration of the model saved at ``model_path`` (``model``: it, already loaded)
    on the training images a run holds out by default, and save it beside the model."""
    model = model if model is not None else load_model(model_path)
    (x_train, y_train), _ = load_mnist(test_size=1, quick=quick or None)
    x_val, y_val = split_validation(x_train, y_train)[1]
    calibration = fit_calibration(model, x_val, y_val)
    calibration.save(model_path)
    return Saved(Path(model_path), calibration, len(y_val))


# ------------------------------------------------------------------------------------ training


def train_and_calibrate(config, data, out: Path, listeners=()) -> tuple[TrainingRun, Saved | None]:
    """Train one model into ``out``: model.keras with its calibration and run.json (its record,
    history and every setting of ``config``; replaced together), and checkpoint.keras after
    every completed epoch.

    A run stopped (Ctrl+C, :meth:`TrainingRun.stop`) before its first epoch ended writes nothing
    (returns ``(run, None)``). A run stopped later keeps its best epoch: in model.keras if ``out``
    had no model yet, else beside the earlier one, as model.stopped.keras and run.stopped.json.
    """
    checkpoint = out / CHECKPOINT_FILE
    run = TrainingRun(config, data=data, listeners=[*listeners, EpochCheckpoint(checkpoint)])
    record = run.fit()
    if record is None:
        return run, None
    model_path, record_path = out / MODEL_FILE, out / RECORD_FILE
    beside = None
    if record.stopped and model_path.exists():
        beside = model_path
        model_path, record_path = stopped_paths(model_path, record_path)
    started = {} if config.initial_model is None else {"initial_model": str(config.initial_model)}
    calibration = fit_calibration(run.model, *run.validation)
    save_model(
        run.model,
        model_path,
        calibration,
        records={
            record_path: {
                "record": record.as_row(),
                "history": run.history,
                "config": dataclasses.asdict(config),
                **started,
            }
        },
    )
    return run, Saved(model_path, calibration, len(run.validation[1]), record_path, beside)


def validation_and_test_accuracy(model, validation, test) -> dict:
    """{"val_accuracy", "test_accuracy"} of ``model`` on (x, y) ``validation`` (nan when it is
    empty) and ``test``: a saved model's record, measured once."""
    return {
        "val_accuracy": accuracy(model, *validation) if len(validation[1]) else float("nan"),
        "test_accuracy": accuracy(model, *test),
    }


@dataclass
class EnsembleResult:
    """An ensemble job's outcome: its record and what was saved (None when it was stopped)."""

    record: dict
    saved: Saved | None
    members_kept: int


def train_ensemble(
    configs: list, data, out: Path, tta: bool = False, listeners=(), on_member=None
) -> EnsembleResult:
    """Train one model per config (seeds from :func:`~handwriting.models.ensemble.member_seeds`),
    each in its own folder out/memberK (:func:`train_and_calibrate`), then save their average
    (``tta``: also over the drawing moved a pixel each way) as out/model.keras with its
    calibration. ``on_member(k, config, seed)`` is called before each member. A stopped member
    ends the job: the members trained so far are kept and no ensemble is written."""
    names = [config.architecture for config in configs]
    seeds = member_seeds(configs[0].seed or 0, len(configs))
    runs = []
    for k, (config, seed) in enumerate(zip(configs, seeds, strict=True)):
        if on_member is not None:
            on_member(k, config, seed)
        run, saved = train_and_calibrate(
            dataclasses.replace(config, seed=seed), data, out / f"member{k}", listeners
        )
        if run.status == "interrupted":
            return EnsembleResult({}, None, k + (saved is not None))
        runs.append(run)
    model = average([run.model for run in runs], name=model_name(names))
    validation, test = runs[0].validation, data[1]
    record = {
        "architecture": describe(names) + (" + TTA" if tta else ""),
        "members": names,
        "seeds": seeds,
        "tta": tta,
        "seconds": sum(run.record.seconds for run in runs),
    }
    if tta:
        record["without_tta"] = validation_and_test_accuracy(model, validation, test)
        model = shift_averaged(model)  # named bncnn_x3_tta, ...
    record.update(
        validation_and_test_accuracy(model, validation, test),
        member_test_accuracy=[run.record.test_accuracy for run in runs],
    )
    calibration = fit_calibration(model, *validation)
    model_path = save_model(
        model, out / MODEL_FILE, calibration, records={out / RECORD_FILE: {"ensemble": record}}
    )
    saved = Saved(model_path, calibration, len(validation[1]), out / RECORD_FILE)
    return EnsembleResult(record, saved, len(runs))


# ------------------------------------------------------------------------------------- soups


def _run_json(run_dir: Path) -> dict:
    """A single training run's run.json (with its "record"), or a clear error."""
    path = run_dir / RECORD_FILE
    if not (path.is_file() and (run_dir / MODEL_FILE).is_file()):
        raise FileNotFoundError(
            f"{run_dir} holds no trained run ({MODEL_FILE} and {RECORD_FILE}): train it first."
        )
    run = json.loads(path.read_text())
    if "record" not in run:
        raise ConfigError(f"{run_dir} holds an ensemble, not one run: average single runs.")
    return run


def average_runs(
    run_dirs: list, out: str | os.PathLike, quick: bool = False
) -> tuple[RunRecord, Saved]:
    """Average the weights of the training runs in ``run_dirs`` (fine-tunes of one run:
    :mod:`handwriting.models.soup`) into ``out``: model.keras with its calibration, and run.json
    with a run record and the runs averaged (their folders and settings).

    The record is measured like a run's: validation on the training images the runs held out,
    the test set once; its epochs and seconds are the runs' together, its other settings the
    first run's, and its training accuracy is not measured (nan). Refused before any work: fewer
    than two runs, a folder without a trained run (or with an ensemble), runs of different
    architectures or validation splits, and an ``out`` whose files are one of the runs'.
    """
    run_dirs = [Path(run_dir) for run_dir in run_dirs]
    if len(run_dirs) < 2:
        raise ConfigError(f"Averaging needs two runs or more, got {len(run_dirs)}.")
    runs = [_run_json(run_dir) for run_dir in run_dirs]
    rows = [run_record(run["record"]) for run in runs]
    if len({(row.architecture, row.validation_size) for row in rows}) > 1:
        kinds = ", ".join(f"{row.architecture} ({row.validation_size:,} held out)" for row in rows)
        raise ConfigError(
            f"Only runs of one architecture and one validation split average; got {kinds}."
        )
    out = output_folder(out)
    inputs = {}
    for run_dir in run_dirs:
        inputs.update(run_inputs(run_dir, str(run_dir)))
    check_outputs(run_files(out), inputs)
    model = average_weights([load_model(run_dir / MODEL_FILE) for run_dir in run_dirs])
    (x_train, y_train), test = load_mnist(quick=quick or None)
    _, validation = split_validation(x_train, y_train, rows[0].validation_size)
    record = dataclasses.replace(
        rows[0],
        epochs=sum(row.epochs for row in rows),
        epochs_planned=sum(row.epochs_planned for row in rows),
        seconds=sum(row.seconds for row in rows),
        train_accuracy=float("nan"),
        stopped=False,
        **validation_and_test_accuracy(model, validation, test),
    )
    calibration = fit_calibration(model, *validation)
    averaged = {
        "record": record.as_row(),
        "averaged": [str(run_dir) for run_dir in run_dirs],
        "configs": [run.get("config") for run in runs],
    }
    model_path = save_model(
        model, out / MODEL_FILE, calibration, records={out / RECORD_FILE: averaged}
    )
    return record, Saved(model_path, calibration, len(validation[1]), out / RECORD_FILE)


# --------------------------------------------------------------------------------- fine-tuning


def finetune_and_save(
    model_or_path,
    drawings_folder,
    out: str | os.PathLike,
    epochs: int | None = None,
    held_out: float = 0.3,
    seed: int = 0,
    quick: bool = False,
    listeners=(),
    on_loaded=None,
):
    """Fine-tune a model on a folder of a person's drawings mixed with MNIST, and save it with its
    new calibration.

    ``out`` (a .keras file) is checked before any training: not a folder, not the base model
    (also through a link). Stopped before its first epoch ended, nothing is saved (returns
    ``(run, None, None)``); stopped later, the best epoch goes to ``out``, or beside an existing
    ``out`` as NAME.stopped.keras. ``on_loaded(drawings)`` is called once the drawings are read.

    Returns:
        (the run, its :class:`~handwriting.training.finetune.FineTuneResult`, :class:`Saved`).
    """
    out = Path(out)
    if out.suffix != ".keras":
        raise ConfigError(
            f"--out must name a .keras file (e.g. runs/mine.keras), not {str(out)!r}."
        )
    output_folder(out.parent)
    check_outputs(
        [out, calibration_path(out)],
        {f"--model{role}": path for role, path in model_files(model_or_path).items()},
    )
    base, calibration = as_digit_model(model_or_path), for_model(model_or_path)
    drawings = load_drawings(drawings_folder)
    if on_loaded is not None:
        on_loaded(drawings)
    config = FineTuneConfig.for_model(
        base, **({} if epochs is None else {"epochs": epochs})
    ).validate()
    run, held_out_set, base_calibration = prepare(
        base,
        drawings,
        config,
        data=load_mnist(quick=quick or None),
        held_out=held_out,
        seed=seed,
        listeners=list(listeners),
        calibration=calibration,
    )
    if run.fit() is None:
        return run, None, None
    result = run_result(run, held_out_set, base_calibration)
    kept = out if not (run.record.stopped and out.exists()) else stopped_paths(out)[0]
    save_model(result.model, kept, result.calibration)
    return run, result, Saved(kept, result.calibration, beside=None if kept == out else out)


# -------------------------------------------------------------------------------------- export


def export_and_verify(
    model_or_path,
    out_dir,
    quantization: str | None = None,
    overwrite: bool = False,
    calibration: Calibration | None = None,
    zip: bool = False,
    verify: bool = True,
    digits: int = PARITY_DIGITS,
    without_browser: bool = False,
    verify_options: dict | None = None,
) -> tuple[ExportResult, ParityReport | None, str]:
    """Write the TF.js app for a model (:func:`~handwriting.export.export_web_app`) with its
    calibration, and check it against Keras in headless Chromium
    (:func:`~handwriting.export.verify_export`).

    Args:
        model_or_path: a model, a ``.keras`` path or ``"pretrained"`` (a path lets the export
            refuse to replace the folder the model is in).
        calibration: the model's; default: :func:`~handwriting.honest.calibration.for_model`.
        without_browser: where no Chromium can run (Colab), skip the check and say why instead
            of failing.
        verify_options: more arguments of :func:`~handwriting.export.verify_export` (e.g. the
            backend, the test digits), for the benchmarks.

    Returns:
        (what was written, the parity report or None, why the check was skipped or "").
        The caller decides what a failed report means (``report.ok``).
    """
    calibration = for_model(model_or_path, calibration)
    result = export_web_app(
        model_or_path,
        out_dir,
        quantization=quantization,
        overwrite=overwrite,
        calibration=calibration,
        zip=zip,
    )
    if not verify:
        return result, None, ""
    try:
        report = verify_export(
            model_or_path, result.out_dir, digits=digits, **(verify_options or {})
        )
        return result, report, ""
    except BrowserUnavailableError as err:
        if not without_browser:
            raise
        return result, None, str(err)


# ------------------------------------------------------------------------------ the pretrained


def run_record(row: dict) -> RunRecord:
    """A :class:`~handwriting.training.RunRecord` from a run.json's "record" row."""
    return RunRecord(
        **{key: value for key, value in row.items() if key in RunRecord.__dataclass_fields__}
    )


#: The shipped record's entry for the pretrained model's accuracy on the pen digits' held-out
#: part, kept so that the next :func:`ship_pretrained` need not measure it again.
PEN_VALIDATION = "pendigits_held_out_accuracy"


def pendigits_held_out_accuracy(model) -> float:
    """Argmax accuracy of ``model`` on the pen digits' held-out part (1,498 real writers' digits
    drawn and read as the pad does, :mod:`handwriting.drawn.pendigits`): the second validation
    set the pretrained model is chosen on, beside MNIST's validation digits."""
    points, labels = pendigits.load("held_out")
    return accuracy(model, pendigits.model_inputs(points), labels)


def _check_comparable(run_dir: Path, new: RunRecord, shipped: RunRecord) -> None:
    """Refuse a run whose MNIST validation accuracy was measured on other digits than the
    shipped model's (the same 5,000 held-out training images for both)."""
    comparable = math.isfinite(new.val_accuracy) and new.validation_size == shipped.validation_size
    if not comparable:
        raise ConfigError(
            f"{run_dir} cannot be compared with the pretrained model on the validation digits (it "
            f"held out {new.validation_size:,} training images, the pretrained model "
            f"{shipped.validation_size:,}): train it with the default --validation, or add "
            "--replace to ship it anyway."
        )


def _check_better_on_validation(
    run_dir: Path, new: RunRecord, new_pen: float, shipped: RunRecord, shipped_pen: float
) -> None:
    """Refuse a run whose mean accuracy on the two validation sets, MNIST's validation digits
    (``val_accuracy``) and the pen digits' held-out part (``*_pen``), is below the shipped
    model's: the pad must read both MNIST-like and real writers' digits. Never judged on the
    test set, which is only reported."""
    new_mean = (new.val_accuracy + new_pen) / 2
    shipped_mean = (shipped.val_accuracy + shipped_pen) / 2
    if new_mean < shipped_mean:
        raise ConfigError(
            f"{run_dir} ({new.architecture}: MNIST validation {new.val_accuracy:.2%}, pen digits "
            f"held out {new_pen:.2%}, mean {new_mean:.2%}) is less accurate on validation than "
            f"the pretrained model it would replace ({shipped.architecture}: MNIST validation "
            f"{shipped.val_accuracy:.2%}, pen digits held out {shipped_pen:.2%}, mean "
            f"{shipped_mean:.2%}); add --replace to ship it anyway."
        )


def ship_pretrained(run_dir: str | os.PathLike, replace: bool = False, quick: bool = False) -> Path:
    """Make the training run in ``run_dir`` (model.keras + run.json) the package's pretrained
    model, with its calibration (fitted first if the run has none, e.g. an interrupted one) and
    its pen held-out accuracy (the record's "validation" entry, :data:`PEN_VALIDATION`).

    Refused: an ensemble (the pretrained model is one network), a run whose files are the
    package's own, and, unless ``replace``, a run less accurate than the shipped model on
    validation: the mean of its MNIST validation accuracy (its run.json record) and its
    :func:`pendigits_held_out_accuracy` is below the shipped model's (the choice is made on
    validation, never on the test set).

    Returns: the weights file written.
    """
    run_dir = Path(run_dir)
    run_json, model_path = run_dir / RECORD_FILE, run_dir / MODEL_FILE
    check_outputs(
        list(pretrained_paths()),
        run_inputs(run_dir, "--run"),
        fix="ship a copy of that run instead",
    )
    if not run_json.is_file():
        raise FileNotFoundError(f"No {run_json}: train first, e.g. {REBUILD_COMMAND}")
    run = json.loads(run_json.read_text())
    if "record" not in run:
        raise ConfigError(
            f"{run_dir} holds an ensemble; the pretrained model is one network. "
            f"Ship one run, e.g. {REBUILD_COMMAND}"
        )
    shipped = pretrained_record()
    new, shipped_row = run_record(run["record"]), run_record(shipped["record"])
    if not replace:
        _check_comparable(run_dir, new, shipped_row)
    model = load_model(model_path)
    validation = {PEN_VALIDATION: pendigits_held_out_accuracy(model)}
    if not replace:
        shipped_pen = shipped.get("validation", {}).get(PEN_VALIDATION)
        if shipped_pen is None:  # shipped before the pen digits were a validation set
            shipped_pen = pendigits_held_out_accuracy(as_digit_model(PRETRAINED))
        _check_better_on_validation(
            run_dir, new, validation[PEN_VALIDATION], shipped_row, shipped_pen
        )
    if not calibration_path(model_path).is_file():
        calibrate_and_save(model_path, model, quick=quick)
    calibration = for_model(model_path).as_dict()
    return write_pretrained(model, {**run, "calibration": calibration, "validation": validation})
