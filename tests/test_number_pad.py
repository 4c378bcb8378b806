"""The number pad without a browser: the same path as a real writing, fed strokes or events."""

from __future__ import annotations

import numpy as np
import pytest

from handwriting.drawn.written_numbers import NUMBER_PAD, number_strokes
from handwriting.numbers import NumberError, NumberReader, rasterize_wide
from handwriting.numbers.writing import NumberSketch, cut_picture, cut_strokes
from handwriting.plots import figure_to_png
from handwriting.widgets import NumberPad

FORTY_TWO = number_strokes("42")


@pytest.fixture(scope="module")
def pad():
    return NumberPad()  # the lab's pretrained model


@pytest.fixture()
def fresh(pad):
    pad.clear()
    return pad


def test_a_wide_pad_reads_42_written_as_strokes(fresh):
    pad = fresh
    assert pad.sketch.size == (280, 840) and pad.canvas.width == 3 * pad.canvas.height
    assert pad.using_pretrained and "pretrained" in pad.model_note.value
    reading = pad.draw_strokes(FORTY_TWO)
    assert reading.text == "42" and [d.digit for d in reading.digits] == [4, 2]
    assert pad.reading is reading and len(reading.boxes) == 2
    assert 'data-text="42"' in pad.prediction.value and "<b" in pad.prediction.value
    rows = pad.digit_rows.value
    assert rows.count('class="hw-number-digit"') == 2  # one row per digit ...
    assert rows.count('class="hw-bar"') == 20  # ... ten small bars each
    assert 'data-index="0" data-digit="4"' in rows and 'data-index="1" data-digit="2"' in rows
    # the same number as the reader reads it from the strokes and from the canvas's pixels
    reader = NumberReader("pretrained")
    assert reader.read_strokes(FORTY_TWO, NUMBER_PAD).boxes == reading.boxes
    assert reader.read(pad.rgba()).text == "42"


def test_the_boxes_are_drawn_on_the_canvas(fresh, monkeypatch):
    drawn = []
    monkeypatch.setattr(fresh.canvas, "stroke_rect", lambda *box: drawn.append(box))
    reading = fresh.draw_strokes(FORTY_TWO)
    assert drawn == [(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in reading.boxes]


def test_mouse_events_write_like_draw_strokes(pad):
    by_events = NumberPad(live_interval=0)
    for stroke in FORTY_TWO:
        points = stroke.tolist()
        by_events._pointer_down(*points[0])
        for x, y in points[1:]:
            by_events._pointer_move(x, y)
        by_events._pointer_up()
    assert by_events.reading.text == "42"
    assert by_events.readings_shown > len(FORTY_TWO)  # live readings while writing
    pad.clear()
    assert pad.draw_strokes(FORTY_TWO).boxes == by_events.reading.boxes


def test_undo_and_clear(fresh):
    pad = fresh
    pad.draw_strokes(FORTY_TWO)
    pad.draw_strokes(number_strokes("7", left=500))
    assert pad.reading.text == "427"
    assert pad.undo().text == "42"
    assert pad.undo().text == "4"  # the 2 was one stroke; the open 4 is two
    cleared = pad.clear()
    assert cleared.text == "" and cleared.refused == "blank" and cleared.digits == []
    assert "Write a number" in pad.prediction.value and pad.digit_rows.value == ""
    assert pad.undo().refused == "blank"  # nothing left to undo


def test_bad_input_gets_a_clear_answer(fresh):
    pad = fresh
    with pytest.raises(ValueError, match="finite"):
        pad.draw_strokes([[(10, 10), (float("nan"), 40)]])
    assert "finite" in pad.prediction.value, "the pad shows what the cell raised"
    assert pad.sketch.strokes == []  # nothing was added
    many = pad.draw_strokes([[(x, 140), (x + 2, 150)] for x in np.arange(20, 820, 40)])
    assert many.refused == "too_many" and "at most 12 digits" in pad.prediction.value
    pad.clear()
    speck = pad.draw_strokes(number_strokes("4") + [[(400, 150)]] + number_strokes("2", left=500))
    assert speck.text == "4?2" and "not sure of" in pad.prediction.value
    assert 'data-verdict="too_small"' in pad.digit_rows.value
    with pytest.raises(NumberError, match="width must be at least its height"):
        NumberPad(size=(280, 200))
    with pytest.raises(ValueError, match="digits"):
        number_strokes("4a")


def test_a_number_cut_shows_each_digits_square_and_28x28():
    reader = NumberReader("pretrained")
    cut = cut_strokes(reader, FORTY_TWO)
    assert cut.reading.text == "42" and len(cut.squares) == 2 and cut.source == "strokes"
    assert all(s.shape[0] == s.shape[1] >= 28 for s in cut.squares)
    assert figure_to_png(cut.figure()).startswith(b"\x89PNG")
    # touching digits: the strokes keep them apart, a picture has only ink
    touching = number_strokes("38", gap=-0.05)
    assert cut_strokes(reader, touching).reading.text == "38"
    picture = cut_picture(reader, rasterize_wide(touching, NUMBER_PAD))
    assert picture.source == "pixels" and picture.reading.text != "38"
    assert figure_to_png(picture.figure()).startswith(b"\x89PNG")
    # a 1 tucked under a 7's bar is taken for part of the 7
    assert cut_strokes(reader, number_strokes("71")).reading.text == "71"
    assert len(cut_strokes(reader, number_strokes("71", gap=-0.2)).reading.digits) == 1
    blank = cut_strokes(reader, [])
    assert blank.reading.refused == "blank" and blank.squares == []
    assert figure_to_png(blank.figure()).startswith(b"\x89PNG")


def test_the_sketch_keeps_strokes_as_the_pad_draws_them():
    sketch = NumberSketch()
    sketch.begin(10, 10)
    sketch.extend(20, 30)
    assert sketch.drawing and sketch.all_strokes() == [[(10.0, 10.0), (20.0, 30.0)]]
    sketch.end()
    assert sketch.strokes == [[(10.0, 10.0), (20.0, 30.0)]] and not sketch.drawing
    with pytest.raises(ValueError, match="finite"):
        sketch.begin(float("inf"), 3)
    assert sketch.rgba().shape == (280, 840, 4)


def test_a_pad_reads_with_a_model_of_your_own(tiny_model):
    pad = NumberPad(tiny_model)
    assert not pad.using_pretrained and pad.model is tiny_model and pad.model_note.value == ""
    reading = pad.draw_strokes(FORTY_TWO)
    assert len(reading.digits) == 2 and all(d.probabilities is not None for d in reading.digits)
