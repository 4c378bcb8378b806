"""How a model reads drawings: the drawn-digit benchmark, scored as the pad answers.

Drawings are read as the pad reads them (render, :func:`~handwriting.preprocess.preprocess_canvas`,
model, calibration, decision rule) and scored per family: digits (accuracy, what the pad answers,
confident mistakes, calibration) and non-digits (how many are flagged).
"""
from __future__ import annotations

import numpy as np

from ..constants import NUM_CLASSES
from ..data import load_mnist, quick_mode
from ..drawn import benchmark_drawings, to_model_inputs
from ..models.digit_model import as_digit_model
from ..preprocess import DrawingError, digit_to_canvas, preprocess_canvas, shift_and_scale
from .calibration import Calibration, expected_calibration_error, for_model, reliability_table
from .metrics import predict_probabilities

#: How people draw digits on a pad compared with MNIST: (scale, rows down, columns right).
PLACEMENTS = {
    "as in MNIST": (1.0, 0, 0),
    "off-centre (6 px)": (1.0, 6, -6),
    "small (60 %)": (0.6, 0, 0),
    "small, in a corner": (0.5, 7, 7),
    "large (130 %)": (1.3, 0, 0),
}


def drawn_accuracy(model, x: np.ndarray, y: np.ndarray, placement: tuple[float, int, int],
                   center: bool) -> float:
    """Accuracy on digits re-drawn at ``placement`` on the 280x280 canvas and read through
    :func:`handwriting.preprocess.preprocess_canvas` (centring on or off), as the pad does.
    A drawing the preprocessing refuses counts as wrong."""

    scale, dy, dx = placement
    images, kept = [], []
    for i, digit in enumerate(x):
        try:
            images.append(preprocess_canvas(digit_to_canvas(shift_and_scale(digit, scale, dy, dx)),
                                            center=center))
            kept.append(i)
        except DrawingError:
            pass
    if not images:
        return 0.0
    predicted = predict_probabilities(model, np.stack(images)[..., None]).argmax(axis=1)
    return float((predicted == np.asarray(y)[kept]).sum() / len(y))


CONFIDENT = 0.9   # a mistake made with at least this (calibrated) confidence is a confident one


def read_drawings(model, drawings, calibration=None, inputs=None):
    """Drawings read as the pad reads them (render, :func:`preprocess_canvas`, model,
    calibration, decision rule) in one batch; ``inputs``: their already rendered
    :func:`~handwriting.drawn.to_model_inputs`, if at hand.

    Returns:
        (raw probabilities (N, 10), calibrated probabilities (N, 10), verdicts (N,)): a verdict
        is "digit", "unsure", "not_a_digit" or the preprocessing's refusal ("too_small", ...);
        refused drawings have NaN probabilities.
    """

    calibration = calibration or Calibration()
    images, refusals = inputs if inputs is not None else to_model_inputs(drawings)
    read = np.array([reason is None for reason in refusals], dtype=bool)
    raw = np.full((len(drawings), NUM_CLASSES), np.nan)
    calibrated = raw.copy()
    verdicts = np.array(refusals, dtype=object)
    if read.any():
        raw[read] = predict_probabilities(model, images[read])
        calibrated[read] = calibration.apply(raw[read])
        verdicts[read] = calibration.verdicts(calibrated[read])
    return raw, calibrated, verdicts.astype(str)


def digit_scores(raw, calibrated, verdicts, labels) -> dict:
    """What a person sees on drawn digits: accuracy (refusals count wrong) overall and per
    digit, how often the pad answers right / says unsure / not a digit, confident mistakes,
    and calibration (ECE and reliability table) before and after temperature scaling."""

    labels = np.asarray(labels, dtype=int)
    read = ~np.isnan(raw[:, 0])
    guess = np.where(read, np.nan_to_num(calibrated).argmax(axis=1), -1)
    right = guess == labels
    wrong = read & ~right
    confidence = np.nan_to_num(calibrated).max(axis=1)
    answered = verdicts == "digit"
    scores = {
        "count": int(len(labels)),
        "accuracy": float(right.mean()),
        "per_digit": [float(right[labels == d].mean()) if (labels == d).any() else float("nan")
                      for d in range(NUM_CLASSES)],
        "answered_right": float((answered & right).mean()),
        "answered_wrong": float((answered & ~right).mean()),
        "unsure": float((verdicts == "unsure").mean()),
        "not_a_digit": float((verdicts == "not_a_digit").mean()),
        "refused": float((~read).mean()),
        "mistakes": int(wrong.sum()),
        "confident_mistakes": float((confidence[wrong] >= CONFIDENT).mean()) if wrong.any() else 0.0,
        "confident_mistakes_uncalibrated": (float((raw[wrong].max(axis=1) >= CONFIDENT).mean())
                                            if wrong.any() else 0.0),
    }
    if read.any():
        scores.update(
            ece_before=expected_calibration_error(raw[read], labels[read]),
            ece_after=expected_calibration_error(calibrated[read], labels[read]),
            reliability_before=reliability_table(raw[read], labels[read]),
            reliability_after=reliability_table(calibrated[read], labels[read]))
    return scores


def flag_rate(verdicts) -> float:
    """Share of drawings the pad does not read as a digit (unsure, not a digit, or refused)."""
    verdicts = np.asarray(verdicts)
    return float((verdicts != "digit").mean()) if len(verdicts) else float("nan")


def drawn_digit_benchmark(model, drawn_set, calibration=None, mnist_test=None) -> dict:
    """The drawn-digit benchmark of :func:`handwriting.drawn.evaluation_drawings`.

    Args:
        model: a digit model.
        drawn_set: a :class:`~handwriting.drawn.DrawnSet`.
        calibration: the model's :class:`~handwriting.honest.calibration.Calibration` (default: none).
        mnist_test: (x_test, y_test) to measure how many plain MNIST test digits get flagged.

    Returns:
        {"mnist": digit_scores, "styles" and "held_out_styles": digit_scores + "per_style",
        "non_digits", "held_out_non_digits" and (when the set has them) "doodles":
        {"count", "flagged", "per_kind", "verdicts", "read_as" (digit -> drawings read as it)},
        "mnist_test": {"flagged", "accuracy"}}.
        The styles and non-digits are the templates the training data shares; the held-out ones
        are shapes no training data has; the doodles are real people's Quick, Draw! drawings.
    """

    calibration = calibration or Calibration()
    report = {"calibration": calibration.as_dict()}
    for family in ("mnist", "styles", "held_out_styles"):
        drawings = getattr(drawn_set, family)
        raw, calibrated, verdicts = read_drawings(model, drawings, calibration,
                                                  drawn_set.model_inputs(family))
        labels = np.array([d.label for d in drawings])
        report[family] = digit_scores(raw, calibrated, verdicts, labels)
        if family != "mnist":
            kinds = np.array([d.kind for d in drawings])
            right = np.nan_to_num(calibrated).argmax(axis=1) == labels
            report[family]["per_style"] = {kind: float(right[kinds == kind].mean())
                                           for kind in dict.fromkeys(kinds)}
    for family in ("non_digits", "held_out_non_digits", "doodles"):
        drawings = getattr(drawn_set, family)
        if family == "doodles" and not drawings:
            continue
        _, calibrated, verdicts = read_drawings(model, drawings, calibration, drawn_set.model_inputs(family))
        kinds = np.array([d.kind for d in drawings])
        read_as = np.bincount(calibrated[verdicts == "digit"].argmax(axis=1), minlength=10)
        report[family] = {
            "count": len(kinds), "flagged": flag_rate(verdicts),
            "per_kind": {kind: flag_rate(verdicts[kinds == kind]) for kind in dict.fromkeys(kinds)},
            "verdicts": {v: int((verdicts == v).sum()) for v in sorted(set(verdicts))},
            "read_as": {str(digit): int(n) for digit, n in enumerate(read_as) if n}}
    if mnist_test is not None:
        x_test, y_test = mnist_test
        calibrated = calibration.apply(predict_probabilities(model, x_test))
        report["mnist_test"] = {"count": int(len(y_test)),
                                "flagged": flag_rate(calibration.verdicts(calibrated)),
                                "accuracy": float((calibrated.argmax(axis=1) == y_test).mean())}
    return report


def drawn_summary(report: dict) -> list[str]:
    """A :func:`drawn_digit_benchmark` report in a few lines, for a terminal."""
    strokes = report["mnist"]
    lines = [f"drawn digits read right: {strokes['accuracy']:.1%} of {strokes['count']:,} MNIST test "
             f"digits redrawn as strokes; styles {report['styles']['accuracy']:.1%} (held-out "
             f"styles {report['held_out_styles']['accuracy']:.1%})",
             f"mistakes on the strokes said with >= {CONFIDENT:.0%} confidence: "
             f"{strokes['confident_mistakes']:.1%} of {strokes['mistakes']}",
             f"non-digits flagged: {report['non_digits']['flagged']:.1%} (held-out kinds "
             f"{report['held_out_non_digits']['flagged']:.1%}"
             + ("" if "doodles" not in report else
                f"; real people's Quick, Draw! doodles {report['doodles']['flagged']:.1%} of "
                f"{report['doodles']['count']:,}") + ")"
             + ("" if "mnist_test" not in report else
                f"; MNIST test digits flagged: {report['mnist_test']['flagged']:.1%}")]
    if "ece_after" in strokes:
        lines.append(f"expected calibration error on the strokes: {strokes['ece_before']:.3f} raw, "
                     f"{strokes['ece_after']:.3f} at temperature {report['calibration']['temperature']:.2f}")
    return lines


def drawn_report(model_or_path, calibration=None, quick: bool | None = None, mnist_test=None) -> str:
    """How a model reads drawings, in a few lines: the drawn-digit benchmark through the pad's
    path (what ``python -m handwriting evaluate --drawn`` prints).

    Args:
        model_or_path: a ``keras.Model``, a ``.keras`` file or ``"pretrained"``.
        calibration: its :class:`~handwriting.honest.calibration.Calibration` (default: the one stored
            with it, as :func:`handwriting.honest.calibration.for_model` finds it).
        quick: the small benchmark, ~500 drawings instead of ~5,000 (default ``$HANDWRITING_QUICK``).
        mnist_test: (x_test, y_test) when already loaded (default: loaded, quick or full).
    """

    quick = quick_mode() if quick is None else quick
    calibration = for_model(model_or_path, calibration)
    model = as_digit_model(model_or_path)
    if mnist_test is None:
        (_, _), mnist_test = load_mnist(train_size=1, quick=quick)
    drawn = benchmark_drawings(*mnist_test, quick=quick)
    return "\n".join(drawn_summary(drawn_digit_benchmark(model, drawn, calibration, mnist_test)))
