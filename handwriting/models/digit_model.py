"""Loading, checking, saving and calling digit models: shared by the pad, the export and the CLI.

A digit model takes (batch, 28, 28, 1) float32 images in [0, 1] and returns (batch, 10)
probabilities. Anything else gets a :class:`ModelError` that says what was expected.

A model file ``name.keras`` may have its calibration beside it, ``name.calibration.json``
(:mod:`handwriting.honest.calibration`), bound to the model by the :func:`fingerprint` of its
weights:
:func:`save_model` writes the two together, so that a model is never read with another model's
calibration.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np

from .. import files
from ..constants import INPUT_SHAPE, NUM_CLASSES
from . import architectures

#: The name that stands for the lab's pretrained model wherever a model or a path is accepted.
PRETRAINED = "pretrained"
#: Inside the package: the pretrained model's weights (float16) and its training record.
PRETRAINED_WEIGHTS = "pretrained/weights.npz"
PRETRAINED_RECORD = "pretrained/record.json"
#: How to rebuild the two files (the commands that make them).
#: drawcnn starts from a trained bncnn (the same layers) and learns the drawings from there; one
#: more epoch at a lower peak learning rate adds real writers' pen digits (their training part,
#: 0.3 x the MNIST images; bench/real_writers.py chose it on development data).
REBUILD_COMMAND = (
    "python -m handwriting train --arch bncnn --seed 0 --out runs/bncnn && "
    "python -m handwriting train --arch drawcnn --init runs/bncnn/model.keras --epochs 8 "
    "--lr 1e-3 --seed 0 --out runs/drawcnn && "
    "python -m handwriting train --arch drawcnn --init runs/drawcnn/model.keras --epochs 1 "
    "--lr 3e-4 --pendigits-share 0.3 --seed 0 --out runs/realcnn && "
    "python -m handwriting pretrained --run runs/realcnn"
)


#: Beside a model file: ``runs/cnn2/model.keras`` -> ``runs/cnn2/model.calibration.json``.
CALIBRATION_SUFFIX = ".calibration.json"
#: The key of a calibration file that holds the :func:`fingerprint` of the model it was fitted for.
FINGERPRINT_KEY = "model_fingerprint"


class ModelError(ValueError):
    """The model file or object is not a usable 28x28x1 -> 10-class digit model."""


def _shape(tensor_shape) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor_shape)


def check_digit_model(model) -> None:
    """Raise :class:`ModelError` unless ``model`` maps (None, 28, 28, 1) to (None, 10)."""
    import keras

    if not isinstance(model, keras.Model):
        raise ModelError(
            f"Expected a keras.Model, got {type(model).__name__}. Train one with "
            "handwriting.training or load one with handwriting.models.load_model()."
        )
    try:
        in_shape, out_shape = _shape(model.input_shape), _shape(model.output_shape)
    except (AttributeError, ValueError) as err:
        raise ModelError(
            f"The model has no single defined input/output ({err}); "
            "build it with a keras.Input(shape=(28, 28, 1))."
        ) from err
    if in_shape[1:] != INPUT_SHAPE:
        raise ModelError(
            f"The model's input shape is {in_shape}, but a digit model must take "
            f"(None, 28, 28, 1) images. Use an architecture from "
            "handwriting.models.architectures or add a Reshape((28, 28, 1)) input."
        )
    if out_shape[1:] != (NUM_CLASSES,):
        raise ModelError(
            f"The model's output shape is {out_shape}, but a digit model must give "
            "(None, 10) probabilities, one per digit."
        )
    last = model.layers[-1] if model.layers else None
    if getattr(last, "activation", None) is keras.activations.linear:
        raise ModelError(
            f"The model's last layer ({last.name}) has no activation: it gives scores "
            "(logits), not the probabilities the pad, the calibration and the export "
            "read. End it with a softmax: Dense(10, activation='softmax'), or wrap it: "
            "keras.Sequential([model, keras.layers.Softmax()])."
        )


def load_model(path: str | os.PathLike):
    """Load a ``.keras`` digit model, with a clear error for anything that is not one."""
    import keras

    path = Path(path).expanduser()
    if not path.exists():
        raise ModelError(
            f"No model file at {path}. Train one first, e.g. "
            "`python -m handwriting train --arch cnn2 --out runs/cnn2`."
        )
    if path.is_dir() or path.suffix != ".keras":
        raise ModelError(
            f"{path} is not a .keras model file. Save models with "
            "model.save('name.keras') or TrainingRun.save()."
        )
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as err:  # noqa: BLE001 - Keras raises many types for a bad file
        raise ModelError(
            f"Could not load {path} as a Keras model ({type(err).__name__}: "
            f"{str(err).splitlines()[0] if str(err) else ''}). Is it a model saved "
            "by Keras 3 (.keras)?"
        ) from err
    check_digit_model(model)
    return model


class DigitPredictor:
    """Low-latency single-image prediction for interactive use (the drawing pad).

    ``model.predict`` builds a data pipeline on every call (tens of ms); calling the model
    through one traced ``tf.function`` with a fixed (1, 28, 28, 1) signature costs about a
    millisecond, and the graph is traced once, not per stroke.
    """

    def __init__(self, model):
        import tensorflow as tf

        check_digit_model(model)
        self.model = model
        self._call = tf.function(
            lambda x: model(x, training=False),
            input_signature=[tf.TensorSpec((None, 28, 28, 1), tf.float32)],
            reduce_retracing=True,
        )

    def predict(self, image: np.ndarray) -> np.ndarray:
        """Probabilities (10,) float32 for one 28x28 (or 28x28x1) image in [0, 1]."""
        x = np.asarray(image, dtype=np.float32)
        if x.shape not in {(28, 28), (28, 28, 1)}:
            raise ValueError(f"Expected one 28x28 image, got shape {x.shape}.")
        return self._call(x.reshape(1, 28, 28, 1)).numpy()[0]

    def predict_batch(self, images: np.ndarray) -> np.ndarray:
        """Probabilities (N, 10) for images (N, 28, 28[, 1])."""
        x = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28, 1)
        return self._call(x).numpy()


def _package_file(name: str) -> Path:
    return Path(str(resources.files("handwriting").joinpath(name)))


def pretrained_record() -> dict:
    """The pretrained model's training record: ``{"record": RunRecord row, "history": ...,
    "calibration": ..., "validation": ..., "model_fingerprint": ...}``, a training run's
    ``run.json`` (validation and test accuracy included) plus its calibration (read that with
    ``calibration.for_model("pretrained")``), its accuracy on the pen digits' held-out part
    (``validation``, written by ``handwriting.jobs.ship_pretrained``; absent in a record shipped
    before it) and the :func:`fingerprint` of the weights it describes."""
    path = _package_file(PRETRAINED_RECORD)
    if not path.is_file():
        raise ModelError(
            f"The pretrained model is missing from this installation ({path}). "
            f"Reinstall the package, or rebuild it: {REBUILD_COMMAND}"
        )
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise _unreadable_pretrained(path, err) from None


def _unreadable_pretrained(path: Path, err: Exception) -> ModelError:
    return ModelError(
        f"The pretrained model's {path.name} cannot be read ({type(err).__name__}: "
        f"{err}); it is damaged, e.g. a Git LFS pointer or a cut-short copy. Reinstall "
        f"the package, or rebuild it: {REBUILD_COMMAND}"
    )


@functools.cache
def _pretrained_weights() -> tuple:
    path = _package_file(PRETRAINED_WEIGHTS)
    if not path.is_file():
        raise ModelError(
            f"The pretrained weights are missing from this installation ({path}). "
            f"Reinstall the package, or rebuild them: {REBUILD_COMMAND}"
        )
    try:
        with np.load(path) as weights:
            return tuple(weights[f"arr_{i}"].astype(np.float32) for i in range(len(weights.files)))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as err:
        raise _unreadable_pretrained(path, err) from None


def load_pretrained():
    """The lab's pretrained digit model (a fresh ``keras.Model`` each call), shipped in the
    package: no training and no download needed. Its record: :func:`pretrained_record`."""
    model = architectures.build(pretrained_record()["record"]["architecture"])
    try:
        model.set_weights(_pretrained_weights())
    except ValueError as err:  # weights of another architecture than the record's
        raise _unreadable_pretrained(_package_file(PRETRAINED_WEIGHTS), err) from None
    check_digit_model(model)
    return model


def pretrained_paths(folder: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """The pretrained model's weights and record files in ``folder`` (default: this
    installation's package)."""
    root = Path(folder) if folder is not None else _package_file("")
    return root / PRETRAINED_WEIGHTS, root / PRETRAINED_RECORD


def write_pretrained(model, run_record: dict, folder: str | os.PathLike | None = None) -> Path:
    """Store ``model`` (weights as float16) and ``run_record`` as the package's pretrained model.

    Args:
        run_record: ``{"record": ..., "history": ..., "calibration": ...}``: a training run's
            ``run.json`` plus the model's calibration; stored with the :func:`fingerprint` of
            the weights as shipped (float16), which the record describes.
        folder: the package folder to write into (default: this installation's package).
    Returns: the weights file.
    """
    check_digit_model(model)
    weights, record = pretrained_paths(folder)
    shipped = [w.astype(np.float16) for w in model.get_weights()]
    run_record = {**run_record, FINGERPRINT_KEY: weights_fingerprint(shipped)}
    with files.replacing_together([weights, record]) as (weights_partial, record_partial):
        np.savez_compressed(weights_partial, *shipped)
        record_partial.write_text(files.json_text(run_record))
    _pretrained_weights.cache_clear()
    return weights


def calibration_path(model_path: str | os.PathLike) -> Path:
    """Where a model file's calibration lives: ``runs/cnn2/model.keras`` ->
    ``runs/cnn2/model.calibration.json``."""
    path = Path(model_path)
    return path.with_name(path.stem + CALIBRATION_SUFFIX)


def weights_fingerprint(weights) -> str:
    """``"sha256:"`` and 16 hex digits of a model's weight arrays in order (as float32, with their
    shapes): equal for a model in memory, the ``.keras`` file it was saved to, and the
    pretrained model's float16 weights as loaded (float32)."""
    digest = hashlib.sha256()
    for array in weights:
        array = np.ascontiguousarray(array, dtype="<f4")
        digest.update(repr(array.shape).encode())
        digest.update(array.tobytes())
    return "sha256:" + digest.hexdigest()[:16]


def fingerprint(model_or_path) -> str:
    """The :func:`weights_fingerprint` of a ``keras.Model``, a ``.keras`` file (loaded: about
    0.2 s) or :data:`PRETRAINED` (its weights file, without building the model)."""
    if isinstance(model_or_path, str) and model_or_path == PRETRAINED:
        return weights_fingerprint(_pretrained_weights())
    return weights_fingerprint(as_digit_model(model_or_path).get_weights())


def stored_fingerprint(path: str | os.PathLike) -> str | None:
    """The model fingerprint a calibration file says it was fitted for (None: no file, no
    fingerprint, or not readable)."""
    try:
        value = json.loads(Path(path).read_text()).get(FINGERPRINT_KEY)
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def save_model(
    model, path: str | os.PathLike, calibration=None, records: dict | None = None
) -> Path:
    """Write ``model`` to ``path`` (.keras) together with its calibration and records: all
    complete, then all renamed into place (:func:`files.replacing_together`), so that a failed
    or interrupted save leaves the previous files as they were.

    Args:
        calibration: the model's :class:`~handwriting.honest.calibration.Calibration` (or its dict),
            written beside it (:func:`calibration_path`) with the model's :func:`fingerprint`.
            None: none is written, and one left there by an earlier model is deleted (it would
            be read with this one), unless it was fitted for these very weights.
        records: more JSON files that describe this model, ``{path: value}`` (e.g. a run's
            ``run.json``), replaced with it.

    Returns: ``path``.
    """
    path = Path(path).expanduser()
    if path.suffix != ".keras":
        raise ValueError(f"Model files must end in .keras, got {path.name!r}.")
    beside = calibration_path(path)
    records = dict(records or {})
    stale = []
    if calibration is not None:
        values = calibration if isinstance(calibration, dict) else calibration.as_dict()
        records[beside] = {**values, FINGERPRINT_KEY: weights_fingerprint(model.get_weights())}
    elif beside.exists() and stored_fingerprint(beside) != weights_fingerprint(model.get_weights()):
        stale.append(beside)
    with files.replacing_together([path, *records], remove=stale) as (partial, *partials):
        model.save(partial)
        for written, value in zip(partials, records.values(), strict=False):
            written.write_text(files.json_text(value))
    return path


def as_digit_model(model_or_path):
    """A checked digit model from a ``keras.Model``, a path to a ``.keras`` file, or
    :data:`PRETRAINED` ("pretrained", the lab's own model)."""
    if isinstance(model_or_path, str) and model_or_path == PRETRAINED:
        return load_pretrained()
    if isinstance(model_or_path, (str, os.PathLike)):
        return load_model(model_or_path)
    if model_or_path is None:
        raise ModelError("No model yet: train one in the training panel or pass a .keras file.")
    check_digit_model(model_or_path)
    return model_or_path
