"""The README's and the docs' pictures (docs/images/), made by code: ``make screenshots``.

Each picture is a test: it drives the real JupyterLab or the exported app in Debian's Chromium
with the end-to-end tests' own helpers (``lab_harness``: the server, ``draw``, ``draw_and_read``;
conftest's ``browser``, ``jupyter_lab`` and ``pretrained_app`` fixtures), checks that the page
shows what the picture claims (the pad reads the digit drawn, the app reads 2026), and only then
writes the file. They are pytest tests rather than a script so that they share those fixtures
and fail like the end-to-end tests when the UI changes. A normal test run skips them (it must not
rewrite docs/images/); they run with ``--screenshots``::

    make screenshots    # = python -m pytest -p no:nbval tests/test_screenshots.py --screenshots

Deterministic in content as far as practical: fixed strokes (digits of
:func:`~handwriting.drawn.written_numbers.number_strokes`), the pretrained model for the pads
and the app, quick-mode training after a fixed global seed. Timings, and the last digits of a
multi-threaded training's figures, may still change from one run to the next.

Each picture is cropped to what matters (an element, or JupyterLab's 1280 x 800 window) and kept
small: PNGs are reduced to 256 colours, the animation is a lossy WebP (tests/test_pictures.py
checks that the docs name every one of them).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from conftest import ROOT
from lab_harness import draw, draw_and_read
from PIL import Image

from handwriting.drawn.written_numbers import NUMBER_PAD, number_strokes
from handwriting.export import open_app
from handwriting.preprocess import CANVAS_SIZE

pytestmark = [pytest.mark.screenshots, pytest.mark.browser]

IMAGES = ROOT / "docs" / "images"
VIEWPORT = {"width": 1280, "height": 800}
NUMBER = "2026"


@pytest.fixture()
def shot_page(browser):
    """A 1280 x 800 page: JupyterLab's window as a laptop shows it."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(120_000)
    yield page
    context.close()


def written(text: str, height: float, width: int = CANVAS_SIZE) -> list[list[tuple[float, float]]]:
    """``text`` written in the number pad's styles, centred on a pad ``width`` pixels wide and
    CANVAS_SIZE high (canvas pixels, one list of points per stroke)."""
    strokes = number_strokes(text, height=height, left=0.0, top=(CANVAS_SIZE - height) / 2)
    ink = max(s[:, 0].max() for s in strokes)
    return [(s + [(width - ink) / 2, 0]).tolist() for s in strokes]


def save_png(png: bytes, name: str) -> None:
    """Write a screenshot as a 256-colour optimised PNG (a third of the size, the same look)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    IMAGES.mkdir(parents=True, exist_ok=True)
    image.save(IMAGES / name, optimize=True)


def no_errors(page) -> None:
    """No error output in the notebook, no error line in the app."""
    assert page.locator("[data-mime-type='application/vnd.jupyter.error']").count() == 0
    assert page.locator("#status.error").count() == 0


def test_jupyterlab_training(jupyter_lab, shot_page):
    """02_train.ipynb in quick mode (dnn, cnn1, cnn2 on a small subset), then the panel given all
    of MNIST (``panel.data = load_mnist(quick=False)``) and one more run from its fields and Train
    button (``fast``, its 2 epochs): its live curves and the runs table, in JupyterLab's window."""
    name = "02_train.ipynb"
    jupyter_lab.open_notebook(shot_page, name)
    jupyter_lab.execute(shot_page, name, "import keras; keras.utils.set_random_seed(0)")
    assert jupyter_lab.run_all_cells(shot_page, name) == []
    panel = shot_page.locator(".hw-training-panel").first
    rows = panel.locator(".hw-runs tbody tr")
    assert rows.count() == 3  # dnn, cnn1, cnn2 from the cells
    jupyter_lab.execute(
        shot_page,
        name,
        "from handwriting.data import load_mnist; panel.data = load_mnist(quick=False)",
    )
    architecture = panel.locator("select").first
    architecture.select_option(
        architecture.evaluate("s => [...s.options].find(o => o.text.startsWith('fast')).text")
    )
    epochs = panel.get_by_role("spinbutton", name="Epochs")
    shot_page.wait_for_function("(e) => e.value === '1'", arg=epochs.element_handle())
    epochs.fill("2")  # fast's own recipe (quick mode starts every recipe at 1 epoch)
    epochs.press("Enter")
    panel.get_by_role("button", name="Train").click()
    shot_page.wait_for_function(
        "() => document.querySelectorAll('.hw-training-panel .hw-runs tbody tr').length === 4"
        " && /finished/.test(document.querySelector('.hw-train-message').innerText)",
        timeout=900_000,
    )
    last = rows.nth(3).inner_text()
    assert "fast" in last and "2/2" in last and "55,000" in last, last
    # Room for the panel from its cell's code to the runs table's last row: no file browser, a
    # taller window, and the panel's cell no longer the selected one (no toolbar over it).
    shot_page.evaluate("""() => {
      window.jupyterapp.commands.execute('application:toggle-left-area');
      window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0;
    }""")
    shot_page.set_viewport_size({"width": VIEWPORT["width"], "height": 900})
    shot_page.wait_for_timeout(500)
    panel.locator(".hw-runs").evaluate("e => e.scrollIntoView({block: 'end'})")
    shot_page.mouse.move(0, VIEWPORT["height"] - 1)  # no hover highlight
    shot_page.wait_for_timeout(1000)
    no_errors(shot_page)
    save_png(shot_page.screenshot(), "jupyterlab-training.png")


def test_jupyterlab_drawing_pad(jupyter_lab, shot_page):
    """03_draw.ipynb's first pad (the pretrained model) reading a 4 drawn with the mouse."""
    name = "03_draw.ipynb"
    jupyter_lab.open_notebook(shot_page, name)
    assert jupyter_lab.run_all_cells(shot_page, name) == []
    pad = shot_page.locator(".hw-drawing-pad").first
    assert "pretrained" in pad.inner_text()
    *strokes, last = written("4", 200)
    for stroke in strokes:
        draw(shot_page, pad.locator("canvas.hw-pad-canvas"), stroke)
    assert draw_and_read(shot_page, pad, last)["digit"] == "4"
    # No cell near the pad selected (its toolbar and blue bar would show), the pad's in view.
    shot_page.evaluate(
        "() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }"
    )
    cell = shot_page.locator(".jp-Cell:has(.hw-drawing-pad)").first
    cell.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot_page.mouse.move(0, VIEWPORT["height"] - 1)
    shot_page.wait_for_timeout(500)
    no_errors(shot_page)
    save_png(cell.screenshot(), "jupyterlab-drawing-pad.png")


def wait_for_reading(page, text: str, selector: str = "#prediction") -> None:
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector).textContent === text",
        arg=[selector, text],
    )
    page.wait_for_timeout(300)  # the reading after pointerup lands last


def test_web_app(pretrained_app, shot_page):
    """The exported app (the pretrained model) reading a 3 drawn with the mouse."""
    open_app(shot_page, pretrained_app, backend=None)  # its own choice
    for stroke in written("3", 200):
        draw(shot_page, shot_page.locator("#pad"), stroke)
    wait_for_reading(shot_page, "3")
    shot_page.mouse.move(0, 0)
    no_errors(shot_page)
    save_png(shot_page.locator("main").screenshot(), "web-app.png")


def test_web_app_number(pretrained_app, shot_page):
    """The app's Number mode reading 2026 written with the mouse."""
    open_app(shot_page, pretrained_app, backend=None)  # its own choice
    shot_page.click("#mode-number")
    for stroke in written(NUMBER, 160, NUMBER_PAD[1]):
        draw(shot_page, shot_page.locator("#pad"), stroke, size=NUMBER_PAD[1])
    wait_for_reading(shot_page, NUMBER, "#number")
    shot_page.mouse.move(0, 0)
    no_errors(shot_page)
    save_png(shot_page.locator("main").screenshot(), "web-app-number.png")


def _along(stroke: list, spacing: float) -> np.ndarray:
    """Points every ``spacing`` canvas pixels along a stroke (its corners kept close enough)."""
    points = np.asarray(stroke, dtype=float)
    lengths = np.r_[0, np.cumsum(np.hypot(*np.diff(points, axis=0).T))]
    at = np.linspace(0, lengths[-1], max(2, int(np.ceil(lengths[-1] / spacing)) + 1))
    return np.column_stack([np.interp(at, lengths, points[:, i]) for i in (0, 1)])


def test_drawing_animation(pretrained_app, shot_page):
    """A 2 drawn in the app, a frame every few pixels of ink: the bars follow the stroke."""
    open_app(shot_page, pretrained_app, backend=None)  # its own choice
    shot_page.locator(".about").evaluate("e => { e.hidden = true; }")  # moves as the guess grows
    shot_page.mouse.move(0, 0)
    layout = shot_page.locator(".layout")
    box = shot_page.locator("#pad").bounding_box()
    scale = box["width"] / CANVAS_SIZE

    def at(point):
        return box["x"] + point[0] * scale, box["y"] + point[1] * scale

    frames, boxes, durations = [], [], []

    def frame(duration: int) -> None:  # the whole window: the layout grows as the bars appear
        frames.append(shot_page.screenshot())
        boxes.append(layout.bounding_box())
        durations.append(duration)

    frame(600)
    for stroke in written("2", 200):
        points = _along(stroke, spacing=16)
        shot_page.mouse.move(*at(points[0]))
        shot_page.mouse.down()
        for point in points[1:]:
            shot_page.mouse.move(*at(point), steps=2)
            shot_page.wait_for_timeout(150)  # > the app's live interval: each move is read
            frame(70)
        shot_page.mouse.up()
    wait_for_reading(shot_page, "2")
    no_errors(shot_page)
    frame(2500)
    top = shot_page.locator(".mode").bounding_box()  # the crop starts below the mode buttons
    left = min(b["x"] for b in boxes) - 8
    right = max(b["x"] + b["width"] for b in boxes) + 8
    bottom = max(b["y"] + b["height"] for b in boxes) + 8
    crop = (left, top["y"] + top["height"] + 2, right, bottom)
    save_animation([Image.open(io.BytesIO(png)).crop(crop) for png in frames], durations)


def save_animation(frames: list[Image.Image], durations: list[int]) -> None:
    """docs/images/drawing.webp: lossless WebP frames in one 32-colour palette (the page's few
    colours and their anti-aliasing), which encodes only what changed from frame to frame:
    about half the size of a lossy one, and sharp."""
    strip = Image.new("RGB", (frames[0].width, frames[0].height * len(frames)))
    for k, frame in enumerate(frames):
        strip.paste(frame.convert("RGB"), (0, k * frames[0].height))
    palette = strip.quantize(32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    reduced = [
        frame.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")
        for frame in frames
    ]
    IMAGES.mkdir(parents=True, exist_ok=True)
    reduced[0].save(
        IMAGES / "drawing.webp",
        save_all=True,
        append_images=reduced[1:],
        duration=durations,
        loop=0,
        lossless=True,
        quality=100,
        method=6,
    )
