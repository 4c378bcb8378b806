"""Section 6: digits drawn off-centre / small / large, read with and without centring."""

from __future__ import annotations

from handwriting.data import load_mnist
from handwriting.honest.drawn_benchmark import PLACEMENTS, drawn_accuracy

from .common import bench_model, markdown_table

TITLE = "Drawn-digit robustness: MNIST test digits re-drawn as people draw them"
MODELS = ("cnn2", "bncnn")


def run(quick: bool = False) -> dict:
    (_, _), (x_test, y_test) = load_mnist(
        train_size=1, test_size=500 if quick else None, quick=False
    )
    images = x_test[..., 0]
    rows, table = [], []
    for arch in MODELS:
        model = bench_model(arch, quick)
        for name, placement in PLACEMENTS.items():
            on = drawn_accuracy(model, images, y_test, placement, center=True)
            off = drawn_accuracy(model, images, y_test, placement, center=False)
            rows.append(
                {"architecture": arch, "placement": name, "centred": on, "not_centred": off}
            )
            table.append([arch, name, f"**{on:.2%}**", f"{off:.2%}"])
            print(f"  {arch} {name}: centred {on:.2%}, not centred {off:.2%}", flush=True)
    markdown = markdown_table(
        ["model", "how the digit is drawn", "with centring", "without"], table
    )
    markdown += (
        f"\n\n{len(y_test):,} test digits each, zoomed about the centre and moved, drawn on the "
        "280x280 canvas and read through `preprocess_canvas` (the pad's and the app's path)."
    )
    return {"title": TITLE, "markdown": markdown, "data": rows}
