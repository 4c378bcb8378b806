"""Section 7: drawn digits and non-digits through the pad's path, with calibration and the rule.

Every registry architecture (and the pretrained model, when the package has one) reads the
drawn-digit benchmark of :func:`handwriting.drawn.evaluation_drawings`: MNIST test
digits redrawn as pen strokes, the hand-written style sets and the non-digits, both in the
shapes the training drawings share and in held-out shapes no training data has. Each model's
temperature is fitted on the training images it held out (never the test set or the drawings).
"""
from __future__ import annotations

from handwriting.models import architectures, digit_model as models
from handwriting.honest.calibration import NOT_A_DIGIT_SHARE, fit, for_model
from handwriting.data import load_mnist
from handwriting.drawn.benchmark_sets import benchmark_drawings
from handwriting.honest.drawn_benchmark import drawn_digit_benchmark, drawn_summary

import json
from pathlib import Path

from .common import (FALLBACK_TRAIN_SIZE, bench_model, bench_validation, load_results, model_path,
                     markdown_table)

TITLE = "Drawn digits and non-digits: the pad's path, calibration, 'not sure' and 'not a digit'"
PRETRAINED = "pretrained"
LEAST_FLAGGED = 5          # Quick, Draw! kinds listed per model


def _trained_as(row: dict, start: str = "") -> str:
    """A training record in a few words: "8 ep from bncnn on 55,000 (test 99.61%)"."""
    return f"{row['epochs']} ep{start} on {row['train_size']:,} (test {row['test_accuracy']:.2%})"


def _training(name: str, quick: bool) -> str:
    """How the bench model for ``name`` was trained, for the table."""
    record = model_path(name, quick).with_suffix(".run.json")
    if record.exists():
        return _trained_as(json.loads(record.read_text()))
    if model_path(name, quick).exists():
        rows = load_results(quick)["sections"].get("accuracy", {}).get("data", [])
        row = next((row for row in rows if row["architecture"] == name), None)
        return "accuracy section's model" if row is None else _trained_as(row)
    return f"1 ep on {FALLBACK_TRAIN_SIZE:,} (fallback)"


def _pretrained_training() -> str:
    """How the package's model was trained, from its record: its architecture, and the model it
    started from (``train --init``), named by that model's folder."""
    stored = models.pretrained_record()
    start = f" from {Path(stored['initial_model']).parent.name}" if stored.get("initial_model") else ""
    return f"{stored['record']['architecture']}: {_trained_as(stored['record'], start)}"


def _models(quick: bool):
    """(name, model, calibration) for every architecture, then the pretrained model, which
    stands for its own architecture (the accuracy section does not train that one)."""
    pretrained_architecture = models.pretrained_record()["record"]["architecture"]
    for name in architectures.names():
        if name == pretrained_architecture:
            continue
        trained = _training(name, quick)                  # before bench_model may train one
        model = bench_model(name, quick)
        yield name, trained, model, fit(model, *bench_validation(name, quick))
    yield PRETRAINED, _pretrained_training(), models.load_pretrained(), for_model(models.PRETRAINED)


def _pct(value: float) -> str:
    return f"{value:.1%}"


def run(quick: bool = False) -> dict:
    (_, _), (x_test, y_test) = load_mnist(train_size=1, test_size=1000 if quick else None, quick=False)
    drawn = benchmark_drawings(x_test, y_test, quick)
    reports = {}
    for name, trained, model, calibration in _models(quick):
        report = drawn_digit_benchmark(model, drawn, calibration, mnist_test=(x_test, y_test))
        report["trained"] = trained
        reports[name] = report
        print(f"  {name}:", flush=True)
        for line in drawn_summary(report):
            print(f"    {line}", flush=True)
    return {"title": TITLE, "markdown": _markdown(reports, drawn, len(y_test)),
            "data": {"sizes": {"mnist_strokes": len(drawn.mnist), "styles": len(drawn.styles),
                               "non_digits": len(drawn.non_digits),
                               "held_out_styles": len(drawn.held_out_styles),
                               "held_out_non_digits": len(drawn.held_out_non_digits),
                               "doodles": len(drawn.doodles), "mnist_test": int(len(y_test))},
                     "models": reports}}


def _per_template(reports: dict, key: str, families: tuple[str, str], header: str) -> str:
    """A table of ``key`` ("per_style" or "per_kind"): one row per template, the training
    data's first, then the held-out ones (marked), one column per model."""
    any_report = next(iter(reports.values()))
    rows = [[name + mark] + [_pct(r[family][key][name]) for r in reports.values()]
            for family, mark in zip(families, ("", " (held out)"))
            for name in any_report[family][key]]
    return markdown_table([header] + list(reports), rows)


def _markdown(reports: dict, drawn, test_size: int) -> str:
    any_report = next(iter(reports.values()))
    digit_sets = ("mnist", "styles", "held_out_styles")
    summary = markdown_table(
        ["model", "trained", "T", "floor", "MNIST test flagged", "drawn (strokes) right",
         "styles right (training shapes)", "held-out styles right",
         "non-digits flagged (training kinds)", "held-out non-digits flagged",
         "Quick, Draw! doodles flagged", "confident mistakes (raw -> calibrated)",
         "ECE strokes (raw -> calibrated)"],
        [[name, r["trained"], f"{r['calibration']['temperature']:.2f}",
          f"{r['calibration']['floor']:.3f}", _pct(r["mnist_test"]["flagged"]),
          f"**{_pct(r['mnist']['accuracy'])}**", _pct(r["styles"]["accuracy"]),
          f"**{_pct(r['held_out_styles']['accuracy'])}**", _pct(r["non_digits"]["flagged"]),
          f"**{_pct(r['held_out_non_digits']['flagged'])}**", f"**{_pct(r['doodles']['flagged'])}**",
          f"{_pct(r['mnist']['confident_mistakes_uncalibrated'])} -> {_pct(r['mnist']['confident_mistakes'])}",
          f"{r['mnist']['ece_before']:.3f} -> {r['mnist']['ece_after']:.3f}"]
         for name, r in reports.items()])
    answers = markdown_table(
        ["model", "set", "answered right", "answered wrong", "unsure", "not a digit", "refused"],
        [[name, family, _pct(r[family]["answered_right"]), _pct(r[family]["answered_wrong"]),
          _pct(r[family]["unsure"]), _pct(r[family]["not_a_digit"]), _pct(r[family]["refused"])]
         for name, r in reports.items() for family in digit_sets])
    per_digit = markdown_table(
        ["model", "set"] + [str(d) for d in range(10)],
        [[name, family] + [f"{a:.0%}" for a in r[family]["per_digit"]]
         for name, r in reports.items() for family in digit_sets])
    styles = _per_template(reports, "per_style", ("styles", "held_out_styles"), "style")
    kinds = _per_template(reports, "per_kind", ("non_digits", "held_out_non_digits"), "non-digit")
    doodles = markdown_table(
        ["model", "flagged", f"kinds never flagged (of {len(any_report['doodles']['per_kind'])})",
         "read as a digit (digit: drawings)", "least flagged kinds (share flagged)"],
        [[name, _pct(r["doodles"]["flagged"]), sum(rate == 0 for rate in r["doodles"]["per_kind"].values()),
          ", ".join(f"{digit}: {n}" for digit, n in sorted(r["doodles"]["read_as"].items(),
                                                            key=lambda item: -item[1])),
          ", ".join(f"{kind} {_pct(rate)}" for kind, rate in
                    sorted(r["doodles"]["per_kind"].items(), key=lambda item: item[1])[:LEAST_FLAGGED])]
         for name, r in reports.items()])
    last = list(reports)[-1]
    rows = zip(reports[last]["mnist"]["reliability_before"], reports[last]["mnist"]["reliability_after"])
    reliability = markdown_table(
        ["confidence", "raw: drawings", "raw: mean confidence", "raw: right",
         "calibrated: drawings", "calibrated: mean confidence", "calibrated: right"],
        [[f"{b['low']:.1f}-{b['high']:.1f}"] + [cell for row in (b, a) for cell in (
            row["count"], "-" if not row["count"] else f"{row['confidence']:.3f}",
            "-" if not row["count"] else f"{row['accuracy']:.3f}")] for b, a in rows])
    rule = any_report["calibration"]
    return "\n\n".join([
        f"The pad's path for every drawing: strokes rasterised with the round brush, "
        f"`preprocess_canvas`, the model, then temperature scaling and the rule (web/CALIBRATION.md: "
        f"\"not a digit\" when the calibrated top two hold less than the model's floor; else a digit "
        f"when the top probability is >= {rule['sure']}, \"not sure: a 4 or a 9?\" when the top two "
        f"reach {rule['pair']}, else \"not a digit\"). T is fitted on the training images each model "
        f"held out (5,000; quick: 500), up to 2,000 of them redrawn as strokes with a training seed; "
        f"the floor on the same held-out images as they are, calibrated: "
        f"{NOT_A_DIGIT_SHARE:.0%} of them fall below it. Sets (`handwriting.drawn.evaluation_drawings`, seed "
        f"EVALUATION_SEED): {len(drawn.mnist):,} MNIST test digits redrawn as strokes, "
        f"{len(drawn.styles):,} style drawings ({len(any_report['styles']['per_style'])} styles), "
        f"{len(drawn.non_digits):,} non-digits ({len(any_report['non_digits']['per_kind'])} kinds), "
        f"{len(drawn.held_out_styles):,} held-out style drawings "
        f"({len(any_report['held_out_styles']['per_style'])} styles) and {len(drawn.held_out_non_digits):,} "
        f"held-out non-digits ({len(any_report['held_out_non_digits']['per_kind'])} kinds), "
        f"{len(drawn.doodles):,} Quick, Draw! doodles ({len(any_report['doodles']['per_kind'])} kinds); flags on "
        f"{test_size:,} MNIST test digits. The drawn training data (`drawcnn`, `pretrained`) comes from "
        "the very templates of the styles and non-digits (`STYLES`, `NON_DIGIT_KINDS`: other seeds, "
        "so other sizes, slants and wobbles, but the same shapes), so those columns measure shapes "
        "the model has seen. The held-out ones (`HELD_OUT_STYLES`: a rounded-box 0, a European 1, a "
        "swan-necked 2, an 8 closed by a line, ...; `HELD_OUT_NON_DIGITS`: heart, arrow, check mark, "
        "smiley, house, cloud, lowercase letters, ...) are drawn only from the benchmark's seed and "
        "never for training: they stand in for other people's hands and measure robustness. The "
        "Quick, Draw! doodles (`handwriting.drawn.quickdraw`: drawings players of Google's game made in "
        "20 seconds, CC BY 4.0, every kind but those often drawn as a digit's shape, such as circle "
        "and line) are other people's hands: no model here trains on them. "
        "\"Right\" is the most likely digit (refused drawings count wrong); a confident mistake is a "
        "wrong digit given with >= 90 % confidence. Targets: >= 90 % of non-digits flagged, <= 2 % of "
        "MNIST test digits flagged, drawn digits >= 97 % right, <= 10 % of mistakes confident.",
        summary, "**What the pad says** (answered = read as a digit by the rule):", answers,
        "**Per digit** (share read right):", per_digit,
        "**Per style** (held out: shapes no training data has):", styles,
        "**Non-digits flagged, per kind** (held out: kinds no training data has):", kinds,
        f"**Quick, Draw! doodles**: {len(drawn.doodles):,} drawings by real people "
        f"({len(drawn.doodles) // len(any_report['doodles']['per_kind'])} of each kind, redrawn as "
        f"strokes), kinds no model trains on:", doodles,
        f"**Reliability on the redrawn MNIST digits, {last}** (before and after temperature scaling):",
        reliability])
