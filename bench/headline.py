"""The README's headline table: the figures that matter, each from bench/results.json, each next
to its target (met or not) and a link to its full table on the documentation site.

Rendered into the README's ``<!-- bench:headline -->`` block by ``python -m bench --readme``
(:func:`bench.readme.block`); it reads only what the sections recorded, never re-measures.
"""

from __future__ import annotations

from . import best_accuracy, drawn, numbers, pad_latency, tfjs, time_to_99
from .common import markdown_table, median

#: Where each figure's full table and its story live (relative to the README).
DRAWN_PAGE = "docs/guides/drawn-digits.md"
NUMBERS_PAGE = "docs/guides/whole-numbers.md"
BENCH_PAGE = "docs/benchmarks.md"


def _pct(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}%}"


def _met(met: bool) -> str:
    return "met" if met else "**not met**"


def _bound(direction: str, target: str) -> str:
    return f"{'>=' if direction == 'at least' else '<='} {target}"


def _real_writers(sections: dict) -> list[list[str]]:
    report = sections["drawn"]["data"]["models"]["pretrained"]
    rows = []
    for what, value, direction, target, met in drawn.real_writer_targets(report):
        link = f"[drawn digits]({DRAWN_PAGE})"
        what = what.replace("real digits", "real writers' digits")
        rows.append([what, _pct(value), _bound(direction, _pct(target)), _met(met), link])
    test = report["mnist_test"]
    rows.insert(
        0,
        [
            "the shipped model on the 10,000 MNIST test digits (read once)",
            _pct(test["accuracy"], 2),
            "",
            "",
            f"[drawn digits]({DRAWN_PAGE})",
        ],
    )
    return rows


def _numbers(sections: dict) -> list[list[str]]:
    data = sections["numbers"]["data"]
    four = next(
        row
        for row in data["rows"]
        if (row["path"], row["kind"], row["length"]) == ("strokes", "non-touching", 4)
    )
    app_ms = median(data["times_ms"]["app"])
    kernel_ms = median(data["times_ms"]["strokes"])
    link = f"[whole numbers]({NUMBERS_PAGE})"
    target_ms = numbers.TARGETS["ms"]
    return [
        [
            "four-digit numbers of real writers read right, whole",
            _pct(four["whole"]),
            f">= {_pct(numbers.TARGETS['whole'])}",
            _met(four["whole"] >= numbers.TARGETS["whole"]),
            link,
        ],
        [
            "reading a four-digit number: kernel / app (wasm), both from strokes, median",
            f"{kernel_ms:.1f} ms / {app_ms:.1f} ms",
            f"<= {target_ms:.0f} ms",
            _met(max(kernel_ms, app_ms) <= target_ms),
            link,
        ],
    ]


def _training(sections: dict) -> list[list[str]]:
    link = f"[benchmarks]({BENCH_PAGE})"
    best = sections["best_accuracy"]["data"]
    validation = median([row["val_accuracy"] for row in best])
    test = median([row["test_accuracy"] for row in best])
    fast = [row for row in sections["time_to_99"]["data"] if row["architecture"] == "fast"]
    seconds = median([row["seconds"] for row in fast])
    worst = min(row["val_accuracy"] for row in fast)
    fast_met = seconds <= time_to_99.TARGET_SECONDS and worst >= time_to_99.TARGET
    return [
        [
            f"best accuracy: {best_accuracy.MEMBERS} `{best_accuracy.ARCH}` averaged, median "
            f"validation (test {_pct(test, 2)})",
            _pct(validation, 2),
            f">= {_pct(best_accuracy.TARGET)}",
            _met(validation >= best_accuracy.TARGET),
            link,
        ],
        [
            "time to 99 % validation accuracy (`fast`, median; worst seed's accuracy)",
            f"{seconds:.1f} s ({_pct(worst)})",
            f"<= {time_to_99.TARGET_SECONDS} s, every seed >= {_pct(time_to_99.TARGET)}",
            _met(fast_met),
            link,
        ],
    ]


def _speed(sections: dict) -> list[list[str]]:
    link = f"[benchmarks]({BENCH_PAGE})"
    pad = median(sections["pad_latency"]["data"]["pad_ms"])
    app = next(
        row
        for row in sections["tfjs"]["data"]
        if (row["quantization"], row["backend"]) == ("float32", "wasm")
    )
    return [
        [
            "drawing pad (`cnn2`): pointer-up to bars shown, in the kernel (median)",
            f"{pad:.1f} ms",
            f"<= {pad_latency.TARGET_MS:.0f} ms",
            _met(pad <= pad_latency.TARGET_MS),
            link,
        ],
        [
            "exported app (`cnn2`, wasm): one digit read, median; same answers as Keras",
            f"{app['median_ms']:.2f} ms; {_pct(app['argmax_agreement'])}",
            f"<= {tfjs.TARGET_MS:.0f} ms",
            _met(app["median_ms"] <= tfjs.TARGET_MS),
            link,
        ],
    ]


def markdown(results: dict) -> str:
    """The headline table from ``results`` (bench/results.json)."""
    sections = results["sections"]
    rows = _real_writers(sections) + _numbers(sections) + _training(sections) + _speed(sections)
    dates = sorted(
        sections[name]["machine"]["date"][:10]
        for name in ("drawn", "numbers", "best_accuracy", "time_to_99", "pad_latency", "tfjs")
    )
    return (
        f"_Measured {dates[0]} to {dates[-1]} on a shared 2-core machine, no GPU; each row's "
        "table says when, how and on which data. The real writers' digits are the development "
        "part of the UCI pen digits (the same writers as the part the shipped model learned "
        "from), so they read higher than strangers' digits would._\n\n"
        + markdown_table(["figure", "measured", "target", "", "full table"], rows)
    )
