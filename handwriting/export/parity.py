"""The parity check: the exported app in headless Chromium against Keras, on the same digits,
and the JS preprocessing against numpy on the same drawings."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..browser import chromium, run_off_event_loop, serve_directory
from ..data import load_mnist
from ..models.digit_model import as_digit_model
from ..preprocess import (
    CANVAS_SIZE,
    DrawingError,
    digit_to_canvas,
    preprocess_canvas,
    shift_and_scale,
)
from ..strokes import rasterize_strokes
from .app import check_whole_export
from .manifest import MODEL_JSON, ExportError, read_manifest

FLOAT32_TOLERANCE = 1e-4  # max |Keras - TF.js| probability for an unquantised export


MIN_ARGMAX_AGREEMENT = 0.995  # any export: share of digits where TF.js and Keras pick the same


MAX_ACCURACY_LOSS = 0.001  # any export: TF.js accuracy at most 0.1 point below Keras'


# How many MNIST test digits an export is checked on by default: 0.1 point is one digit in
# 1,000. On 500, one digit is 0.2 point, so a single near-tie digit that float16 rounding flipped
# from right to wrong (rare: docs/guides/tfjs-and-deployment.md) refused the export.
PARITY_DIGITS = 1000


PREPROCESS_TOLERANCE = 1e-6  # max |numpy - JS| pixel difference of the 28x28 input


class ParityError(ExportError):
    """The app was written, but TF.js in Chromium does not give Keras' answers."""

    def __init__(self, report: ParityReport):
        advice = (
            "float32 weights keep Keras' answers"
            if report.quantization
            else "the float32 export should match exactly: please report this"
        )
        super().__init__(
            f"The exported app does not match Keras: {'; '.join(report.problems)} ({advice})."
        )
        self.report = report


@dataclass
class ParityReport:
    """Keras vs TF.js in Chromium on the same digits, and numpy vs JS preprocessing."""

    digits: int
    backend: str
    quantization: str | None
    max_abs_diff: float  # max |p_keras - p_tfjs| over all digits and classes
    argmax_agreement: float  # share of digits where both pick the same class
    keras_accuracy: float
    tfjs_accuracy: float
    drawings: int  # canvas drawings compared through both preprocessors
    preprocess_max_diff: float  # max |numpy - JS| over their 28x28 outputs
    preprocess_reasons_agree: bool  # blank / too-small drawings rejected the same way
    problems: list[str] = field(default_factory=list)

    def __post_init__(self):
        """Judge the numbers: every failed threshold becomes a sentence in ``problems``."""
        if self.quantization is None and self.max_abs_diff > FLOAT32_TOLERANCE:
            self.problems.append(f"max |Δp| {self.max_abs_diff:.2e} > {FLOAT32_TOLERANCE:g}")
        if self.argmax_agreement < MIN_ARGMAX_AGREEMENT:
            self.problems.append(
                f"same answer as Keras for only {self.argmax_agreement:.2%} of "
                f"digits (needs {MIN_ARGMAX_AGREEMENT:.1%})"
            )
        if self.keras_accuracy - self.tfjs_accuracy > MAX_ACCURACY_LOSS + 1e-9:
            self.problems.append(
                f"TF.js loses {100 * (self.keras_accuracy - self.tfjs_accuracy):.2f} accuracy "
                f"points (at most {100 * MAX_ACCURACY_LOSS:.1f} allowed)"
            )
        if self.preprocess_max_diff > PREPROCESS_TOLERANCE:
            self.problems.append(f"JS preprocessing differs by {self.preprocess_max_diff:.1e}")
        if not self.preprocess_reasons_agree:
            self.problems.append("JS and numpy refuse different drawings")

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verdict = "OK" if self.ok else "FAILED: " + "; ".join(self.problems)
        return (
            f"TF.js ({self.backend}, {self.quantization or 'float32'}) vs Keras on "
            f"{self.digits:,} test digits: max |Δp| {self.max_abs_diff:.2e}, argmax agreement "
            f"{self.argmax_agreement:.2%}, accuracy TF.js {self.tfjs_accuracy:.2%} / Keras "
            f"{self.keras_accuracy:.2%}; preprocessing on {self.drawings} drawings: max |Δ| "
            f"{self.preprocess_max_diff:.1e} — {verdict}"
        )

    __str__ = summary


def parity_drawings(x_test: np.ndarray) -> list[np.ndarray]:
    """Canvas RGBA drawings for the preprocessing parity check: test digits drawn off-centre,
    small and large, hand-made strokes, and the blank / speck cases that must be refused."""
    placements = [(1.0, 0, 0), (0.6, -6, 5), (1.3, 2, -2), (0.45, 7, 7), (0.8, -3, -7)]
    drawings = [
        digit_to_canvas(shift_and_scale(x_test[i, ..., 0], s, dy, dx))
        for i, (s, dy, dx) in enumerate(placements)
    ]
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
        raise ExportError(
            f"The exported app runs on {outcome['backend']}, not {backend}: "
            f"{page.inner_text('#status')}"
        )
    return outcome["backend"]


def tfjs_predict(page, images: np.ndarray, chunk: int = 500) -> np.ndarray:
    """Probabilities (N, 10) from the app in ``page`` for preprocessed images (N, 28, 28[, 1])."""
    x = np.asarray(images, dtype=np.float32).reshape(-1, 784)
    out = [
        np.asarray(
            page.evaluate(_PAGE_PREDICT, [_b64(x[i : i + chunk]), len(x[i : i + chunk])]),
            dtype=np.float32,
        ).reshape(-1, 10)
        for i in range(0, len(x), chunk)
    ]
    return np.concatenate(out)


def js_preprocess(page, rgba: np.ndarray) -> np.ndarray | str:
    """The app's JS preprocessing of one RGBA canvas: a (28, 28) array, or the refusal reason."""
    result = page.evaluate(_PAGE_PREPROCESS, [_b64(rgba.astype(np.uint8)), rgba.shape[0]])
    if "reason" in result:
        return result["reason"]
    return np.asarray(result["pixels"], dtype=np.float32).reshape(28, 28)


#: JS: [R and A planes (base64, interleaved), height, width] -> an ImageData, opaque grey ink.
PAGE_IMAGE = """([b64, h, w]) => {
  const planes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new Uint8ClampedArray(4 * h * w);
  for (let i = 0; i < h * w; i++) {
    data.set([planes[2 * i], planes[2 * i], planes[2 * i], planes[2 * i + 1]], 4 * i);
  }
  return new ImageData(data, w, h);
}"""

_PAGE_READ_NUMBER = f"""async (args) => {{
  const image = ({PAGE_IMAGE})(args);
  const start = performance.now();
  const number = await window.handwriting.readNumber(image);
  return {{...number, ms: performance.now() - start}};
}}"""

_PAGE_READ_NUMBER_STROKES = "(strokes) => window.handwriting.readNumberStrokes(strokes)"


def image_planes(rgba: np.ndarray) -> list:
    """What :data:`PAGE_IMAGE` takes for a canvas: its R and A planes (all the ink there is,
    (R/255) * (A/255)) as base64, its height and width; half the bytes of the RGBA."""
    return [_b64(np.asarray(rgba, np.uint8)[..., [0, 3]]), *np.shape(rgba)[:2]]


def js_read_number(page, rgba: np.ndarray) -> dict:
    """web/numbers.js on one RGBA canvas (H, W >= H, 4), from its pixels: {text, digits, boxes,
    touching, refused, message}, and ``ms``, the reading's time in the page."""
    return page.evaluate(_PAGE_READ_NUMBER, image_planes(rgba))


def js_read_number_strokes(page, strokes) -> dict:
    """The app's number mode with ``strokes`` (lists of (x, y) points on its 280 x 840 pad) drawn
    on a fresh pad, read as it reads its pad: what :func:`js_read_number` gives, and ``ms``, the
    reading's time in the page (the drawing not included). The page shows that number."""
    plain = [
        [[float(x), float(y)] for x, y in np.asarray(s, float).reshape(-1, 2)] for s in strokes
    ]
    return page.evaluate(_PAGE_READ_NUMBER_STROKES, plain)


def verify_export(
    model,
    out_dir: str | os.PathLike,
    digits: int = PARITY_DIGITS,
    backend: str | None = None,
    test_data=None,
    quantization: str | None = "auto",
) -> ParityReport:
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
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 1:
        raise ExportError(
            f"The parity check compares 1 or more MNIST test digits, not {digits!r} "
            f"({PARITY_DIGITS:,} take a few seconds)."
        )
    model = as_digit_model(model)
    out_dir = Path(out_dir)
    if not (out_dir / MODEL_JSON).is_file():
        raise ExportError(f"{out_dir} has no {MODEL_JSON}: export the app first.")
    manifest = read_manifest(out_dir)  # the app would refuse it too, less plainly
    check_whole_export(out_dir)
    if quantization == "auto":
        quantization = None if manifest["quantization"] == "float32" else manifest["quantization"]
    if test_data is None:
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
        digits=len(y_test),
        backend=used_backend,
        quantization=quantization,
        max_abs_diff=float(np.abs(keras_probs - tfjs_probs).max()),
        argmax_agreement=float((keras_probs.argmax(1) == tfjs_probs.argmax(1)).mean()),
        keras_accuracy=float((keras_probs.argmax(1) == y_test).mean()),
        tfjs_accuracy=float((tfjs_probs.argmax(1) == y_test).mean()),
        drawings=len(drawings),
        preprocess_max_diff=diff,
        preprocess_reasons_agree=reasons_agree,
    )


def compare_preprocessing(drawings, js_outputs) -> tuple[float, bool]:
    """(``max |numpy - JS|`` over the accepted drawings, whether both refuse the same drawings for
    the same reasons), given each drawing's JS output: a 28x28 array or a refusal reason."""
    diff, reasons_agree = 0.0, True
    for rgba, js in zip(drawings, js_outputs, strict=True):
        try:
            py = preprocess_canvas(rgba)
        except DrawingError as err:
            reasons_agree &= isinstance(js, str) and js == err.reason  # JS may accept it
            continue
        if isinstance(js, str):
            reasons_agree = False
        else:
            diff = max(diff, float(np.abs(py - js).max()))
    return diff, reasons_agree
