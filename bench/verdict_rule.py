"""Section: how the verdict rule was chosen, on development data only.

The pad answers a digit, "not sure" or "not a digit" (web/CALIBRATION.md). Which drawings a
rule answers, and with which words, is a choice; this section shows the comparison it was made
from, for the shipped model with its own calibration:

- the floor rule of earlier versions: below the model's floor, "not a digit", however clearly
  one digit led;
- the rule the pad uses: below the floor, a digit read at ``CLEAR`` or more is answered, one
  whose top digit reaches ``UNUSUAL`` is "not sure" (an unusual digit), and only the rest is
  "not a digit", for a few values of ``UNUSUAL`` (and ``CLEAR``).

The sets are all development sets (looked at while choosing): MNIST's validation split (the
5,000 training images every model holds out), the held-out part of the real writers' pen
digits, the non-digit drawings of the templates (training kinds and held-out kinds) and the
Quick, Draw! doodles of the development half. No evaluation set is read here.

    python -m bench --only verdict_rule
"""

from __future__ import annotations

from handwriting.data import load_mnist, split_validation
from handwriting.drawn import pendigits
from handwriting.drawn.benchmark_sets import evaluation_drawings
from handwriting.honest.calibration import CLEAR, UNUSUAL, for_model, verdicts
from handwriting.honest.metrics import predict_probabilities
from handwriting.models.digit_model import PRETRAINED, as_digit_model

from .common import markdown_table

TITLE = "How the verdict rule was chosen (development data only)"
#: (name, CLEAR, UNUSUAL) of each rule compared; the floor rule of earlier versions is CLEAR
#: above 1 (never) and UNUSUAL above 1 (below the floor: always "not a digit").
RULES = (
    ("floor rule (before)", 1.01, 1.01),
    *((f"CLEAR {CLEAR}, UNUSUAL {u}", CLEAR, u) for u in (0.3, 0.4, 0.5, 0.6)),
    (f"CLEAR 0.95, UNUSUAL {UNUSUAL}", 0.95, UNUSUAL),
)
CHOSEN = f"CLEAR {CLEAR}, UNUSUAL {UNUSUAL}"
NON_DIGIT_SETS = ("non_digits", "held_out_non_digits", "doodles")
SIZES = {"full": (520, 4), "quick": (52, 1)}  # non-digits per family, doodles per kind


def _development_sets(quick: bool) -> dict:
    """{name: (images, labels or None)} of every development set this section reads."""
    non_digits, per_kind = SIZES["quick" if quick else "full"]
    (x, y), _ = load_mnist()
    _, (x_val, y_val) = split_validation(x, y)
    points, labels = pendigits.load("held_out")
    if quick:
        x_val, y_val, points, labels = x_val[:500], y_val[:500], points[:300], labels[:300]
    sets = {
        "mnist_validation": (x_val.reshape(-1, 28, 28, 1), y_val),
        "real_writers": (pendigits.model_inputs(points), labels),
    }
    drawn = evaluation_drawings(
        x_val[:0], y_val[:0], per_style=0, non_digits=non_digits, doodles_per_kind=per_kind
    )
    for family in NON_DIGIT_SETS:
        images, refusals = drawn.model_inputs(family)
        sets[family] = images[[reason is None for reason in refusals]], None
    return sets


def compare(model, calibration, sets: dict) -> list[dict]:
    """One row per rule: what the pad answers on each development set."""
    calibrated = {
        name: (calibration.apply(predict_probabilities(model, images)), labels)
        for name, (images, labels) in sets.items()
    }
    rows = []
    for name, clear, unusual in RULES:
        row = {"rule": name, "clear": clear, "unusual": unusual}
        for set_name, (q, labels) in calibrated.items():
            v = verdicts(q, calibration.sure, calibration.pair, calibration.floor, clear, unusual)
            if labels is None:
                row[set_name] = {
                    "flagged": float((v != "digit").mean()),
                    "not_a_digit": float((v == "not_a_digit").mean()),
                    "count": len(v),
                }
                continue
            right = q.argmax(axis=1) == labels
            answered = v == "digit"
            row[set_name] = {
                "right": float((answered & right).mean()),
                "wrong": float((answered & ~right).mean()),
                "wrong_confident": float((answered & ~right & (q.max(axis=1) >= 0.9)).mean()),
                "unsure": float((v == "unsure").mean()),
                "not_a_digit": float((v == "not_a_digit").mean()),
                "count": len(v),
            }
        rows.append(row)
    return rows


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def markdown(data: dict) -> str:
    """The section's text from its stored data (``python -m bench --readme`` re-renders it)."""
    rows, model_name = data["rules"], data.get("model", "the pretrained model")
    digit_columns = [
        (s, k)
        for s in ("mnist_validation", "real_writers")
        for k in ("right", "unsure", "not_a_digit")
    ]
    table = markdown_table(
        ["rule"]
        + [f"{s.replace('_', ' ')}: {k.replace('_', ' ')}" for s, k in digit_columns]
        + [f"{s.replace('_', ' ')}: flagged (not a digit)" for s in NON_DIGIT_SETS],
        [
            [("**" + row["rule"] + "** (chosen)") if row["rule"] == CHOSEN else row["rule"]]
            + [_percent(row[s][k]) for s, k in digit_columns]
            + [
                f"{_percent(row[s]['flagged'])} ({_percent(row[s]['not_a_digit'])})"
                for s in NON_DIGIT_SETS
            ]
            for row in rows
        ],
    )
    counts = ", ".join(
        f"{s.replace('_', ' ')} {rows[0][s]['count']:,}"
        for s in rows[0]
        if isinstance(rows[0][s], dict)
    )
    return (
        f"{table}\n\nModel: {model_name}, with its own temperature and floor. Every set here is a "
        f'development set ({counts}). "Flagged" is any answer but a digit; in brackets, the '
        'share answered "not a digit". The rule is chosen so that a real digit is rarely '
        'called "not a digit" while non-digits mostly still are; CLEAR is not tuned (the '
        "issue's rule: a digit read at 90 % or more is never refused)."
    )


def run(quick: bool = False) -> dict:
    model = as_digit_model(PRETRAINED)
    rows = compare(model, for_model(PRETRAINED), _development_sets(quick))
    data = {"rules": rows, "chosen": CHOSEN, "model": "the pretrained model"}
    return {
        "title": TITLE,
        "markdown": markdown(data),
        "data": data,
    }
