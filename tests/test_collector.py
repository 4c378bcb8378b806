"""The collector without a browser: prompts, Save/Next, Redo last, Keep as, the grid, errors."""

from __future__ import annotations

import errno
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from handwriting.drawn.collected import DrawingsError, load_drawings
from handwriting.drawn.templates import segment_drawing
from handwriting.preprocess import DrawingError
from handwriting.widgets import DrawingCollector, DrawingPad


@pytest.fixture()
def pad(tiny_model):
    return DrawingPad(tiny_model)


def _draw(pad, digit, seed=0):
    pad.draw_strokes(segment_drawing(digit, np.random.default_rng(seed)).strokes)


def test_save_next_walks_through_the_prompts_and_fills_the_grid(pad, tmp_path):
    collector = DrawingCollector(pad, tmp_path, per_digit=2, digits=[3, 8])
    assert (
        "Draw a 3 (1 of 2)" in collector.prompt.value
        and "Nothing collected yet" in collector.grid.value
    )
    assert collector.redo_button.disabled and not collector.save_button.disabled
    for seed in range(4):
        _draw(pad, collector.collection.digit, seed)
        collector.save_button.click()
        assert pad.sketch.strokes == [] and pad.reading.refused == "blank"  # cleared for the next
    assert "Done: 4 drawings" in collector.prompt.value and collector.save_button.disabled
    assert collector.grid.value.count('class="hw-thumb"') == 4
    assert re.findall(r"<figcaption>(.*?)</figcaption>", collector.grid.value) == [
        "3",
        "3",
        "8",
        "8",
    ]
    assert load_drawings(tmp_path).labels.tolist() == [3, 3, 8, 8]


def test_redo_last_deletes_the_file_and_asks_for_it_again(pad, tmp_path):
    collector = DrawingCollector(pad, tmp_path, per_digit=2, digits=[1])
    _draw(pad, 1)
    first = collector.save()
    _draw(pad, 1, seed=1)
    second = collector.save()
    collector.redo_button.click()
    assert not second.path.exists() and first.path.exists()
    assert (
        "Draw a 1 (2 of 2)" in collector.prompt.value
        and second.path.name in collector.message.value
    )
    assert (
        collector.grid.value.count('class="hw-thumb"') == 1 and not collector.save_button.disabled
    )


def test_redo_last_in_a_read_only_folder_keeps_the_drawing_and_says_what_to_do(
    pad, tmp_path, monkeypatch
):
    collector = DrawingCollector(pad, tmp_path, per_digit=2, digits=[1])
    _draw(pad, 1)
    saved = collector.save()
    unlink = Path.unlink

    def refused(path, missing_ok=False):  # as a read-only folder does (root would not be refused)
        if path == saved.path:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)
    collector.redo_button.click()
    assert saved.path.exists() and collector.collection.saved == [saved]
    assert (
        collector.grid.value.count('class="hw-thumb"') == 1
        and "Draw a 1 (2 of 2)" in collector.prompt.value
    )
    message = collector.message.value
    assert "b00020" in message and f"Could not delete {saved.path} (Permission denied)" in message
    assert (
        f"Make {tmp_path / '1'} writable, or delete the file yourself, then redo again" in message
    )


def test_a_folder_that_disappears_mid_session_is_told_and_no_drawing_is_lost(pad, tmp_path):
    folder = tmp_path / "mine"
    collector = DrawingCollector(pad, folder, per_digit=3, digits=[6])
    _draw(pad, 6)
    collector.save()
    shutil.rmtree(folder)  # deleted (or its drive unplugged)
    _draw(pad, 6, seed=1)
    second = collector.save()  # made again: the new drawing is kept
    assert second.path.exists()
    assert re.findall(r"<figcaption>(.*?)</figcaption>", collector.grid.value) == [
        "6 (file gone)",
        "6",
    ]
    assert f"1 drawing(s) saved earlier are no longer in {folder}" in collector.message.value

    shutil.rmtree(folder)
    folder.write_text("a file where the folder was")
    _draw(pad, 6, seed=2)
    collector.save_button.click()
    assert pad.sketch.strokes != [] and len(collector.collection.saved) == 2  # still on the pad
    assert (
        f"Could not save the drawing in {folder / '6'} (Not a directory" in collector.message.value
    )
    assert "a writable folder again" in collector.message.value


def test_the_prompt_changes_after_the_grid_it_announces(pad, tmp_path):
    # A browser applies widget messages in order: whoever sees the new prompt sees the new grid.
    collector = DrawingCollector(pad, tmp_path, per_digit=2, digits=[1])
    changed = []
    collector.grid.observe(lambda _: changed.append("grid"), "value")
    collector.prompt.observe(lambda _: changed.append("prompt"), "value")
    _draw(pad, 1)
    collector.save()
    collector.redo()
    assert changed == ["grid", "prompt", "grid", "prompt"]


def test_keep_as_saves_the_pads_drawing_under_the_chosen_label(pad, tmp_path):
    collector = DrawingCollector(pad, tmp_path)
    _draw(pad, 4)
    collector.keep_digit.value = 4
    collector.keep_button.click()
    (kept,) = collector.collection.saved
    assert (
        kept.digit == 4
        and kept.path.parent == tmp_path / "4"
        and "Kept as a 4" in collector.message.value
    )
    assert "4 (kept)" in collector.grid.value and "Draw a 0 (1 of 5)" in collector.prompt.value
    _draw(pad, 9)
    assert collector.keep(9).path.parent == tmp_path / "9"  # from code, the label is an argument


def test_a_blank_pad_is_refused_shown_and_raised_to_code_but_not_to_a_click(pad, tmp_path):
    collector = DrawingCollector(pad, tmp_path)
    with pytest.raises(DrawingError):
        collector.save()
    assert "b00020" in collector.message.value  # shown in red in the collector
    collector.message.value = ""
    collector.save_button.click()  # a click only shows it
    assert "b00020" in collector.message.value
    with pytest.raises(DrawingsError, match="Nothing to redo"):
        collector.redo()
    assert "Nothing to redo" in collector.message.value
    assert list(tmp_path.rglob("*.png")) == [] and "Draw a 0 (1 of 5)" in collector.prompt.value


def test_fill_answers_the_remaining_prompts_through_the_pad(pad, tmp_path):
    collector = DrawingCollector(pad, tmp_path, per_digit=2, digits=[2, 5])
    _draw(pad, 2)
    collector.save()
    drawn = []
    pad.on_reading(drawn.append)
    filled = collector.fill(segment_drawing, seed=1)
    assert [item.digit for item in filled] == [2, 5, 5] and collector.collection.finished
    assert [r.refused == "blank" for r in drawn] == [
        False,
        True,
    ] * 3  # drawn and read, then cleared
    assert load_drawings(tmp_path).labels.tolist() == [2, 2, 5, 5]
    assert collector.fill(segment_drawing) == []


def test_thumbnails_need_a_caption_each():
    from handwriting.widgets.gallery import thumbnail_grid_html

    assert thumbnail_grid_html([], [], empty="none") == "none"
    assert thumbnail_grid_html(np.zeros((2, 28, 28, 1)), ["a", "b<"]).count("<figcaption>") == 2
    assert "b&lt;" in thumbnail_grid_html(np.zeros((2, 28, 28)), ["a", "b<"])
    with pytest.raises(ValueError, match="a caption per image"):
        thumbnail_grid_html(np.zeros((2, 28, 28)), ["a"])
