"""Keras model -> self-contained TF.js browser app (model files + web/ app), zip, parity check.

Why a *graph model* from a SavedModel: tensorflowjs 4.22's Keras "layers" export writes a
model.json from Keras 3 that TF.js 4.22's ``tf.loadLayersModel`` rejects (the input layer's
``batch_shape`` key is not the ``batchInputShape`` it expects). Keras 3's own
``model.export()`` SavedModel, converted with ``tf_saved_model -> tfjs_graph_model``, loads with
``tf.loadGraphModel`` and matches Keras to ~1e-7; :func:`verify_export` proves it in Chromium.

The export is atomic: everything is written into a hidden staging folder beside the target
(``.NAME.tmp-XXXXXXXX``) that is renamed into place at the end, so an interrupted or failed export
leaves nothing half-written, and an existing folder is only replaced when ``overwrite=True`` and
it is empty or an earlier export (and is kept if the swap fails): no other folder is ever deleted.
The staging folder is made like ``os.mkdir`` makes folders (the umask decides, so a web server
running as another user can read the app), and it is locked (``flock``) while its export runs: the
next export of the same target removes the staging folders nobody holds, which only an export
killed outright (SIGKILL, power cut) leaves behind.

Exports do not touch ``sys.stdout``: swapping the process-wide stream to hush a library is not
thread-safe, and two overlapping exports could leave every later ``print`` in a notebook lost.
"""
from __future__ import annotations

import base64
import fcntl
import json
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
from ..models.digit_model import as_digit_model

QUANTIZATIONS = (None, "float16", "uint8")
TFJS_VERSION = "4.22.0"
# TF.js's WebAssembly backend (@tensorflow/tfjs-backend-wasm, same version as tf.min.js): plain and
# SIMD binaries; the multi-threaded one needs cross-origin isolation that the app never has.
WASM_FILES = ("tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm")
APP_FILES = ("index.html", "app.js", "backend.js", "preprocess.js", "calibration.js", "style.css",
             "before-tfjs.js", "tf.min.js", "tf-backend-wasm.min.js", *WASM_FILES,
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

    @property
    def model_bytes(self) -> int:
        """Size of the TF.js model (model.json + weight shards)."""
        return sum(size for name, size in self.files.items() if name.startswith(MODEL_DIR + "/"))

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())


def web_dir() -> Path:
    """The folder holding the browser app's static files (``web/`` in a checkout)."""
    checkout = Path(__file__).resolve().parent.parent / "web"
    if (checkout / "index.html").is_file():
        return checkout
    from importlib.resources import files

    return Path(str(files("handwriting.web")))


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
                   overwrite: bool = False, calibration=None) -> ExportResult:
    """Write the browser app for ``model`` into ``out_dir``.

    Args:
        model: a 28x28x1 -> 10 Keras model, or a path to a ``.keras`` file.
        out_dir: folder to create: model/ (model.json + weight shards), export.json and the
            :data:`APP_FILES` (index.html, app.js, TF.js itself and its wasm backend, ...).
        quantization: None (float32), "float16" or "uint8" weights.
        overwrite: replace ``out_dir`` if it is an earlier export or empty (otherwise refuse and
            leave it as it is; any other folder is refused even so).
        calibration: the model's :class:`~handwriting.honest.calibration.Calibration`, written into
            export.json for the app; default: the one stored beside a ``.keras`` path, else
            temperature 1 and the default thresholds.

    Returns:
        An :class:`ExportResult` with every file's size.
    """
    _check_quantization(quantization)
    from ..honest.calibration import for_model

    calibration = for_model(model, calibration)
    model = as_digit_model(model)
    out_dir = Path(out_dir).expanduser().resolve()
    if out_dir.exists() and not overwrite:
        raise ExportError(f"{out_dir} already exists; choose another folder, or replace it "
                          "(overwrite=True; --overwrite on the command line; 'Replace an earlier "
                          "export' in the export panel).")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} is a file, not a folder; choose another output folder.")
    if out_dir.exists() and not _replaceable(out_dir):
        raise ExportError(f"{out_dir} is not an earlier export (it has no {MANIFEST} of this lab's) "
                          "and is not empty: replacing it would delete what is in it. Choose a new "
                          "or empty folder, e.g. build/web.")
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
                    "quantization": quantization or "float32", "model": f"{MODEL_DIR}/model.json",
                    "input": [None, 28, 28, 1], "output": [None, 10],
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
    return ExportResult(out_dir=out_dir, quantization=quantization, files=files)


def _replaceable(folder: Path) -> bool:
    """True when ``folder`` may be replaced by an export: it is empty, or an earlier export (its
    export.json names a TF.js graph model). Any other folder (the notebooks' own, a home folder
    typed by mistake) is never deleted to make room."""
    if not any(folder.iterdir()):
        return True
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT


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
    backup = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    out_dir.rename(backup)
    try:
        staging.rename(out_dir)
    except BaseException:
        backup.rename(out_dir)
        raise
    shutil.rmtree(backup, ignore_errors=True)


def make_zip(out_dir: str | os.PathLike, zip_path: str | os.PathLike | None = None) -> Path:
    """Zip an export (deterministically) for download; default: ``<out_dir>.zip`` beside it."""
    out_dir = Path(out_dir)
    if not (out_dir / "index.html").is_file():
        raise ExportError(f"{out_dir} is not an exported app (no index.html); export first.")
    zip_path = Path(zip_path) if zip_path else out_dir.with_name(out_dir.name + ".zip")
    with files.replacing(zip_path) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in _file_sizes(out_dir):
            info = zipfile.ZipInfo(f"{out_dir.name}/{name}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (out_dir / name).read_bytes())
    return zip_path


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

    Raises :class:`ExportError` with the page's own message when the model fails to load, or
    when the app had to fall back from the requested ``backend`` to another one.
    """
    page.goto(f"{base_url}index.html" + (f"?backend={backend}" if backend else ""))
    page.wait_for_function("() => window.handwriting !== undefined", timeout=timeout_ms)
    outcome = page.evaluate("""() => window.handwriting.ready.then(
        () => ({ok: true, backend: window.handwriting.backend()}),
        err => ({ok: false, error: String(err && err.message || err)}))""")
    if not outcome["ok"]:
        raise ExportError(f"The exported app could not load its model: {outcome['error']}")
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
    if not (out_dir / MODEL_DIR / "model.json").is_file():
        raise ExportError(f"{out_dir} has no {MODEL_DIR}/model.json: export the app first.")
    if quantization == "auto":
        manifest = json.loads((out_dir / MANIFEST).read_text())
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
    ``window.HANDWRITING_MODEL`` instead of fetching model/model.json, and the wasm backend's
    binaries from ``window.HANDWRITING_WASM``. TF.js can only *fetch* a .wasm binary, so the page
    turns those bytes into blob: URLs (web/backend.js); ``connect-src blob:`` lets it fetch
    exactly those, and nothing over the network. ``'wasm-unsafe-eval'`` lets it compile them.
    """
    import re

    out_dir = Path(out_dir)
    page = (out_dir / "index.html").read_text()
    model_json = json.loads((out_dir / MODEL_DIR / "model.json").read_text())
    calibration = json.loads((out_dir / MANIFEST).read_text()).get("calibration")
    shards = [out_dir / MODEL_DIR / path for group in model_json["weightsManifest"]
              for path in group["paths"]]
    weights = base64.b64encode(b"".join(p.read_bytes() for p in shards)).decode("ascii")
    wasm = {name: base64.b64encode((out_dir / name).read_bytes()).decode("ascii")
            for name in WASM_FILES}
    data_script = ("window.HANDWRITING_MODEL = " + json.dumps(
        {"modelJSON": model_json, "weightsBase64": weights, "calibration": calibration}) + ";\n"
        "window.HANDWRITING_WASM = " + json.dumps(wasm) + ";").replace("</", "<\\/")

    def inline_script(match):
        source = (out_dir / match.group(1)).read_text()
        prefix = f"<script>{data_script}</script>\n" if match.group(1) == "app.js" else ""
        return prefix + "<script>" + source.replace("</script", "<\\/script") + "</script>"

    page = re.sub(r'<script src="([^"]+)"></script>', inline_script, page)
    page = re.sub(r'<link rel="stylesheet" href="([^"]+)">',
                  lambda m: "<style>" + (out_dir / m.group(1)).read_text() + "</style>", page)
    csp = ("default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; "
           "style-src 'unsafe-inline'; img-src data: blob:; connect-src blob:; worker-src blob:")
    return re.sub(r'(<meta http-equiv="Content-Security-Policy" content=")[^"]*(")',
                  lambda m: m.group(1) + csp + m.group(2), page)
