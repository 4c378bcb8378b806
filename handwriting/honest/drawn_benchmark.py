"""How a model reads drawings: the drawn-digit benchmark, scored as the pad answers.

Drawings are read as the pad reads them (render, :func:`~handwriting.preprocess.preprocess_canvas`,
model, calibration, decision rule) and scored per family: digits (accuracy, what the pad answers,
confident mistakes, calibration) and non-digits (how many are flagged). Real writers' pen digits
come first; every family's role (training, development, evaluation) is
:data:`handwriting.drawn.ROLES`, and the report and its summary carry it.
"""

from __future__ import annotations

import numpy as np

from ..constants import NUM_CLASSES
from ..data import load_mnist, quick_mode
from ..drawn import ROLE_MEANINGS, ROLES, SET_NAMES, DrawnSet, benchmark_drawings, to_model_inputs
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


def drawn_accuracy(
    model, x: np.ndarray, y: np.ndarray, placement: tuple[float, int, int], center: bool
) -> float:
    """Accuracy on digits re-drawn at ``placement`` on the 280x280 canvas and read through
    :func:`handwriting.preprocess.preprocess_canvas` (centring on or off), as the pad does.
    A drawing the preprocessing refuses counts as wrong."""

    scale, dy, dx = placement
    images, kept = [], []
    for i, digit in enumerate(x):
        try:
            images.append(
                preprocess_canvas(
                    digit_to_canvas(shift_and_scale(digit, scale, dy, dx)), center=center
                )
            )
            kept.append(i)
        except DrawingError:
            pass
    if not images:
        return 0.0
    predicted = predict_probabilities(model, np.stack(images)[..., None]).argmax(axis=1)
    return float((predicted == np.asarray(y)[kept]).sum() / len(y))


CONFIDENT = 0.9  # a mistake made with at least this (calibrated) confidence is a confident one


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


#: How many of the most frequent confusions (digit -> digit read) a report lists.
CONFUSIONS = 8


def digit_scores(raw, calibrated, verdicts, labels) -> dict:
    """What a person sees on drawn digits: accuracy (refusals count wrong) overall and per
    digit, how often the pad answers right / wrong / says unsure / not a digit (overall and per
    digit), confident mistakes, the most frequent confusions, and calibration (ECE and
    reliability table) before and after temperature scaling."""

    labels = np.asarray(labels, dtype=int)
    read = ~np.isnan(raw[:, 0])
    guess = np.where(read, np.nan_to_num(calibrated).argmax(axis=1), -1)
    right = guess == labels
    wrong = read & ~right
    confidence = np.nan_to_num(calibrated).max(axis=1)
    answered = verdicts == "digit"
    # what the pad answers: every drawing gets exactly one of these
    answers = {
        "answered_right": answered & right,
        "answered_wrong": answered & ~right,
        "unsure": verdicts == "unsure",
        "not_a_digit": verdicts == "not_a_digit",
        "refused": ~read,
    }

    def per_digit(shown: np.ndarray) -> list[float]:
        return [
            float(shown[labels == d].mean()) if (labels == d).any() else float("nan")
            for d in range(NUM_CLASSES)
        ]

    pairs, counts = np.unique(
        np.column_stack([labels[wrong], guess[wrong]]), axis=0, return_counts=True
    )
    confusions = sorted(
        zip(map(tuple, pairs), counts, strict=True), key=lambda item: (-item[1], item[0])
    )
    scores = {
        "count": int(len(labels)),
        "accuracy": float(right.mean()),
        "per_digit": per_digit(right),
        "per_digit_count": [int((labels == d).sum()) for d in range(NUM_CLASSES)],
        **{name: float(shown.mean()) for name, shown in answers.items()},
        "per_digit_answers": {name: per_digit(shown) for name, shown in answers.items()},
        "mistakes": int(wrong.sum()),
        # answered wrong with >= CONFIDENT calibrated confidence, as a share of all drawings
        "confidently_wrong": float((answered & ~right & (confidence >= CONFIDENT)).mean()),
        # the most frequent mistakes, "true->read as": drawings
        "confusions": {f"{t}->{g}": int(n) for (t, g), n in confusions[:CONFUSIONS]},
        "confident_mistakes": float((confidence[wrong] >= CONFIDENT).mean())
        if wrong.any()
        else 0.0,
        "confident_mistakes_uncalibrated": (
            float((raw[wrong].max(axis=1) >= CONFIDENT).mean()) if wrong.any() else 0.0
        ),
    }
    if read.any():
        scores.update(
            ece_before=expected_calibration_error(raw[read], labels[read]),
            ece_after=expected_calibration_error(calibrated[read], labels[read]),
            reliability_before=reliability_table(raw[read], labels[read]),
            reliability_after=reliability_table(calibrated[read], labels[read]),
        )
    return scores


def flag_rate(verdicts) -> float:
    """Share of drawings the pad does not read as a digit (unsure, not a digit, or refused)."""
    verdicts = np.asarray(verdicts)
    return float((verdicts != "digit").mean()) if len(verdicts) else float("nan")


def drawn_digit_benchmark(model, drawn_set: DrawnSet, calibration=None, mnist_test=None) -> dict:
    """The drawn-digit benchmark of :func:`handwriting.drawn.evaluation_drawings`.

    Args:
        model: a digit model.
        drawn_set: a :class:`~handwriting.drawn.DrawnSet`.
        calibration: the model's :class:`~handwriting.honest.calibration.Calibration` (default:
        none).
        mnist_test: (x_test, y_test) to measure how many plain MNIST test digits get flagged.

    Returns:
        {"calibration", "roles" (family -> its role in :data:`~handwriting.drawn.ROLES`, for
        every family reported), then (when the set has them) "real_writers", and "mnist",
        "styles", "held_out_styles": :func:`digit_scores` (the styles' + "per_style");
        "non_digits", "held_out_non_digits" and (when the set has them) "doodles",
        "doodles_evaluation": {"count", "flagged", "per_kind", "verdicts", "read_as" (digit ->
        drawings read as it)}, "mnist_test": {"count", "flagged", "accuracy"}}.
        The real writers' digits are real people's pen digits; the styles and non-digits are the
        templates the training data shares; the held-out ones are shapes no training data has;
        the doodles are real people's Quick, Draw! drawings, in two halves of different kinds
        (development; evaluation, frozen 2026-12-06 and only reported).
    """

    calibration = calibration or Calibration()
    report = {"calibration": calibration.as_dict(), "roles": {}}
    for family in drawn_set.DIGIT_FAMILIES:
        drawings = getattr(drawn_set, family)
        if not drawings and family in drawn_set.OPTIONAL_FAMILIES:
            continue
        raw, calibrated, verdicts = read_drawings(
            model, drawings, calibration, drawn_set.model_inputs(family)
        )
        labels = np.array([d.label for d in drawings])
        report[family] = digit_scores(raw, calibrated, verdicts, labels)
        if family in ("styles", "held_out_styles"):
            kinds = np.array([d.kind for d in drawings])
            right = np.nan_to_num(calibrated).argmax(axis=1) == labels
            report[family]["per_style"] = {
                kind: float(right[kinds == kind].mean()) for kind in dict.fromkeys(kinds)
            }
    for family in drawn_set.NON_DIGIT_FAMILIES:
        drawings = getattr(drawn_set, family)
        if not drawings and family in drawn_set.OPTIONAL_FAMILIES:
            continue
        _, calibrated, verdicts = read_drawings(
            model, drawings, calibration, drawn_set.model_inputs(family)
        )
        kinds = np.array([d.kind for d in drawings])
        read_as = np.bincount(calibrated[verdicts == "digit"].argmax(axis=1), minlength=10)
        report[family] = {
            "count": len(kinds),
            "flagged": flag_rate(verdicts),
            "per_kind": {kind: flag_rate(verdicts[kinds == kind]) for kind in dict.fromkeys(kinds)},
            "verdicts": {v: int((verdicts == v).sum()) for v in sorted(set(verdicts))},
            "read_as": {str(digit): int(n) for digit, n in enumerate(read_as) if n},
        }
    if mnist_test is not None:
        x_test, y_test = mnist_test
        calibrated = calibration.apply(predict_probabilities(model, x_test))
        report["mnist_test"] = {
            "count": int(len(y_test)),
            "flagged": flag_rate(calibration.verdicts(calibrated)),
            "accuracy": float((calibrated.argmax(axis=1) == y_test).mean()),
        }
    report["roles"] = {family: ROLES[family] for family in ROLES if family in report}
    return report


#: How the summary names the Quick, Draw! halves on its non-digit line.
DOODLE_LABELS = {
    "doodles": "real people's Quick, Draw! doodles",
    "doodles_evaluation": "their evaluation half (other kinds, only reported)",
}

#: A role in a few words, for a terminal line.
ROLE_WORDS = {
    "training": "the training data's shapes",
    "development": "looked at while choosing",
    "evaluation": "frozen before first read, only reported",
}
#: What the summary says when no reported set has a role.
NO_SET = "none here (the held-back writers are outside the repository)"


def roles_line(roles: dict) -> str:
    """Which reported sets play which role, in one line (every role named, even when empty)."""
    by_role = {
        role: [SET_NAMES[family] for family, its in roles.items() if its == role]
        for role in ROLE_MEANINGS
    }
    return "set roles: " + "; ".join(
        f"{role} ({ROLE_WORDS[role]}): {', '.join(names) or NO_SET}"
        for role, names in by_role.items()
    )


def drawn_summary(report: dict) -> list[str]:
    """A :func:`drawn_digit_benchmark` report in a few lines, for a terminal: the real writers'
    digits first (when reported), the sets' roles last."""
    lines = []
    if "real_writers" in report:
        pen = report["real_writers"]
        refused = f", refused {pen['refused']:.1%}" if pen["refused"] else ""
        lines.append(
            f"real writers' pen digits read right: {pen['accuracy']:.1%} of {pen['count']:,} "
            f"({report['roles']['real_writers']}; held out of the UCI pen digits by row, so "
            f"their writers also wrote the rest); the pad answers right "
            f"{pen['answered_right']:.1%}, wrong {pen['answered_wrong']:.1%} "
            f"({pen['confidently_wrong']:.1%} at >= "
            f"{CONFIDENT:.0%} confidence), unsure {pen['unsure']:.1%}, not a digit "
            f"{pen['not_a_digit']:.1%}{refused}"
        )
    strokes = report["mnist"]
    lines += [
        f"drawn digits read right: {strokes['accuracy']:.1%} of {strokes['count']:,} MNIST "
        f"test digits redrawn as strokes; styles {report['styles']['accuracy']:.1%} (held-out "
        f"styles {report['held_out_styles']['accuracy']:.1%})",
        f"mistakes on the strokes said with >= {CONFIDENT:.0%} confidence: "
        f"{strokes['confident_mistakes']:.1%} of {strokes['mistakes']}",
        f"non-digits flagged: {report['non_digits']['flagged']:.1%} (held-out kinds "
        f"{report['held_out_non_digits']['flagged']:.1%}"
        + "".join(
            f"; {label} {report[family]['flagged']:.1%} of {report[family]['count']:,}"
            for family, label in DOODLE_LABELS.items()
            if family in report
        )
        + ")"
        + (
            ""
            if "mnist_test" not in report
            else f"; MNIST test digits flagged: {report['mnist_test']['flagged']:.1%}"
        ),
    ]
    if "ece_after" in strokes:
        lines.append(
            f"expected calibration error on the strokes: {strokes['ece_before']:.3f} raw, "
            f"{strokes['ece_after']:.3f} at temperature {report['calibration']['temperature']:.2f}"
        )
    if report.get("roles"):
        lines.append(roles_line(report["roles"]))
    return lines


def drawn_report(
    model_or_path, calibration=None, quick: bool | None = None, mnist_test=None
) -> str:
    """How a model reads drawings, in a few lines: the drawn-digit benchmark through the pad's
    path (what ``python -m handwriting evaluate --drawn`` prints).

    Args:
        model_or_path: a ``keras.Model``, a ``.keras`` file or ``"pretrained"``.
        calibration: its :class:`~handwriting.honest.calibration.Calibration` (default: the one
        stored
            with it, as :func:`handwriting.honest.calibration.for_model` finds it).
        quick: the small benchmark, about 1,300 drawings instead of about 8,000 (default
            ``$HANDWRITING_QUICK``).
        mnist_test: (x_test, y_test) when already loaded (default: loaded, quick or full).
    """

    quick = quick_mode() if quick is None else quick
    calibration = for_model(model_or_path, calibration)
    model = as_digit_model(model_or_path)
    if mnist_test is None:
        (_, _), mnist_test = load_mnist(train_size=1, quick=quick)
    drawn = benchmark_drawings(*mnist_test, quick=quick)
    return "\n".join(drawn_summary(drawn_digit_benchmark(model, drawn, calibration, mnist_test)))
