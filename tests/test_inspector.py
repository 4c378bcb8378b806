"""The Inspector widget without a browser: it follows the pad's drawing and the pad's model."""

from __future__ import annotations

import re

import numpy as np
import pytest

from handwriting.widgets import DrawingPad, Inspector

ONE = [[(140, 30), (140, 250)]]
SEVEN = [[(60, 50), (220, 50), (120, 250)]]


@pytest.fixture()
def index_digits(mnist_small):
    (x_train, y_train), _ = mnist_small
    return x_train[:500], y_train[:500]


def shapes_shown(inspector) -> list[str]:
    return re.findall(r'data-shape="([0-9x]+)"', inspector.layers.value)


def test_the_inspector_shows_the_pads_drawing_inside_the_model(tiny_model, index_digits):
    pad = DrawingPad(tiny_model)
    inspector = Inspector(pad, index_digits=index_digits)
    assert inspector.inspection is None and "Draw a digit" in inspector.status.value
    reading = pad.draw_strokes(SEVEN)
    inspector.wait()  # the neighbour index is built in a thread
    inspection = inspector.inspection
    np.testing.assert_array_equal(inspection.image, reading.image)
    assert inspection.digit == reading.digit and f"<b>{reading.digit}</b>" in inspector.status.value
    assert shapes_shown(inspector) == ["14x14x32", "7x7x64", "10"]  # tiny: two convs, one dense
    assert inspector.layers.value.count('class="hw-feature-maps"') == 2
    assert inspector.evidence.value.count('class="hw-saliency"') == 2
    assert inspector.neighbours.value.count('class="hw-neighbour"') == 8
    assert "32 filters of 5×5" in inspector.filters.value

    first = inspection
    pad.draw_strokes(ONE)  # the drawing changes: so does the inspector
    assert inspector.inspection is not first
    np.testing.assert_array_equal(inspector.inspection.image, pad.reading.image)
    pad.clear()
    assert inspector.inspection is None and inspector.layers.value == ""


def test_it_waits_for_the_end_of_a_stroke_and_compares_with_a_chosen_digit(
    tiny_model, index_digits
):
    pad = DrawingPad(tiny_model, live_interval=0)
    inspector = Inspector(pad, index_digits=index_digits)
    pad._pointer_down(60, 50)
    for x, y in SEVEN[0][1:]:
        pad._pointer_move(x, y)
    assert pad.reading.digit is not None and inspector.inspection is None  # live pad, still
    pad._pointer_up()
    assert inspector.inspection is not None
    other = (inspector.inspection.digit + 1) % 10
    inspector.other.value = other
    assert list(inspector.inspection.saliency)[1] == other
    assert f'data-digit="{other}"' in inspector.evidence.value


def test_it_follows_a_new_model_on_the_pad_and_a_training_panel(
    tiny_model, mnist_small, index_digits
):
    from handwriting.models.architectures import build
    from handwriting.widgets import TrainingPanel

    panel = TrainingPanel(data=mnist_small, architecture="dnn", epochs=1)
    pad = DrawingPad(panel)
    inspector = Inspector(pad, panel, index_digits=index_digits)
    pad.draw_strokes(SEVEN)  # before the panel has trained, the pad reads with the lab's own model
    assert "(drawcnn)" in inspector.status.value
    panel.train(wait=True)
    inspector.wait()
    assert inspector.probe.model is panel.model and inspector.inspection is not None
    assert "no conv layers" in inspector.layers.value and shapes_shown(inspector) == ["128", "10"]
    assert "128 units' weights over the 28×28 pixels" in inspector.filters.value

    pad.model = tiny_model
    inspector.wait()
    assert inspector.probe.model is tiny_model and inspector.inspection.neighbours is not None
    assert shapes_shown(inspector) == ["14x14x32", "7x7x64", "10"]

    untrained = build("cnn1")
    pad.model = untrained
    assert inspector.probe.model is untrained and shapes_shown(inspector)[0] == "26x26x64"


def test_a_snapshot_of_a_run_in_progress_leaves_training_running(mnist_small, index_digits):
    import time

    from handwriting.widgets import TrainingPanel

    panel = TrainingPanel(data=mnist_small, architecture="tiny", epochs=20)
    pad = DrawingPad(panel)
    inspector = Inspector(pad, panel, index_digits=index_digits)
    pad.draw_strokes(SEVEN)
    inspector.snapshot()
    assert "No run in progress" in inspector.status.value
    panel.train()
    try:
        while panel.running and panel.last_run.batch < 5:
            time.sleep(0.05)
        assert panel.running
        inspector.snapshot(wait=True)
        assert panel.running and pad.using_pretrained  # training goes on; the pad waits
        assert "snapshot of the tiny run in progress" in inspector.status.value
        assert inspector.inspection is not None and inspector.inspection.neighbours is not None
        assert inspector.probe.model is not panel.last_run.model  # a copy, not the live model
        while panel.running and panel.last_run.completed_epochs < 1:  # a stop in the first
            time.sleep(0.05)  # epoch keeps no model (issue 29)
    finally:
        panel.stop()
        panel.wait()
    inspector.wait()
    assert inspector.probe.model is panel.model  # the run's final model replaces it


def test_an_ensemble_is_looked_at_through_its_first_member(tiny_model, index_digits):
    from handwriting.models import architectures, ensemble

    averaged = ensemble.average([tiny_model, architectures.build("tiny")])
    pad = DrawingPad(averaged)
    inspector = Inspector(pad, index_digits=index_digits)
    pad.draw_strokes(SEVEN)
    inspector.wait()
    member = averaged.get_layer("member0_tiny")
    inspection = inspector.inspection
    assert inspector.probe.model is member and inspection.neighbours is not None
    np.testing.assert_array_equal(inspection.image, pad.reading.image)
    np.testing.assert_allclose(
        inspection.probabilities,  # the member's own numbers
        member(inspection.image[None, ..., None]).numpy()[0],
        atol=1e-6,
    )
    assert (
        "member0_tiny, the first of the 2 models inside ensemble, reads a "
        f"<b>{inspection.digit}</b>" in inspector.status.value
    )
    assert shapes_shown(inspector) == ["14x14x32", "7x7x64", "10"]
    assert "32 filters of 5×5" in inspector.filters.value


def test_a_model_without_filters_to_show_is_still_inspected(index_digits):
    import keras

    pooled = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="pooled",
    )
    pad = DrawingPad(pooled)
    inspector = Inspector(pad, index_digits=index_digits)
    pad.draw_strokes(SEVEN)
    inspector.wait()
    assert inspector.inspection is not None and inspector.inspection.neighbours is not None
    assert "reads a <b>" in inspector.status.value and shapes_shown(inspector) == ["10"]
    assert "starts with neither a Conv2D layer nor a Dense layer" in inspector.filters.value


def test_a_model_that_cannot_be_opened_says_why_after_every_stroke(index_digits):
    import keras

    no_dense = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(10, 28),
            keras.layers.Flatten(),
            keras.layers.Softmax(),
        ],
        name="no_dense",
    )
    pad = DrawingPad(no_dense)
    inspector = Inspector(pad, index_digits=index_digits)
    for strokes in (SEVEN, ONE):
        pad.draw_strokes(strokes)
        status = inspector.status.value
        assert "b00020" in status and "No model yet" not in status
        assert (
            "Cannot look inside this model: &#x27;no_dense&#x27; has no final Dense layer with 10 "
            "units"
            in status
            and "end the model with Dense(10, activation=&#x27;softmax&#x27;)" in status
        ), status
        assert inspector.inspection is None and inspector.layers.value == ""
