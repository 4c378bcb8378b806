"""``export.json``: what an export says about itself, and its one reader.

:func:`read_manifest` (its twin in the app is web/manifest.js) refuses the same files as the app
does (rules in web/CALIBRATION.md, "export.json"), naming the file and the fix. The constants
here name an export's layout (model/model.json, export.json) for the writer and the checks.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from ..honest.calibration import Calibration, CalibrationError

TFJS_VERSION = "4.22.0"


MODEL_DIR = "model"


MANIFEST = "export.json"


FORMAT = "tfjs_graph_model"  # export.json's "format": how an earlier export is recognised


class ExportError(RuntimeError):
    """The export could not be written; the message says why and what to do."""


MODEL_JSON = f"{MODEL_DIR}/model.json"  # what the app loads (web/app.js MODEL_URL)


MANIFEST_QUANTIZATIONS = ("float32", "float16", "uint8")


MODEL_INPUT = [None, 28, 28, 1]


MODEL_OUTPUT = [None, 10]


# export.json's keys, in the order both readers check them (web/manifest.js names the same).
# "calibration" is optional (exports written before the calibration existed have none), and so
# are its "floor" (before the floor existed) and "model_fingerprint" (a string or null).
MANIFEST_KEYS = (
    "format",
    "tfjs",
    "quantization",
    "model",
    "input",
    "output",
    "model_name",
    "calibration",
)


MANIFEST_OPTIONAL = ("calibration",)


CALIBRATION_NUMBERS = ("temperature", "sure", "pair", "floor")


CALIBRATION_KEYS = (*CALIBRATION_NUMBERS, "model_fingerprint")


CALIBRATION_OPTIONAL = ("floor", "model_fingerprint")


MANIFEST_FIX = (
    "Export the app again to write a correct one (the export panel, or "
    "`python -m handwriting export --overwrite`)."
)


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
        raise _manifest_error(
            path,
            f"key{'s' if len(missing) > 1 else ''} {listed} "
            f"{'are' if len(missing) > 1 else 'is'} missing",
        )


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_shape(value, expected: list) -> bool:
    return (
        isinstance(value, list)
        and len(value) == len(expected)
        and all(
            v is None if e is None else _is_number(v) and v == e
            for v, e in zip(value, expected, strict=False)
        )
    )


def _wrong(key: str, expected: str, value) -> str:
    shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # as JSON.stringify
    return f'"{key}" must be {expected}, not {shown}'


def _check_calibration(section, path: Path) -> dict:
    """export.json's "calibration": keys and types here, the numbers' ranges by
    :meth:`Calibration.from_dict` (the same rule as for a model's own calibration file)."""
    if not isinstance(section, dict):
        raise _manifest_error(path, f'"calibration" must be an object, not {_json_type(section)}')
    _check_keys(section, CALIBRATION_KEYS, CALIBRATION_OPTIONAL, "calibration.", path)
    numbers = [key for key in CALIBRATION_NUMBERS if key in section]
    for key in numbers:
        if not _is_number(section[key]):
            raise _manifest_error(path, _wrong(f"calibration.{key}", "a number", section[key]))
    fingerprint = section.get("model_fingerprint")
    if not (fingerprint is None or isinstance(fingerprint, str)):
        raise _manifest_error(
            path, _wrong("calibration.model_fingerprint", "a string or null", fingerprint)
        )
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
    except OverflowError:  # an integer with hundreds of digits: JS reads it as Infinity
        return math.inf if number > 0 else -math.inf


def check_manifest(manifest, path: str | os.PathLike = MANIFEST) -> dict:
    """export.json's parsed content, checked (the rules in web/CALIBRATION.md, "export.json"; the
    app's web/manifest.js applies the same ones): the same dict with the calibration's numbers
    as floats, and the default calibration for exports written before there was one.

    Raises:
        ExportError: naming ``path`` and the key at fault (with the known key a misspelt one
            was meant to be), and saying to export again.
    """
    path = Path(path)
    if not isinstance(manifest, dict):
        raise _manifest_error(path, f"not an object ({{...}}) but {_json_type(manifest)}")
    _check_keys(manifest, MANIFEST_KEYS, MANIFEST_OPTIONAL, "", path)
    rules = {
        "format": (lambda v: v == FORMAT, f'"{FORMAT}" (an export of this lab)'),
        "tfjs": (lambda v: isinstance(v, str) and v != "", 'a TF.js version such as "4.22.0"'),
        "quantization": (lambda v: v in MANIFEST_QUANTIZATIONS, '"float32", "float16" or "uint8"'),
        "model": (lambda v: v == MODEL_JSON, f'"{MODEL_JSON}" (the app loads only that)'),
        "input": (lambda v: _same_shape(v, MODEL_INPUT), "[null, 28, 28, 1]"),
        "output": (lambda v: _same_shape(v, MODEL_OUTPUT), "[null, 10]"),
        "model_name": (lambda v: isinstance(v, str), "a string"),
    }
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
        raise ExportError(
            f"{path} is missing: {Path(out_dir)} is not a whole export. {MANIFEST_FIX}"
        ) from None
    except OSError as err:
        raise _manifest_error(path, f"unreadable ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8-sig")  # a BOM, as some editors write, is allowed
    except UnicodeDecodeError as err:
        raise _manifest_error(path, f"not UTF-8 text (byte {err.start})") from None
    try:
        manifest = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise _manifest_error(
            path, f"not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})"
        ) from None
    except ValueError as err:  # NaN, Infinity: Python's JSON extensions
        raise _manifest_error(path, f"not valid JSON ({err})") from None
    return check_manifest(manifest, path)
