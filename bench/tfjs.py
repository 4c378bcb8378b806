"""Section 5: the exported app in headless Chromium: load time, per-digit inference, size, accuracy."""
from __future__ import annotations

import time

import numpy as np

from handwriting.browser import chromium, serve_directory
from handwriting.data import load_mnist
from handwriting.evaluation import predict_probabilities
from handwriting.export import export_web_app, open_app, tfjs_predict

from .common import ROOT, bench_model, markdown_table, median, percentile

TITLE = "TF.js in headless Chromium: load, inference, size and accuracy per quantisation"
BACKENDS = ("cpu", "webgl")
OUT = ROOT / "build" / "bench-web"

_TIME_SINGLE = """async ([repeats]) => {
  const pixels = new Float32Array(784).fill(0.5);
  const times = [];
  for (let i = 0; i < repeats + 5; i++) {
    const start = performance.now();
    await window.handwriting.predictBatch(pixels, 1);
    if (i >= 5) times.push(performance.now() - start);
  }
  return times;
}"""


def _measure(url: str, backend: str, repeats: int, x_test=None):
    with chromium() as browser:
        page = browser.new_page()
        start = time.perf_counter()
        used = open_app(page, url, backend)
        load_s = time.perf_counter() - start
        if used != backend:
            return {"backend": backend, "available": False, "used": used}
        times = page.evaluate(_TIME_SINGLE, [repeats])
        result = {"backend": backend, "available": True, "load_s": load_s,
                  "median_ms": median(times), "p95_ms": percentile(times, 95)}
        if x_test is not None:
            start = time.perf_counter()
            result["probabilities"] = tfjs_predict(page, x_test)
            result["batch_s"] = time.perf_counter() - start
        return result


def run(quick: bool = False) -> dict:
    arch = "cnn2"
    model = bench_model(arch, quick)
    (_, _), (x_test, y_test) = load_mnist(train_size=1, test_size=1000 if quick else None, quick=False)
    keras_probs = predict_probabilities(model, x_test)
    keras_acc = float((keras_probs.argmax(1) == y_test).mean())
    repeats = 30 if quick else 200
    rows, table = [], []
    for quantization in (None, "float16", "uint8"):
        name = quantization or "float32"
        result = export_web_app(model, OUT / name, quantization=quantization, overwrite=True)
        with serve_directory(result.out_dir) as url:
            for backend in BACKENDS:
                m = _measure(url, backend, repeats, x_test if backend == "cpu" else None)
                row = {"quantization": name, "model_bytes": result.model_bytes,
                       "app_bytes": result.total_bytes, **{k: v for k, v in m.items() if k != "probabilities"}}
                if not m["available"]:
                    table.append([name, backend, "unavailable in headless Chromium here", "", "", "", ""])
                    rows.append(row)
                    continue
                accuracy = agreement = max_diff = None
                if "probabilities" in m:
                    probs = m["probabilities"]
                    accuracy = float((probs.argmax(1) == y_test).mean())
                    agreement = float((probs.argmax(1) == keras_probs.argmax(1)).mean())
                    max_diff = float(np.abs(probs - keras_probs).max())
                    row.update(tfjs_accuracy=accuracy, argmax_agreement=agreement, max_abs_diff=max_diff)
                rows.append(row)
                table.append([name, backend, f"{m['load_s']:.2f}", f"{m['median_ms']:.2f} / {m['p95_ms']:.2f}",
                              f"{result.model_bytes / 1e6:.2f} MB ({result.total_bytes / 1e6:.2f} MB app)",
                              f"**{accuracy:.2%}** (Keras {keras_acc:.2%}, loss "
                              f"{100 * (keras_acc - accuracy):+.2f} pt)" if accuracy is not None else "",
                              f"{agreement:.2%} / {max_diff:.1e}" if agreement is not None else ""])
                print(f"  {name} {backend}: load {m['load_s']:.2f} s, {m['median_ms']:.2f} ms/digit"
                      + (f", accuracy {accuracy:.2%}" if accuracy is not None else ""), flush=True)
    markdown = markdown_table(
        ["weights", "backend", "load s", "ms/digit median / p95", "size", f"TF.js accuracy ({len(y_test):,} test digits)",
         "same argmax as Keras / max |Δp|"], table)
    markdown += (f"\n\nModel: `{arch}`. Load = page open to model loaded and warmed up. The wasm backend "
                 "is not shipped (tf.min.js holds cpu and webgl). Headless Chromium runs without a GPU "
                 "here, so webgl (when available at all) is software-rendered.")
    return {"title": TITLE, "markdown": markdown, "data": rows}
