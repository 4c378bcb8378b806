"""Drawings made like a person at the pad: MNIST digits as strokes, styles, non-digits."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import Clueless, SureSeven

from handwriting import drawn as dd
from handwriting.preprocess import CANVAS_SIZE, check_drawing


def test_an_mnist_digit_becomes_strokes_along_its_ink(mnist_small):
    (x, _), _ = mnist_small
    for image in x[:20, ..., 0]:
        strokes = dd.digit_strokes(image)
        points = np.concatenate(strokes)
        # every traced point lies on (or right beside) the digit's ink ...
        ink = np.array([image[min(int(py), 27), min(int(px), 27)] for px, py in points])
        assert (ink > 0.1).mean() > 0.95
        # ... and the strokes reach every part of it: no inked pixel is far from a stroke
        ys, xs = np.nonzero(image > 0.5)
        nearest = np.min(
            np.hypot(xs[:, None] + 0.5 - points[:, 0], ys[:, None] + 0.5 - points[:, 1]), axis=1
        )
        assert nearest.max() < 3.5  # MNIST pens are up to ~6 px wide


def test_drawings_fit_the_canvas_and_are_read_by_the_pad_path(mnist_small):
    (x, y), _ = mnist_small
    rng = np.random.default_rng(3)
    drawings = (
        [dd.mnist_drawing(x[i], y[i], rng) for i in range(10)]
        + [dd.style_drawing(name, rng) for name in dd.STYLES]
        + [dd.non_digit_drawing(kind, rng) for kind in dd.NON_DIGIT_KINDS if kind != "blob"]
    )
    for drawing in drawings:
        points = np.concatenate(drawing.strokes)
        assert points.min() >= drawing.width / 2 and points.max() <= CANVAS_SIZE - drawing.width / 2
        assert check_drawing(drawing.rgba()) is None, drawing.kind
    assert {d.label for d in drawings[10 : 10 + len(dd.STYLES)]} == set(range(10))
    assert all(d.label is None for d in drawings[10 + len(dd.STYLES) :])


def _same(drawings, others) -> bool:
    """Two lists of drawings with the same kinds, labels, brushes and strokes."""
    return len(drawings) == len(others) and all(
        (a.kind, a.label, a.width) == (b.kind, b.label, b.width)
        and len(a.strokes) == len(b.strokes)
        and all(np.array_equal(s, t) for s, t in zip(a.strokes, b.strokes, strict=False))
        for a, b in zip(drawings, others, strict=False)
    )


def _every_drawing(drawn_set) -> list:
    return [d for family in drawn_set.FAMILIES for d in getattr(drawn_set, family)]


def test_the_benchmark_is_fixed_and_training_drawings_come_from_other_seeds(mnist_small):
    _, (x_test, y_test) = mnist_small
    first = dd.evaluation_drawings(x_test[:5], y_test[:5], per_style=1, non_digits=13)
    again = dd.evaluation_drawings(x_test[:5], y_test[:5], per_style=1, non_digits=13)
    assert _same(_every_drawing(first), _every_drawing(again))
    assert [d.label for d in first.mnist] == list(y_test[:5])
    assert sorted(d.kind for d in first.non_digits) == sorted(dd.NON_DIGIT_KINDS)
    assert [d.kind for d in first.held_out_styles] == list(dd.HELD_OUT_STYLES)
    assert sorted(d.kind for d in first.held_out_non_digits) == sorted(dd.HELD_OUT_NON_DIGITS)
    training = dd.training_drawings(np.random.default_rng(1), 30)
    assert not any(
        np.array_equal(t.strokes[0], e.strokes[0]) for t in training for e in first.styles
    )
    with pytest.raises(ValueError, match="benchmark"):
        dd.training_drawings(np.random.default_rng(dd.EVALUATION_SEED), 3)
    with pytest.raises(ValueError, match="benchmark"):
        dd.non_digit_drawings(np.random.default_rng(dd.EVALUATION_SEED), 3)


def test_the_held_out_families_leave_the_existing_families_unchanged(mnist_small):
    """The held-out families draw from streams spawned after the first three, so the MNIST, style
    and non-digit drawings are the ones the benchmark made before held-out templates existed."""
    _, (x_test, y_test) = mnist_small
    three, five = (np.random.SeedSequence(dd.EVALUATION_SEED).spawn(n) for n in (3, 5))
    assert [s.spawn_key for s in five[:3]] == [s.spawn_key for s in three]
    old = [np.random.default_rng(s) for s in three]
    kinds = list(dd.NON_DIGIT_KINDS)
    before = (
        [
            dd.mnist_drawing(x, y, old[0]) for x, y in zip(x_test[:5], y_test[:5], strict=False)
        ]  # the code before
        + [dd.style_drawing(name, old[1]) for name in dd.STYLES for _ in range(2)]
        + [dd.non_digit_drawing(kinds[i % len(kinds)], old[2]) for i in old[2].permutation(15)]
    )
    now = dd.evaluation_drawings(x_test[:5], y_test[:5], per_style=2, non_digits=15)
    assert _same(now.mnist + now.styles + now.non_digits, before)


def test_held_out_templates_are_new_shapes_the_pad_reads():
    """At least two held-out styles per digit and eight held-out non-digit kinds, none of them a
    training template, each drawn (from the benchmark's seed) and read without refusal."""
    assert not set(dd.HELD_OUT_STYLES) & set(dd.STYLES)
    assert not set(dd.HELD_OUT_NON_DIGITS) & set(dd.NON_DIGIT_KINDS)
    digits = [digit for digit, _ in dd.HELD_OUT_STYLES.values()]
    assert len(digits) >= 20 and all(digits.count(d) >= 2 for d in range(10))
    assert len(dd.HELD_OUT_NON_DIGITS) >= 8
    rng = np.random.default_rng(dd.EVALUATION_SEED)
    drawings = (
        [dd.style_drawing(name, rng) for name in dd.HELD_OUT_STYLES]
        + [dd.non_digit_drawing(kind, rng) for kind in dd.HELD_OUT_NON_DIGITS]
        + [dd.place(strokes, rng, None, "lowercase-letter") for strokes in dd.LOWERCASE.values()]
    )
    images, refusals = dd.to_model_inputs(drawings)
    assert [(d.kind, r) for d, r in zip(drawings, refusals, strict=False) if r is not None] == []
    assert (images.max(axis=(1, 2, 3)) > 0.5).all()
    assert [d.label for d in drawings[: len(digits)]] == digits
    assert all(d.label is None for d in drawings[len(digits) :])


def test_training_generators_never_draw_a_held_out_template(mnist_small):
    (x, y), _ = mnist_small
    rng = np.random.default_rng(5)
    digits = dd.training_drawings(rng, 300, x[:50], y[:50], style_share=0.9)
    others = dd.non_digit_drawings(rng, 300)
    assert {d.kind for d in digits} == set(dd.STYLES) | {"mnist"}
    assert {d.kind for d in others} == set(dd.NON_DIGIT_KINDS)
    # ... and asked for one with a training generator, they refuse
    for name in dd.HELD_OUT_STYLES:
        with pytest.raises(ValueError, match="held out"):
            dd.style_drawing(name, np.random.default_rng(0))
    for kind in dd.HELD_OUT_NON_DIGITS:
        with pytest.raises(ValueError, match="held out"):
            dd.non_digit_drawing(kind, np.random.default_rng(0))
    with pytest.raises(ValueError, match="held out"):
        dd.non_digit_drawings(rng, 4, kinds=["star", "heart"])


def test_the_benchmark_reports_the_held_out_families(mnist_small):
    from handwriting.honest.drawn_benchmark import drawn_digit_benchmark

    _, (x_test, y_test) = mnist_small
    drawn = dd.evaluation_drawings(x_test[:3], y_test[:3], per_style=1, non_digits=13)
    report = drawn_digit_benchmark(Clueless(), drawn)
    held_out = report["held_out_styles"]
    assert list(held_out["per_style"]) == list(dd.HELD_OUT_STYLES) and held_out["count"] == len(
        dd.HELD_OUT_STYLES
    )
    assert held_out["not_a_digit"] == 1.0 and held_out["accuracy"] == pytest.approx(
        np.mean([digit == 0 for digit, _ in dd.HELD_OUT_STYLES.values()])
    )  # argmax of a tie: 0
    assert sorted(report["held_out_non_digits"]["per_kind"]) == sorted(dd.HELD_OUT_NON_DIGITS)
    assert report["held_out_non_digits"]["flagged"] == report["non_digits"]["flagged"] == 1.0
    assert report["held_out_non_digits"]["verdicts"] == {"not_a_digit": 13}


def test_the_benchmark_reads_real_peoples_doodles_as_non_digits(mnist_small):
    """Quick, Draw! doodles, development half: one family more, from a stream of its own; the rest
    is unchanged."""
    from handwriting.drawn import quickdraw
    from handwriting.honest.drawn_benchmark import drawn_digit_benchmark, drawn_summary

    _, (x_test, y_test) = mnist_small
    without = dd.evaluation_drawings(x_test[:3], y_test[:3], per_style=1, non_digits=13)
    drawn = dd.evaluation_drawings(
        x_test[:3], y_test[:3], per_style=1, non_digits=13, doodles_per_kind=1
    )
    assert without.doodles == [] == drawn.doodles_evaluation
    assert _same(_every_drawing(without), _every_drawing(drawn)[: -len(drawn.doodles)])
    again = dd.evaluation_drawings(
        x_test[:0], y_test[:0], per_style=0, non_digits=0, doodles_per_kind=1
    )
    assert _same(drawn.doodles, again.doodles)
    kinds = [d.kind for d in drawn.doodles]
    development = quickdraw.split_kinds(quickdraw.load()["package_kinds"])["development"]
    assert kinds == development and len(development) == 164 and "cat" in kinds
    assert all(d.label is None for d in drawn.doodles)
    images, refusals = drawn.model_inputs("doodles")
    assert refusals.count(None) >= 0.99 * len(kinds) and images.shape[1:] == (28, 28, 1)
    report = drawn_digit_benchmark(Clueless(), drawn)
    assert report["doodles"]["count"] == len(kinds) and report["doodles"]["flagged"] == 1.0
    assert "Quick, Draw! doodles 100.0% of 164" in "\n".join(drawn_summary(report))
    assert "doodles" not in drawn_digit_benchmark(Clueless(), without)
    assert "doodles_evaluation" not in report and report["doodles"]["read_as"] == {}
    sevens = drawn_digit_benchmark(SureSeven(), drawn)["doodles"]
    assert sevens["flagged"] < 0.01 and sevens["read_as"] == {"7": sevens["verdicts"]["digit"]}


def test_the_evaluation_half_is_a_family_of_its_own_kinds_from_a_stream_of_its_own(mnist_small):
    """Quick, Draw!'s evaluation half (frozen 2026-12-06): other kinds than the development half,
    drawn from a stream spawned after every other, so no other family changes. Counts and shapes
    only: no model is scored on these drawings here."""
    from handwriting.drawn import quickdraw

    _, (x_test, y_test) = mnist_small
    sizes = {"per_style": 1, "non_digits": 13, "doodles_per_kind": 1}
    development = dd.evaluation_drawings(x_test[:3], y_test[:3], **sizes)
    both = dd.evaluation_drawings(x_test[:3], y_test[:3], **sizes, evaluation_doodles_per_kind=2)
    assert dd.DrawnSet.FAMILIES[-1] == "doodles_evaluation"
    assert _same(_every_drawing(development), _every_drawing(both)[: -len(both.doodles_evaluation)])
    kinds = [d.kind for d in both.doodles_evaluation]
    evaluation = quickdraw.split_kinds(quickdraw.load()["package_kinds"])["evaluation"]
    assert kinds == [kind for kind in evaluation for _ in range(2)] and len(evaluation) == 163
    assert not set(kinds) & {d.kind for d in both.doodles}
    assert all(d.label is None and d.strokes for d in both.doodles_evaluation)
    alone = dd.evaluation_drawings(
        x_test[:0], y_test[:0], per_style=0, non_digits=0, evaluation_doodles_per_kind=2
    )
    assert alone.doodles == [] and _same(alone.doodles_evaluation, both.doodles_evaluation)


def test_the_evaluation_half_is_reported_apart_with_its_role(mnist_small):
    """How a report carries the evaluation half, shown with stand-in drawings (the held-out
    templates): its own family, role "evaluation", its own words in the summary."""
    from handwriting.honest.drawn_benchmark import drawn_digit_benchmark, drawn_summary

    _, (x_test, y_test) = mnist_small
    drawn = dd.evaluation_drawings(x_test[:3], y_test[:3], per_style=1, non_digits=13)
    drawn.doodles, drawn.doodles_evaluation = (
        drawn.held_out_non_digits[:4],
        drawn.held_out_non_digits[4:7],
    )
    report = drawn_digit_benchmark(Clueless(), drawn)
    assert report["doodles_evaluation"]["count"] == 3 and report["doodles"]["count"] == 4
    assert report["roles"]["doodles_evaluation"] == "evaluation"
    summary = "\n".join(drawn_summary(report))
    assert (
        "Quick, Draw! doodles 100.0% of 4; their evaluation half (other kinds, only reported) "
        "100.0% of 3)" in summary
    )
    assert (
        "evaluation (frozen before first read, only reported): evaluation half of the Quick, "
        "Draw! doodles" in summary
    )


def test_every_set_the_benchmark_reports_has_one_role_defined_once():
    """Issue 32: training (the training data's shapes), development (looked at while choosing)
    or evaluation (frozen before first read); the held-out templates, the doodles' development
    half and the real writers' held-out part were all looked at, so they are development; the
    doodles' evaluation half, frozen 2026-12-06, is evaluation."""
    assert set(dd.ROLES) == set(dd.DrawnSet.FAMILIES) | {"mnist_test"} == set(dd.SET_NAMES)
    assert set(dd.ROLE_MEANINGS) == {"training", "development", "evaluation"}
    assert set(dd.ROLES.values()) <= set(dd.ROLE_MEANINGS)
    assert dd.ROLES["styles"] == dd.ROLES["non_digits"] == "training"
    assert {
        dd.ROLES[family]
        for family in ("real_writers", "mnist", "held_out_styles", "held_out_non_digits", "doodles")
    } == {"development"}
    assert dd.ROLES["doodles_evaluation"] == "evaluation"
    assert [f for f, role in dd.ROLES.items() if role == "evaluation"] == ["doodles_evaluation"]


def test_the_full_benchmark_reads_every_shipped_doodle_of_both_halves_and_quick_mode_one():
    from handwriting.drawn import quickdraw

    full, quick = dd.BENCHMARK_SIZES["full"], dd.BENCHMARK_SIZES["quick"]
    assert (full[3], full[5]) == tuple(len(d) for d in quickdraw.DRAWINGS.values()) == (4, 4)
    assert (quick[3], quick[5]) == (1, 1)


def test_the_real_writers_are_the_pen_digits_held_out_part_all_of_it_or_300_in_quick_mode():
    from handwriting.drawn import pendigits

    assert dd.BENCHMARK_SIZES["full"][4] == pendigits.HELD_OUT_SIZE == 1498
    assert dd.BENCHMARK_SIZES["quick"][4] == 300
    drawings, points = dd.real_writer_drawings(12)
    held_out, labels = pendigits.load("held_out")
    assert np.array_equal(points, held_out[:12])
    assert [d.label for d in drawings] == list(labels[:12])
    assert _same(drawings, dd.real_writer_drawings(12)[0])  # placed the same way every time
    none, no_points = dd.real_writer_drawings(0)
    assert none == [] and no_points.shape == (0, 8, 2)
    with pytest.raises(ValueError, match="1,498 digits, not 1,499"):
        dd.real_writer_drawings(1499)


def test_the_benchmark_reports_real_writers_first_with_every_sets_role(mnist_small):
    """The real writers' pen digits lead the report and its summary, scored like every digit
    family (what the pad answers, overall and per digit); the report names every set's role."""
    from handwriting.drawn import pendigits
    from handwriting.honest.drawn_benchmark import drawn_digit_benchmark, drawn_summary

    _, (x_test, y_test) = mnist_small
    without = dd.evaluation_drawings(x_test[:3], y_test[:3], per_style=1, non_digits=13)
    drawn = dd.evaluation_drawings(
        x_test[:3], y_test[:3], per_style=1, non_digits=13, real_writers=40
    )
    assert without.real_writers == [] and _same(_every_drawing(without), _every_drawing(drawn)[40:])
    points, labels = pendigits.load("held_out")
    labels = labels[:40]
    images, refusals = drawn.model_inputs("real_writers")
    assert refusals == [None] * 40 and np.array_equal(images, pendigits.model_inputs(points[:40]))

    report = drawn_digit_benchmark(Clueless(), drawn)
    assert [key for key in report if key in dd.DrawnSet.FAMILIES][0] == "real_writers"
    assert report["roles"] == {
        family: dd.ROLES[family]
        for family in (
            "real_writers",
            "mnist",
            "styles",
            "non_digits",
            "held_out_styles",
            "held_out_non_digits",
        )
    }
    writers = report["real_writers"]
    assert writers["count"] == 40 and writers["not_a_digit"] == 1.0
    assert writers["answered_right"] == 0
    assert writers["accuracy"] == pytest.approx(np.mean(labels == 0))  # argmax of a tie: 0
    assert writers["per_digit_count"] == np.bincount(labels, minlength=10).tolist()
    lines = drawn_summary(report)
    assert lines[0].startswith("real writers' pen digits read right: ")
    assert "of 40 (development;" in lines[0]
    assert "their writers also wrote the rest" in lines[0] and "not a digit 100.0%" in lines[0]
    assert lines[1].startswith("drawn digits read right:")
    training, development, evaluation = lines[-1].removeprefix("set roles: ").split("; ")
    assert training.startswith("training") and "styles (training shapes)" in training
    assert development.startswith("development") and "real writers' pen digits" in development
    assert evaluation.endswith("none here (the held-back writers are outside the repository)")
    assert "real_writers" not in drawn_digit_benchmark(Clueless(), without)

    sevens = drawn_digit_benchmark(SureSeven(), drawn)["real_writers"]
    share = np.mean(labels == 7)
    assert sevens["answered_right"] == pytest.approx(share) and sevens["unsure"] == 0
    assert sevens["answered_wrong"] == sevens["confidently_wrong"] == pytest.approx(1 - share)
    assert sevens["per_digit_answers"]["answered_right"] == [float(d == 7) for d in range(10)]
    assert set(sevens["confusions"]) <= {f"{d}->7" for d in range(10) if d != 7}
    counts = list(sevens["confusions"].values())
    assert counts == sorted(counts, reverse=True)


def test_training_generators(mnist_small):
    (x, y), _ = mnist_small
    rng = np.random.default_rng(7)
    digits = dd.training_drawings(rng, 40, x[:100], y[:100], style_share=0.5)
    assert len(digits) == 40 and {d.kind == "mnist" for d in digits} == {True, False}
    assert all(0 <= d.label <= 9 for d in digits)
    others = dd.non_digit_drawings(rng, 26)
    assert sorted({d.kind for d in others}) == sorted(dd.NON_DIGIT_KINDS)
    images, refusals = dd.to_model_inputs(others)
    assert images.shape == (26, 28, 28, 1) and len(refusals) == 26


def test_redraw_digits_keeps_order_shape_and_the_digit(mnist_small):
    (x, _), _ = mnist_small
    redrawn = dd.redraw_digits(x[:8], np.random.default_rng(0))
    assert redrawn.shape == (8, 28, 28, 1) and redrawn.dtype == np.float32
    assert 0 <= redrawn.min() and redrawn.max() <= 1
    assert not np.array_equal(redrawn, x[:8])
    # each redraw is closer to its own digit than to the other seven
    distance = ((redrawn[:, None] - x[None, :8]) ** 2).sum(axis=(2, 3, 4))
    assert (distance.argmin(axis=1) == np.arange(8)).mean() >= 0.75


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="28, 28"):
        dd.digit_strokes(np.zeros((20, 20)))
    with pytest.raises(ValueError, match="255"):
        dd.digit_strokes(np.full((28, 28), 255.0))
    with pytest.raises(ValueError, match="Unknown style"):
        dd.style_drawing("7-fancy", np.random.default_rng(0))
    with pytest.raises(ValueError, match="Unknown non-digit"):
        dd.non_digit_drawing("cat", np.random.default_rng(0))
    with pytest.raises(TypeError, match="Generator"):
        dd.non_digit_drawings(42, 3)
    with pytest.raises(ValueError, match="whole number"):
        dd.non_digit_drawings(np.random.default_rng(0), -1)


def test_the_segment_style_is_one_pen_stroke_per_segment_and_readable_by_the_pad():
    rng = np.random.default_rng(2)
    for digit, segments in enumerate(dd.SEGMENT_DIGITS):
        drawing = dd.segment_drawing(digit, rng)
        assert drawing.label == digit and drawing.kind == "segments"
        assert len(drawing.strokes) == len(segments) and segments[0] == "o"  # the bar on top
        assert check_drawing(drawing.rgba()) is None
    assert dd.SEGMENT_DIGITS[8] == "oabcdefg" and len(set(dd.SEGMENT_DIGITS)) == 10
    for bad in (10, -1, True, "3"):
        with pytest.raises(ValueError, match="digit from 0 to 9"):
            dd.segment_drawing(bad, rng)


def test_doodles_are_varied_training_non_digits_only():
    """Random doodles (3-5 random parts) are non-digits for training; the benchmark's seed is
    refused."""
    drawings = dd.doodle_drawings(np.random.default_rng(3), 12)
    assert len(drawings) == 12 and all(d.label is None and d.kind == "doodle" for d in drawings)
    assert all(3 <= len(d.strokes) <= 5 for d in drawings)
    images, refusals = dd.to_model_inputs(drawings)
    assert refusals.count(None) >= 10
    assert len({image.tobytes() for image in images}) == 12
    with pytest.raises(ValueError, match="EVALUATION_SEED"):
        dd.doodle_drawings(np.random.default_rng(dd.EVALUATION_SEED), 1)
