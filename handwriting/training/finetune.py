"""Teach a digit model someone's handwriting: fine-tune on their drawings mixed with MNIST.

Like Teachable Machine: a few drawings per digit, seconds of training, the result at once::

    result = finetune("pretrained", load_drawings("my_digits"))
    print(format_comparison(result.comparison))
    save_model(result.model, "mine.keras", result.calibration)   # handwriting.models: both at once

Fine-tuning is a :class:`~handwriting.training.TrainingRun` (:class:`FineTuneRun`), so the
training panel's progress, Stop, live curves and runs table work for it unchanged; only how the
model and the data are prepared differs. Every batch is a quarter the person's training
drawings (oversampled, lightly warped) and three quarters MNIST training digits, so the model
learns the new style without forgetting MNIST. The person's held-out drawings and the MNIST test
set measure
before and after; neither is trained on, nor picks the epoch kept after a Stop.

One concern: fine-tuning on a person's drawings: its settings, the mixed batches, the run and
the before/after comparison belong together and change together.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from .. import data as data_module
from .. import drawn
from ..drawn.collected import DrawingsError, DrawingSet, load_drawings
from ..drawn.redrawn import CALIBRATION_DRAWINGS
from ..honest import calibration as calibration_module
from ..honest import metrics as evaluation
from ..models.digit_model import as_digit_model
from .config import ConfigError, check_number, check_whole, with_settings
from .run import TrainingRun, distribution_strategy

#: Light augmentation of the person's drawings (see drawn_training.random_warp): the same hand
#: varies a little in slant, size and place; the full pad augmentation would blur the style.
WARP = {
    "rotation_degrees": 8.0,
    "shear": 0.15,
    "scale": (0.9, 1.1),
    "shift_pixels": 1.5,
    "elastic_pixels": 0.5,
}


@dataclass
class FineTuneConfig:
    """Settings of a fine-tuning run (the fields the runs table shows mean the same as in
    :class:`~handwriting.training.TrainingConfig`)."""

    architecture: str = "finetuned"  # the run's name in the runs table, e.g. "drawcnn+you"
    epochs: int = 3
    batch_size: int = 64  # drawings and MNIST digits together
    learning_rate: float = 3e-4  # low: adjust the model, do not retrain it
    # Share of every batch taken from the person's drawings. Measured with the pretrained model,
    # 14 barred seven-segment drawings per digit, 3 epochs: held-out 63 % -> 100 % either way;
    # MNIST test -1.0 points with 0.5, -0.3 with 0.25 (which takes twice the steps).
    drawing_share: float = 0.25
    # Times each training drawing is seen per epoch (warped anew). Measured with the pretrained
    # model, 20 drawings per digit, persons 1397-1399 (bench/finetune.py explores below its
    # EXPLORATION_SEED, never on its benchmark persons): 8 repeats, held-out 97.5-99 % after,
    # MNIST test -0.13 to -0.18 points, 99-117 CPU s; 4 (half the steps): 99-100 %, -0.41 to
    # -0.59 points, 65-81 CPU s: fewer steps forgot more MNIST, not less. Freezing the first conv
    # block instead: 78-94 CPU s, -0.20 to -0.33; Adam at 1e-4: -0.31 (person 1399 only).
    repeats: int = 8
    # Share of every batch taken from non-digit drawings (handwriting.drawn's training generator),
    # trained towards "no idea" as the pretrained recipe does (outlier exposure), so that the
    # pad still says "not a digit" for scribbles after fine-tuning. 0 turns it off.
    non_digit_share: float = 0.0625
    augment: bool = True  # warp the drawings (WARP); MNIST digits are used as they are
    seed: int | None = 0
    validation_size: int = data_module.VALIDATION_SIZE  # MNIST training digits held out

    @classmethod
    def for_model(cls, model, **overrides) -> FineTuneConfig:
        """The default settings, named after the base ``model`` ("drawcnn+you"), with
        ``overrides`` applied."""
        return with_settings(cls, **{"architecture": f"{model.name}+you", **overrides})

    def problems(self) -> list[str]:
        """Every reason these settings cannot run, as sentences (empty when they can)."""
        found: list[str] = []
        check_whole(found, "epochs", self.epochs, 1)
        check_whole(found, "repeats", self.repeats, 1)
        check_whole(found, "validation_size", self.validation_size, 0)
        check_number(found, "learning_rate", self.learning_rate, 0, 10)
        if check_whole(found, "batch_size", self.batch_size, 2) and check_number(
            found, "drawing_share", self.drawing_share, 0, 1
        ):
            if not 1 <= self.drawings_per_batch < self.batch_size:
                found.append(
                    f"drawing_share {self.drawing_share} leaves no room for drawings or "
                    f"for MNIST digits in a batch of {self.batch_size}"
                )
            elif (
                check_number(found, "non_digit_share", self.non_digit_share, 0, 1)
                and self.drawings_per_batch + self.non_digits_per_batch >= self.batch_size
            ):
                found.append(
                    f"drawing_share {self.drawing_share} and non_digit_share "
                    f"{self.non_digit_share} leave no room for MNIST digits in a batch "
                    f"of {self.batch_size}"
                )
        return found

    def validate(self) -> FineTuneConfig:
        """Raise :class:`~handwriting.training.ConfigError` listing every problem."""
        found = self.problems()
        if found:
            raise ConfigError("Invalid fine-tuning settings: " + "; ".join(found) + ".")
        return self

    @property
    def drawings_per_batch(self) -> int:
        return int(round(self.batch_size * self.drawing_share))

    @property
    def non_digits_per_batch(self) -> int:
        return int(round(self.batch_size * self.non_digit_share))


def copy_model(model):
    """A new model with ``model``'s layers and weights (fine-tuning never changes the base)."""
    import keras

    with distribution_strategy().scope():
        copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


#: How many different non-digit drawings fine-tuning shows (made once per process, ~2 s).
NON_DIGITS = 512


@functools.cache
def non_digit_images(n: int = NON_DIGITS, seed: int = 0) -> np.ndarray:
    """(M, 28, 28, 1) float32: ``n`` non-digits of handwriting.drawn's TRAINING generator, through
    the pad's preprocessing (drawings it refuses are left out)."""
    drawings = drawn.non_digit_drawings(np.random.default_rng([seed, 41]), n)
    images, refusals = drawn.to_model_inputs(drawings, size=drawn.AUGMENT_CANVAS)
    return images[[i for i, refusal in enumerate(refusals) if refusal is None]]


def mixed_dataset(drawn: tuple, mnist: tuple, config: FineTuneConfig, non_digits=None):
    """One epoch of batches: ``config.drawings_per_batch`` of the drawings ``drawn`` (each seen
    ``config.repeats`` times, warped when ``config.augment``), then
    ``config.non_digits_per_batch`` of the images ``non_digits`` (label
    :data:`~handwriting.training.augmentation.OUTLIER_LABEL`; none when not given), then as many
    MNIST
    digits ``mnist`` as fill the batch, drawn afresh every epoch."""
    import tensorflow as tf

    from ..models.losses import OUTLIER_LABEL  # lazy: imports Keras
    from .augmentation import pad_augmentation, random_warp  # lazy: imports TensorFlow

    (x_drawn, y_drawn), (x_mnist, y_mnist) = drawn, mnist
    per_batch = config.drawings_per_batch
    seed = config.seed

    def endless(x, y, shuffle: int, batch: int):
        return (
            tf.data.Dataset.from_tensor_slices((np.asarray(x, np.float32), np.asarray(y, np.int64)))
            .shuffle(shuffle, seed=seed, reshuffle_each_iteration=True)
            .repeat()
            .batch(batch)
        )

    drawings = (
        tf.data.Dataset.from_tensor_slices(
            (np.asarray(x_drawn, np.float32), np.asarray(y_drawn, np.int64))
        )
        .repeat(config.repeats)
        .shuffle(len(x_drawn) * config.repeats, seed=seed, reshuffle_each_iteration=True)
        .batch(per_batch)
    )
    if config.augment:
        drawings = drawings.map(lambda x, y: (random_warp(x, **WARP), y))
    parts, rest = [drawings], config.batch_size - per_batch
    if non_digits is not None and len(non_digits) and config.non_digits_per_batch:
        outliers = endless(
            non_digits,
            np.full(len(non_digits), OUTLIER_LABEL),
            len(non_digits),
            config.non_digits_per_batch,
        )
        parts.append(
            outliers.map(lambda x, y: (pad_augmentation(x), y)) if config.augment else outliers
        )
        rest -= config.non_digits_per_batch
    parts.append(endless(x_mnist, y_mnist, min(len(x_mnist), 10_000), rest))
    mixed = tf.data.Dataset.zip(tuple(parts)).map(
        lambda *batches: (
            tf.concat([b[0] for b in batches], axis=0),
            tf.concat([b[1] for b in batches], axis=0),
        )
    )
    return mixed.prefetch(tf.data.AUTOTUNE)


class FineTuneRun(TrainingRun):
    """A :class:`~handwriting.training.TrainingRun` that starts from a trained model.

    Attributes (beyond the run's): ``base`` (the unchanged model), ``drawings`` (the person's
    training drawings). ``train_size`` counts those drawings; ``validation`` is MNIST training
    digits held out as in every run (the record's val accuracy, the calibration).
    A Stop keeps the epoch with the best accuracy on the mixed training batches: the held-out
    drawings and the test set stay unseen.
    """

    best_by = "accuracy"

    def __init__(
        self,
        base,
        drawings: DrawingSet,
        config: FineTuneConfig | None = None,
        data=None,
        listeners=(),
    ):
        """
        Args:
            base: a digit model, a ``.keras`` path or ``"pretrained"``; it is copied, not changed.
            drawings: the person's training drawings (not the held-out ones).
            config: the settings (default :class:`FineTuneConfig`).
            data: MNIST ((x_train, y_train), (x_test, y_test)); default loaded on fit.
            listeners: :class:`~handwriting.training.TrainingListener` objects.
        """
        super().__init__(config or FineTuneConfig(), data=data, listeners=listeners)
        self.base = as_digit_model(base)
        if not len(drawings):
            raise DrawingsError(
                "No drawings to fine-tune on: collect some first (handwriting.drawn.collected)."
            )
        self.drawings = drawings

    def _prepare(self):
        import keras

        from ..models.losses import outlier_exposure_objective  # lazy: imports Keras

        config = self.config
        (x_all, y_all), _ = self.data
        train, validation = data_module.validation_indices(len(x_all), config.validation_size)
        self.validation = (x_all[validation], y_all[validation])
        self.train_size = len(self.drawings)
        self.steps_per_epoch = math.ceil(
            len(self.drawings) * config.repeats / config.drawings_per_batch
        )
        if config.seed is not None:
            keras.utils.set_random_seed(config.seed)
        self.model = copy_model(self.base)
        loss, metrics = outlier_exposure_objective(label_smoothing=0.0)
        with distribution_strategy().scope():
            self.model.compile(
                optimizer=keras.optimizers.Adam(config.learning_rate), loss=loss, metrics=metrics
            )
        return mixed_dataset(
            (self.drawings.images, self.drawings.labels),
            (x_all[train], y_all[train]),
            config,
            non_digit_images() if config.non_digits_per_batch else None,
        )


@dataclass(frozen=True)
class Change:
    """A held-out drawing whose answer changed: its index in the held-out set, true digit,
    the base model's answer and the fine-tuned model's."""

    index: int
    label: int
    before: int
    after: int

    @property
    def fixed(self) -> bool:
        return self.after == self.label


@dataclass
class Comparison:
    """Before/after accuracy on the person's held-out drawings and on the MNIST test set."""

    drawings_before: float
    drawings_after: float
    held_out: int
    mnist_before: float
    mnist_after: float
    mnist_size: int
    changed: list[Change] = field(default_factory=list)


def compare(
    labels, before, after, mnist_before: float, mnist_after: float, mnist_size: int
) -> Comparison:
    """The :class:`Comparison` from the held-out drawings' ``labels`` and the digits the base
    (``before``) and the fine-tuned model (``after``) read, plus the two MNIST test accuracies."""
    labels, before, after = (
        np.asarray(a, dtype=np.int64).reshape(-1) for a in (labels, before, after)
    )
    if not len(labels) == len(before) == len(after):
        raise ValueError(
            f"Expected as many answers as labels, got {len(labels)} labels, "
            f"{len(before)} and {len(after)} answers."
        )
    if not len(labels):
        raise ValueError(
            "No held-out drawings to compare on: hold some out with DrawingSet.split()."
        )
    changed = [
        Change(int(i), int(labels[i]), int(before[i]), int(after[i]))
        for i in np.flatnonzero(before != after)
    ]
    return Comparison(
        float((before == labels).mean()),
        float((after == labels).mean()),
        len(labels),
        float(mnist_before),
        float(mnist_after),
        int(mnist_size),
        changed,
    )


def format_comparison(comparison: Comparison) -> str:
    """One line: held-out drawings and MNIST test accuracy before -> after, and what changed."""
    c = comparison
    fixed = sum(change.fixed for change in c.changed)
    broken = sum(change.before == change.label for change in c.changed)
    return (
        f"your held-out drawings {c.drawings_before:.1%} -> {c.drawings_after:.1%} ({c.held_out}) "
        "· "
        f"MNIST test {c.mnist_before:.2%} -> {c.mnist_after:.2%} ({c.mnist_size:,}; "
        f"{(c.mnist_after - c.mnist_before) * 100:+.2f} points) · {len(c.changed)} changed answer: "
        f"{fixed} now right, {broken} now wrong"
    )


def format_changes(comparison: Comparison, held_out: DrawingSet) -> list[str]:
    """One line per changed held-out drawing: its file, true digit, before -> after."""
    return [
        f"{held_out.paths[c.index]}: a {c.label}, read {c.before} -> {c.after}"
        + (" (fixed)" if c.fixed else " (now wrong)" if c.before == c.label else "")
        for c in comparison.changed
    ]


@dataclass
class FineTuneResult:
    """What :func:`finetune` returns.

    Attributes:
        model: the fine-tuned model (a copy; the base is unchanged).
        run: the finished :class:`FineTuneRun` (record, history).
        train, held_out: the person's drawings it learned from and those kept for testing.
        comparison: before/after (:func:`format_comparison` prints it).
        calibration: the fine-tuned model's calibration; ``calibration_note`` says how it was made.
    """

    model: object
    run: FineTuneRun
    train: DrawingSet
    held_out: DrawingSet
    comparison: Comparison
    calibration: calibration_module.Calibration
    calibration_note: str


def refit_calibration(model, validation, base: calibration_module.Calibration):
    """(calibration, note) for a fine-tuned model: the temperature and the not-a-digit floor
    fitted again on the held-out MNIST digits ``validation`` (:func:`calibration.fit`; the base
    model's no longer fit the changed weights), the base's thresholds kept; temperature 1 and no
    floor when there are no held-out digits."""
    x_val, y_val = validation
    if not len(y_val):
        return (
            calibration_module.Calibration(1.0, base.sure, base.pair),
            f"temperature reset to 1 (was {base.temperature:.3f}) and no not-a-digit floor: "
            "no held-out MNIST digits to refit them on (validation_size 0)",
        )
    fitted = calibration_module.fit(model, x_val, y_val, base.sure, base.pair)
    return fitted, (
        f"temperature {fitted.temperature:.3f} (base {base.temperature:.3f}) refitted on "
        f"{min(len(y_val), CALIBRATION_DRAWINGS):,} held-out MNIST training digits "
        f"redrawn as strokes, the not-a-digit floor {fitted.floor:.2%} on them as given; "
        "thresholds kept"
    )


def finetune(
    model,
    drawings,
    config: FineTuneConfig | None = None,
    data=None,
    held_out=0.3,
    seed: int = 0,
    listeners=(),
    calibration: calibration_module.Calibration | None = None,
) -> FineTuneResult:
    """Fine-tune a copy of ``model`` on a person's drawings and compare it with the original.

    Args:
        model: a digit model, a ``.keras`` path or ``"pretrained"`` (its calibration's thresholds
            are kept, its temperature refitted: :func:`refit_calibration`).
        drawings: a :class:`~handwriting.drawn.collected.DrawingSet` or a drawings folder.
        config: fine-tuning settings (default: :meth:`FineTuneConfig.for_model`).
        data: MNIST as from :func:`handwriting.data.load_mnist` (default: loaded, quick subsets
            when ``$HANDWRITING_QUICK`` is on).
        held_out: share of each digit's drawings kept for the before/after comparison; or the
            held-out drawings themselves, drawn apart (a DrawingSet or a drawings folder): then
            every one of ``drawings`` is learned from.
        seed: the split's seed.
        listeners: progress listeners of the run.
        calibration: the base model's calibration (default: :func:`calibration.for_model`).

    Raises:
        DrawingsError: no drawings, or too few of a digit to hold one out.
        ModelError: ``model`` is not a digit model.
        RuntimeError: stopped (Ctrl+C) before the first epoch ended: nothing to keep.
    """
    data = data if data is not None else data_module.load_mnist()
    run, test, base_calibration = prepare(
        model, drawings, config, data, held_out, seed, listeners, calibration
    )
    run.fit()
    return run_result(run, test, base_calibration)


def prepare(
    model,
    drawings,
    config: FineTuneConfig | None = None,
    data=None,
    held_out=0.3,
    seed: int = 0,
    listeners=(),
    calibration: calibration_module.Calibration | None = None,
    **settings,
) -> tuple[FineTuneRun, DrawingSet, calibration_module.Calibration]:
    """Everything before fitting, shared by :func:`finetune` and the training panel: the
    drawings loaded and split, the base's calibration, the settings checked, the run made.

    Args are :func:`finetune`'s; ``settings`` are :class:`FineTuneConfig` fields used when no
    ``config`` is given.

    Returns:
        (the :class:`FineTuneRun`, not started; the held-out drawings; the base's calibration).
    """
    drawings = drawings if isinstance(drawings, DrawingSet) else load_drawings(drawings)
    if isinstance(held_out, (int, float)):
        train, test = drawings.split(held_out, seed)
    else:
        train, test = (
            drawings,
            held_out if isinstance(held_out, DrawingSet) else load_drawings(held_out),
        )
    base = as_digit_model(model)
    base_calibration = calibration_module.for_model(model, calibration)
    config = (config or FineTuneConfig.for_model(base, **settings)).validate()
    return FineTuneRun(base, train, config, data=data, listeners=listeners), test, base_calibration


def run_result(
    run: FineTuneRun, held_out: DrawingSet, base_calibration: calibration_module.Calibration
) -> FineTuneResult:
    """The :class:`FineTuneResult` of a finished (or stopped) ``run``: its model against the
    base on the ``held_out`` drawings and the run's MNIST test set, and the refitted calibration.

    Raises:
        RuntimeError: the run ended before its first epoch did (nothing to compare or save).
    """
    if run.record is None:
        raise RuntimeError(
            f"Fine-tuning ended ({run.status}) before its first epoch did: nothing "
            "to compare or save; fine-tune again and let at least one epoch end."
        )
    (_, _), (x_test, y_test) = run.data
    comparison = compare(
        held_out.labels,
        evaluation.predict_probabilities(run.base, held_out.images).argmax(axis=1),
        evaluation.predict_probabilities(run.model, held_out.images).argmax(axis=1),
        evaluation.accuracy(run.base, x_test, y_test),
        run.record.test_accuracy,
        len(y_test),
    )
    calibration, note = refit_calibration(run.model, run.validation, base_calibration)
    return FineTuneResult(run.model, run, run.drawings, held_out, comparison, calibration, note)
