"""The JS twin of the preprocessing spec (web/preprocess.js) against numpy, in real Chromium.

Serves web/ as it is (no model needed: only ``window.HandwritingPreprocess`` is used), so this
runs in seconds, unlike the exported-app tests in test_web_app.py.
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest
from conftest import ROOT
from test_preprocess import ALMOST_EMPTY, CONSTANTS, THIN_DIGITS, frame, ring

from handwriting import preprocess
from handwriting.browser import serve_directory
from handwriting.constants import MODEL_SIZE
from handwriting.preprocess import (
    CANVAS_SIZE,
    MIN_INK_MASS,
    DrawingError,
    centred_ink_mass,
    check_drawing,
    digit_to_canvas,
    preprocess_canvas,
    shift_and_scale,
)
from handwriting.strokes import rasterize_strokes

WEB = ROOT / "web"
TOLERANCE = 1e-6

# Runs HandwritingPreprocess on raw RGBA bytes; returns the 784 pixels or the refusal reason.
_JS_PREPROCESS = """([b64, width, height, center]) => {
  const bytes = Uint8ClampedArray.from(atob(b64), c => c.charCodeAt(0));
  const image = new ImageData(bytes, width, height);
  const P = window.HandwritingPreprocess;
  const check = P.checkDrawing(image);
  try {
    const pixels = P.preprocess(image, center);
    return {pixels: Array.from(pixels), check, float32: pixels instanceof Float32Array};
  } catch (err) {
    return {reason: err.reason || `not a DrawingError: ${err}`, message: err.message, check};
  }
}"""


def js_constants(text: str) -> dict[str, float]:
    """Constants as preprocess.js defines them: each exactly once, ``const NAME = value;``."""
    found = {}
    for name in CONSTANTS:
        values = re.findall(rf"\bconst {name} = ([0-9.eE+-]+);", text)
        assert len(values) == 1, f"{name} must be defined exactly once in preprocess.js"
        found[name] = float(values[0])
    return found


def test_python_and_js_define_the_same_constants():
    constants = js_constants((WEB / "preprocess.js").read_text())
    assert constants == {name: float(getattr(preprocess, name)) for name in CONSTANTS}
    html = (WEB / "index.html").read_text()
    size = int(constants["CANVAS_SIZE"])
    assert f'id="pad" width="{size}" height="{size}"' in html
    assert f'id="preview" width="{MODEL_SIZE}" height="{MODEL_SIZE}"' in html


@pytest.fixture(scope="module")
def preprocess_page(browser):
    with serve_directory(WEB) as url:
        context = browser.new_context()
        page = context.new_page()
        page.console_messages = []
        page.on("console", lambda message: page.console_messages.append(message.text))
        page.goto(f"{url}index.html?backend=cpu")  # the model is absent: the page says so
        page.wait_for_function("() => window.HandwritingPreprocess !== undefined", timeout=30_000)
        yield page
        context.close()


def run_js(page, rgba: np.ndarray, center: bool = True) -> dict:
    height, width = rgba.shape[:2]
    b64 = base64.b64encode(np.ascontiguousarray(rgba, np.uint8).tobytes()).decode("ascii")
    return page.evaluate(_JS_PREPROCESS, [b64, width, height, center])


def drawings(mnist_test) -> dict[str, np.ndarray]:
    """Named canvases that exercise every branch: off-centre, tiny, wide, MNIST, alpha, odd
    sizes."""
    rng = np.random.default_rng(1)
    made = {
        "one": rasterize_strokes([[(140, 40), (142, 120), (140, 245)]]),
        "zero": rasterize_strokes([ring(140, 140, 70, 100)]),
        "seven_in_a_corner": rasterize_strokes([[(200, 20), (260, 20), (230, 110)]]),
        "tiny_but_valid": rasterize_strokes([[(100, 100), (106, 121)]], width=8),  # ~30 px tall
        "wide_dash": rasterize_strokes([[(10, 150), (270, 152)]]),
        "square_tie": rasterize_strokes([[(80, 80), (200, 80), (200, 200), (80, 200), (80, 80)]]),
        "thin_pen": rasterize_strokes([ring(120, 160, 40, 60)], width=3),
        "thick_pen": rasterize_strokes([[(60, 60), (220, 220)], [(220, 60), (60, 220)]], width=34),
        **{f"thin_{name}": canvas for name, canvas in THIN_DIGITS.items()},
    }
    while sum(name.startswith("random") for name in made) < 8:
        strokes = [
            rng.uniform(5, 275, size=(rng.integers(1, 6), 2)) for _ in range(rng.integers(1, 4))
        ]
        canvas = rasterize_strokes(strokes, width=float(rng.uniform(6, 30)))
        if check_drawing(canvas) is None:  # refusals are tested below
            made[f"random_{len(made)}"] = canvas
    for i, digit in enumerate(mnist_test[:6, ..., 0]):
        made[f"mnist_{i}"] = digit_to_canvas(digit)
        made[f"mnist_{i}_small_off_centre"] = digit_to_canvas(shift_and_scale(digit, 0.6, -5, 6))
    translucent = rasterize_strokes([ring(140, 140, 60, 90)])
    translucent[..., 3] = np.linspace(0, 255, CANVAS_SIZE).astype(np.uint8)[None, :]
    made["translucent_alpha"] = translucent
    wide = np.zeros((200, 320, 4), np.uint8)  # not square, not 280
    wide[..., :4] = rasterize_strokes([[(60, 30), (250, 170)]], size=320)[:200]
    made["non_square_canvas"] = wide
    return made


@pytest.mark.browser
@pytest.mark.parametrize("center", [True, False], ids=["centred", "whole_canvas"])
def test_js_and_numpy_give_the_same_28x28(preprocess_page, mnist_small, center):
    (_, _), (x_test, _) = mnist_small
    for name, canvas in drawings(x_test).items():
        expected = preprocess_canvas(canvas, center=center)
        result = run_js(preprocess_page, canvas, center)
        assert "pixels" in result, f"{name}: JS refused it ({result})"
        assert result["float32"] and result["check"] is None, name
        js = np.asarray(result["pixels"], np.float64).reshape(MODEL_SIZE, MODEL_SIZE)
        difference = np.abs(js - expected).max()
        assert difference <= TOLERANCE, f"{name}: |JS - numpy| = {difference:.2e}"


@pytest.mark.browser
@pytest.mark.parametrize(
    "name, canvas",
    [
        ("blank", rasterize_strokes([])),
        ("transparent", np.zeros((CANVAS_SIZE, CANVAS_SIZE, 4), np.uint8)),
        (
            "white_but_transparent",
            np.dstack(
                [
                    np.full((CANVAS_SIZE, CANVAS_SIZE, 3), 255, np.uint8),
                    np.zeros((CANVAS_SIZE, CANVAS_SIZE), np.uint8),
                ]
            ),
        ),
        ("dot", rasterize_strokes([[(140, 140)]])),
        ("short_tick", rasterize_strokes([[(100, 100), (104, 102)]])),
        ("full", np.full((CANVAS_SIZE, CANVAS_SIZE, 4), 255, np.uint8)),
        (
            "scribbled_over",
            rasterize_strokes(
                [[(x, y) for y in range(0, 281, 15) for x in ((0, 280) if y % 30 else (280, 0))]],
                width=24,
            ),
        ),
        *ALMOST_EMPTY.items(),  # a frame, specks, dust: "too_little"
    ],
)
def test_js_and_numpy_refuse_the_same_drawings(preprocess_page, name, canvas):
    with pytest.raises(DrawingError) as refused:
        preprocess_canvas(canvas)
    for center in (True, False):
        result = run_js(preprocess_page, canvas, center)
        assert result.get("reason") == refused.value.reason, f"{name}: {result}"
        assert result["message"] == str(refused.value)
        assert result["check"] == check_drawing(canvas) == refused.value.reason


@pytest.mark.browser
def test_js_and_numpy_draw_the_too_little_line_in_the_same_place(preprocess_page):
    """Around MIN_INK_MASS, where summation order could matter, both refuse the same canvases:
    thin lines ever longer (less ink once fitted to 20x20) and ever greyer 2-px frames."""
    canvases = [
        rasterize_strokes([[(140, 40), (140, 40 + length)]], width=width)
        for width in (4, 5)
        for length in range(120, 241, 6)
    ]
    canvases += [frame(line=2, value=value) for value in range(200, 256, 4)]
    masses = [centred_ink_mass(canvas) for canvas in canvases]
    assert min(masses) < MIN_INK_MASS < max(masses)
    assert min(abs(m - MIN_INK_MASS) for m in masses) < 0.1
    for canvas, mass in zip(canvases, masses, strict=False):
        expected = "too_little" if mass < MIN_INK_MASS else None
        assert check_drawing(canvas) == expected
        result = run_js(preprocess_page, canvas)
        assert result["check"] == result.get("reason") == expected, (
            f"mass {mass}: {result.get('reason')}"
        )


@pytest.mark.browser
def test_a_missing_model_is_reported_on_the_page_under_the_csp(preprocess_page):
    """web/ is no export (no export.json, no model/ folder): the page says so (not only the
    console), naming the first file it could not read, and TF.js itself ran under the
    Content-Security-Policy (no eval)."""
    outcome = preprocess_page.evaluate(
        "() => window.handwriting.ready.then(() => 'loaded', err => err.message)"
    )
    assert outcome.startswith("Could not read export.json") and "404" in outcome
    status = preprocess_page.locator("#status")
    assert status.get_attribute("class") == "error" and status.inner_text() == outcome
    assert preprocess_page.evaluate("() => typeof tf.tensor === 'function'")
    assert not [m for m in preprocess_page.console_messages if "Content Security Policy" in m]
