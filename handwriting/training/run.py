"""Training runs: fit, stop, record, save.

A :class:`TrainingRun` is a plain Python object that the notebook widgets, the CLI and the tests
all drive the same way::

    run = TrainingRun(TrainingConfig.for_architecture("cnn2", epochs=3))
    record = run.fit()          # blocks; call run.stop() from another thread to end early
    run.save("runs/cnn2/model.keras")

Its settings and its record are in :mod:`~handwriting.training.config`. Progress reaches the
outside world through :class:`TrainingListener` objects, fed by one small Keras callback;
stopping and keeping the best weights are two more small callbacks.

One concern: fitting a run, with what it needs around Keras' fit (callbacks, optimizer and
schedule, mixed precision handed back as float32, the stop rules).
"""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path

from .. import data as data_module
from ..honest import metrics as evaluation
from ..models import architectures
from ..models.digit_model import load_model, save_model
from ..models.precision import MIXED, native_bfloat16, with_policy
from .config import ConfigError, RunRecord, TrainingConfig


def start_from(model, path: str | os.PathLike) -> None:
    """Give ``model`` the weights of the saved model at ``path``, which must have the same layers
    (e.g. a trained ``bncnn`` for ``drawcnn``: bncnn's layers), else :class:`ConfigError`."""
    source = load_model(path)
    shapes = [tuple(w.shape) for w in model.get_weights()]
    if [tuple(w.shape) for w in source.get_weights()] != shapes:
        raise ConfigError(
            f"{path} ({source.name}) has other layers than {model.name}: start from a "
            f"model of the same layers (e.g. a bncnn for drawcnn) or from random weights."
        )
    model.set_weights(source.get_weights())


class TrainingListener:
    """Receives progress from a run. Override what you need; every method is optional."""

    def on_run_begin(self, run: TrainingRun) -> None: ...

    def on_batch_end(self, run: TrainingRun, epoch: int, batch: int, logs: dict) -> None: ...

    def on_epoch_end(self, run: TrainingRun, epoch: int, logs: dict) -> None: ...

    def on_run_end(self, run: TrainingRun) -> None:
        """Called after success, stop or failure: look at ``run.status`` and ``run.error``."""


def batch_values(logs: dict, means_before: dict, batch: int) -> dict[str, float]:
    """The own loss and accuracy of the batches since the previous call, from Keras' batch logs.

    Keras reports, after batch ``batch`` (1-based) of an epoch, the mean over the epoch so far.
    With ``steps_per_execution`` > 1 it reports every few batches only; the batches since the
    previous report (batch ``n``, mean ``m``) have the mean ``(batch * mean - n * m) / (batch - n)``
    (exact when the batches are the same size). ``means_before`` holds the previous report and is
    updated in place; a report whose ``batch`` is not past the previous one starts a new epoch.
    """
    values = {}
    done = means_before.get("batches", 0)
    if batch <= done:  # a new epoch that was not announced: start afresh
        means_before.clear()
        done = 0
    for key in ("loss", "accuracy"):
        mean = logs.get(key)
        if mean is None or not math.isfinite(mean):
            continue
        before = means_before.get(key, mean)
        values[key] = (batch * mean - done * before) / (batch - done)
        means_before[key] = mean
    means_before["batches"] = batch
    return values


def _keras_callbacks(run: TrainingRun):
    """The three small callbacks a run needs: progress, stop requests, best weights."""
    import keras

    class ProgressCallback(keras.callbacks.Callback):
        """Feeds the run's history and its listeners from Keras' logs."""

        def on_epoch_begin(self, epoch, logs=None):
            run.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            # With steps_per_execution > 1 Keras numbers an epoch's last, shorter call as if it
            # were whole (batch 432 of 430): a batch count never passes the epoch's batches.
            run.batch = min(batch + 1, run.steps_per_epoch or batch + 1)
            run._record_batch(logs or {})
            for listener in run.listeners:
                listener.on_batch_end(run, run.epoch, batch, logs or {})

        def on_epoch_end(self, epoch, logs=None):
            logs = {k: float(v) for k, v in (logs or {}).items()}
            for key, value in logs.items():
                if key != "learning_rate":
                    run.history.setdefault(key, []).append(value)
            run.epochs_done = epoch + 1
            # Keras ends a stopped epoch early and still calls this: it counts in epochs_done
            # (and may give the best weights) but is not a completed epoch.
            if not (self.model.stop_training and run.batch < run.steps_per_epoch):
                run.completed_epochs = epoch + 1
            for listener in run.listeners:
                listener.on_epoch_end(run, epoch, logs)

    class StopOnRequest(keras.callbacks.Callback):
        """Ends training after the current batch once :meth:`TrainingRun.stop` was called."""

        def on_train_batch_end(self, batch, logs=None):
            if run.stop_requested:
                self.model.stop_training = True

    class KeepBestWeights(keras.callbacks.Callback):
        """Remembers the weights of the best epoch by ``run.best_by`` (validation accuracy:
        held-out training images, never the test set), else by training accuracy."""

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            score = logs.get(run.best_by, logs.get("accuracy"))
            if score is not None and (run.best_score is None or score > run.best_score):
                run.best_score = float(score)
                run.best_weights = self.model.get_weights()

    return [ProgressCallback(), StopOnRequest(), KeepBestWeights()]


def distribution_strategy():
    """MirroredStrategy over several GPUs, else the default (one GPU, or the CPU)."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()


def _optimizer(config: TrainingConfig, steps_per_epoch: int):
    import keras

    learning_rate = config.learning_rate
    recipe = architectures.get(config.architecture).recipe
    if recipe.one_cycle:
        warmup = min(
            int(steps_per_epoch * recipe.warmup_epochs), steps_per_epoch * config.epochs // 2
        )
        learning_rate = keras.optimizers.schedules.CosineDecay(
            config.learning_rate / 10,
            decay_steps=steps_per_epoch * config.epochs - warmup,
            warmup_target=config.learning_rate,
            warmup_steps=warmup,
        )
    elif config.lr_decay < 1.0:
        learning_rate = keras.optimizers.schedules.ExponentialDecay(
            config.learning_rate,
            decay_steps=steps_per_epoch,
            decay_rate=config.lr_decay,
            staircase=True,
        )
    factories = {
        "adam": keras.optimizers.Adam,
        "sgd": lambda learning_rate: keras.optimizers.SGD(learning_rate, momentum=0.9),
        "rmsprop": keras.optimizers.RMSprop,
    }
    return factories[config.optimizer](learning_rate=learning_rate)


def training_dataset(name: str):
    """The function that builds a recipe's training ``tf.data`` from (x, y, batch_size, augment=,
    seed=): "mnist" (:func:`handwriting.data.make_dataset`) or "drawings"
    (:func:`handwriting.training.augmentation.make_drawing_dataset`)."""
    if name == "drawings":
        from .augmentation import make_drawing_dataset  # lazy: imports TensorFlow

        return make_drawing_dataset
    if name == "mnist":
        return data_module.make_dataset
    raise ConfigError(f"Unknown training data {name!r}: 'mnist' or 'drawings'.")


def compile_model(model, config: TrainingConfig, steps_per_epoch: int) -> None:
    """Compile ``model`` for digit classification with the run's optimizer and schedule, and
    the recipe's loss (default: sparse cross-entropy; a taught run's at its teacher settings)."""
    recipe = architectures.get(config.architecture).recipe
    teaching = (
        {}
        if config.teacher is None
        else {"teacher_weight": config.teacher_weight, "temperature": config.teacher_temperature}
    )
    loss, metrics = (
        recipe.objective(**teaching)
        if recipe.objective
        else ("sparse_categorical_crossentropy", ["accuracy"])
    )
    model.compile(
        optimizer=_optimizer(config, steps_per_epoch),
        loss=loss,
        metrics=metrics,
        steps_per_execution=recipe.steps_per_execution,
    )


class TrainingRun:
    """One training run of one architecture: fit, stop, history, record, save.

    Attributes:
        status: "ready", "running", "finished", "stopped", "interrupted" or "failed".
        model: the Keras model (available once :meth:`fit` has built it).
        history: per-epoch lists: loss, accuracy, val_loss, val_accuracy (validation images).
        batch_history: one point per progress report (every batch, or every
            ``steps_per_execution`` batches): "epoch" (position in epochs, e.g. 2.5 is halfway
            through the third), and those batches' own "loss" and "accuracy" (see
            :func:`batch_values`).
        validation: (x_val, y_val), the training images held out from this run (set by fit).
        record: the :class:`RunRecord` once the run has ended well, or been stopped after it
            completed an epoch; None for a run stopped before that: it produced nothing.
        epochs_done: epochs begun and ended, a stopped one included.
        completed_epochs: epochs that ran to their end.
        error: the exception that ended a failed run.
    """

    #: The Keras log that picks the epoch whose weights a stopped run keeps.
    best_by = "val_accuracy"

    def __init__(self, config: TrainingConfig | None = None, data=None, listeners=()):
        """
        Args:
            config: hyper-parameters (default: cnn2's recipe).
            data: ((x_train, y_train), (x_test, y_test)) as from :func:`data.load_mnist` (raw
                uint8 MNIST is normalised, anything else refused: :func:`data.as_digit_data`);
                default: loaded on :meth:`fit` (quick subsets when ``$HANDWRITING_QUICK`` is on).
                ``config.validation_size`` of the training images are held out for validation;
                the test images are only used once, for the record, when the run ends.
            listeners: :class:`TrainingListener` objects that receive progress.
        """
        self.config = config or TrainingConfig.for_architecture("cnn2")
        self.data = None if data is None else data_module.as_digit_data(data)
        self.listeners = list(listeners)
        self.status = "ready"
        self.model = None
        self.history: dict[str, list[float]] = {}
        self.batch_history: dict[str, list[float]] = {"epoch": [], "loss": [], "accuracy": []}
        self._epoch_means: dict[str, float] = {}
        self.record: RunRecord | None = None
        self.error: BaseException | None = None
        self.epoch = 0
        self.batch = 0
        self.epochs_done = 0
        self.completed_epochs = 0
        self.steps_per_epoch = 0
        self.train_size = 0
        self.validation = None
        self.started_at: float | None = None
        self.best_score: float | None = None
        self.best_weights = None
        self._stop = threading.Event()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def elapsed(self) -> float:
        """Seconds since fitting started (0 before)."""
        return 0.0 if self.started_at is None else time.perf_counter() - self.started_at

    def _record_batch(self, logs: dict) -> None:
        """Append the batch that just ended to :attr:`batch_history`."""
        values = batch_values(logs, self._epoch_means, self.batch)
        if values:
            self.batch_history["epoch"].append(
                self.epoch + self.batch / max(self.steps_per_epoch, 1)
            )
            for key in ("loss", "accuracy"):
                self.batch_history[key].append(values.get(key, math.nan))

    def stop(self) -> None:
        """Ask the run to end after the current batch; safe from any thread, any time."""
        self._stop.set()

    def fit(self) -> RunRecord:
        """Train (blocking) and return the run's record.

        A stop request or Ctrl+C ends training early and keeps the weights of the best epoch
        so far; before the first epoch has ended there are none, and the record is None (the
        model has learned nothing worth keeping, and :meth:`save` refuses it). Any other error
        marks the run "failed", is stored in ``error`` and re-raised.
        """
        if self.status != "ready":
            raise RuntimeError(f"This run is already {self.status}; start a new TrainingRun.")
        self.status = "running"
        for listener in self.listeners:
            listener.on_run_begin(self)
        try:
            self._fit()
        except KeyboardInterrupt:
            self._finish_early("interrupted")
        except BaseException as err:
            self.status, self.error = "failed", err
            raise
        finally:
            for listener in self.listeners:
                listener.on_run_end(self)
        return self.record

    def _fit(self) -> None:
        config = self.config
        config.validate()
        if self.data is None:
            self.data = data_module.load_mnist()
        train_ds = self._prepare()
        val_ds = (
            data_module.make_dataset(*self.validation, 1024, shuffle=False)
            if len(self.validation[1])
            else None
        )

        self.started_at = time.perf_counter()
        self.model.fit(
            train_ds,
            epochs=config.epochs,
            validation_data=val_ds,
            verbose=0,
            shuffle=False,  # the tf.data pipeline shuffles
            callbacks=_keras_callbacks(self),
        )
        seconds = self.elapsed
        if self.stop_requested:
            self._finish_early("stopped", seconds)
        else:
            self._hand_back_float32()
            self.status = "finished"
            self.record = self._make_record(seconds, stopped=False)

    def _prepare(self):
        """Build and compile :attr:`model`, set :attr:`validation`, :attr:`train_size` and
        :attr:`steps_per_epoch`, and return the training ``tf.data`` pipeline (one epoch).

        A subclass that trains differently (e.g. :class:`handwriting.training.finetune.FineTuneRun`)
        overrides this; fitting, stopping, listeners and the record stay the same.
        """
        import keras

        config = self.config
        (x_all, y_all), _ = self.data
        config.validate(len(x_all))
        train, validation = config.split(len(x_all))
        x_train, y_train = x_all[train], y_all[train]
        self.validation = (x_all[validation], y_all[validation])
        self.train_size = len(train)
        self.steps_per_epoch = math.ceil(self.train_size / config.batch_size)
        if config.seed is not None:
            keras.utils.set_random_seed(config.seed)

        recipe = architectures.get(config.architecture).recipe
        with distribution_strategy().scope():
            self.model = architectures.build(config.architecture)
            if config.initial_model is not None:
                start_from(self.model, config.initial_model)
            if recipe.mixed_precision and native_bfloat16():
                self.model = with_policy(self.model, MIXED)
            dataset = self._training_dataset(recipe.dataset, x_train, y_train)
            compile_model(self.model, config, self.steps_per_epoch)
        return dataset

    def _training_dataset(self, name: str, x_train, y_train):
        """The recipe's training ``tf.data`` (``name``: :func:`training_dataset`), with the
        config's pen digits; sets :attr:`steps_per_epoch` to the batches it really has: a
        "drawings" recipe adds drawings to the MNIST images, and a one-cycle schedule counted
        on the MNIST images alone reached learning rate 0 long before the run ended."""
        config = self.config
        extra = {"pendigits_share": config.pendigits_share} if config.pendigits_share else {}
        if config.teacher is not None:
            extra["teacher"] = load_model(config.teacher)
        dataset = training_dataset(name)(
            x_train, y_train, config.batch_size, augment=config.augment, seed=config.seed, **extra
        )
        batches = int(dataset.cardinality())
        if batches > 0:  # not unknown (-2) or infinite (-1): keep the MNIST count
            self.steps_per_epoch = batches
        return dataset

    def _finish_early(self, status: str, seconds: float | None = None) -> None:
        """Restore the best epoch's weights and record a stopped/interrupted run (no record
        when no epoch was completed: nothing was produced)."""
        seconds = self.elapsed if seconds is None else seconds
        if self.best_weights is not None and self.model is not None:
            self.model.set_weights(self.best_weights)
        self._hand_back_float32()
        self.status = status
        if self.completed_epochs and self.model is not None and self.data is not None:
            self.record = self._make_record(seconds, stopped=True)

    def _hand_back_float32(self) -> None:
        """Replace a model trained in mixed precision by its float32 copy (same weights), the
        dtype the pad, the export and the saved file expect."""
        if self.model is not None and any(
            layer.dtype_policy.name != "float32" for layer in self.model.layers
        ):
            self.model = with_policy(self.model, "float32")

    def _make_record(self, seconds: float, stopped: bool) -> RunRecord:
        (_, _), (x_test, y_test) = self.data
        x_val, y_val = self.validation
        return RunRecord(
            architecture=self.config.architecture,
            epochs=self.epochs_done,
            epochs_planned=self.config.epochs,
            batch_size=self.config.batch_size,
            learning_rate=self.config.learning_rate,
            augment=self.config.augment,
            train_size=self.train_size,
            validation_size=len(y_val),
            seconds=round(seconds, 2),
            train_accuracy=(self.history.get("accuracy") or [float("nan")])[-1],
            val_accuracy=evaluation.accuracy(self.model, x_val, y_val)
            if len(y_val)
            else float("nan"),
            test_accuracy=evaluation.accuracy(self.model, x_test, y_test),
            parameters=int(self.model.count_params()),
            stopped=stopped,
        )

    def save(self, path: str | os.PathLike, calibration=None) -> Path:
        """Save the model as ``.keras`` atomically (never a half-written file), with its
        ``calibration`` if given, else deleting a calibration an earlier model left at that
        path (:func:`handwriting.models.save_model`); returns the path.

        Raises:
            RuntimeError: no epoch of this run has ended yet (before :meth:`fit`, or stopped
                during its first epoch): there is nothing worth saving.
        """
        if self.model is None:
            raise RuntimeError("Nothing to save: this run has no model yet. Call fit() first.")
        if not self.completed_epochs:
            raise RuntimeError(
                f"Nothing to save: this run ({self.status}) has not completed an "
                "epoch, so its model has learned nothing worth keeping; nothing was "
                "written. Train again and let at least one epoch end."
            )
        return save_model(self.model, path, calibration)
