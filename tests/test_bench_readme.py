"""Every figure in the README comes from a recorded benchmark run (bench/results.json)."""
from __future__ import annotations

import re

import pytest

from bench import common
from bench.readme import README, ReadmeError, generated_sections, outside_blocks, render_readme


def test_the_readme_tables_are_what_results_json_generates():
    text = README.read_text()
    assert render_readme(text, common.load_results()) == text, \
        "README.md's tables differ from bench/results.json: run `python -m bench --readme`"
    assert {"accuracy", "time_to_99", "overhead", "pad_latency", "tfjs"} <= set(generated_sections(text))


def test_no_measured_figure_is_typed_by_hand_outside_the_generated_tables():
    by_hand = re.findall(r"\d+\.\d\d ?%|\d+\.\d+ ?(?:ms|s)\b", outside_blocks(README.read_text()))
    assert by_hand == [], f"figures typed by hand in README.md: {by_hand}"


def test_a_block_for_a_section_that_was_never_measured_is_an_error():
    with pytest.raises(ReadmeError, match="python -m bench --only nothing"):
        render_readme("<!-- bench:nothing -->\n<!-- /bench:nothing -->\n", {"sections": {}})


def test_rows_keep_their_own_record_when_a_section_is_merged(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "RESULTS_JSON", tmp_path / "results.json")
    monkeypatch.setattr(common, "RESULTS_MD", tmp_path / "results.md")
    old = {"date": "2026-01-01 10:00 UTC", "cpu": "X", "cores": 2, "gpu": "none",
           "tensorflow": "2.19.0", "keras": "3", "load_average": [0.1, 0.2, 0.3]}
    new = {**old, "date": "2026-02-02 12:00 UTC", "load_average": [5.0, 6.0, 7.0]}
    common.save_section("accuracy", {"title": "T", "markdown": "m", "machine": old, "quick": False,
                                     "data": [{"architecture": "a"}]})
    kept = common.load_results()["sections"]["accuracy"]["data"][0]
    common.save_section("accuracy", {"title": "T", "markdown": "m", "machine": new, "quick": False,
                                     "data": [kept, {"architecture": "b"}]})
    rows = common.load_results()["sections"]["accuracy"]["data"]
    assert [row["measured"]["date"] for row in rows] == [old["date"], new["date"]]
    line = common.stamp(common.load_results()["sections"]["accuracy"])
    assert "2026-01-01 10:00 UTC to 2026-02-02 12:00 UTC" in line and "load average 0.3–7.0" in line


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
    record["recipe"]["config"] = older                   # as written before initial_model existed
    record["seconds"] = -1.0                             # a mark: only the stored record has it
    record_path.write_text(json.dumps(record))
    assert common.trained(config, mnist_small)[0]["seconds"] == -1.0          # re-used
    changed, _ = common.trained(dataclasses.replace(config, learning_rate=1e-4), mnist_small)
    assert changed["seconds"] > 0 and changed["learning_rate"] == 1e-4       # trained again
