"""Section 4: the drawing pad's latency per stroke end, two ways: its in-kernel work against
``model.predict``, and what a person sees in real JupyterLab + Chromium (mouse-up to the reading
in the page: kernel work, widget messages and rendering)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from handwriting.preprocess import preprocess_canvas
from handwriting.training import save_model
from handwriting.widgets import DrawingPad

from .common import ROOT, bench_model, markdown_table, median, percentile

TITLE = "Drawing pad latency: stroke end to probabilities shown"
TARGET_MS = 30.0  # the pad's in-kernel work at pointer-up, median (issue #15)
TARGET_RATIO = 3.0  # ... at least this many times faster than one model.predict call
STROKES = [
    [(60, 50), (220, 50), (120, 250)],
    [(140, 30), (140, 250)],
    [(80, 80), (200, 80), (200, 200), (80, 200), (80, 80)],
]


def _times(fn, repeats: int) -> list[float]:
    fn()  # warm-up (tracing, caches)
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def run(quick: bool = False) -> dict:
    repeats = 30 if quick else 200
    model = bench_model("cnn2", quick)
    pad = DrawingPad(model)
    pad.live_interval = float("inf")  # time only the reading at pointer-up
    state = {"i": 0}

    def stroke_end():
        """A whole stroke as the mouse draws it; the timed part is what pointer-up triggers."""
        pad.clear()
        points = STROKES[state["i"] % len(STROKES)]
        state["i"] += 1
        pad._pointer_down(*points[0])
        for x, y in points[1:]:
            pad._pointer_move(x, y)
        start = time.perf_counter()
        pad._pointer_up()  # rasterise + preprocess + predict + show
        return (time.perf_counter() - start) * 1000

    stroke_end()
    pad_ms = [stroke_end() for _ in range(repeats)]
    canvas = pad.sketch.rgba()
    image = preprocess_canvas(canvas)[None, ..., None]
    preprocess_ms = _times(lambda: preprocess_canvas(canvas), repeats)
    predictor_ms = _times(lambda: pad.recognizer._predictor.predict(image[0]), repeats)
    keras_predict_ms = _times(lambda: model.predict(image, verbose=0), repeats)
    rows = [
        [
            "pad: pointer-up to bars + preview (all in-kernel work)",
            median(pad_ms),
            percentile(pad_ms, 95),
        ],
        [
            "  of which preprocess_canvas (280x280 -> 28x28)",
            median(preprocess_ms),
            percentile(preprocess_ms, 95),
        ],
        [
            "  of which model call (traced tf.function)",
            median(predictor_ms),
            percentile(predictor_ms, 95),
        ],
        [
            "model.predict on the same 28x28 input",
            median(keras_predict_ms),
            percentile(keras_predict_ms, 95),
        ],
    ]
    ratio = median(keras_predict_ms) / median(pad_ms)
    page_ms = in_jupyterlab(model, 5 if quick else 40)
    rows.insert(
        0,
        [
            "in JupyterLab + Chromium: mouse-up to the reading in the page",
            median(page_ms),
            percentile(page_ms, 95),
        ],
    )
    table = [[name, f"{m:.1f}", f"{p:.1f}"] for name, m, p in rows]
    markdown = markdown_table(["step (cnn2)", "median ms", "p95 ms"], table)
    markdown += (
        f"\n\nIn the kernel, the pad's work at pointer-up is **{ratio:.1f}x faster** than one "
        f"`model.predict` call (targets: <= {TARGET_MS:.0f} ms median, >= {TARGET_RATIO:.0f}x); "
        f"{repeats} strokes. In the "
        f"page, {len(page_ms)} mouse strokes drawn by Playwright on the pad in a real "
        "JupyterLab (headless Chromium, live readings on while drawing), timed in the page "
        "from the mouseup event to the DOM update of the reading that follows it."
    )
    print(
        f"  pad median {median(pad_ms):.1f} ms; model.predict {median(keras_predict_ms):.1f} ms; "
        f"ratio {ratio:.1f}x",
        flush=True,
    )
    return {
        "title": TITLE,
        "markdown": markdown,
        "data": {
            "page_ms": page_ms,
            "pad_ms": pad_ms,
            "preprocess_ms": preprocess_ms,
            "predictor_ms": predictor_ms,
            "model_predict_ms": keras_predict_ms,
            "ratio": ratio,
        },
    }


def in_jupyterlab(model, strokes: int) -> list[float]:
    """Milliseconds from mouse-up to the pad's reading in the page, for ``strokes`` strokes drawn
    with the mouse on a DrawingPad in a real JupyterLab (tests/lab_harness.py)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from lab_harness import draw_and_read, start_jupyterlab, stop_jupyterlab

    from handwriting.browser import chromium

    with tempfile.TemporaryDirectory(prefix="bench-pad-") as workdir:
        lab = start_jupyterlab(Path(workdir))
        try:
            model_path = save_model(model, Path(workdir) / "model.keras")
            cells = [
                "from handwriting.widgets import DrawingPad",
                f"pad = DrawingPad({str(model_path)!r})\npad",
            ]
            notebook = {
                "cells": [
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "outputs": [],
                        "execution_count": None,
                        "source": c,
                    }
                    for c in cells
                ],
                "metadata": {
                    "kernelspec": {
                        "name": "python3",
                        "display_name": "Python 3",
                        "language": "python",
                    }
                },
                "nbformat": 4,
                "nbformat_minor": 5,
            }
            (lab.root / "pad_latency.ipynb").write_text(json.dumps(notebook))
            with chromium() as browser:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(120_000)
                lab.open_notebook(page, "pad_latency.ipynb")
                assert lab.run_all_cells(page, "pad_latency.ipynb") == []
                pad = page.locator(".hw-drawing-pad")
                times = []
                for i in range(strokes):
                    pad.first.get_by_role("button", name="Clear").click()
                    page.wait_for_timeout(300)
                    reading = draw_and_read(page, pad, STROKES[i % len(STROKES)])
                    times.append(reading["ms"])
                return times
        finally:
            stop_jupyterlab(lab)
