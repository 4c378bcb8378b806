"""The training panel, driven without a browser: train, stop, refuse bad settings, survive errors."""
from __future__ import annotations

import time

import pytest

from handwriting.widgets import TrainingPanel
from handwriting.widgets.training_panel import runs_table_html


@pytest.fixture()
def panel(mnist_small):
    return TrainingPanel(data=mnist_small, architecture="dnn", epochs=1, seed=0)


def test_a_run_adds_a_row_plots_and_a_model(panel):
    seen = []
    panel.on_model_change(seen.append)
    record = panel.train(wait=True)
    assert record is not None and not record.stopped
    assert record.test_accuracy > 0.80                 # dnn, 1 epoch, 5,000 real digits: 84 %
    rows = panel.records_table()
    assert len(rows) == 1 and rows[0]["architecture"] == "dnn" and rows[0]["parameters"] == 101_770
    assert "dnn" in panel.table.value and f"{record.test_accuracy:.2%}" in panel.table.value
    for image in (panel.history_image, panel.confusion_image, panel.mistakes_image):
        assert bytes(image.value).startswith(b"\x89PNG")
    assert panel.model is not None and seen == [panel.model]
    assert panel.progress.value == pytest.approx(1.0)
    assert not panel.train_button.disabled and panel.stop_button.disabled

    panel.architecture.value = "tiny"
    panel.train(wait=True)
    assert [r["architecture"] for r in panel.records_table()] == ["dnn", "tiny"]


def test_choosing_an_architecture_loads_its_recipe(mnist_small):
    panel = TrainingPanel(data=mnist_small, architecture="dnn")
    panel.architecture.value = "cnn2"
    assert panel.config().lr_decay < 1 and panel.batch_size.value == 128
    assert "parameters" in panel.architecture.label


def test_stop_mid_run_keeps_a_usable_model(mnist_small):
    panel = TrainingPanel(data=mnist_small, architecture="dnn", epochs=50, batch_size=32)
    panel.train()
    deadline = time.monotonic() + 60
    while panel.last_run.epochs_done < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    panel.stop()
    panel.wait(60)
    run = panel.last_run
    assert run.status == "stopped" and run.epochs_done < 50
    assert panel.runs[-1].stopped and panel.runs[-1].test_accuracy > 0.8
    assert panel.model is run.model and "stopped early" in panel.message.value
    assert not panel.train_button.disabled


def test_invalid_settings_are_refused_with_a_message(panel):
    for field, value, words in ((panel.epochs, 0, "epochs"), (panel.batch_size, 100_000, "batch_size"),
                                (panel.learning_rate, float("nan"), "learning_rate")):
        original = field.value
        try:
            field.value = value
        except Exception:   # a bounded widget may refuse the value itself; force it for the test
            field.set_trait("value", value)
        if field.value == original:
            continue        # the widget clamped it: nothing invalid can reach the run
        assert panel.train() is None
        assert words in panel.message.value and "Not started" in panel.message.value
        assert panel.last_run is None and panel.runs == []
        field.value = original


def test_double_train_and_early_stop_are_harmless(mnist_small):
    panel = TrainingPanel(data=mnist_small, architecture="dnn", epochs=3)
    panel.stop()
    assert "Nothing to stop" in panel.message.value
    panel.train()
    assert panel.train() is None and "Already training" in panel.message.value
    panel.stop()
    panel.wait(60)
    assert len(panel.runs) == 1


def test_a_failing_run_leaves_the_panel_usable_and_the_previous_model(panel, monkeypatch):
    panel.train(wait=True)
    good_model = panel.model

    from handwriting.widgets import training_panel

    class OutOfMemory(training_panel._PanelListener):
        def on_batch_end(self, run, epoch, batch, logs):
            if batch == 2:
                raise MemoryError("simulated out of memory")

    monkeypatch.setattr(training_panel, "_PanelListener", OutOfMemory)
    assert panel.train(wait=True) is None
    assert "Out of memory" in panel.message.value and "previous model is kept" in panel.message.value
    assert panel.model is good_model and len(panel.runs) == 1
    assert not panel.train_button.disabled and panel.stop_button.disabled


def test_missing_data_is_reported_in_the_panel(monkeypatch, tmp_path):
    monkeypatch.setenv("HANDWRITING_MNIST", str(tmp_path / "nowhere"))
    panel = TrainingPanel(architecture="dnn")
    assert panel.train() is None
    assert "HANDWRITING_MNIST" in panel.message.value or "nowhere" in panel.message.value


def test_runs_table_without_runs_invites_a_first_run():
    assert "No runs yet" in runs_table_html([])
