"""Keras model -> self-contained TF.js browser app (model files + web/ app) and its zip.

Why a *graph model* from a SavedModel: tensorflowjs 4.22's Keras "layers" export writes a
model.json from Keras 3 that TF.js 4.22's ``tf.loadLayersModel`` rejects (the input layer's
``batch_shape`` key is not the ``batchInputShape`` it expects). Keras 3's own
``model.export()`` SavedModel, converted with ``tf_saved_model -> tfjs_graph_model``, loads with
``tf.loadGraphModel`` and matches Keras to ~1e-7; :func:`~handwriting.export.parity.verify_export`
proves it in Chromium.

The export is atomic: everything is written into a hidden staging folder beside the target
(``.NAME.tmp-XXXXXXXX``) that is renamed into place at the end, so an interrupted or failed export
leaves nothing half-written, and an existing folder is only replaced when ``overwrite=True`` and
it is empty or an earlier export holding nothing else (and is kept if the swap fails): no other
folder, and nothing the export reads (the model file, the app's sources), is ever deleted.
The staging folder is made like ``os.mkdir`` makes folders (the umask decides, so a web server
running as another user can read the app), and it is locked (``flock``) while its export runs: the
next export of the same target removes the staging folders nobody holds, which only an export
killed outright (SIGKILL, power cut) leaves behind.

Exports do not touch ``sys.stdout``: swapping the process-wide stream to hush a library is not
thread-safe, and two overlapping exports could leave every later ``print`` in a notebook lost.

One concern: writing an export safely: the conversion, then the checks and the staging
folder, lock and swap that make it atomic and never delete what it did not write.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..honest.calibration import calibration_path, for_model
from ..models.digit_model import PRETRAINED, as_digit_model
from .manifest import (
    FORMAT,
    MANIFEST,
    MANIFEST_FIX,
    MODEL_DIR,
    MODEL_INPUT,
    MODEL_JSON,
    MODEL_OUTPUT,
    TFJS_VERSION,
    ExportError,
    read_manifest,
)

QUANTIZATIONS = (None, "float16", "uint8")


# TF.js's WebAssembly backend (@tensorflow/tfjs-backend-wasm, same version as tf.min.js): plain and
# SIMD binaries; the multi-threaded one needs cross-origin isolation that the app never has.
WASM_FILES = ("tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm")


APP_FILES = (
    "index.html",
    "app.js",
    "backend.js",
    "preprocess.js",
    "calibration.js",
    "numbers.js",
    "manifest.js",
    "style.css",
    "before-tfjs.js",
    "tf.min.js",
    "tf-backend-wasm.min.js",
    *WASM_FILES,
    "LICENSE-tfjs.txt",
    "LICENSE-tfjs-backend-wasm.txt",
    "PREPROCESSING.md",
    "CALIBRATION.md",
    "NUMBERS.md",
)


STAGING_ATTEMPTS = 100  # fresh random names tried for the staging folder before giving up


_ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same export gives the same zip


@dataclass
class ExportResult:
    """What :func:`export_web_app` wrote."""

    out_dir: Path
    quantization: str | None
    files: dict[str, int]  # path relative to out_dir -> size in bytes
    zip_path: Path | None = None  # the zip beside it, when asked for

    @property
    def model_bytes(self) -> int:
        """Size of the TF.js model (model.json + weight shards)."""
        return sum(size for name, size in self.files.items() if name.startswith(MODEL_DIR + "/"))

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())


def web_dir() -> Path:
    """The folder holding the browser app's static files (``web/`` in a checkout)."""
    checkout = Path(__file__).resolve().parents[2] / "web"  # handwriting/export/app.py -> web/
    if (checkout / "index.html").is_file():
        return checkout
    from importlib.resources import files

    return Path(str(files("handwriting.web")))


def _check_quantization(quantization):
    if quantization not in QUANTIZATIONS:
        raise ExportError(
            f"quantization must be one of None, 'float16', 'uint8', not {quantization!r}."
        )


def _convert(model, model_dir: Path, quantization: str | None) -> None:
    """Keras 3 model -> SavedModel (temporary) -> TF.js graph model in ``model_dir``."""
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")  # the converter imports TF-DF
    from tensorflowjs.converters import tf_saved_model_conversion_v2 as converter

    with tempfile.TemporaryDirectory(prefix="handwriting-savedmodel-") as saved:
        model.export(saved, format="tf_saved_model", verbose=False)
        converter.convert_tf_saved_model(
            saved,
            str(model_dir),
            quantization_dtype_map={quantization: True} if quantization else None,
        )
    # The converter writes protobuf maps (node attributes) in no fixed order; sorted keys make
    # the same model give the same bytes (TF.js does not care about key order).
    model_json = model_dir / "model.json"
    model_json.write_text(json.dumps(json.loads(model_json.read_text()), sort_keys=True))


def _file_sizes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def export_web_app(
    model,
    out_dir: str | os.PathLike,
    quantization: str | None = None,
    overwrite: bool = False,
    calibration=None,
    zip: bool = False,
) -> ExportResult:
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

    calibration = for_model(model, calibration)
    model = as_digit_model(model)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out_dir)
        staging, lock = _new_staging_folder(out_dir)
    except OSError as err:
        raise ExportError(
            f"Cannot write to {out_dir.parent} ({err.strerror or err}); "
            "choose a folder you can write to."
        ) from err
    try:
        _convert(model, staging / MODEL_DIR, quantization)
        source = web_dir()
        for name in APP_FILES:
            shutil.copyfile(source / name, staging / name)
        manifest = {
            "format": FORMAT,
            "tfjs": TFJS_VERSION,
            "quantization": quantization or "float32",
            "model": MODEL_JSON,
            "input": MODEL_INPUT,
            "output": MODEL_OUTPUT,
            "model_name": model.name,
            "calibration": calibration.as_dict(),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        files = _file_sizes(staging)
        _swap_into_place(staging, out_dir)
    except BaseException as err:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(err, OSError):
            raise ExportError(
                f"Writing the export failed ({err}); {out_dir} was not changed."
            ) from err
        raise
    finally:
        os.close(lock)
    if zip_path is not None:
        make_zip(out_dir, zip_path)
    return ExportResult(out_dir=out_dir, quantization=quantization, files=files, zip_path=zip_path)


def _inputs(model) -> list[Path]:
    """What an export reads, so its outputs must not be or hold: the app's sources, the lab's
    package (the pretrained model), and a ``.keras`` path with its calibration file."""
    inputs = [web_dir(), Path(__file__).resolve().parent]
    if isinstance(model, os.PathLike) or isinstance(model, str) and model != PRETRAINED:
        inputs += [Path(model), calibration_path(model)]
    return inputs


def _holds(target: Path, path: Path) -> bool:
    """True when ``path`` is ``target`` or inside it: as written, or through links."""
    path = Path(path).expanduser()
    return any(
        place == target or target in place.parents
        for place in (path.parent.resolve() / path.name, path.resolve())
    )


def _check_targets(
    out_dir: Path, overwrite: bool, inputs: list[Path], zip_path: Path | None
) -> None:
    """Refuse, before any slow work, outputs that could not be written as what they will be (a
    folder, a zip file) or that would destroy something: an input, a folder that is not an
    earlier export, files an export did not write."""
    for path in inputs:
        for target in (out_dir, zip_path):
            if target is not None and _holds(target, path):
                raise ExportError(
                    f"{target} {'is' if _holds(path, target) else 'holds'} {path}, "
                    "which this export reads: writing the app there would destroy "
                    "it. Choose another output folder, e.g. build/web."
                )
    if out_dir.suffix == ".zip":
        raise ExportError(
            f"{out_dir} is the folder to write, not a zip: name the folder (e.g. "
            f"{out_dir.with_suffix('')}) and ask for the zip with zip=True (--zip; "
            "the export panel always makes one)."
        )
    if zip_path is not None and zip_path.is_dir():
        raise ExportError(
            f"{zip_path} is a folder, so the zip cannot be written there; move it "
            "or choose another output folder."
        )
    if out_dir.exists() and not overwrite:
        raise ExportError(
            f"{out_dir} already exists; choose another folder, or replace it "
            "(overwrite=True; --overwrite on the command line; 'Replace an earlier "
            "export' in the export panel)."
        )
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
            reason = (
                f'its {MANIFEST} does not say "format": "{FORMAT}"'
                if (folder / MANIFEST).exists()
                else f"it has no {MANIFEST}; if it is an export that lost it, delete it yourself"
            )
            raise ExportError(
                f"{folder} is not an earlier export ({reason}) and is not empty: "
                "replacing it would delete what is in it. Choose a new or empty "
                "folder, e.g. build/web."
            ) from None
    foreign = _not_written_by_an_export(folder)
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        listed = ", ".join(foreign[:5]) + more
        raise ExportError(
            f"{folder} is an earlier export but also holds what an export does not "
            f"write ({listed}): replacing it would delete that. Move it out of the "
            "folder, or choose another output folder."
        )


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
            foreign += [
                f"{MODEL_DIR}/{part.name}"
                for part in sorted(entry.iterdir())
                if part.name not in _OS_LITTER
                and not (
                    plain(part, Path.is_file)
                    and (part.name == "model.json" or _WEIGHT_SHARD.fullmatch(part.name))
                )
            ]
        elif not (entry.name in (*APP_FILES, MANIFEST) and plain(entry, Path.is_file)):
            foreign.append(entry.name + ("/" if entry.is_dir() else ""))
    return foreign


def _staging_name(out_dir: Path) -> re.Pattern:
    """Names of ``out_dir``'s staging folders (8 characters as ``tempfile.mkdtemp`` made them
    too)."""
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
            folder.mkdir()  # any error but a name clash is the caller's (e.g. /proc: ENOENT)
        except FileExistsError:
            continue
        try:
            fd = _try_lock(folder)
        except FileNotFoundError:
            continue  # another export's clean-up took it for a stale one
        if fd is not None and os.fstat(fd).st_nlink > 0:
            return folder, fd
        if fd is not None:
            os.close(fd)
    raise OSError(
        f"no staging folder could be made beside {out_dir} in {STAGING_ATTEMPTS} attempts"
    )


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
        except OSError:  # gone meanwhile, or not ours to open
            continue
        if fd is not None:  # None: its export is still running
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
    out_dir = Path(os.path.abspath(Path(out_dir).expanduser()))  # "." has a name, links stay
    read_manifest(out_dir)
    check_whole_export(out_dir)
    zip_path = Path(zip_path) if zip_path else out_dir.with_name(out_dir.name + ".zip")
    if _holds(out_dir.resolve(), zip_path):
        raise ExportError(
            f"{zip_path} is inside the export {out_dir}: write the zip beside it, "
            f"e.g. {out_dir.with_name(out_dir.name + '.zip')}."
        )
    if zip_path.is_dir():
        raise ExportError(f"{zip_path} is a folder, not a zip file; choose another name.")
    with (
        files.replacing(zip_path) as partial,
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name in _file_sizes(out_dir):
            info = zipfile.ZipInfo(f"{out_dir.name}/{name}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (out_dir / name).read_bytes())
    return zip_path


def check_whole_export(out_dir: Path) -> None:
    """Refuse an export that lacks one of its files (the app's, or model/model.json)."""
    missing = [name for name in (*APP_FILES, MODEL_JSON) if not (out_dir / name).is_file()]
    if missing:
        raise ExportError(
            f"{out_dir} is not a whole export: {', '.join(missing[:5])}"
            f"{' and more' if len(missing) > 5 else ''} missing. {MANIFEST_FIX}"
        )


def read_export_file(out_dir: Path, name: str) -> bytes:
    """One file of the export, or an ExportError naming it."""
    try:
        return (out_dir / name).read_bytes()
    except OSError as err:
        raise ExportError(
            f"{out_dir / name} cannot be read ({err.strerror or err}): {out_dir} is "
            f"not a whole export. {MANIFEST_FIX}"
        ) from None
