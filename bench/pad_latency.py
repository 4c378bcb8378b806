"""Section 4: the drawing pad's in-kernel work per stroke end, against ``model.predict``."""
from __future__ import annotations

import time

import numpy as np

from handwriting.preprocess import preprocess_canvas
from handwriting.widgets import DrawingPad

from .common import bench_model, markdown_table, median, percentile

TITLE = "Drawing pad latency: stroke end to probabilities shown (in the kernel)"
STROKES = [[(60, 50), (220, 50), (120, 250)], [(140, 30), (140, 250)],
           [(80, 80), (200, 80), (200, 200), (80, 200), (80, 80)]]


def _times(fn, repeats: int) -> list[float]:
    fn()                                            # warm-up (tracing, caches)
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
    pad.live_interval = float("inf")               # time only the reading at pointer-up
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
        pad._pointer_up()                          # rasterise + preprocess + predict + show
        return (time.perf_counter() - start) * 1000

    stroke_end()
    pad_ms = [stroke_end() for _ in range(repeats)]
    canvas = pad.sketch.rgba()
    image = preprocess_canvas(canvas)[None, ..., None]
    preprocess_ms = _times(lambda: preprocess_canvas(canvas), repeats)
    predictor_ms = _times(lambda: pad.recognizer._predictor.predict(image[0]), repeats)
    keras_predict_ms = _times(lambda: model.predict(image, verbose=0), repeats)
    rows = [
        ["pad: pointer-up to bars + preview (all in-kernel work)", median(pad_ms), percentile(pad_ms, 95)],
        ["  of which preprocess_canvas (280x280 -> 28x28)", median(preprocess_ms), percentile(preprocess_ms, 95)],
        ["  of which model call (traced tf.function)", median(predictor_ms), percentile(predictor_ms, 95)],
        ["model.predict on the same 28x28 input", median(keras_predict_ms), percentile(keras_predict_ms, 95)],
    ]
    ratio = median(keras_predict_ms) / median(pad_ms)
    table = [[name, f"{m:.1f}", f"{p:.1f}"] for name, m, p in rows]
    markdown = markdown_table(["step (cnn2)", "median ms", "p95 ms"], table)
    markdown += (f"\n\nThe whole pad path is **{ratio:.1f}x faster** than one `model.predict` call "
                 f"(targets: <= 30 ms median, >= 3x). {repeats} strokes.")
    print(f"  pad median {median(pad_ms):.1f} ms; model.predict {median(keras_predict_ms):.1f} ms; "
          f"ratio {ratio:.1f}x", flush=True)
    return {"title": TITLE, "markdown": markdown,
            "data": {"pad_ms": pad_ms, "preprocess_ms": preprocess_ms, "predictor_ms": predictor_ms,
                     "model_predict_ms": keras_predict_ms, "ratio": ratio}}
