"""The drawing pad without a browser: the same path as a real drawing, fed strokes or pixels."""

from __future__ import annotations

import numpy as np
import pytest

from handwriting.honest.calibration import Calibration
from handwriting.models.digit_model import ModelError
from handwriting.preprocess import digit_to_canvas, preprocess_canvas
from handwriting.strokes import rasterize_strokes
from handwriting.widgets import DrawingPad

SEVEN = [[(60, 50), (220, 50), (120, 250)]]
ONE = [[(140, 30), (140, 250)]]


def test_mnist_digits_drawn_on_the_canvas_are_read_correctly(cnn2_model, mnist_small):
    """Test digits rendered at canvas scale go through the pad's full path (>= 98 %)."""
    pad = DrawingPad(cnn2_model)
    (_, _), (x_test, y_test) = mnist_small
    n = 500
    guesses = [pad.set_pixels(digit_to_canvas(x)).digit for x in x_test[:n]]
    accuracy = np.mean(np.array(guesses) == y_test[:n])
    assert accuracy >= 0.98, f"{accuracy:.2%}"


def test_strokes_update_prediction_preview_and_bars(tiny_model):
    pad = DrawingPad(tiny_model)
    reading = pad.draw_strokes(ONE)
    assert reading.digit is not None and 0 < reading.confidence <= 1
    np.testing.assert_allclose(reading.image, preprocess_canvas(rasterize_strokes(ONE)))
    assert f'data-digit="{reading.digit}"' in pad.prediction.value
    assert f'data-likeliest="{reading.digit}"' in pad.prediction.value
    assert pad.bars.value.count('class="hw-bar"') == 10
    assert bytes(pad.preview.value).startswith(b"\x89PNG")
    assert pad.reading.probabilities.sum() == pytest.approx(1.0, abs=1e-5)


def test_mouse_events_draw_like_draw_strokes(tiny_model):
    by_events, by_call = DrawingPad(tiny_model), DrawingPad(tiny_model)
    points = SEVEN[0]
    by_events._pointer_down(*points[0])
    for x, y in points[1:]:
        by_events._pointer_move(x, y)
    by_events._pointer_up()
    expected = by_call.draw_strokes(SEVEN)
    np.testing.assert_array_equal(by_events.reading.probabilities, expected.probabilities)


def test_undo_and_clear(tiny_model):
    pad = DrawingPad(tiny_model)
    first = pad.draw_strokes(ONE)
    pad.draw_strokes([[(60, 60), (220, 220)]])
    assert len(pad.sketch.strokes) == 2
    again = pad.undo()
    np.testing.assert_array_equal(again.probabilities, first.probabilities)
    cleared = pad.clear()
    assert cleared.digit is None and cleared.refused == "blank"
    assert 'data-digit=""' in pad.prediction.value and "Draw a digit" in pad.prediction.value
    assert pad.undo().refused == "blank"  # nothing left to undo: still blank


def test_blank_dot_and_full_canvas_are_never_guessed(tiny_model):
    pad = DrawingPad(tiny_model)
    assert pad.refresh().digit is None
    assert pad.draw_strokes([[(140, 140)]]).refused == "too_small"
    full = np.full((280, 280, 4), 255, np.uint8)
    reading = pad.set_pixels(full)
    assert reading.digit is None and reading.refused == "too_full"
    assert "Clear the pad" in pad.prediction.value


def test_a_model_with_the_wrong_shape_is_refused_clearly():
    import keras

    wrong_input = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    with pytest.raises(ModelError, match="28, 28, 1"):
        DrawingPad(wrong_input)
    wrong_output = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(5)]
    )
    with pytest.raises(ModelError, match="10"):
        DrawingPad(wrong_output)


def test_bad_pixels_are_refused_clearly(tiny_model):
    pad = DrawingPad(tiny_model)
    with pytest.raises(TypeError, match="uint8"):
        pad.set_pixels(np.zeros((280, 280, 4), np.float64))
    with pytest.raises(ValueError, match="280x280"):
        pad.set_pixels(np.zeros((56, 56, 4), np.uint8))
    assert "280x280" in pad.prediction.value, "the pad shows what the cell raised"
    with pytest.raises(ValueError, match="finite"):
        pad.draw_strokes([[(10, 10), (float("nan"), 40)]])
    assert "finite" in pad.prediction.value


def test_a_pad_too_small_to_read_is_refused_when_made(tiny_model):
    with pytest.raises(ValueError, match="The canvas is 10x10; it must be at least 28x28"):
        DrawingPad(tiny_model, size=10)
    with pytest.raises(ValueError, match="positive whole number of pixels"):
        DrawingPad(tiny_model, size=0)
    assert DrawingPad(tiny_model, size=28).sketch.size == 28


def test_refused_strokes_leave_the_drawing_as_it_was(tiny_model):
    pad = DrawingPad(tiny_model)
    before = pad.draw_strokes(ONE)
    for bad in (
        [[(float("nan"), 3), (4, 5)]],  # a bad first point
        [[(60, 60), (220, 220)], [(10, 10), (float("inf"), 40)]],  # a bad later stroke
        [[(1, 2, 3)]],
    ):
        with pytest.raises(ValueError, match="finite"):
            pad.draw_strokes(bad)
        assert len(pad.sketch.strokes) == 1 and not pad.sketch.drawing
    after = pad.draw_strokes([])
    np.testing.assert_array_equal(after.image, before.image)
    pad.draw_strokes(SEVEN)  # and the pad goes on drawing
    assert len(pad.sketch.strokes) == 1 + len(SEVEN)


def test_pad_reads_with_the_pretrained_model_until_its_training_panel_has_one(mnist_small):
    from handwriting.widgets import TrainingPanel

    panel = TrainingPanel(data=mnist_small, architecture="tiny", epochs=1)
    pad = DrawingPad(panel)
    assert pad.using_pretrained and pad.draw_strokes(ONE).digit == 1
    panel.train(wait=True)
    assert pad.model is panel.model and not pad.using_pretrained and pad.refresh().digit is not None
    assert pad.recognizer.calibration == panel.calibration != Calibration()  # fitted for it


def test_a_pad_following_a_panel_reads_a_finetuned_model_with_its_refitted_calibration(
    mnist_small, personal_drawings
):
    from handwriting.widgets import TrainingPanel

    panel = TrainingPanel(data=mnist_small, architecture="tiny", epochs=1, seed=0)
    pad = DrawingPad(panel)
    panel.train(wait=True)
    panel.finetune(personal_drawings, wait=True, epochs=1)
    refitted = panel.finetune_result.calibration
    assert pad.model is panel.finetune_result.model and pad.recognizer.calibration is refitted
    assert refitted.temperature != 1  # what the pad used before: Calibration()
    reading = pad.draw_strokes(ONE)
    raw = pad.model.predict(reading.image[None, ..., None], verbose=0)
    np.testing.assert_allclose(reading.probabilities, refitted.apply(raw)[0], atol=1e-4)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


def test_a_thousand_strokes_do_not_grow_memory(tiny_model):
    """Long use: 1,000 strokes drawn with mouse events, cleared every ten strokes."""
    import tracemalloc

    pad = DrawingPad(tiny_model)

    def draw(n):
        for i in range(n):
            if i % 10 == 0:
                pad.clear()
            x = 40 + (i * 7) % 200
            pad._pointer_down(x, 40)
            for y in range(60, 240, 30):
                pad._pointer_move(x + (y % 50), y)
            pad._pointer_up()

    draw(200)  # warm-up: traces, caches, allocator pools
    rss_before = _rss_mb()
    tracemalloc.start()
    first = tracemalloc.take_snapshot()
    draw(1000)
    grown = sum(
        stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(first, "filename")
    )
    tracemalloc.stop()
    assert grown < 2e6, f"Python objects grew by {grown / 1e6:.1f} MB over 1,000 strokes"
    assert _rss_mb() - rss_before < 50, "process memory keeps growing"
    assert pad.reading.digit is not None


def test_a_model_whose_training_diverged_is_named_not_read(tmp_path):
    """A model that gives NaN (diverged training) is said plainly on the pad, with the fix,
    instead of a calibration error about 'non-negative probabilities'."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.set_weights([np.full(w.shape, np.nan, np.float32) for w in model.get_weights()])
    pad = DrawingPad(model)
    with pytest.raises(ModelError, match="training diverged"):
        pad.draw_strokes([[(140, 40), (140, 240)]])
    assert "training diverged" in pad.prediction.value
