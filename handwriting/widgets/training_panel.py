"""TrainingPanel: pick an architecture, set hyper-parameters, train with live plots, compare runs.

A view over :class:`handwriting.training.TrainingRun`. Training runs in a background thread so
the kernel keeps answering (Stop works mid-epoch; other cells run). Every button's action is a
public method — :meth:`TrainingPanel.train`, :meth:`TrainingPanel.stop` — for cells and tests.

One concern: the training panel, one view. Its length is the widget layout and the text it
shows (runs table, progress, the fine-tuning before/after); the jobs it runs live in
:mod:`handwriting.training` and :mod:`handwriting.jobs`.
"""

from __future__ import annotations

import html
import math
import threading
import time

import ipywidgets as widgets
import traitlets

from .. import data as data_module
from .. import jobs, plots
from ..drawn.collected import DrawingsError, DrawingSet, load_drawings
from ..honest import calibration as calibration_module
from ..honest import metrics as evaluation
from ..models import architectures
from ..models.digit_model import PRETRAINED
from ..training import curves
from ..training import finetune as finetune_module
from ..training.config import OPTIMIZERS, ConfigError, RunRecord, TrainingConfig
from ..training.run import TrainingListener, TrainingRun
from ._common import shown_not_raised
from .gallery import changed_gallery_html, comparison_html

PROGRESS_INTERVAL = 0.25  # seconds between progress-bar updates
CURVES_INTERVAL = 1.0  # seconds between redraws of the live training curves


def _clock(seconds: float) -> str:
    """Seconds as "mm:ss" ("--:--" when unknown)."""
    if not math.isfinite(seconds):
        return "--:--"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes:02d}:{secs:02d}"


def _error_advice(err: BaseException) -> str:
    """One sentence on what to do about a failed run."""
    name = type(err).__name__
    if (
        isinstance(err, MemoryError)
        or "ResourceExhausted" in name
        or "out of memory" in str(err).lower()
    ):
        return (
            "Out of memory: lower the batch size or the data fraction, or pick a smaller "
            "architecture."
        )
    if isinstance(err, data_module.MnistDataError):
        return "The MNIST data could not be loaded (see above)."
    return "Check the settings and press Train again."


def runs_table_html(records: list[RunRecord]) -> str:
    """The runs table (the tutorial's "Training Summary"), one row per run: validation accuracy
    (held-out training images, what to compare runs by) next to the test accuracy."""
    head = (
        "#",
        "architecture",
        "epochs",
        "batch",
        "learning rate",
        "augment",
        "train images",
        "seconds",
        "s/epoch",
        "train acc",
        "val acc",
        "test acc",
        "parameters",
    )
    rows = []
    for number, r in enumerate(records, 1):
        epochs = f"{r.epochs}/{r.epochs_planned}" + (" (stopped)" if r.stopped else "")
        cells = (
            number,
            r.architecture,
            epochs,
            r.batch_size,
            f"{r.learning_rate:g}",
            "yes" if r.augment else "no",
            f"{r.train_size:,}",
            f"{r.seconds:.1f}",
            f"{r.seconds_per_epoch:.1f}",
            f"{r.train_accuracy:.2%}",
            _percent(r.val_accuracy),
            f"<b>{r.test_accuracy:.2%}</b>",
            f"{r.parameters:,}",
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(head)}"><i>No runs yet: press Train.</i></td></tr>')
    return (
        '<table class="hw-runs" style="border-collapse:collapse;font-size:13px">'
        "<thead><tr>"
        + "".join(
            f'<th style="padding:2px 8px;border-bottom:1px solid #999">{h}</th>' for h in head
        )
        + "</tr></thead><tbody>"
        + "".join(rows).replace("<td>", '<td style="padding:2px 8px">')
        + "</tbody></table>"
    )


def _percent(value: float) -> str:
    return f"{value:.2%}" if math.isfinite(value) else "–"


class _PanelListener(TrainingListener):
    """Feeds the panel's progress bar (every 0.25 s) and live curves (every second, and at the
    end of every epoch) from a running TrainingRun."""

    def __init__(self, panel: TrainingPanel):
        self.panel = panel
        self._progress_shown = self._curves_shown = 0.0

    def on_run_begin(self, run):
        self._progress_shown = self._curves_shown = time.monotonic()

    def on_batch_end(self, run, epoch, batch, logs):
        now = time.monotonic()
        if now - self._progress_shown >= PROGRESS_INTERVAL:
            self._progress_shown = now
            self.panel._show_progress(run)
        if now - self._curves_shown >= CURVES_INTERVAL:
            self._curves_shown = now
            self.panel._show_curves(run)

    def on_epoch_end(self, run, epoch, logs):
        self._curves_shown = time.monotonic()
        self.panel._show_progress(run)
        self.panel._show_curves(run)


class TrainingPanel(widgets.VBox):
    """Choose an architecture and its hyper-parameters, train, and compare every run.

    Args:
        data: ((x_train, y_train), (x_test, y_test)) as from :func:`handwriting.data.load_mnist`
            (or raw uint8 MNIST, normalised; anything else is refused here with a
            :class:`~handwriting.data.DigitDataError`); default: loaded on the first Train
            (quick subsets when ``$HANDWRITING_QUICK`` is on).
        architecture: the architecture selected at first.
        **overrides: hyper-parameters to start from instead of the recipe (e.g. ``epochs=3``);
            in quick mode ``epochs`` defaults to 1. Choosing another architecture reloads its
            recipe with the same overrides.

    Attributes:
        model: the model of the latest run that finished, or was stopped after completing an
            epoch (None before).
        calibration: that model's :class:`~handwriting.honest.calibration.Calibration`, which
            the pad and the export panel following the panel use with it: fitted on the run's
            held-out validation digits as ``python -m handwriting train`` does, refitted after a
            fine-tuning as ``python -m handwriting finetune`` does (None before).
        models: every such run's model, by run number (1-based, as in the runs table).
        runs: the :class:`RunRecord` of every such run, oldest first.
        last_run: the latest :class:`TrainingRun`, whatever its status (None before).
        finetune_result: the latest fine-tuning's
            :class:`~handwriting.training.finetune.FineTuneResult` (before/after, changed
            drawings, refitted calibration; None before).
    """

    model = traitlets.Any(
        None,
        allow_none=True,
        help="The model of the latest run that finished, or "
        "was stopped after an epoch (None before): pads and export panels observe it.",
    )
    calibration = traitlets.Instance(
        calibration_module.Calibration,
        allow_none=True,
        help="That model's calibration, set together with it.",
    )

    def __init__(self, data=None, architecture: str = "cnn2", **overrides):
        TrainingConfig.for_architecture(architecture, **overrides)  # a clear error for a bad name
        self._data = None if data is None else data_module.as_digit_data(data)
        self._overrides = dict(overrides)
        if data_module.quick_mode():
            self._overrides.setdefault("epochs", 1)
        self.runs: list[RunRecord] = []
        self.models: dict = {}  # run number (1-based, as in the table) -> its model
        self.last_run: TrainingRun | None = None
        self.finetune_result: finetune_module.FineTuneResult | None = None
        self._thread: threading.Thread | None = None

        options = [
            (
                f"{name}: {architectures.describe(name)} ({architectures.count_parameters(name):,} "
                "parameters)",
                name,
            )
            for name in architectures.names()
        ]
        self.architecture = widgets.Dropdown(
            options=options,
            value=architecture,
            description="Architecture",
            layout=widgets.Layout(width="95%"),
        )
        style = {"description_width": "initial"}
        # Plain (unbounded) fields: TrainingConfig.problems() is the one validator, and a refused
        # value gets a message instead of being silently clamped to something the user did not type.
        self.epochs = widgets.IntText(description="Epochs", style=style)
        self.batch_size = widgets.IntText(description="Batch size", style=style)
        self.learning_rate = widgets.FloatText(description="Learning rate", style=style, step=1e-4)
        self.optimizer = widgets.Dropdown(options=OPTIMIZERS, description="Optimizer", style=style)
        self.augment = widgets.Checkbox(description="Augment (shift/rotate/zoom)", indent=False)
        self.data_fraction = widgets.FloatSlider(
            min=0.05, max=1.0, step=0.05, description="Data used", readout_format=".0%", style=style
        )
        self.pendigits_share = widgets.FloatSlider(
            min=0.0,
            max=1.0,
            step=0.1,
            description="Real pen digits",
            readout_format=".0%",
            tooltip="Real writers' pen digits added to a drawings recipe's data, as a share of "
            "MNIST's training images (drawcnn; needs Augment)",
            style=style,
        )
        self.train_button = widgets.Button(description="Train", button_style="success", icon="play")
        self.stop_button = widgets.Button(
            description="Stop", button_style="danger", icon="stop", disabled=True
        )
        self.drawings_folder = widgets.Text(
            description="Your drawings",
            placeholder="DIR/<digit>/*.png",
            style=style,
            layout=widgets.Layout(width="50%"),
        )
        self.finetune_button = widgets.Button(
            description="Fine-tune",
            button_style="info",
            icon="pencil",
            tooltip="Teach the current model (or the pretrained one) the drawings in this folder",
        )
        self.progress = widgets.FloatProgress(
            min=0,
            max=1,
            value=0,
            description="",
            layout=widgets.Layout(flex="1 1 160px", max_width="50%"),
        )
        self.progress_label = widgets.Label("")
        self.message = widgets.HTML()
        self.message.add_class("hw-train-message")
        self.curves = widgets.HTML()
        self.curves.add_class("hw-training-curves")
        self.table = widgets.HTML(runs_table_html([]))
        self.table.add_class("hw-runs-table")
        self.finetune_view = widgets.HTML()
        self.finetune_view.add_class("hw-finetune-view")
        self.confusion_image = widgets.Image(format="png")
        self.mistakes_image = widgets.Image(format="png")
        analysis = widgets.Tab([self.confusion_image, self.mistakes_image])
        analysis.set_title(0, "Confusion matrix")
        analysis.set_title(1, "Mistakes")

        self.architecture.observe(lambda change: self.reset_hyperparameters(), "value")
        self.train_button.on_click(lambda _: shown_not_raised(self.train))
        self.stop_button.on_click(lambda _: self.stop())
        self.finetune_button.on_click(
            lambda _: shown_not_raised(lambda: self.finetune(self.drawings_folder.value))
        )
        self.reset_hyperparameters()

        super().__init__(
            [
                self.architecture,
                widgets.HBox([self.epochs, self.batch_size, self.learning_rate]),
                widgets.HBox([self.optimizer, self.data_fraction, self.augment]),
                self.pendigits_share,
                widgets.HBox(
                    [self.train_button, self.stop_button, self.progress, self.progress_label],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
                ),
                widgets.HBox([self.drawings_folder, self.finetune_button]),
                self.message,
                self.curves,
                widgets.HTML("<b>Runs</b>"),
                self.table,
                self.finetune_view,
                analysis,
            ]
        )
        self.add_class("hw-training-panel")

    # ------------------------------------------------------------ settings

    def reset_hyperparameters(self) -> None:
        """Fill the fields with the selected architecture's recipe (plus the panel's overrides)."""
        config = TrainingConfig.for_architecture(self.architecture.value, **self._overrides)
        self.epochs.value = config.epochs
        self.batch_size.value = config.batch_size
        self.learning_rate.value = config.learning_rate
        self.optimizer.value = config.optimizer
        self.augment.value = config.augment
        self.data_fraction.value = config.data_fraction
        self.pendigits_share.value = config.pendigits_share
        self.pendigits_share.disabled = not config.trained_on_drawings
        self._lr_decay = config.lr_decay

    def config(self) -> TrainingConfig:
        """The settings in the fields, as a TrainingConfig (not yet validated)."""
        return TrainingConfig(
            architecture=self.architecture.value,
            epochs=self.epochs.value,
            batch_size=self.batch_size.value,
            learning_rate=self.learning_rate.value,
            lr_decay=self._lr_decay,
            optimizer=self.optimizer.value,
            augment=self.augment.value,
            data_fraction=self.data_fraction.value,
            pendigits_share=0.0 if self.pendigits_share.disabled else self.pendigits_share.value,
            seed=self._overrides.get("seed"),
            validation_size=self._overrides.get("validation_size", data_module.VALIDATION_SIZE),
        )

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def data(self):
        """The panel's MNIST data, loaded once on first use. Set it to train the next runs on
        other data (checked as the ``data`` argument is), e.g. all of MNIST after quick runs:
        ``panel.data = load_mnist(quick=False)``."""
        if self._data is None:
            self._data = data_module.load_mnist()
        return self._data

    @data.setter
    def data(self, data) -> None:
        if self.running:
            raise RuntimeError("Training is running: press Stop, or wait for it, then set data.")
        self._data = data_module.as_digit_data(data)

    # ------------------------------------------------------------- actions

    def train(self, wait: bool = False) -> RunRecord | None:
        """Start a run with the fields' settings (in a background thread).

        Every problem is shown in the panel first; called from code (a cell, a script, a
        test) it is also raised, so a notebook whose training fails stops there. The Train
        button only shows it.

        Args:
            wait: block until the run ends (for scripts, tests and headless notebooks).

        Returns:
            The run's record when ``wait`` (the run ended well or was stopped after an epoch),
            else None (also for a run stopped before its first epoch ended: nothing to keep).

        Raises:
            RuntimeError: a run is already going.
            MnistDataError / ConfigError: the data cannot be loaded / the settings are invalid.
            With ``wait``, whatever ended the run (e.g. MemoryError).
        """
        self._refuse_if_running()
        config = self.config()
        try:
            (x_train, _), _ = self.data
        except Exception as err:
            self._say(
                f"Not started: the MNIST data could not be loaded. {html.escape(str(err))}",
                error=True,
            )
            raise
        problems = config.problems(len(x_train))
        if problems:
            self._say("Not started: " + html.escape("; ".join(problems)) + ".", error=True)
            raise ConfigError("Not started: " + "; ".join(problems) + ".")
        run = TrainingRun(config, data=self.data, listeners=[_PanelListener(self)])
        return self._start(
            run,
            f"Training {config.architecture} on {config.train_size(len(x_train)):,} images…",
            wait,
        )

    def finetune(
        self, drawings, wait: bool = False, held_out: float = 0.3, **settings
    ) -> RunRecord | None:
        """Fine-tune the panel's model (the pretrained one before any run) on a person's drawings
        mixed with MNIST, in the background like :meth:`train`: progress, Stop, curves, a row.

        Afterwards the panel shows the before/after comparison (held-out drawings and MNIST test)
        and the held-out drawings that changed answer; :attr:`finetune_result` holds them and
        the new model reaches the panel's followers like any run's, with its refitted
        calibration. Problems are shown in the panel and raised (the Fine-tune button only shows
        them).

        Args:
            drawings: a drawings folder (``DIR/<digit>/*.png``) or a
                :class:`~handwriting.drawn.collected.DrawingSet`.
            wait: block until the run ends.
            held_out: share of each digit's drawings kept for the comparison (or the held-out
                drawings themselves: :func:`~handwriting.training.finetune.prepare`).
            **settings: :class:`~handwriting.training.finetune.FineTuneConfig` fields (e.g.
            ``epochs=2``);
                in quick mode ``epochs`` defaults to 1.

        Returns:
            The run's record when ``wait``, else None.

        Raises:
            RuntimeError: a run is already going. DrawingsError: no usable drawings, or too few of
            a digit to hold one out. ConfigError: invalid settings. MnistDataError, ModelError.
        """
        self._refuse_if_running()
        base = PRETRAINED if self.model is None else self.model
        try:
            if not isinstance(drawings, DrawingSet):
                if not str(drawings).strip():
                    raise DrawingsError(
                        "No drawings folder given: type the folder your drawings are in "
                        "(DIR/<digit>/*.png), e.g. the collector's."
                    )
                self.drawings_folder.value = str(drawings)
                drawings = load_drawings(drawings)
            if data_module.quick_mode():
                settings.setdefault("epochs", 1)
            run, test, base_calibration = finetune_module.prepare(
                base,
                drawings,
                data=self.data,
                held_out=held_out,
                listeners=[_PanelListener(self)],
                **settings,
            )
            if "architecture" not in settings:  # "drawcnn+you", then "drawcnn+you 2", ...
                run.config.architecture = self._unused_name(run.config.architecture)
        except Exception as err:
            self._say(f"Not started: {html.escape(str(err))}", error=True)
            raise
        skipped = f" ({len(drawings.skipped)} file(s) skipped)" if drawings.skipped else ""
        return self._start(
            run,
            f"Fine-tuning {run.config.architecture} on {len(run.drawings)} of your "
            f"drawings{skipped}, mixed with MNIST; {len(test)} held out…",
            wait,
            on_done=lambda run: self._show_finetune(run, test, base_calibration),
        )

    def stop(self) -> None:
        """End the current run after its current batch, keeping the best weights so far (a run
        stopped before its first epoch ended keeps nothing: the panel's model stays as it was)."""
        if not self.running:
            self._say("Nothing to stop: no run is going.")
            return
        self.last_run.stop()
        self._say("Stopping after this batch…")

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current run (if any) has ended."""
        if self._thread is not None:
            self._thread.join(timeout)

    def on_model_change(self, callback) -> None:
        """Call ``callback(model)`` when the panel has a new model (``observe(..., "model")``)."""
        self.observe(lambda change: callback(change.new), names="model")

    def records_table(self) -> list[dict]:
        """The runs table as a list of dicts (one per run)."""
        return [record.as_row() for record in self.runs]

    # ------------------------------------------------------------ internals

    def _refuse_if_running(self) -> None:
        if self.running:
            self._say(
                "Already training: press Stop first, or wait for this run to end.", error=True
            )
            raise RuntimeError(
                "Already training: call stop() first, or wait() for this run to end."
            )

    def _unused_name(self, name: str) -> str:
        """``name``, or ``name 2``, ``name 3``, ... if the runs table already has it."""
        taken = {record.architecture for record in self.runs}
        number = 1
        while (name if number == 1 else f"{name} {number}") in taken:
            number += 1
        return name if number == 1 else f"{name} {number}"

    def _start(self, run: TrainingRun, text: str, wait: bool, on_done=None) -> RunRecord | None:
        """Run ``run`` in the background thread (saying ``text``). After a good end, before the
        followers hear of the model, ``on_done(run)`` shows what it has to and returns the
        model's calibration (default :meth:`_calibrate`)."""
        self.last_run = run
        self.train_button.disabled, self.finetune_button.disabled, self.stop_button.disabled = (
            True,
            True,
            False,
        )
        self.progress.value = 0
        self.curves.value = ""
        self._say(text)
        self._thread = threading.Thread(
            target=self._run,
            args=(run, on_done or self._calibrate),
            name="handwriting-train",
            daemon=True,
        )
        self._thread.start()
        if wait:
            self.wait()
            if run.status == "failed":
                raise run.error
            return run.record
        return None

    def _run(self, run: TrainingRun, on_done) -> None:
        try:
            run.fit()
        except BaseException:  # noqa: BLE001 - the run stores the error; the panel reports it
            pass
        finally:
            self._finish(run, on_done)

    def _finish(self, run: TrainingRun, on_done) -> None:
        try:
            kept = " The previous model is kept." if self.model is not None else ""
            if run.record is None and run.status in ("stopped", "interrupted"):
                self._say(
                    f"{run.config.architecture} stopped before its first epoch ended: "
                    f"nothing to keep.{kept}"
                )
                return
            if run.record is None:
                err = run.error or RuntimeError(f"run ended as {run.status}")
                self._say(
                    f"Training failed: {html.escape(type(err).__name__)}: "
                    f"{html.escape(str(err)[:300])}. {_error_advice(err)}{kept}",
                    error=True,
                )
                return
            self._show_curves(run)
            problem = None
            try:
                calibration = on_done(run)
            except Exception as err:  # noqa: BLE001 - the model is fine: kept, uncalibrated
                calibration, problem = calibration_module.Calibration(), err
            # The model and its own calibration reach the panel (and its followers) together.
            self.runs.append(run.record)
            self.models[len(self.runs)] = run.model
            self.table.value = runs_table_html(self.runs)
            try:
                if problem is None:
                    self._show_analysis(run)
            except Exception as err:  # noqa: BLE001 - the model is fine; only the plots failed
                problem = err
            if problem is not None:
                self._say(
                    f"{run.config.architecture} trained, but its analysis failed: "
                    f"{html.escape(type(problem).__name__)}: {html.escape(str(problem)[:300])}. "
                    f"{_error_advice(problem)}",
                    error=True,
                )
                self._publish(run.model, calibration)
                return
            ended = "stopped early (best weights kept)" if run.record.stopped else "finished"
            self._say(
                f"{run.config.architecture} {ended} after {run.record.epochs} epoch(s), "
                f"{run.record.seconds:.1f} s: validation accuracy "
                f"{_percent(run.record.val_accuracy)}, test accuracy "
                f"<b>{run.record.test_accuracy:.2%}</b>."
            )
            self._publish(run.model, calibration)
        finally:
            self.train_button.disabled, self.finetune_button.disabled, self.stop_button.disabled = (
                False,
                False,
                True,
            )

    def _calibrate(self, run: TrainingRun) -> calibration_module.Calibration:
        """The calibration of a trained ``run``'s model, as ``python -m handwriting train`` saves
        it (:func:`handwriting.jobs.fit_calibration`): the temperature fitted on the run's
        validation digits (temperature 1 when it held out none)."""
        return jobs.fit_calibration(run.model, *run.validation) or calibration_module.Calibration()

    def _show_finetune(
        self, run, held_out: DrawingSet, base_calibration
    ) -> calibration_module.Calibration:
        """Before/after and the changed held-out drawings of a finished fine-tuning ``run``;
        returns the fine-tuned model's refitted calibration."""
        result = finetune_module.run_result(run, held_out, base_calibration)
        self.finetune_result = result
        number = len(self.runs) + 1  # its row in the runs table, added once it is calibrated
        self.finetune_view.value = (
            f"<div><b>Fine-tuning #{number}: before → after</b></div>"
            + comparison_html(result.comparison)
            + "<div><b>Held-out drawings that changed answer "
            f"({len(result.comparison.changed)})</b></div>"
            + changed_gallery_html(result.comparison, held_out)
        )
        return result.calibration

    def _publish(self, model, calibration) -> None:
        """Set the panel's model and its calibration together: followers observing ``model`` read
        the new ``calibration`` (notifications are held until both are set)."""
        try:
            with self.hold_trait_notifications():
                self.calibration, self.model = calibration, model
        except Exception as err:  # noqa: BLE001 - a follower must not break the panel
            self._say(
                f"A view following this panel failed to update: {html.escape(str(err))}", error=True
            )

    def _show_analysis(self, run: TrainingRun) -> None:
        """Confusion matrix and mistakes on the validation images (what a learner may look at
        to decide what to try next: the test set stays out of such choices)."""
        x_val, y_val = run.validation
        if len(y_val):
            probabilities = evaluation.predict_probabilities(run.model, x_val)
            matrix = evaluation.confusion_matrix(y_val, probabilities.argmax(axis=1))
            self.confusion_image.value = plots.figure_to_png(plots.confusion_figure(matrix))
            mistakes = evaluation.misclassified(probabilities, y_val, limit=24)
            self.mistakes_image.value = plots.figure_to_png(plots.mistakes_figure(mistakes, x_val))

    def _show_curves(self, run: TrainingRun) -> None:
        self.curves.value = curves.curves_svg(
            run.batch_history, run.history, run.config.epochs, run.steps_per_epoch
        )

    def _show_progress(self, run: TrainingRun) -> None:
        steps = max(run.steps_per_epoch, 1)
        total = steps * run.config.epochs
        done = min(run.epoch * steps + run.batch, total)
        self.progress.value = done / total
        elapsed = run.elapsed
        eta = elapsed / done * (total - done) if done else float("nan")
        self.progress_label.value = (
            f"epoch {run.epoch + 1}/{run.config.epochs} · batch "
            f"{run.batch}/{steps} · elapsed {_clock(elapsed)} · ETA {_clock(eta)}"
        )

    def _say(self, text: str, error: bool = False) -> None:
        colour = "#b00020" if error else "#333"
        self.message.value = f'<div style="color:{colour}">{text}</div>'
