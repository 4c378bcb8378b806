"""Every figure in the README and the documentation pages comes from a recorded benchmark run
(bench/results.json)."""

from __future__ import annotations

import re

import pytest

from bench import common, headline
from bench.readme import (
    README,
    ReadmeError,
    generated_sections,
    hand_typed_figures,
    pages,
    render_readme,
    rerender,
)

ROOT = README.parent


def _block_page(name: str) -> str:
    """The text of the page that holds the generated block ``name``."""
    holders = [page for page in pages() if name in generated_sections(page.read_text())]
    assert len(holders) == 1, f"block {name!r} should be on one page, is on {holders}"
    return holders[0].read_text()


@pytest.mark.parametrize("page", pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_pages_tables_are_what_results_json_generates(page):
    text = page.read_text()
    assert render_readme(text, common.load_results()) == text, (
        f"{page.name}'s tables differ from bench/results.json: run `python -m bench --readme`"
    )


def test_every_section_and_the_headline_is_shown_somewhere():
    shown = {name for page in pages() for name in generated_sections(page.read_text())}
    sections = set(common.load_results()["sections"])
    assert sections <= shown, f"sections on no page: {sections - shown}"
    assert "headline" in generated_sections(README.read_text())
    assert "costs:pretrained" in shown


@pytest.mark.parametrize("page", pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_no_measured_figure_is_typed_by_hand_outside_the_generated_tables(page):
    """Issues 32 and 34: every number with a unit outside code and the generated blocks is a
    definition (a target, a setting); a measurement is recorded in bench/results.json and
    rendered."""
    by_hand = hand_typed_figures(page.read_text())
    assert by_hand == [], f"figures typed by hand in {page.name} (record them in bench/results"
    ".json's explorations and render them, or reword):\n" + "\n".join(by_hand)


def test_rendering_a_section_again_from_its_data_gives_what_results_json_stores():
    """`python -m bench --readme` re-renders every section that can from its rows: that must
    neither fail nor change a figure (a renderer out of step with its data would)."""
    results = common.load_results()
    stored = {name: section["markdown"] for name, section in results["sections"].items()}
    again = rerender(common.load_results())
    for name, section in again["sections"].items():
        assert section["markdown"] == stored[name], f"section {name!r} renders differently"


def test_the_headline_says_each_figure_met_or_not_from_the_sections_data():
    """The README's headline table: every row with a target says met or **not met**, computed
    from the same data as its section (e.g. the numbers section's own verdict)."""
    results = common.load_results()
    table = headline.markdown(results)
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) >= 10
    for row in rows[1:]:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        if cells[2]:
            assert cells[3] in ("met", "**not met**"), row
    numbers = results["sections"]["numbers"]["markdown"]
    whole = "four-digit non-touching, from strokes: whole number right"
    section_says_met = next(line for line in numbers.splitlines() if whole in line).endswith(
        "| met |"
    )
    headline_row = next(row for row in rows if "four-digit numbers" in row)
    assert headline_row.endswith("| met | [whole numbers](docs/guides/whole-numbers.md) |") == (
        section_says_met
    )


def test_a_pipe_inside_a_table_cell_stays_in_its_cell():
    table = common.markdown_table(["same argmax / max |Δp|"], [["100% / 1e-6"]])
    assert table.splitlines()[0] == r"| same argmax / max \|Δp\| |"


@pytest.mark.parametrize(
    "text, figure",
    [
        ("the same epoch took 17 s one day", "17 s"),
        ("a 12.5 MB download", "12.5 MB"),
        ("3.4 % of the redrawn digits are refused", "3.4 %"),
        ("flags 35–85 % of the held-out kinds", "35–85 %"),
        ("it took 17s", "17s"),
        ("1,498 s in all, on a quiet machine", "1,498 s"),
        ("a peak of 1.42 GiB", "1.42 GiB"),
        ("about 17 minutes of this CPU", "17 minutes"),
        ("MNIST flagged rose to at most 1.9 %", "1.9 %"),  # "at most" can report a measurement
        ("<!-- bench:x -->\n1 %\n<!-- /bench:x -->\nbut 2 ms here", "2 ms"),
    ],
)
def test_a_measured_figure_typed_by_hand_is_found(text, figure):
    found = hand_typed_figures(text)
    assert len(found) == 1 and found[0].startswith(repr(figure)), found


@pytest.mark.parametrize(
    "text",
    [
        "the target is ≥ 90 % of non-digits flagged, ≤ 60 s",
        "a digit read at 90 % or more is never refused",
        "redraws them at a random height (35–85 % of the canvas)",
        "so that 1 % of the held-out images fall below it, `NOT_A_DIGIT_SHARE`",
        "### Time to\n99 % accuracy",
        "`train --arch fast  # 99 % in 8 s`\n```bash\nmake lab  # 17 s\n```",
        "<!-- bench:accuracy -->\n| 99.63% | 12 s |\n<!-- /bench:accuracy -->\n",
        "most 7s are read as 2s, and 5 seeds of 893,414 bytes",
    ],
)
def test_definitions_code_and_generated_blocks_are_not_measured_figures(text):
    assert hand_typed_figures(text) == []


def test_a_block_for_a_section_that_was_never_measured_is_an_error():
    with pytest.raises(ReadmeError, match="python -m bench --only nothing"):
        render_readme("<!-- bench:nothing -->\n<!-- /bench:nothing -->\n", {"sections": {}})


def test_every_exploration_is_dated_and_says_how_it_was_made():
    """Issue 32: a figure measured once while exploring is recorded with its date and the
    command that made it, or says that none was recorded, in which session and commit."""
    entries = common.load_results()["explorations"]
    assert len({entry["id"] for entry in entries}) == len(entries)
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["date"]), entry["id"]
        assert entry["title"] and entry["what"] and entry["commits"], entry["id"]
        assert "`python -m " in entry["command"] or re.search(
            r"not recorded: measured by hand in session \d+, see git [0-9a-f]{7}", entry["command"]
        ), entry["id"]
        assert all(len(row) == len(entry["columns"]) for row in entry["rows"]), entry["id"]


def test_an_exploration_block_is_rendered_from_its_record_and_a_missing_one_is_an_error():
    entry = {
        "id": "x",
        "title": "A trial",
        "date": "2026-12-01",
        "command": "not recorded: measured by hand in session 15, see git a0cb1c6",
        "what": "One model.",
        "columns": ["score", "flagged"],
        "rows": [["energy", "81.0 %"]],
    }
    results = {"sections": {}, "explorations": [entry]}
    text = "<!-- bench:explorations:x -->\n<!-- /bench:explorations:x -->\n"
    rendered = render_readme(text, results)
    assert "measured 2026-12-01; command: not recorded: measured by hand in session 15" in rendered
    assert "| energy | 81.0 % |" in rendered and hand_typed_figures(rendered) == []
    assert render_readme(rendered, results) == rendered
    with pytest.raises(ReadmeError, match="exploration 'y'"):
        render_readme(text.replace(":x", ":y"), results)


def test_the_costs_of_calibration_and_the_rule_are_said_beside_what_they_buy():
    """Issue 32: calibration lowers the error but raises the confident mistakes; the rule
    leaves few MNIST test digits unanswered but more of the drawings the pad gets."""
    from bench.readme import costs

    family = {
        "mistakes": 43,
        "ece_before": 0.091,
        "ece_after": 0.006,
        "confident_mistakes_uncalibrated": 0.07,
        "confident_mistakes": 0.326,
        "unsure": 0.004,
        "not_a_digit": 0.034,
        "refused": 0.0,
        "answered_right": 0.955,
    }
    row = {"mnist": family, "mnist_test": {"flagged": 0.012}, "measured": {"date": "D"}}
    text = costs({"data": {"models": {"m": row}}}, "m")
    assert "lowers its expected calibration error on the redrawn MNIST digits from 0.091 to " in (
        text
    )
    assert "raises its confident mistakes (wrong at >= 90% confidence) from 7.0% to 32.6%" in text
    assert "leaves 1.2% of the MNIST test digits unanswered" in text
    assert 'but 3.8% of the redrawn stroke digits the pad gets (3.4% "not a digit"' in text
    assert "real writers" not in text
    row["real_writers"] = {**family, "confident_mistakes": 0.05, "mistakes": 320}
    text = costs({"data": {"models": {"m": row}}}, "m")
    assert "confident mistakes from 7.0% to 5.0% of 320" in text


def test_rows_keep_their_own_record_when_a_section_is_merged(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "RESULTS_JSON", tmp_path / "results.json")
    monkeypatch.setattr(common, "RESULTS_MD", tmp_path / "results.md")
    old = {
        "date": "2026-01-01 10:00 UTC",
        "cpu": "X",
        "cores": 2,
        "gpu": "none",
        "tensorflow": "2.19.0",
        "keras": "3",
        "load_average": [0.1, 0.2, 0.3],
    }
    new = {**old, "date": "2026-02-02 12:00 UTC", "load_average": [5.0, 6.0, 7.0]}
    common.save_section(
        "accuracy",
        {
            "title": "T",
            "markdown": "m",
            "machine": old,
            "quick": False,
            "data": [{"architecture": "a"}],
        },
    )
    kept = common.load_results()["sections"]["accuracy"]["data"][0]
    common.save_section(
        "accuracy",
        {
            "title": "T",
            "markdown": "m",
            "machine": new,
            "quick": False,
            "data": [kept, {"architecture": "b"}],
        },
    )
    rows = common.load_results()["sections"]["accuracy"]["data"]
    assert [row["measured"]["date"] for row in rows] == [old["date"], new["date"]]
    line = common.stamp(common.load_results()["sections"]["accuracy"])
    assert "2026-01-01 10:00 UTC to 2026-02-02 12:00 UTC" in line and "load average 0.3–7.0" in line


def test_every_result_says_which_vector_extensions_its_cpu_had():
    """Two CPUs both called "AMD EPYC" ran the same fine-tuning in 107 s and 60 s: the stamp
    says which extensions the CPU had, so a reader can tell."""
    assert common.cpu_features(["fpu", "avx", "avx2", "avx512f", "avx512_bf16"]) == (
        "AVX-512, bfloat16"
    )
    assert common.cpu_features(["fpu", "avx", "avx2"]) == "AVX2"
    assert common.cpu_features(["fpu", "sse4_2"]) == "no AVX"
    here = common.machine()
    assert here["cpu_features"] != "" and here["cpu"] != ""
    section = {"machine": {**here, "load_average": [1.0, 1.0, 1.0]}, "data": []}
    assert f"{here['cpu']} ({here['cpu_features']}), {here['cores']} cores" in common.stamp(section)
    older = {k: v for k, v in here.items() if k != "cpu_features"}  # rows from before the field
    assert f"{here['cpu']}, {here['cores']} cores" in common.stamp({"machine": older, "data": []})


def test_a_bench_model_is_reused_only_for_the_same_recipe(mnist_small, tmp_path, monkeypatch):
    """Older records list every setting; a setting added since (at its default) keeps them valid,
    a changed setting trains the model again."""
    import dataclasses
    import json

    from handwriting.training import TrainingConfig

    monkeypatch.setattr(common, "MODELS_DIR", tmp_path)
    config = TrainingConfig.for_architecture("tiny", epochs=1, seed=0)
    common.trained(config, mnist_small)
    record_path = common.model_path("tiny", quick=False, seed=0).with_suffix(".run.json")
    record = json.loads(record_path.read_text())
    older = {k: v for k, v in dataclasses.asdict(config).items() if k != "initial_model"}
    record["recipe"]["config"] = older  # as written before initial_model existed
    record["seconds"] = -1.0  # a mark: only the stored record has it
    record_path.write_text(json.dumps(record))
    assert common.trained(config, mnist_small)[0]["seconds"] == -1.0  # re-used
    changed, _ = common.trained(dataclasses.replace(config, learning_rate=1e-4), mnist_small)
    assert changed["seconds"] > 0 and changed["learning_rate"] == 1e-4  # trained again


def _drawn_block() -> str:
    text = _block_page("drawn")
    return text[text.index("<!-- bench:drawn -->") : text.index("<!-- /bench:drawn -->")]


def test_the_readme_drawn_section_leads_with_the_real_writers_and_says_each_sets_role():
    """Issues 31 and 32: the real writers' rows come first, every set is shown with its role,
    and the page says plainly which set here is an evaluation set (none, in rows measured
    before the Quick, Draw! doodles were split into halves on 2026-12-06)."""
    from handwriting.drawn import ROLES, pendigits

    data = common.load_results()["sections"]["drawn"]["data"]
    pretrained = data["models"]["pretrained"]
    assert pretrained["real_writers"]["count"] == data["sizes"]["real_writers"]
    assert data["sizes"]["real_writers"] == pendigits.HELD_OUT_SIZE
    assert data["roles"].items() <= ROLES.items()
    assert pretrained["roles"]["real_writers"] == "development"
    block = _drawn_block()
    first = block.split("\n\n")[1]  # after the stamp line
    assert first.startswith("**Real writers' digits** (role: development")
    assert "every 5th row), not by writer" in first and "CC BY 4.0" in first
    assert block.index("| pretrained | drawcnn") < block.index("**Sets and their roles**")
    assert "| real writers' pen digits | 1,498 | development |" in block
    assert "| styles (training shapes) | 1,000 | training |" in block
    if data["sizes"].get("doodles_evaluation"):
        assert "**Evaluation set here: evaluation half of the Quick, Draw! doodles**" in block
    else:
        assert "**No set here is an evaluation set.**" in block
    assert "held-out styles right (development)" in block


def _tiny_drawn_report(mnist_small, model):
    """A drawn-digit report of a tiny benchmark, with stand-in doodles for both halves (no
    model is scored on the real evaluation half while developing)."""
    from handwriting import drawn as dd
    from handwriting.honest.drawn_benchmark import drawn_digit_benchmark

    _, (x_test, y_test) = mnist_small
    drawn = dd.evaluation_drawings(
        x_test[:3], y_test[:3], per_style=1, non_digits=13, real_writers=20
    )
    drawn.doodles = drawn.held_out_non_digits[:4]
    drawn.doodles_evaluation = drawn.held_out_non_digits[4:7]
    report = drawn_digit_benchmark(model, drawn, mnist_test=(x_test[:20], y_test[:20]))
    sizes = {
        "real_writers": 20,
        "mnist_strokes": 3,
        "styles": len(drawn.styles),
        "non_digits": 13,
        "held_out_styles": len(drawn.held_out_styles),
        "held_out_non_digits": 13,
        "doodles": 4,
        "doodles_evaluation": 3,
        "mnist_test": 20,
    }
    return report, sizes


def test_the_drawn_tables_show_real_writers_first_and_rows_measured_before_them(mnist_small):
    import copy

    from conftest import SureSeven

    from bench import drawn
    from handwriting.drawn import ROLES

    report, sizes = _tiny_drawn_report(mnist_small, SureSeven())
    report["trained"] = "a sure 7"
    old = copy.deepcopy(report)  # a row from before the real writers
    for key in ("real_writers", "roles"):
        del old[key]
    old["measured"] = {"date": "2026-12-01 02:47 UTC"}
    text = drawn.markdown(
        {"sizes": sizes, "roles": dict(ROLES), "models": {"old": old, "new": report}}
    )
    assert text.startswith("**Real writers' digits** (role: development, looked at while choosing")
    assert "the first 20 of the 1,498 digits held out" in text
    writers_row = "| new | a sure 7 | " + f"{report['real_writers']['accuracy']:.1%}"
    assert writers_row in text and text.index(writers_row) < text.index("**Sets and their roles**")
    assert (
        "_Not yet measured on the real writers' digits: old (their rows below were measured "
        "2026-12-01 02:47 UTC" in text
    )
    assert "| new | read right | " in text and "| old | read right | " not in text
    assert "| real writers' pen digits | 20 | development |" in text
    assert "| non-digits (training kinds) | 13 | training |" in text
    assert "| evaluation half of the Quick, Draw! doodles | 3 | evaluation |" in text
    assert "**Evaluation set here: evaluation half of the Quick, Draw! doodles**, frozen" in text
    assert "Quick, Draw! evaluation half flagged (evaluation)" in text  # a column of its own
    assert "| new | evaluation half of the Quick, Draw! doodles (evaluation) | " in text
    assert "| old | development half of the Quick, Draw! doodles (development) | " in text
    assert "4 of the development half's 4 kinds and 3 of the evaluation half's 3 kinds" in text
    assert "| new | real writers' pen digits (development) |" in text  # answers, per digit
    assert "| old | real writers' pen digits (development) |" not in text
    assert "| old | MNIST test digits redrawn as strokes (development) |" in text
    wrong = ", ".join(
        f"{pair.replace('->', ' -> ')}: {n}"
        for pair, n in report["real_writers"]["confusions"].items()
    )
    assert wrong in text and " -> 7: " in wrong


def test_drawn_rows_not_measured_again_keep_their_own_record(tmp_path, monkeypatch):
    from bench import drawn

    monkeypatch.setattr(common, "RESULTS_JSON", tmp_path / "results.json")
    monkeypatch.setattr(common, "RESULTS_MD", tmp_path / "results.md")
    old = {
        "date": "2026-12-01 02:47 UTC",
        "cpu": "X",
        "cores": 2,
        "gpu": "none",
        "tensorflow": "2.19.0",
        "keras": "3",
        "load_average": [0.1, 0.2, 1.4],
    }
    sizes = {"mnist_strokes": 2000, "styles": 1000}
    models = {"dnn": {"a": 1}, "pretrained": {"a": 2}}
    results = {
        "sections": {
            "drawn": {
                "title": "T",
                "markdown": "m",
                "machine": old,
                "quick": False,
                "data": {"sizes": sizes, "measured": old, "models": models},
            }
        }
    }
    common.save_results(results)
    kept = drawn._kept_rows(False, ["pretrained"], {**sizes, "real_writers": 1498})
    assert kept == {"dnn": {"a": 1, "measured": old}}
    # a set of another size: the other rows cannot stand in the same table, they are left out
    assert drawn._kept_rows(False, ["pretrained"], {**sizes, "styles": 100}) == {}
    with pytest.raises(ValueError, match="Unknown model.*nope"):
        drawn.run(archs=["nope"])
    new = {**old, "date": "2026-12-06 10:00 UTC", "load_average": [2.0, 2.0, 2.5]}
    models = {**kept, "pretrained": {"a": 3}}
    common.save_section(
        "drawn",
        {
            "title": "T",
            "markdown": "m",
            "machine": new,
            "quick": False,
            "data": {"sizes": sizes, "models": models},
        },
    )
    section = common.load_results()["sections"]["drawn"]
    assert section["data"]["models"]["pretrained"]["measured"] == new
    assert section["data"]["models"]["dnn"]["measured"] == old
    assert "rows measured 2026-12-01 02:47 UTC to 2026-12-06 10:00 UTC" in common.stamp(section)


def test_time_to_99_is_judged_on_validation_and_reports_test_beside_it():
    """Issue 32: the target stays where the speed issue set it (validation accuracy); a seed
    at 99 % on test but not on validation does not meet it, and test accuracy is only reported."""
    from bench import time_to_99

    def row(seed, seconds, val, test, **extra):
        return {
            "architecture": "tiny" if extra else "fast",
            "seed": seed,
            "epochs": 2,
            "batch_size": 128,
            "learning_rate": 0.003,
            "seconds": seconds,
            "val_accuracy": val,
            "test_accuracy": test,
            "bfloat16": False,
            "target": 0.99,
            **extra,
        }

    baseline = row(0, 40.0, 0.985, 0.990, baseline=True)
    missed = [row(s, 8.0, 0.989, 0.992) for s in range(3)] + [baseline]
    text = time_to_99.markdown(missed)
    assert "every seed at >= 99.0% validation accuracy: **not met**" in text
    assert "(0 of 3 seeds at >= 99.0%)" in text and "(3 of 3 seeds at >= 99.0%)" in text
    assert text.count("**met**") == 0 and "test acc (reported, not the target)" in text
    met = [row(s, 8.0, 0.991, 0.989) for s in range(3)] + [baseline]
    assert "validation accuracy: **met**" in time_to_99.markdown(met)
    slow = [row(s, 12.0, 0.995, 0.995) for s in range(3)] + [baseline]
    assert "validation accuracy: **not met**" in time_to_99.markdown(slow)
    stored = common.load_results()["sections"]["time_to_99"]
    assert stored["title"] == time_to_99.TITLE and "validation" in stored["title"]


def test_best_accuracy_is_judged_on_validation_and_its_before_comes_from_the_results():
    """Issue 32: >= 99.7 % is judged on validation; the test figure beside it says how many
    variants were compared on the test set and by how many digits it clears the target; the
    single-model "before" is the accuracy section's bncnn row, not a figure typed in the bench."""
    import copy

    from bench import best_accuracy

    assert not hasattr(best_accuracy, "BEFORE")
    results = common.load_results()
    rows = results["sections"]["best_accuracy"]["data"]
    single = best_accuracy.single_model_row(results)
    assert single["architecture"] == "bncnn" and single["seed"] == 0
    text = best_accuracy.markdown(rows, single)
    val = common.median([r["val_accuracy"] for r in rows])
    verdict = "**met**" if val >= best_accuracy.TARGET else "**not met**"
    assert "median validation accuracy over 3 seeds, its TF.js export reading the test " in text
    assert f"as Keras does: {verdict} (median validation accuracy **{val:.2%}**" in text
    n = len(best_accuracy.VARIANTS_COMPARED_ON_TEST)
    assert n >= 4 and f"{n} recipe variants were compared on this test set" in text
    digits = round(common.median([r["test_accuracy"] for r in rows]) * 10_000) - 9_970
    assert f"clears 99.7% by {digits} of the 10,000 test digits" in text
    assert f"test {single['test_accuracy']:.2%}." in text and single["measured"]["date"] in text
    # rows without validation figures: said so, and judged on test
    older = copy.deepcopy(rows)
    for row in older:
        del row["val_accuracy"]
    assert "hold no validation accuracy of the ensemble, so the verdict is on the test set" in (
        best_accuracy.markdown(older, single)
    )


def test_the_accuracy_target_says_how_many_recipes_were_compared_on_the_test_set():
    """Issue 32: bncnn was re-tuned after a "not met" on the test set; its "met" says how many
    of its recipes were compared there and by how many test digits it clears the target."""
    import copy

    from bench import accuracy

    rows = common.load_results()["sections"]["accuracy"]["data"]
    bncnn = next(row for row in rows if row["architecture"] == "bncnn")
    n = len(accuracy.RECIPES_COMPARED_ON_TEST["bncnn"])
    margin = round(bncnn["test_accuracy"] * 10_000) - 9_960
    text = accuracy.markdown(rows)
    assert n >= 4 and f"at least {n} `bncnn` recipes were compared on it, those with rows" in text
    assert f"it clears 99.6% by {margin} of the 10,000 test digits" in text
    missed = copy.deepcopy(rows)
    for row in missed:
        row["test_accuracy"] = min(row["test_accuracy"], 0.9958)
    assert "it is 2 short of 99.6% of the 10,000 test digits" in accuracy.targets(missed)


def test_finetune_reports_non_digits_flagged_on_kinds_it_never_trains_on():
    """Issue 32: the fine-tuning section shows non-digits flagged before and after on the kinds
    fine-tuning trains on (role: training) and on kinds it never sees (held-out kinds, doodles);
    rows measured before those were read say so instead of showing nothing."""
    import copy

    from bench import finetune

    stored = common.load_results()["sections"]["finetune"]["data"]
    text = finetune.markdown(stored)
    assert "non-digits flagged: kinds it trains on (training)" in text
    assert "non-digits flagged: held-out kinds, never trained on (development)" in text
    assert "Not yet measured" not in text  # every stored person was read on them
    unmeasured = copy.deepcopy(stored)
    for row in unmeasured:  # as rows measured before those kinds were read
        for family in finetune.NOT_TRAINED_ON:
            for key in ("count", "flagged_before", "flagged_after"):
                row.pop(f"{family}_{key}", None)
    text = finetune.markdown(unmeasured)
    assert "_Not yet measured on the kinds fine-tuning never trains on: persons 1301" in text
    rows = copy.deepcopy(stored)
    for k, row in enumerate(rows):
        for family, count in (("non_digits", 520), ("held_out_non_digits", 520), ("doodles", 8)):
            row.update(
                {
                    f"{family}_count": count,
                    f"{family}_flagged_before": 0.5,
                    f"{family}_flagged_after": 0.25 + k / 8,
                }
            )
    text = finetune.markdown(rows)
    assert "Not yet measured" not in text
    assert "drawings read: 520 (kinds it trains on), 520 (held-out kinds" in text
    assert "| 50.0% -> 25.0% | 50.0% -> 25.0% | 50.0% -> 25.0% |" in text  # the first person
    assert "| 50.0% -> 37.5% | 50.0% -> 37.5% | 50.0% -> 37.5% |" in text  # the median
