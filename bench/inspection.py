"""Section 7: the inspector's in-kernel work per drawing (target: <= 50 ms for cnn2)."""

from __future__ import annotations

import time

from handwriting.data import load_mnist
from handwriting.inspection.network import INDEX_SIZE, NeighbourIndex, Probe
from handwriting.models import architectures
from handwriting.widgets import DrawingPad, Inspector
from handwriting.widgets.inspector import evidence_html, layers_html, neighbours_html

from .common import bench_model, markdown_table, median, percentile
from .pad_latency import STROKES, _times

TITLE = "Inspector latency: a drawing's maps, saliency and neighbours (in the kernel)"


def _draw(pad: DrawingPad, points) -> float:
    """Draw one stroke with mouse events on a clear pad; ms of what pointer-up triggers."""
    pad.clear()
    pad._pointer_down(*points[0])
    for x, y in points[1:]:
        pad._pointer_move(x, y)
    start = time.perf_counter()
    pad._pointer_up()  # pad reading + inspector update
    return (time.perf_counter() - start) * 1000


def _inspector(model, digits) -> tuple[DrawingPad, Inspector]:
    pad = DrawingPad(model)
    pad.live_interval = float("inf")  # time only the reading at pointer-up
    inspector = Inspector(pad, index_digits=digits)
    inspector.wait()
    _draw(pad, STROKES[0])  # warm-up: tracing
    return pad, inspector


def run(quick: bool = False) -> dict:
    repeats = 20 if quick else 100
    (x_index, y_index), _ = load_mnist(train_size=INDEX_SIZE, test_size=1, quick=False)
    model = bench_model("cnn2", quick)
    start = time.perf_counter()
    probe = Probe(model)
    NeighbourIndex(probe, x_index, y_index)
    index_s = time.perf_counter() - start

    pad, inspector = _inspector(model, (x_index, y_index))
    stroke_ms = [_draw(pad, STROKES[i % len(STROKES)]) for i in range(repeats)]
    update_ms = _times(inspector.update, repeats)
    image = pad.reading.image
    probe_ms = _times(lambda: inspector.probe.inspect(image, index=inspector.index), repeats)
    look = inspector.inspection
    pictures_ms = _times(
        lambda: (evidence_html(look), neighbours_html(look), layers_html(look, model.name)), repeats
    )
    rows = [
        ["pointer-up to pad and inspector updated (all in-kernel work)", stroke_ms],
        ["  of which Inspector.update (the inspector's work per drawing)", update_ms],
        ["    of which Probe.inspect: layers, 2 saliency maps, 8 of 3,000 neighbours", probe_ms],
        ["    of which the pictures (maps, overlays, digits as PNG/HTML)", pictures_ms],
    ]
    table = [[name, f"{median(ms):.1f}", f"{percentile(ms, 95):.1f}"] for name, ms in rows]
    markdown = markdown_table(["step (cnn2)", "median ms", "p95 ms"], table)

    per_arch = {}
    for name in architectures.names():  # untrained: the work does not depend on the weights
        other_pad, other = _inspector(architectures.build(name), (x_index[:500], y_index[:500]))
        per_arch[name] = _times(other.update, max(repeats // 4, 5))
        other_pad.clear()
    markdown += "\n\n" + markdown_table(
        ["architecture", "Inspector.update median ms", "p95 ms"],
        [[name, f"{median(ms):.1f}", f"{percentile(ms, 95):.1f}"] for name, ms in per_arch.items()],
    )
    markdown += (
        f"\n\nTarget: the inspector's work per drawing <= 50 ms for cnn2: median "
        f"**{median(update_ms):.1f} ms**. It runs at the end of each stroke, not while "
        f"drawing. Once per model, in a background thread: opening it and indexing "
        f"{INDEX_SIZE:,} training digits took {index_s:.1f} s. {repeats} drawings; the "
        "per-architecture rows use untrained models (same work, other weights)."
    )
    print(
        f"  inspector update median {median(update_ms):.1f} ms (probe {median(probe_ms):.1f}, "
        f"pictures {median(pictures_ms):.1f}); index {index_s:.1f} s",
        flush=True,
    )
    return {
        "title": TITLE,
        "markdown": markdown,
        "data": {
            "stroke_ms": stroke_ms,
            "update_ms": update_ms,
            "probe_ms": probe_ms,
            "pictures_ms": pictures_ms,
            "index_s": index_s,
            "per_architecture_ms": per_arch,
        },
    }
