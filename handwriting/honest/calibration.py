"""Honest answers in numbers: temperature scaling and the digit / unsure / not-a-digit rule.

Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks") divides the
model's logits by one number T, fitted on held-out digits so that "90 % sure" is right about
90 % of the time. It works on the model's 10 softmax probabilities (logits = log p, so any
model that outputs probabilities can be calibrated and the browser can do the same):

    calibrated = softmax(log(max(p, EPSILON)) / T)

The decision rule on the calibrated probabilities (web/CALIBRATION.md; the app in web/app.js
applies it with the same numbers, read from export.json), with ``top`` the largest probability
and ``two`` the top two together:

    digit_like = two >= floor or top >= CLEAR     (as digit-like as 99 % of held-out digits,
                                                   or one digit clearly leads)
    digit_like and top >= sure   -> "digit"        (the most likely digit)
    digit_like and two >= pair   -> "unsure"       ("Not sure: a 4 or a 9?")
    top >= UNUSUAL               -> "unsure"       (an unusual digit: its candidates)
    else                         -> "not_a_digit"  (no digit stands out: it looks like no digit)

The floor is fitted per model (:func:`fit`): the top-two share that all but
:data:`NOT_A_DIGIT_SHARE` of its held-out MNIST digits reach (0: no floor). A drawing below it
is less digit-like than nearly every MNIST digit; real people's digits are that often, so the
floor alone never refuses: a digit read at :data:`CLEAR` or more is answered, and one that
still has a leading digit (:data:`UNUSUAL`) is "not sure" with its candidates. "Not a digit"
is kept for drawings in which no digit leads (scribbles, doodles).

A calibration belongs to one model: the file beside ``model.keras`` holds the fingerprint of
the weights it was fitted for (:func:`handwriting.models.fingerprint`), and :func:`load` refuses
it for any other weights, naming the command that fits it again (:data:`REFIT_COMMAND`). A file
written before fingerprints existed is still read, with a :class:`CalibrationWarning`.

Numbers only: numpy in, numpy out, no TensorFlow except in :func:`fit` (which runs the model)
and in checking a fingerprint (which loads it).
"""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .. import files
from ..constants import MODEL_SIZE
from ..drawn.redrawn import calibration_drawings
from ..models.digit_model import (
    CALIBRATION_SUFFIX,
    FINGERPRINT_KEY,
    PRETRAINED,
    PRETRAINED_RECORD,
    REBUILD_COMMAND,
    ModelError,
    calibration_path,
    fingerprint,
    pretrained_record,
)
from .metrics import predict_probabilities

SURE = 0.7  # calibrated top probability from which the answer is a digit
PAIR = 0.9  # ... else the top two together from which it is "a 4 or a 9?"
NOT_A_DIGIT_SHARE = 0.01  # held-out digits whose top two fall below the fitted floor
#: Calibrated top probability from which a digit is answered even below the floor: a real digit
#: read right at 90 % must not be refused (the real-writers issue's rule, not a tuned number).
CLEAR = 0.9
#: Below the floor (or with no pair), the top probability from which the drawing is an unusual
#: digit ("not sure", with its candidates) rather than "not a digit". Chosen on development
#: data only: the pen digits' held-out part, MNIST validation, the non-digit drawings and the
#: development doodles (``python -m bench.verdict_rule`` prints the comparison).
UNUSUAL = 0.5
EPSILON = 1e-12  # probabilities are clipped here before the log (p = 0 happens)
TEMPERATURE_RANGE = (0.05, 20.0)
VERDICTS = ("digit", "unsure", "not_a_digit")
SUFFIX = CALIBRATION_SUFFIX  # stored beside the model: model.keras -> model.calibration.json
#: How to fit a model file's calibration again (``{model}``: its path).
REFIT_COMMAND = "python -m handwriting calibrate --model {model}"


class CalibrationError(ValueError):
    """Bad probabilities, labels, thresholds or calibration file; the message says which."""


class CalibrationWarning(UserWarning):
    """A calibration file that cannot be checked against its model (written before fingerprints)."""


def _probabilities(probabilities) -> np.ndarray:
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim not in (1, 2) or p.shape[-1] != 10 or not np.isfinite(p).all() or (p < 0).any():
        raise CalibrationError(
            f"Expected non-negative probabilities of shape (10,) or (N, 10), got shape {p.shape}."
        )
    return p


def _labels(labels, n: int) -> np.ndarray:
    y = np.asarray(labels).reshape(-1)
    if (
        len(y) != n
        or not np.issubdtype(y.dtype, np.integer)
        or (len(y) and (y.min() < 0 or y.max() > 9))
    ):
        raise CalibrationError(f"Expected {n} integer labels 0-9, got {len(y)} of dtype {y.dtype}.")
    return y


def apply_temperature(probabilities, temperature: float) -> np.ndarray:
    """softmax(log(max(p, EPSILON)) / T) along the last axis, float64; T = 1 changes nothing
    (beyond the clipping of probabilities below EPSILON)."""
    if not (math.isfinite(temperature) and temperature > 0):
        raise CalibrationError(f"The temperature must be a positive number, not {temperature!r}.")
    z = np.log(np.maximum(_probabilities(probabilities), EPSILON)) / temperature
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def negative_log_likelihood(probabilities, labels) -> float:
    """Mean -log p(true label), p clipped at EPSILON: what temperature scaling minimises."""
    p = _probabilities(probabilities).reshape(-1, 10)
    y = _labels(labels, len(p))
    return float(-np.log(np.maximum(p[np.arange(len(y)), y], EPSILON)).mean())


def fit_temperature(probabilities, labels) -> float:
    """The T in :data:`TEMPERATURE_RANGE` minimising the NLL of held-out ``labels``."""
    from scipy.optimize import minimize_scalar

    p = _probabilities(probabilities).reshape(-1, 10)
    y = _labels(labels, len(p))
    if not len(y):
        raise CalibrationError("Cannot fit a temperature on no examples: pass held-out digits.")
    low, high = np.log(TEMPERATURE_RANGE)
    result = minimize_scalar(
        lambda log_t: negative_log_likelihood(apply_temperature(p, math.exp(log_t)), y),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-4},
    )
    return float(round(math.exp(result.x), 4))


def reliability_table(probabilities, labels, bins: int = 10) -> list[dict]:
    """Per confidence bin ((k/bins, (k+1)/bins], the first also holds 0): how many examples,
    their mean confidence (top probability) and how often the top digit was right."""
    p = _probabilities(probabilities).reshape(-1, 10)
    y = _labels(labels, len(p))
    confidence, right = p.max(axis=1), p.argmax(axis=1) == y
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    rows = []
    for k in range(bins):
        inside = which == k
        rows.append(
            {
                "low": k / bins,
                "high": (k + 1) / bins,
                "count": int(inside.sum()),
                "confidence": float(confidence[inside].mean()) if inside.any() else float("nan"),
                "accuracy": float(right[inside].mean()) if inside.any() else float("nan"),
            }
        )
    return rows


def expected_calibration_error(probabilities, labels, bins: int = 10) -> float:
    """ECE: sum over bins of (share of examples) x |accuracy - mean confidence|."""
    rows = reliability_table(probabilities, labels, bins)
    total = sum(row["count"] for row in rows)
    if not total:
        raise CalibrationError("Cannot measure calibration on no examples.")
    return float(
        sum(
            row["count"] / total * abs(row["accuracy"] - row["confidence"])
            for row in rows
            if row["count"]
        )
    )


def _top_and_two(calibrated) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the top probability, and the top two together."""
    p = np.sort(_probabilities(calibrated).reshape(-1, 10), axis=1)
    return p[:, -1], p[:, -1] + p[:, -2]


def verdicts(
    calibrated,
    sure: float = SURE,
    pair: float = PAIR,
    floor: float = 0.0,
    clear: float = CLEAR,
    unusual: float = UNUSUAL,
) -> np.ndarray:
    """The rule on CALIBRATED probabilities: "digit", "unsure" or "not_a_digit" per row
    (``clear`` and ``unusual`` are the constants' values; others only to compare rules, as
    ``bench/verdict_rule.py`` does)."""
    top, two = _top_and_two(calibrated)
    digit_like = (two >= floor) | (top >= clear)
    return np.where(
        digit_like & (top >= sure),
        "digit",
        np.where((digit_like & (two >= pair)) | (top >= unusual), "unsure", "not_a_digit"),
    )


def fit_floor(calibrated, share: float = NOT_A_DIGIT_SHARE) -> float:
    """The "not a digit" floor for held-out digits' CALIBRATED probabilities: the largest top-two
    share that at most ``share`` of them fall below (rounded down to 4 decimals)."""
    two = np.sort(_top_and_two(calibrated)[1])
    if not len(two):
        raise CalibrationError(
            "Cannot fit the not-a-digit floor on no examples: pass held-out digits."
        )
    if not 0 <= share < 1:
        raise CalibrationError(
            f"The share of digits below the floor must be in [0, 1), not {share!r}."
        )
    return math.floor(float(two[int(share * len(two))]) * 1e4) / 1e4


@dataclass(frozen=True)
class Calibration:
    """A model's temperature and thresholds; stored beside the model and in export.json.

    A model without one gets ``Calibration()``: temperature 1, the default thresholds, no floor
    (files and exports written before the floor existed read the same way).
    """

    temperature: float = 1.0
    sure: float = SURE
    pair: float = PAIR
    floor: float = 0.0

    def __post_init__(self):
        if not (math.isfinite(self.temperature) and self.temperature > 0):
            raise CalibrationError(
                f"temperature must be a positive number, not {self.temperature!r}."
            )
        if not (0 < self.sure <= 1 and 0 < self.pair <= 1 and 0 <= self.floor <= 1):
            raise CalibrationError(
                f"Thresholds sure and pair must be in (0, 1] and floor in [0, 1], "
                f"got sure {self.sure!r}, pair {self.pair!r}, floor {self.floor!r}."
            )

    def apply(self, probabilities) -> np.ndarray:
        """Calibrated probabilities (float64, same shape)."""
        return apply_temperature(probabilities, self.temperature)

    def verdicts(self, calibrated) -> np.ndarray:
        """The rule on already calibrated probabilities."""
        return verdicts(calibrated, self.sure, self.pair, self.floor)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> Calibration:
        try:
            return cls(
                **{name: float(values[name]) for name in ("temperature", "sure", "pair")},
                floor=float(values.get("floor", 0.0)),
            )
        except CalibrationError:
            raise  # numbers out of range: __post_init__ says which
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            raise CalibrationError(
                f"A calibration needs numbers temperature, sure and pair (and "
                f"optionally floor); got {values!r:.120}."
            ) from err

    def save(self, model_path: str | os.PathLike) -> Path:
        """Write ``<model>.calibration.json`` beside the model file (atomically), with the
        fingerprint of the model in that file, which must be there already: save the model
        first, or both at once with :func:`handwriting.models.save_model` (model, path,
        calibration)."""
        try:
            weights = fingerprint(model_path)
        except ModelError as err:
            raise CalibrationError(f"Cannot save the calibration of {model_path}: {err}") from None
        return files.write_json(
            calibration_path(model_path), {**self.as_dict(), FINGERPRINT_KEY: weights}
        )


def _refit(model_path) -> str:
    return REFIT_COMMAND.format(model=model_path)


def load(model_path: str | os.PathLike) -> Calibration:
    """The calibration stored beside ``model_path``; ``Calibration()`` when there is none.

    Raises:
        CalibrationError: the file cannot be read, holds bad numbers, or was fitted for other
            weights than the model now at ``model_path`` (the model was saved over without it);
            the message names the file and the command that fits it again.
    """
    path = calibration_path(model_path)
    if not path.is_file():
        return Calibration()
    try:
        values = json.loads(path.read_text())
        calibration = Calibration.from_dict(values)
    except (OSError, ValueError) as err:  # CalibrationError included
        raise CalibrationError(
            f"Cannot use {path} as the calibration of {model_path} "
            f"({str(err).rstrip('.')}). Fit it again: {_refit(model_path)} "
            f"(or delete {path})."
        ) from None
    stored = values.get(FINGERPRINT_KEY)
    if stored is None:
        warnings.warn(
            f"{path} does not say which model it was fitted for (it was written before "
            f"calibrations were bound to their model); if {model_path} was trained or "
            f"saved again since, fit it again: {_refit(model_path)}",
            CalibrationWarning,
            stacklevel=2,
        )
        return calibration
    actual = fingerprint(model_path)
    if stored != actual:
        raise CalibrationError(
            f"{path} was fitted for another model than the one now in "
            f"{model_path} (model fingerprint {stored}, the file's {actual}): the "
            f"model was saved over without its calibration. Fit it again for this "
            f"model: {_refit(model_path)} (or delete {path})."
        )
    return calibration


def for_model(model_or_path, calibration: Calibration | None = None) -> Calibration:
    """The one way to get a model's calibration (the pad, the export and the CLI all use it).

    Args:
        model_or_path: a ``keras.Model``, a path to a ``.keras`` file, or ``"pretrained"``.
        calibration: a calibration chosen by the caller; returned as it is when given.

    Returns:
        ``calibration`` if given; else the pretrained model's (stored in its record), or the one
        saved beside a ``.keras`` path (:func:`load`, which checks that it was fitted for that
        model); else ``Calibration()``: temperature 1 and the default thresholds (a
        ``keras.Model`` object carries none).
    """
    if calibration is not None:
        return calibration
    if isinstance(model_or_path, str) and model_or_path == PRETRAINED:
        record = pretrained_record()
        if record.get("calibration") is None:
            return Calibration()
        shipped = fingerprint(PRETRAINED)
        if record.get(FINGERPRINT_KEY, shipped) != shipped:
            raise CalibrationError(
                f"The pretrained model's {PRETRAINED_RECORD} holds the calibration "
                "of other weights than the ones shipped with it. Reinstall the "
                f"package, or rebuild both: {REBUILD_COMMAND}"
            )
        return Calibration.from_dict(record["calibration"])
    if isinstance(model_or_path, (str, os.PathLike)):
        return load(model_or_path)
    return Calibration()


def fit(
    model, x_val, y_val, sure: float = SURE, pair: float = PAIR, redraw: bool = True
) -> Calibration:
    """Fit the temperature and the not-a-digit floor of ``model`` on held-out digits (e.g.
    ``TrainingRun.validation``), never on the test set; ``sure`` and ``pair`` are the defaults
    unless given.

    The pad reads drawings, not scans, so by default the temperature is fitted on the held-out
    digits redrawn as pen strokes (:func:`handwriting.drawn.calibration_drawings`):
    "90 % sure" is fitted to hold on drawn digits. The floor (:func:`fit_floor`) is fitted on
    the held-out digits as given, calibrated: 1 % of them fall below it. ``redraw=False`` fits
    both on ``x_val`` as given (e.g. drawings already rendered and preprocessed).
    """
    if len(x_val) == 0:
        raise CalibrationError(
            "No held-out digits to calibrate on: train with validation_size > 0."
        )
    given = predict_probabilities(
        model, np.asarray(x_val, np.float32).reshape(-1, MODEL_SIZE, MODEL_SIZE, 1)
    )
    if redraw:
        drawn, drawn_labels = calibration_drawings(x_val, y_val)
        temperature = fit_temperature(predict_probabilities(model, drawn), drawn_labels)
    else:
        temperature = fit_temperature(given, y_val)
    return Calibration(temperature, sure, pair, fit_floor(apply_temperature(given, temperature)))
