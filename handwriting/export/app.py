"""Keras model -> self-contained TF.js browser app (model files + web/ app), zip, parity check.

Why a *graph model* from a SavedModel: tensorflowjs 4.22's Keras "layers" export writes a
model.json from Keras 3 that TF.js 4.22's ``tf.loadLayersModel`` rejects (the input layer's
``batch_shape`` key is not the ``batchInputShape`` it expects). Keras 3's own
``model.export()`` SavedModel, converted with ``tf_saved_model -> tfjs_graph_model``, loads with
``tf.loadGraphModel`` and matches Keras to ~1e-7; :func:`verify_export` proves it in Chromium.

The export is atomic: everything is written into a hidden staging folder beside the target
(``.NAME.tmp-XXXXXXXX``) that is renamed into place at the end, so an interrupted or failed export
leaves nothing half-written, and an existing folder is only replaced when ``overwrite=True`` and
it is empty or an earlier export holding nothing else (and is kept if the swap fails): no other
folder, and nothing the export reads (the model file, the app's sources), is ever deleted.
The staging folder is made like ``os.mkdir`` makes folders (the umask decides, so a web server
running as another user can read the app), and it is locked (``flock``) while its export runs: the
next export of the same target removes the staging folders nobody holds, which only an export
killed outright (SIGKILL, power cut) leaves behind.

``export.json`` has one reader, :func:`read_manifest` (its twin in the app is web/manifest.js):
both refuse the same files (rules in web/CALIBRATION.md, "export.json"), naming the file.

Exports do not touch ``sys.stdout``: swapping the process-wide stream to hush a library is not
thread-safe, and two overlapping exports could leave every later ``print`` in a notebook lost.
"""
from __future__ import annotations

import base64
import fcntl
import json
import math
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import files
from ..models.digit_model import PRETRAINED, as_digit_model

QUANTIZATIONS = (None, "float16", "uint8")
TFJS_VERSION = "4.22.0"
# TF.js's WebAssembly backend (@tensorflow/tfjs-backend-wasm, same version as tf.min.js): plain and
# SIMD binaries; the multi-threaded one needs cross-origin isolation that the app never has.
WASM_FILES = ("tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm")
APP_FILES = ("index.html", "app.js", "backend.js", "preprocess.js", "calibration.js", "manifest.js",
             "style.css", "before-tfjs.js", "tf.min.js", "tf-backend-wasm.min.js", *WASM_FILES,
             "LICENSE-tfjs.txt", "LICENSE-tfjs-backend-wasm.txt", "PREPROCESSING.md", "CALIBRATION.md")
MODEL_DIR = "model"
MANIFEST = "export.json"
FORMAT = "tfjs_graph_model"     # export.json's "format": how an earlier export is recognised
STAGING_ATTEMPTS = 100        # fresh random names tried for the staging folder before giving up
FLOAT32_TOLERANCE = 1e-4       # max |Keras - TF.js| probability for an unquantised export
MIN_ARGMAX_AGREEMENT = 0.995   # any export: share of digits where TF.js and Keras pick the same
MAX_ACCURACY_LOSS = 0.001      # any export: TF.js accuracy at most 0.1 point below Keras'
PREPROCESS_TOLERANCE = 1e-6    # max |numpy - JS| pixel difference of the 28x28 input
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same export gives the same zip


class ExportError(RuntimeError):
    """The export could not be written; the message says why and what to do."""


class ParityError(ExportError):
    """The app was written, but TF.js in Chromium does not give Keras' answers."""

    def __init__(self, report: "ParityReport"):
        advice = ("float32 weights keep Keras' answers" if report.quantization else
                  "the float32 export should match exactly: please report this")
        super().__init__(f"The exported app does not match Keras: {'; '.join(report.problems)} "
                         f"({advice}).")
        self.report = report


@dataclass
class ExportResult:
    """What :func:`export_web_app` wrote."""

    out_dir: Path
    quantization: str | None
    files: dict[str, int]          # path relative to out_dir -> size in bytes
    zip_path: Path | None = None   # the zip beside it, when asked for

    @property
    def model_bytes(self) -> int:
        """Size of the TF.js model (model.json + weight shards)."""
        return sum(size for name, size in self.files.items() if name.startswith(MODEL_DIR + "/"))

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())


def web_dir() -> Path:
    """The folder holding the browser app's static files (``web/`` in a checkout)."""
    checkout = Path(__file__).resolve().parents[2] / "web"   # handwriting/export/app.py -> web/
    if (checkout / "index.html").is_file():
        return checkout
    from importlib.resources import files

    return Path(str(files("handwriting.web")))


# ------------------------------------------------------------------ export.json


MODEL_JSON = f"{MODEL_DIR}/model.json"   # what the app loads (web/app.js MODEL_URL)
MANIFEST_QUANTIZATIONS = ("float32", "float16", "uint8")
MODEL_INPUT = [None, 28, 28, 1]
MODEL_OUTPUT = [None, 10]
# export.json's keys, in the order both readers check them (web/manifest.js names the same).
# "calibration" is optional (exports written before the calibration existed have none), and so
# are its "floor" (before the floor existed) and "model_fingerprint" (a string or null).
MANIFEST_KEYS = ("format", "tfjs", "quantization", "model", "input", "output", "model_name",
                 "calibration")
MANIFEST_OPTIONAL = ("calibration",)
CALIBRATION_NUMBERS = ("temperature", "sure", "pair", "floor")
CALIBRATION_KEYS = (*CALIBRATION_NUMBERS, "model_fingerprint")
CALIBRATION_OPTIONAL = ("floor", "model_fingerprint")
MANIFEST_FIX = ("Export the app again to write a correct one (the export panel, or "
                "`python -m handwriting export --overwrite`).")


def _manifest_error(path: Path, problem: str) -> ExportError:
    return ExportError(f"{path}: {problem}. {MANIFEST_FIX}")


def _json_type(value) -> str:
    """The JSON name of a parsed value's type, as the messages (and web/manifest.js) say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}[type(value)]


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), as web/manifest.js counts it."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _did_you_mean(key: str, known) -> str:
    """' (did you mean "calibration"?)' for the known key at most 2 edits away, else ''."""
    distance, best = min((_edit_distance(key, name), name) for name in known)
    return f' (did you mean "{best}"?)' if distance <= 2 and distance < len(key) else ""


def _check_keys(values: dict, known, optional, prefix: str, path: Path) -> None:
    """Refuse unknown keys (with the closest known one) and missing keys."""
    unknown = sorted(key for key in values if key not in known)
    if unknown:
        listed = ", ".join(f'"{prefix}{key}"{_did_you_mean(key, known)}' for key in unknown)
        raise _manifest_error(path, f"unknown key{'s' if len(unknown) > 1 else ''} {listed}")
    missing = [key for key in known if key not in values and key not in optional]
    if missing:
        listed = ", ".join(f'"{prefix}{key}"' for key in missing)
        raise _manifest_error(path, f"key{'s' if len(missing) > 1 else ''} {listed} "
                                    f"{'are' if len(missing) > 1 else 'is'} missing")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_shape(value, expected: list) -> bool:
    return (isinstance(value, list) and len(value) == len(expected) and all(
        v is None if e is None else _is_number(v) and v == e for v, e in zip(value, expected)))


def _wrong(key: str, expected: str, value) -> str:
    shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"))   # as JSON.stringify
    return f'"{key}" must be {expected}, not {shown}'


def _check_calibration(section, path: Path) -> dict:
    """export.json's "calibration": keys and types here, the numbers' ranges by
    :meth:`Calibration.from_dict` (the same rule as for a model's own calibration file)."""
    from ..honest.calibration import Calibration, CalibrationError

    if not isinstance(section, dict):
        raise _manifest_error(path, f'"calibration" must be an object, not {_json_type(section)}')
    _check_keys(section, CALIBRATION_KEYS, CALIBRATION_OPTIONAL, "calibration.", path)
    numbers = [key for key in CALIBRATION_NUMBERS if key in section]
    for key in numbers:
        if not _is_number(section[key]):
            raise _manifest_error(path, _wrong(f"calibration.{key}", "a number", section[key]))
    fingerprint = section.get("model_fingerprint")
    if not (fingerprint is None or isinstance(fingerprint, str)):
        raise _manifest_error(path, _wrong("calibration.model_fingerprint", "a string or null",
                                           fingerprint))
    values = {key: _as_float(section[key]) for key in numbers}
    try:
        calibration = Calibration.from_dict({**section, **values})
    except CalibrationError as err:
        problem = str(err).rstrip(".")
        raise _manifest_error(path, f'"calibration" is out of range: {problem}') from None
    checked = {key: float(getattr(calibration, key)) for key in CALIBRATION_NUMBERS}
    if "model_fingerprint" in section:
        checked["model_fingerprint"] = fingerprint
    return checked


def _as_float(number) -> float:
    try:
        return float(number)
    except OverflowError:          # an integer with hundreds of digits: JS reads it as Infinity
        return math.inf if number > 0 else -math.inf


def check_manifest(manifest, path: str | os.PathLike = MANIFEST) -> dict:
    """export.json's parsed content, checked (the rules in web/CALIBRATION.md, "export.json"; the
    app's web/manifest.js applies the same ones): the same dict with the calibration's numbers
    as floats, and the default calibration for exports written before there was one.

    Raises:
        ExportError: naming ``path`` and the key at fault (with the known key a misspelt one
            was meant to be), and saying to export again.
    """
    from ..honest.calibration import Calibration

    path = Path(path)
    if not isinstance(manifest, dict):
        raise _manifest_error(path, f"not an object ({{...}}) but {_json_type(manifest)}")
    _check_keys(manifest, MANIFEST_KEYS, MANIFEST_OPTIONAL, "", path)
    rules = {"format": (lambda v: v == FORMAT, f'"{FORMAT}" (an export of this lab)'),
             "tfjs": (lambda v: isinstance(v, str) and v != "", 'a TF.js version such as "4.22.0"'),
             "quantization": (lambda v: v in MANIFEST_QUANTIZATIONS,
                              '"float32", "float16" or "uint8"'),
             "model": (lambda v: v == MODEL_JSON, f'"{MODEL_JSON}" (the app loads only that)'),
             "input": (lambda v: _same_shape(v, MODEL_INPUT), "[null, 28, 28, 1]"),
             "output": (lambda v: _same_shape(v, MODEL_OUTPUT), "[null, 10]"),
             "model_name": (lambda v: isinstance(v, str), "a string")}
    for key, (ok, expected) in rules.items():
        if not ok(manifest[key]):
            raise _manifest_error(path, _wrong(key, expected, manifest[key]))
    if "calibration" in manifest:
        calibration = _check_calibration(manifest["calibration"], path)
    else:
        calibration = {key: float(getattr(Calibration(), key)) for key in CALIBRATION_NUMBERS}
    return {**manifest, "calibration": calibration}


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def read_manifest(out_dir: str | os.PathLike) -> dict:
    """The export's export.json, read and checked by :func:`check_manifest`: the one reader
    of it in Python (the app's is web/manifest.js, with the same rules).

    Raises:
        ExportError: export.json is missing, unreadable, not UTF-8, not JSON (at line N), or
            breaks a rule; the message names the file and says to export again.
    """
    path = Path(out_dir) / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ExportError(f"{path} is missing: {Path(out_dir)} is not a whole export. "
                          f"{MANIFEST_FIX}") from None
    except OSError as err:
        raise _manifest_error(path, f"unreadable ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8-sig")             # a BOM, as some editors write, is allowed
    except UnicodeDecodeError as err:
        raise _manifest_error(path, f"not UTF-8 text (byte {err.start})") from None
    try:
        manifest = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise _manifest_error(path, f"not valid JSON ({err.msg} at line {err.lineno}, "
                                    f"column {err.colno})") from None
    except ValueError as err:                      # NaN, Infinity: Python's JSON extensions
        raise _manifest_error(path, f"not valid JSON ({err})") from None
    return check_manifest(manifest, path)


# ------------------------------------------------------------------ writing an export


def _check_quantization(quantization):
    if quantization not in QUANTIZATIONS:
        raise ExportError(f"quantization must be one of None, 'float16', 'uint8', "
                          f"not {quantization!r}.")


def _convert(model, model_dir: Path, quantization: str | None) -> None:
    """Keras 3 model -> SavedModel (temporary) -> TF.js graph model in ``model_dir``."""
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")  # the converter imports TF-DF
    from tensorflowjs.converters import tf_saved_model_conversion_v2 as converter

    with tempfile.TemporaryDirectory(prefix="handwriting-savedmodel-") as saved:
        model.export(saved, format="tf_saved_model", verbose=False)
        converter.convert_tf_saved_model(
            saved, str(model_dir),
            quantization_dtype_map={quantization: True} if quantization else None)
    # The converter writes protobuf maps (node attributes) in no fixed order; sorted keys make
    # the same model give the same bytes (TF.js does not care about key order).
    model_json = model_dir / "model.json"
    model_json.write_text(json.dumps(json.loads(model_json.read_text()), sort_keys=True))


def _file_sizes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size
            for p in sorted(folder.rglob("*")) if p.is_file()}


def export_web_app(model, out_dir: str | os.PathLike, quantization: str | None = None,
                   overwrite: bool = False, calibration=None, zip: bool = False) -> ExportResult:
    """Write the browser app for ``model`` into ``out_dir``.

    Args:
        model: a 28x28x1 -> 10 Keras model, or a path to a ``.keras`` file.
        out_dir: folder to create: model/ (model.json + weight shards), export.json and the
            :data:`APP_FILES` (index.html, app.js, TF.js itself and its wasm backend, ...).
        quantization: None (float32), "float16" or "uint8" weights.
        overwrite: replace ``out_dir`` if it is empty, or an earlier export holding nothing
            but what an export writes (otherwise refuse and leave it as it is).
        calibration: the model's :class:`~handwriting.honest.calibration.Calibration`, written into
            export.json for the app; default: the one stored beside a ``.keras`` path, else
            temperature 1 and the default thresholds.
        zip: also write ``<out_dir>.zip`` beside it (:func:`make_zip`).

    Every output is checked before the (slow) conversion: ``out_dir`` and the zip must be
    writable as a folder and a file, and neither may be, or hold, a file the export reads (the
    ``.keras`` file and its calibration, the app's sources), through links too.

    Returns:
        An :class:`ExportResult` with every file's size.
    """
    _check_quantization(quantization)
    out_dir = Path(out_dir).expanduser().resolve()
    zip_path = out_dir.with_name(out_dir.name + ".zip") if zip else None
    _check_targets(out_dir, overwrite, _inputs(model), zip_path)
    from ..honest.calibration import for_model

    calibration = for_model(model, calibration)
    model = as_digit_model(model)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out_dir)
        staging, lock = _new_staging_folder(out_dir)
    except OSError as err:
        raise ExportError(f"Cannot write to {out_dir.parent} ({err.strerror or err}); "
                          "choose a folder you can write to.") from err
    try:
        _convert(model, staging / MODEL_DIR, quantization)
        source = web_dir()
        for name in APP_FILES:
            shutil.copyfile(source / name, staging / name)
        manifest = {"format": FORMAT, "tfjs": TFJS_VERSION,
                    "quantization": quantization or "float32", "model": MODEL_JSON,
                    "input": MODEL_INPUT, "output": MODEL_OUTPUT,
                    "model_name": model.name, "calibration": calibration.as_dict()}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        files = _file_sizes(staging)
        _swap_into_place(staging, out_dir)
    except BaseException as err:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(err, OSError):
            raise ExportError(f"Writing the export failed ({err}); {out_dir} was not changed.") from err
        raise
    finally:
        os.close(lock)
    if zip_path is not None:
        make_zip(out_dir, zip_path)
    return ExportResult(out_dir=out_dir, quantization=quantization, files=files, zip_path=zip_path)


def _inputs(model) -> list[Path]:
    """What an export reads, so its outputs must not be or hold: the app's sources, the lab's
    package (the pretrained model), and a ``.keras`` path with its calibration file."""
    from ..honest.calibration import calibration_path

    inputs = [web_dir(), Path(__file__).resolve().parent]
    if isinstance(model, os.PathLike) or isinstance(model, str) and model != PRETRAINED:
        inputs += [Path(model), calibration_path(model)]
    return inputs


def _holds(target: Path, path: Path) -> bool:
    """True when ``path`` is ``target`` or inside it: as written, or through links."""
    path = Path(path).expanduser()
    return any(place == target or target in place.parents
               for place in (path.parent.resolve() / path.name, path.resolve()))


def _check_targets(out_dir: Path, overwrite: bool, inputs: list[Path],
                   zip_path: Path | None) -> None:
    """Refuse, before any slow work, outputs that could not be written as what they will be (a
    folder, a zip file) or that would destroy something: an input, a folder that is not an
    earlier export, files an export did not write."""
    for path in inputs:
        for target in (out_dir, zip_path):
            if target is not None and _holds(target, path):
                raise ExportError(f"{target} {'is' if _holds(path, target) else 'holds'} {path}, "
                                  "which this export reads: writing the app there would destroy "
                                  "it. Choose another output folder, e.g. build/web.")
    if out_dir.suffix == ".zip":
        raise ExportError(f"{out_dir} is the folder to write, not a zip: name the folder (e.g. "
                          f"{out_dir.with_suffix('')}) and ask for the zip with zip=True (--zip; "
                          "the export panel always makes one).")
    if zip_path is not None and zip_path.is_dir():
        raise ExportError(f"{zip_path} is a folder, so the zip cannot be written there; move it "
                          "or choose another output folder.")
    if out_dir.exists() and not overwrite:
        raise ExportError(f"{out_dir} already exists; choose another folder, or replace it "
                          "(overwrite=True; --overwrite on the command line; 'Replace an earlier "
                          "export' in the export panel).")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} is a file, not a folder; choose another output folder.")
    if out_dir.exists():
        _check_replaceable(out_dir)


# Written by the operating system's file browsers, not by anyone: replacing them loses nothing.
_OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_WEIGHT_SHARD = re.compile(r"group\d+-shard\d+of\d+\.bin")
_FORMAT_LINE = re.compile(rf'"format"\s*:\s*"{FORMAT}"')


def _check_replaceable(folder: Path) -> None:
    """Refuse to replace ``folder`` unless it is empty or an earlier export holding only what
    an export writes. An earlier export is recognised by its export.json: one
    :func:`read_manifest` accepts, or a damaged one (edited by hand) that still says
    ``"format": "tfjs_graph_model"``, so exporting again repairs it. Any other folder (the
    notebooks' own, a home folder typed by mistake) and anything an export did not write (the
    model being exported, a zip, notes) is never deleted to make room."""
    if not any(folder.iterdir()):
        return
    try:
        read_manifest(folder)
    except ExportError:
        if not _FORMAT_LINE.search(_manifest_text(folder)):
            reason = (f'its {MANIFEST} does not say "format": "{FORMAT}"'
                      if (folder / MANIFEST).exists() else
                      f"it has no {MANIFEST}; if it is an export that lost it, delete it yourself")
            raise ExportError(f"{folder} is not an earlier export ({reason}) and is not empty: "
                              "replacing it would delete what is in it. Choose a new or empty "
                              "folder, e.g. build/web.") from None
    foreign = _not_written_by_an_export(folder)
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        listed = ", ".join(foreign[:5]) + more
        raise ExportError(f"{folder} is an earlier export but also holds what an export does not "
                          f"write ({listed}): replacing it would delete that. Move it out of the "
                          "folder, or choose another output folder.")


def _manifest_text(folder: Path) -> str:
    try:
        return (folder / MANIFEST).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _not_written_by_an_export(folder: Path) -> list[str]:
    """What in the export ``folder`` an export does not write (paths relative to it; links,
    even under an export's file names, are never the export's)."""
    def plain(entry: Path, kind) -> bool:
        return not entry.is_symlink() and kind(entry)

    foreign = []
    for entry in sorted(folder.iterdir()):
        if entry.name in _OS_LITTER:
            continue
        if entry.name == MODEL_DIR and plain(entry, Path.is_dir):
            foreign += [f"{MODEL_DIR}/{part.name}" for part in sorted(entry.iterdir())
                        if part.name not in _OS_LITTER and not (
                            plain(part, Path.is_file) and (part.name == "model.json" or
                                                           _WEIGHT_SHARD.fullmatch(part.name)))]
        elif not (entry.name in (*APP_FILES, MANIFEST) and plain(entry, Path.is_file)):
            foreign.append(entry.name + ("/" if entry.is_dir() else ""))
    return foreign


def _staging_name(out_dir: Path) -> re.Pattern:
    """Names of ``out_dir``'s staging folders (8 characters as ``tempfile.mkdtemp`` made them too)."""
    return re.compile(re.escape(f".{out_dir.name}.tmp-") + "[a-z0-9_]{8}")


def _try_lock(folder: Path) -> int | None:
    """An fd of ``folder`` holding an exclusive flock, or None when another export holds it."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _new_staging_folder(out_dir: Path) -> tuple[Path, int]:
    """A new staging folder for ``out_dir`` (made as ``os.mkdir`` makes it), locked: (path, fd)."""
    for _ in range(STAGING_ATTEMPTS):
        folder = out_dir.with_name(f".{out_dir.name}.tmp-{secrets.token_hex(4)}")
        try:
            folder.mkdir()   # any error but a name clash is the caller's (e.g. /proc: ENOENT)
        except FileExistsError:
            continue
        try:
            fd = _try_lock(folder)
        except FileNotFoundError:
            continue     # another export's clean-up took it for a stale one
        if fd is not None and os.fstat(fd).st_nlink > 0:
            return folder, fd
        if fd is not None:
            os.close(fd)
    raise OSError(f"no staging folder could be made beside {out_dir} in {STAGING_ATTEMPTS} attempts")


def remove_stale_staging(out_dir: str | os.PathLike) -> None:
    """Delete the staging folders of ``out_dir`` that no running export holds.

    Only an export killed outright leaves one (any other failure cleans up after itself).
    """
    out_dir = Path(out_dir)
    pattern = _staging_name(out_dir)
    for folder in out_dir.parent.iterdir():
        if not pattern.fullmatch(folder.name) or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            fd = _try_lock(folder)
        except OSError:          # gone meanwhile, or not ours to open
            continue
        if fd is not None:       # None: its export is still running
            shutil.rmtree(folder, ignore_errors=True)
            os.close(fd)


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    """Rename ``staging`` to ``out_dir``; an existing ``out_dir`` is kept until that worked."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    # A random name (not the pid: a container's pids repeat), so a killed export's backup
    # never blocks the next one.
    backup = out_dir.with_name(f".{out_dir.name}.old-{secrets.token_hex(4)}")
    out_dir.rename(backup)
    try:
        staging.rename(out_dir)
    except BaseException:
        backup.rename(out_dir)
        raise
    shutil.rmtree(backup, ignore_errors=True)


def make_zip(out_dir: str | os.PathLike, zip_path: str | os.PathLike | None = None) -> Path:
    """Zip an export (deterministically) for download; default: ``<out_dir>.zip`` beside it.

    A damaged export (:func:`read_manifest` refuses its export.json, an app file is missing)
    is refused rather than zipped into a download that does not work, and so is a zip inside
    the export (it would zip itself, and the next export would delete it).
    """
    out_dir = Path(os.path.abspath(Path(out_dir).expanduser()))   # "." has a name, links stay
    read_manifest(out_dir)
    _check_whole(out_dir)
    zip_path = Path(zip_path) if zip_path else out_dir.with_name(out_dir.name + ".zip")
    if _holds(out_dir.resolve(), zip_path):
        raise ExportError(f"{zip_path} is inside the export {out_dir}: write the zip beside it, "
                          f"e.g. {out_dir.with_name(out_dir.name + '.zip')}.")
    if zip_path.is_dir():
        raise ExportError(f"{zip_path} is a folder, not a zip file; choose another name.")
    with files.replacing(zip_path) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in _file_sizes(out_dir):
            info = zipfile.ZipInfo(f"{out_dir.name}/{name}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (out_dir / name).read_bytes())
    return zip_path


def _check_whole(out_dir: Path) -> None:
    """Refuse an export that lacks one of its files (the app's, or model/model.json)."""
    missing = [name for name in (*APP_FILES, MODEL_JSON) if not (out_dir / name).is_file()]
    if missing:
        raise ExportError(f"{out_dir} is not a whole export: {', '.join(missing[:5])}"
                          f"{' and more' if len(missing) > 5 else ''} missing. {MANIFEST_FIX}")


def _export_file(out_dir: Path, name: str) -> bytes:
    """One file of the export, or an ExportError naming it."""
    try:
        return (out_dir / name).read_bytes()
    except OSError as err:
        raise ExportError(f"{out_dir / name} cannot be read ({err.strerror or err}): {out_dir} is "
                          f"not a whole export. {MANIFEST_FIX}") from None


# --------------------------------------------------------------------------- parity check


@dataclass
class ParityReport:
    """Keras vs TF.js in Chromium on the same digits, and numpy vs JS preprocessing."""

    digits: int
    backend: str
    quantization: str | None
    max_abs_diff: float            # max |p_keras - p_tfjs| over all digits and classes
    argmax_agreement: float        # share of digits where both pick the same class
    keras_accuracy: float
    tfjs_accuracy: float
    drawings: int                  # canvas drawings compared through both preprocessors
    preprocess_max_diff: float     # max |numpy - JS| over their 28x28 outputs
    preprocess_reasons_agree: bool  # blank / too-small drawings rejected the same way
    problems: list[str] = field(default_factory=list)

    def __post_init__(self):
        """Judge the numbers: every failed threshold becomes a sentence in ``problems``."""
        if self.quantization is None and self.max_abs_diff > FLOAT32_TOLERANCE:
            self.problems.append(f"max |Δp| {self.max_abs_diff:.2e} > {FLOAT32_TOLERANCE:g}")
        if self.argmax_agreement < MIN_ARGMAX_AGREEMENT:
            self.problems.append(f"same answer as Keras for only {self.argmax_agreement:.2%} of "
                                 f"digits (needs {MIN_ARGMAX_AGREEMENT:.1%})")
        if self.keras_accuracy - self.tfjs_accuracy > MAX_ACCURACY_LOSS + 1e-9:
            self.problems.append(
                f"TF.js loses {100 * (self.keras_accuracy - self.tfjs_accuracy):.2f} accuracy "
                f"points (at most {100 * MAX_ACCURACY_LOSS:.1f} allowed)")
        if self.preprocess_max_diff > PREPROCESS_TOLERANCE:
            self.problems.append(f"JS preprocessing differs by {self.preprocess_max_diff:.1e}")
        if not self.preprocess_reasons_agree:
            self.problems.append("JS and numpy refuse different drawings")

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verdict = "OK" if self.ok else "FAILED: " + "; ".join(self.problems)
        return (f"TF.js ({self.backend}, {self.quantization or 'float32'}) vs Keras on "
                f"{self.digits} test digits: max |Δp| {self.max_abs_diff:.2e}, argmax agreement "
                f"{self.argmax_agreement:.2%}, accuracy TF.js {self.tfjs_accuracy:.2%} / Keras "
                f"{self.keras_accuracy:.2%}; preprocessing on {self.drawings} drawings: max |Δ| "
                f"{self.preprocess_max_diff:.1e} — {verdict}")

    __str__ = summary


def parity_drawings(x_test: np.ndarray) -> list[np.ndarray]:
    """Canvas RGBA drawings for the preprocessing parity check: test digits drawn off-centre,
    small and large, hand-made strokes, and the blank / speck cases that must be refused."""
    from ..preprocess import CANVAS_SIZE, digit_to_canvas, shift_and_scale
    from ..strokes import rasterize_strokes

    placements = [(1.0, 0, 0), (0.6, -6, 5), (1.3, 2, -2), (0.45, 7, 7), (0.8, -3, -7)]
    drawings = [digit_to_canvas(shift_and_scale(x_test[i, ..., 0], s, dy, dx))
                for i, (s, dy, dx) in enumerate(placements)]
    seven = [[(40, 50), (150, 45), (90, 200)]]
    one = [[(230, 30), (228, 140)]]
    four = [[(60, 150), (40, 230), (120, 230)], [(100, 180), (105, 270)]]
    drawings += [rasterize_strokes(s) for s in (seven, one, four)]
    drawings += [rasterize_strokes([]), rasterize_strokes([[(140, 140)]])]  # blank, speck
    assert all(d.shape == (CANVAS_SIZE, CANVAS_SIZE, 4) for d in drawings)
    return drawings


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


_PAGE_PREDICT = """async ([b64, n]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const probs = await window.handwriting.predictBatch(new Float32Array(bytes.buffer), n);
  return Array.from(probs);
}"""

_PAGE_PREPROCESS = """([b64, size]) => {
  const bytes = Uint8ClampedArray.from(atob(b64), c => c.charCodeAt(0));
  try {
    return {pixels: Array.from(window.handwriting.preprocess(new ImageData(bytes, size, size)))};
  } catch (err) {
    return {reason: err.reason || String(err)};
  }
}"""


def open_app(page, base_url: str, backend: str | None = "cpu", timeout_ms: int = 60_000) -> str:
    """Load an exported app in a Playwright ``page``; return the TF.js backend once it is ready.

    Args:
        backend: "cpu", "wasm" or "webgl" (the app's ``?backend=``); None lets the app choose.

    Raises :class:`ExportError` with the page's own message when export.json or the model fails
    to load, or when the app had to fall back from the requested ``backend`` to another one.
    """
    page.goto(f"{base_url}index.html" + (f"?backend={backend}" if backend else ""))
    page.wait_for_function("() => window.handwriting !== undefined", timeout=timeout_ms)
    outcome = page.evaluate("""() => window.handwriting.ready.then(
        () => ({ok: true, backend: window.handwriting.backend()}),
        err => ({ok: false, error: String(err && err.message || err)}))""")
    if not outcome["ok"]:
        raise ExportError(f"The exported app could not load: {outcome['error']}")
    if backend and outcome["backend"] != backend:
        raise ExportError(f"The exported app runs on {outcome['backend']}, not {backend}: "
                          f"{page.inner_text('#status')}")
    return outcome["backend"]


def tfjs_predict(page, images: np.ndarray, chunk: int = 500) -> np.ndarray:
    """Probabilities (N, 10) from the app in ``page`` for preprocessed images (N, 28, 28[, 1])."""
    x = np.asarray(images, dtype=np.float32).reshape(-1, 784)
    out = [np.asarray(page.evaluate(_PAGE_PREDICT, [_b64(x[i:i + chunk]), len(x[i:i + chunk])]),
                      dtype=np.float32).reshape(-1, 10)
           for i in range(0, len(x), chunk)]
    return np.concatenate(out)


def js_preprocess(page, rgba: np.ndarray) -> np.ndarray | str:
    """The app's JS preprocessing of one RGBA canvas: a (28, 28) array, or the refusal reason."""
    result = page.evaluate(_PAGE_PREPROCESS, [_b64(rgba.astype(np.uint8)), rgba.shape[0]])
    if "reason" in result:
        return result["reason"]
    return np.asarray(result["pixels"], dtype=np.float32).reshape(28, 28)


def verify_export(model, out_dir: str | os.PathLike, digits: int = 500, backend: str | None = None,
                  test_data=None, quantization: str | None = "auto") -> ParityReport:
    """Load the export in headless Chromium and compare it with Keras.

    Args:
        model: the Keras model (or .keras path) that was exported.
        out_dir: the export folder.
        digits: how many MNIST test digits to compare.
        backend: None (default) checks the backend the app picks by itself, as a user's
            browser would (web/backend.js: webgl on a real GPU, else wasm, else cpu; wasm in
            headless Chromium without a GPU); or force "cpu" (plain JS), "wasm" or "webgl"
            (software-rendered without a GPU). All must match Keras; the report names the one used.
        test_data: (x_test, y_test); default: the first ``digits`` MNIST test digits.
        quantization: the export's quantisation; "auto" reads it from export.json.

    Float32 exports must match to :data:`FLOAT32_TOLERANCE`; every export must give Keras'
    answer on :data:`MIN_ARGMAX_AGREEMENT` of the digits and lose at most
    :data:`MAX_ACCURACY_LOSS` of accuracy. The JS preprocessing must match
    ``preprocess_canvas`` and refuse the same drawings.
    """
    from ..browser import chromium, run_off_event_loop, serve_directory

    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 1:
        raise ExportError(f"The parity check compares 1 or more MNIST test digits, not {digits!r} "
                          "(500 take a few seconds).")
    model = as_digit_model(model)
    out_dir = Path(out_dir)
    if not (out_dir / MODEL_JSON).is_file():
        raise ExportError(f"{out_dir} has no {MODEL_JSON}: export the app first.")
    manifest = read_manifest(out_dir)          # the app would refuse it too, less plainly
    _check_whole(out_dir)
    if quantization == "auto":
        quantization = None if manifest["quantization"] == "float32" else manifest["quantization"]
    if test_data is None:
        from ..data import load_mnist

        (_, _), test_data = load_mnist(train_size=1, test_size=digits)
    x_test, y_test = test_data[0][:digits], test_data[1][:digits]
    keras_probs = model.predict(x_test, batch_size=256, verbose=0)
    drawings = parity_drawings(x_test)

    def in_browser():
        with serve_directory(out_dir) as url, chromium() as browser:
            page = browser.new_page()
            used = open_app(page, url, backend)
            return used, tfjs_predict(page, x_test), [js_preprocess(page, d) for d in drawings]

    used_backend, tfjs_probs, js_outputs = run_off_event_loop(in_browser)

    diff, reasons_agree = compare_preprocessing(drawings, js_outputs)
    return ParityReport(
        digits=len(y_test), backend=used_backend, quantization=quantization,
        max_abs_diff=float(np.abs(keras_probs - tfjs_probs).max()),
        argmax_agreement=float((keras_probs.argmax(1) == tfjs_probs.argmax(1)).mean()),
        keras_accuracy=float((keras_probs.argmax(1) == y_test).mean()),
        tfjs_accuracy=float((tfjs_probs.argmax(1) == y_test).mean()),
        drawings=len(drawings), preprocess_max_diff=diff, preprocess_reasons_agree=reasons_agree)


def compare_preprocessing(drawings, js_outputs) -> tuple[float, bool]:
    """(max |numpy - JS| over the accepted drawings, whether both refuse the same drawings for
    the same reasons), given each drawing's JS output: a 28x28 array or a refusal reason."""
    from ..preprocess import DrawingError, preprocess_canvas

    diff, reasons_agree = 0.0, True
    for rgba, js in zip(drawings, js_outputs, strict=True):
        try:
            py = preprocess_canvas(rgba)
        except DrawingError as err:
            reasons_agree &= isinstance(js, str) and js == err.reason   # JS may accept it
            continue
        if isinstance(js, str):
            reasons_agree = False
        else:
            diff = max(diff, float(np.abs(py - js).max()))
    return diff, reasons_agree


# ------------------------------------------------------------------ one-file preview


def standalone_html(out_dir: str | os.PathLike) -> str:
    """The exported app as ONE html document: scripts, styles, model and wasm binaries inlined.

    For the in-notebook preview (an ``<iframe srcdoc>``): it needs no server, so it works the
    same in JupyterLab, Colab and VS Code. The app reads the inlined model from
    ``window.HANDWRITING_MODEL`` (with export.json's content, checked by the same reader as
    the served app's) instead of fetching model/model.json, and the wasm backend's
    binaries from ``window.HANDWRITING_WASM``. TF.js can only *fetch* a .wasm binary, so the page
    turns those bytes into blob: URLs (web/backend.js); ``connect-src blob:`` lets it fetch
    exactly those, and nothing over the network. ``'wasm-unsafe-eval'`` lets it compile them.

    Raises:
        ExportError: the export is damaged (export.json refused by :func:`read_manifest`, a
            file missing, model.json broken); the message names the file.
    """
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    page = _export_file(out_dir, "index.html").decode()
    try:
        model_json = json.loads(_export_file(out_dir, MODEL_JSON))
        shards = [f"{MODEL_DIR}/{path}" for group in model_json["weightsManifest"]
                  for path in group["paths"]]
    except (ValueError, KeyError, TypeError) as err:
        raise ExportError(f"{out_dir / MODEL_JSON} is not a TF.js model.json ({err!r:.80}). "
                          f"{MANIFEST_FIX}") from None
    weights = base64.b64encode(b"".join(_export_file(out_dir, p) for p in shards)).decode("ascii")
    wasm = {name: base64.b64encode(_export_file(out_dir, name)).decode("ascii")
            for name in WASM_FILES}
    data_script = ("window.HANDWRITING_MODEL = " + json.dumps(
        {"modelJSON": model_json, "weightsBase64": weights, "manifest": manifest}) + ";\n"
        "window.HANDWRITING_WASM = " + json.dumps(wasm) + ";").replace("</", "<\\/")

    def inline_script(match):
        source = _export_file(out_dir, match.group(1)).decode()
        prefix = f"<script>{data_script}</script>\n" if match.group(1) == "app.js" else ""
        return prefix + "<script>" + source.replace("</script", "<\\/script") + "</script>"

    page = re.sub(r'<script src="([^"]+)"></script>', inline_script, page)
    page = re.sub(r'<link rel="stylesheet" href="([^"]+)">',
                  lambda m: f"<style>{_export_file(out_dir, m.group(1)).decode()}</style>", page)
    csp = ("default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; "
           "style-src 'unsafe-inline'; img-src data: blob:; connect-src blob:; worker-src blob:")
    return re.sub(r'(<meta http-equiv="Content-Security-Policy" content=")[^"]*(")',
                  lambda m: m.group(1) + csp + m.group(2), page)
