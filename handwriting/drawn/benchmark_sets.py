"""The drawn-digit benchmark's sets, each with its role, and how any drawings become model inputs.

:func:`evaluation_drawings` is THE drawn-digit benchmark: real writers' pen digits (the held-out
part of :mod:`handwriting.drawn.pendigits`, placed the same way every time), redrawn MNIST test
digits, the templates' styles and non-digits (seen and held-out kinds) and doodles real people
drew for Quick, Draw! (:func:`quickdraw_drawings`: a cat, a bicycle, a cookie, ... redrawn as pen
strokes like the MNIST digits: non-digits by other hands than ours, for the benchmark only; no
recipe trains on them), in two halves of different kinds (:mod:`handwriting.drawn.quickdraw`);
all randomness from the fixed :data:`~handwriting.drawn.drawing.EVALUATION_SEED`.

Every set the benchmark reports has a role (:data:`ROLES`): training, development (looked at
while choosing) or evaluation (frozen in code before it is first read, then only reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import MODEL_SIZE
from . import pendigits, quickdraw
from .drawing import EVALUATION_SEED, Drawing, count, place, to_model_inputs
from .redrawn import digit_strokes, mnist_drawing
from .templates import (
    HELD_OUT_NON_DIGITS,
    HELD_OUT_STYLES,
    NON_DIGIT_KINDS,
    STYLES,
    sample_non_digits,
    style_drawing,
)

__all__ = [
    "BENCHMARK_SIZES",
    "ROLES",
    "ROLE_MEANINGS",
    "SET_NAMES",
    "DrawnSet",
    "benchmark_drawings",
    "evaluation_drawings",
    "quickdraw_drawings",
    "real_writer_drawings",
    "to_model_inputs",
]

#: What a set's role says about its figures.
ROLE_MEANINGS = {
    "training": "the training data's own shapes (drawn from other seeds): its figures flatter "
    "a model trained on them",
    "development": "looked at while choosing recipes, thresholds and templates: its figures "
    "flatter those choices",
    "evaluation": "frozen in code before it was first read, then only reported",
}

#: The role of every set the benchmark reports, defined once: the summary lines, the bench's
#: tables and the README show it. The one "evaluation" set here is the Quick, Draw! evaluation
#: half, frozen 2026-12-06 (:data:`handwriting.drawn.quickdraw.FROZEN`); the project's other
#: evaluation set, the 14 writers of the pen digits' test part, is kept outside the repository.
ROLES = {
    "real_writers": "development",  # pen digits' held-out part: will choose recipes, thresholds
    "mnist": "development",  # MNIST test digits redrawn: recipes were chosen on these
    "styles": "training",  # STYLES: the templates the drawn training data comes from
    "non_digits": "training",  # NON_DIGIT_KINDS: likewise
    "held_out_styles": "development",  # never trained on, but looked at while choosing
    "held_out_non_digits": "development",
    "doodles": "development",  # Quick, Draw!: looked at while choosing (DIGIT_LIKE, recipes)
    "doodles_evaluation": "evaluation",  # Quick, Draw!'s other half: frozen, only reported
    "mnist_test": "development",  # the plain MNIST test digits (share flagged), not drawings
}

#: How each set is named in reports (the summary lines, the bench's tables).
SET_NAMES = {
    "real_writers": "real writers' pen digits",
    "mnist": "MNIST test digits redrawn as strokes",
    "styles": "styles (training shapes)",
    "non_digits": "non-digits (training kinds)",
    "held_out_styles": "held-out styles",
    "held_out_non_digits": "held-out non-digits",
    "doodles": "development half of the Quick, Draw! doodles",
    "doodles_evaluation": "evaluation half of the Quick, Draw! doodles",
    "mnist_test": "MNIST test digits",
}


@dataclass
class DrawnSet:
    """The drawn-digit benchmark: eight families of drawings (see :func:`evaluation_drawings`),
    each with its role in :data:`ROLES`."""

    mnist: list[Drawing]  # MNIST test digits redrawn as strokes
    styles: list[Drawing]  # every style of STYLES (the training data's shapes), often
    non_digits: list[Drawing]  # every kind of NON_DIGIT_KINDS, in equal shares
    held_out_styles: list[Drawing]  # every style of HELD_OUT_STYLES (never trained on), often
    held_out_non_digits: list[Drawing]  # every kind of HELD_OUT_NON_DIGITS, in equal shares
    doodles: list[Drawing] = field(default_factory=list)  # Quick, Draw!'s development half
    doodles_evaluation: list[Drawing] = field(default_factory=list)  # its evaluation half
    real_writers: list[Drawing] = field(default_factory=list)  # real people's pen digits
    #: the real writers' (N, 8, 2) points, so that their model inputs come from pendigits' cache
    real_writer_points: np.ndarray | None = field(default=None, repr=False)
    _inputs: dict = field(default_factory=dict, repr=False)

    #: Every family, in the order reports show them: the real writers' digits first.
    FAMILIES = (
        "real_writers",
        "mnist",
        "styles",
        "non_digits",
        "held_out_styles",
        "held_out_non_digits",
        "doodles",
        "doodles_evaluation",
    )
    DIGIT_FAMILIES = ("real_writers", "mnist", "styles", "held_out_styles")
    NON_DIGIT_FAMILIES = ("non_digits", "held_out_non_digits", "doodles", "doodles_evaluation")
    #: Families a set may leave empty (not asked for): reports leave them out.
    OPTIONAL_FAMILIES = ("real_writers", "doodles", "doodles_evaluation")

    def model_inputs(self, family: str) -> tuple[np.ndarray, list[str | None]]:
        """:func:`to_model_inputs` of one family, rendered once and kept for every model (the
        real writers' from :func:`handwriting.drawn.pendigits.model_inputs`, cached on disk)."""
        if family not in self.FAMILIES:
            raise ValueError(
                f"Unknown family {family!r}; choose one of {', '.join(self.FAMILIES)}."
            )
        if family not in self._inputs:
            if family == "real_writers" and self.real_writer_points is not None:
                if len(self.real_writer_points) != len(self.real_writers):
                    raise ValueError(
                        f"{len(self.real_writers)} real writers' drawings but "
                        f"{len(self.real_writer_points)} trajectories."
                    )
                images = pendigits.model_inputs(self.real_writer_points)
                self._inputs[family] = images, [None] * len(images)
            else:
                self._inputs[family] = to_model_inputs(getattr(self, family))
        return self._inputs[family]


def quickdraw_drawings(
    rng: np.random.Generator, per_kind: int, half: str = "development"
) -> list[Drawing]:
    """Doodles real people drew for Quick, Draw! (:func:`handwriting.drawn.quickdraw.doodles`:
    ``per_kind`` of every kind of one ``half``, "development" or "evaluation"), redrawn as pen
    strokes like the MNIST digits and placed and varied like every drawing. For the benchmark:
    no recipe trains on them."""
    images, kinds = quickdraw.doodles(half, per_kind)
    return [
        place(digit_strokes(image), rng, None, kind, shift_strokes=False)
        for image, kind in zip(images, kinds, strict=False)
    ]


def real_writer_drawings(n: int) -> tuple[list[Drawing], np.ndarray]:
    """The first ``n`` digits of the pen digits' held-out part (:func:`pendigits.load
    <handwriting.drawn.pendigits.load>` ``("held_out")``), each placed as
    :func:`~handwriting.drawn.pendigits.to_drawing` places it without a generator (the same way
    every time): (drawings, their (n, 8, 2) points)."""
    n = count(n)
    if not n:
        return [], np.zeros((0, pendigits.N_POINTS, 2), np.uint8)
    points, labels = pendigits.load("held_out")
    if n > len(points):
        raise ValueError(f"The pen digits' held-out part has {len(points):,} digits, not {n:,}.")
    return pendigits.drawings(points[:n], labels[:n]), points[:n]


def evaluation_drawings(
    x_test: np.ndarray,
    y_test: np.ndarray,
    per_style: int = 40,
    non_digits: int = 520,
    doodles_per_kind: int = 0,
    real_writers: int = 0,
    evaluation_doodles_per_kind: int = 0,
) -> DrawnSet:
    """THE drawn-digit benchmark (never train on it): every test digit given, redrawn as strokes,
    ``per_style`` drawings of each style and ``non_digits`` non-digits, both for the templates
    the training data shares (:data:`STYLES`, :data:`NON_DIGIT_KINDS`) and the held-out ones
    (:data:`HELD_OUT_STYLES`, :data:`HELD_OUT_NON_DIGITS`), ``doodles_per_kind`` Quick, Draw!
    doodles of each kind of the development half and ``evaluation_doodles_per_kind`` of each
    kind of the evaluation half (:func:`quickdraw_drawings`; 0: none), all from
    :data:`EVALUATION_SEED` (one spawned stream per family), and ``real_writers`` real people's
    pen digits (:func:`real_writer_drawings`; no randomness). Pass MNIST *test* digits."""
    if len(x_test) != len(y_test):
        raise ValueError(f"{len(x_test)} images but {len(y_test)} labels.")
    # Spawned streams keep their order: the later families' streams (3, 4, 5, then 6) leave the
    # earlier families' drawings as they were; the real writers' digits need none.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(EVALUATION_SEED).spawn(7)]
    per_style, non_digits = count(per_style), count(non_digits)
    doodles_per_kind = count(doodles_per_kind)
    evaluation_doodles_per_kind = count(evaluation_doodles_per_kind)
    writers, points = real_writer_drawings(real_writers)
    return DrawnSet(
        mnist=[mnist_drawing(x, y, streams[0]) for x, y in zip(x_test, y_test, strict=False)],
        styles=[style_drawing(name, streams[1]) for name in STYLES for _ in range(per_style)],
        non_digits=sample_non_digits(streams[2], non_digits, NON_DIGIT_KINDS),
        held_out_styles=[
            style_drawing(name, streams[3]) for name in HELD_OUT_STYLES for _ in range(per_style)
        ],
        held_out_non_digits=sample_non_digits(streams[4], non_digits, HELD_OUT_NON_DIGITS),
        doodles=quickdraw_drawings(streams[5], doodles_per_kind) if doodles_per_kind else [],
        doodles_evaluation=(
            quickdraw_drawings(streams[6], evaluation_doodles_per_kind, "evaluation")
            if evaluation_doodles_per_kind
            else []
        ),
        real_writers=writers,
        real_writer_points=points,
    )


#: The benchmark's sizes (bench section `drawn`, ``evaluate --drawn``): MNIST test digits
#: redrawn, drawings per style, non-digits per family (training kinds, held-out kinds), Quick,
#: Draw! doodles per kind of the development half, real writers' pen digits (the first of the
#: held-out part: all 1,498, or 300 in quick mode), Quick, Draw! doodles per kind of the
#: evaluation half (full: all the package ships of either half, 4; quick: 1).
BENCHMARK_SIZES = {
    "full": (2000, 40, 520, 4, pendigits.HELD_OUT_SIZE, 4),
    "quick": (200, 4, 104, 1, 300, 1),
}


def benchmark_drawings(x_test: np.ndarray, y_test: np.ndarray, quick: bool = False) -> DrawnSet:
    """:func:`evaluation_drawings` at the benchmark's sizes (:data:`BENCHMARK_SIZES`), from the
    first MNIST test digits given; ``quick``: a tenth to a fifth of them, for tests."""
    strokes, per_style, non_digits, doodles_per_kind, real_writers, evaluation_doodles = (
        BENCHMARK_SIZES["quick" if quick else "full"]
    )
    x_test = np.asarray(x_test)
    x_test = x_test[:strokes].reshape(-1, MODEL_SIZE, MODEL_SIZE)
    return evaluation_drawings(
        x_test,
        y_test[:strokes],
        per_style=per_style,
        non_digits=non_digits,
        doodles_per_kind=doodles_per_kind,
        real_writers=real_writers,
        evaluation_doodles_per_kind=evaluation_doodles,
    )
