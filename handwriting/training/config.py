"""What a training run is told and what it tells back: :class:`TrainingConfig` (hyper-parameters,
validated with every problem in one message) and :class:`RunRecord` (one row of the runs table).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from .. import data as data_module
from ..constants import TEACHER_TEMPERATURE, TEACHER_WEIGHT
from ..models import architectures

OPTIMIZERS = ("adam", "sgd", "rmsprop")


class ConfigError(ValueError):
    """Invalid hyper-parameters; the message lists every problem and the allowed values."""


def check_whole(found: list[str], name: str, value, low: int) -> bool:
    """Append a sentence to ``found`` unless ``value`` is a whole number >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        found.append(f"{name} must be a whole number >= {low}, not {value!r}")
        return False
    return True


def check_number(
    found: list[str], name: str, value, low: float, high: float, low_open: bool = True
) -> bool:
    """Append a sentence to ``found`` unless ``value`` is a finite number in (low, high]
    (or [low, high] when not ``low_open``)."""
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value > low if low_open else value >= low)
    if not ok or value > high:
        bracket = "(" if low_open else "["
        found.append(f"{name} must be a number in {bracket}{low}, {high}], not {value!r}")
        return False
    return True


def with_settings(config_class, **settings):
    """``config_class(**settings)``, or a :class:`ConfigError` naming an unknown setting (with the
    closest real one: ``epoch`` -> "did you mean 'epochs'?") instead of a dataclass TypeError."""
    known = [field.name for field in fields(config_class)]
    unknown = [name for name in settings if name not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(
            f"Unknown setting {unknown[0]!r}{hint}; the settings are: {', '.join(known)}."
        )
    return config_class(**settings)


@dataclass
class TrainingConfig:
    """Hyper-parameters of one run. Use :meth:`for_architecture` to start from a recipe."""

    architecture: str = "cnn2"
    epochs: int = 12
    batch_size: int = 128
    learning_rate: float = 1e-3
    lr_decay: float = 1.0  # learning rate multiplier applied after every epoch
    optimizer: str = "adam"
    augment: bool = False  # random shifts, rotations, zoom of the training images
    data_fraction: float = 1.0  # share of the training images used (first N after the split)
    seed: int | None = None
    validation_size: int = data_module.VALIDATION_SIZE  # training images held out (0: none)
    initial_model: str | None = (
        None  # a saved model of the same layers to start from (None: random)
    )
    # Real writers' pen digits (drawn.pendigits' training part, varied renderings) added to a
    # "drawings" recipe's augmented data, as a share of the MNIST training images (0: none).
    pendigits_share: float = 0.0
    # A saved digit model whose probabilities on the MNIST training images (augmented as this
    # run sees them) join their targets: knowledge distillation (a "drawings" recipe only).
    teacher: str | None = None
    # The teacher's share of a taught image's loss, and the temperature softening both
    # readings (handwriting.models.losses; a run with a teacher only).
    teacher_weight: float = TEACHER_WEIGHT
    teacher_temperature: float = TEACHER_TEMPERATURE

    @classmethod
    def for_architecture(cls, name: str, **overrides) -> TrainingConfig:
        """The architecture's default recipe, with ``overrides`` applied."""
        recipe = architectures.get(name).recipe
        return with_settings(
            cls,
            **{
                "architecture": name,
                "epochs": recipe.epochs,
                "batch_size": recipe.batch_size,
                "learning_rate": recipe.learning_rate,
                "lr_decay": recipe.lr_decay,
                "augment": recipe.augment,
                **overrides,
            },
        )

    def problems(self, train_size: int | None = None) -> list[str]:
        """Every reason this configuration cannot run, as sentences (empty when it can)."""
        found = []
        if self.architecture not in architectures.names():
            found.append(
                f"architecture must be one of {', '.join(architectures.names())}, "
                f"not {self.architecture!r}"
            )

        def whole(name, value, low):
            return check_whole(found, name, value, low)

        def number(name, value, low, high, low_open=True):
            return check_number(found, name, value, low, high, low_open)

        whole("epochs", self.epochs, 1)
        split_ok = whole("validation_size", self.validation_size, 0)
        split_ok &= number("data_fraction", self.data_fraction, 0, 1)
        if whole("batch_size", self.batch_size, 1) and split_ok and train_size is not None:
            used = self.train_size(train_size)
            if used and self.batch_size > used:
                found.append(
                    f"batch_size {self.batch_size} is larger than the {used} training "
                    "images in use: lower it or use more data"
                )
        number("learning_rate", self.learning_rate, 0, 10)
        number("lr_decay", self.lr_decay, 0, 1)
        if number("pendigits_share", self.pendigits_share, 0, 10, low_open=False):
            self._check_pendigits(found)
        if self.optimizer not in OPTIMIZERS:
            found.append(
                f"optimizer must be one of {', '.join(OPTIMIZERS)}, not {self.optimizer!r}"
            )
        self._check_teacher(found)
        if self.initial_model is not None and not Path(self.initial_model).is_file():
            found.append(
                f"initial_model {self.initial_model} is not a file (train that model "
                "first, or start from random weights)"
            )
        return found

    @property
    def trained_on_drawings(self) -> bool:
        """Whether the architecture's recipe trains on drawings (MNIST plus pad-like drawings),
        the only data real writers' pen digits can join (a known architecture's only)."""
        return architectures.get(self.architecture).recipe.dataset == "drawings"

    def _needs_drawings(self, setting: str, found: list[str]) -> bool:
        """Note that ``setting`` needs a recipe trained on drawings unless this one is (or is
        unknown: the architecture check says so); True when it is."""
        if self.architecture not in architectures.names() or self.trained_on_drawings:
            return True
        dataset = architectures.get(self.architecture).recipe.dataset
        found.append(
            f"{setting} needs a recipe trained on drawings (e.g. drawcnn), not "
            f"{self.architecture}'s {dataset!r} data"
        )
        return False

    def _check_pendigits(self, found: list[str]) -> None:
        """Pen digits join the drawn training data: only a "drawings" recipe, augmented, has it."""
        if not self.pendigits_share:
            return
        if self._needs_drawings("pendigits_share", found) and not self.augment:
            found.append("pendigits_share adds to the augmented drawings: it needs augment on")

    def _check_teacher(self, found: list[str]) -> None:
        """A teacher is a saved model, taught through the drawings recipe's targets, at a weight
        in [0, 1] and a positive temperature (which mean nothing without it)."""
        changed = []
        for name, value, default, high, low_open in (
            ("teacher_weight", self.teacher_weight, TEACHER_WEIGHT, 1, False),
            ("teacher_temperature", self.teacher_temperature, TEACHER_TEMPERATURE, 100, True),
        ):
            if check_number(found, name, value, 0, high, low_open) and value != default:
                changed.append(name)
        if self.teacher is None:
            if changed:
                need = "needs" if len(changed) == 1 else "need"
                found.append(f"{' and '.join(changed)} {need} a teacher (a model to learn from)")
            return
        if not Path(self.teacher).is_file():
            found.append(
                f"teacher {self.teacher} is not a file (train the teacher model first, "
                "e.g. a bncnn)"
            )
        self._needs_drawings("teacher", found)

    def validate(self, train_size: int | None = None) -> TrainingConfig:
        """Raise :class:`ConfigError` listing every problem; return self when there are none."""
        found = self.problems(train_size)
        if found:
            raise ConfigError("Invalid training settings: " + "; ".join(found) + ".")
        return self

    def split(self, available: int) -> tuple:
        """(train indices, validation indices) into ``available`` training images: the seeded
        validation split (the same images in every run), then the first ``data_fraction`` of
        the rest for training."""
        train, validation = data_module.validation_indices(available, self.validation_size)
        return train[: max(1, int(round(len(train) * self.data_fraction)))], validation

    def train_size(self, available: int) -> int:
        """How many of ``available`` training images this configuration trains on."""
        return len(self.split(available)[0])


@dataclass
class RunRecord:
    """One row of the runs table: what was trained, how long it took, how well it does."""

    architecture: str
    epochs: int  # epochs completed (a stopped epoch counts)
    epochs_planned: int
    batch_size: int
    learning_rate: float
    augment: bool
    train_size: int
    validation_size: int  # training images held out to watch the run (not trained on)
    seconds: float  # wall time of fitting (not of the final evaluation)
    train_accuracy: float  # Keras' running accuracy over the last epoch
    val_accuracy: float  # accuracy on the held-out training images (nan without them)
    test_accuracy: float  # the test set, evaluated once, when the run has ended
    parameters: int
    stopped: bool = False

    @property
    def seconds_per_epoch(self) -> float:
        return self.seconds / max(self.epochs, 1)

    def summary(self) -> str:
        """One line: architecture, epochs, seconds, train / validation / test accuracy, size."""
        return (
            f"{self.architecture:<8} {self.epochs:>3} ep  {self.seconds:8.1f} s  "
            f"train {self.train_accuracy:7.2%}  val {self.val_accuracy:7.2%}  "
            f"test {self.test_accuracy:7.2%}  {self.parameters:>10,} params"
            + ("  (stopped early)" if self.stopped else "")
        )

    def as_row(self) -> dict:
        """The record as a flat dict, for tables and JSON."""
        row = asdict(self)
        row["seconds_per_epoch"] = self.seconds_per_epoch
        return row
