"""Training runs on real (small) data: accuracy floor, stop, interrupt, failure, save/load."""

import math

import numpy as np
import pytest

from handwriting.honest import metrics as evaluation
from handwriting.models.digit_model import load_model
from handwriting.training import ConfigError, TrainingConfig, TrainingListener, TrainingRun


class Recorder(TrainingListener):
    def __init__(self, on_batch=None):
        self.events, self.on_batch = [], on_batch

    def on_run_begin(self, run):
        self.events.append("begin")

    def on_batch_end(self, run, epoch, batch, logs):
        self.events.append(("batch", epoch, batch))
        if self.on_batch:
            self.on_batch(run, epoch, batch)

    def on_epoch_end(self, run, epoch, logs):
        self.events.append(("epoch", epoch, logs))

    def on_run_end(self, run):
        self.events.append(("end", run.status))


def test_short_run_on_a_subset_clears_an_accuracy_floor(mnist_small):
    recorder = Recorder()
    run = TrainingRun(
        TrainingConfig.for_architecture("cnn1", epochs=3, seed=1),
        data=mnist_small,
        listeners=[recorder],
    )
    record = run.fit()
    assert run.status == "finished" and not record.stopped
    assert record.test_accuracy >= 0.93, record
    # A tenth of the 5,000 training images is held out for validation (the test set is not).
    assert record.epochs == 3 and record.train_size == 4500 and record.validation_size == 500
    assert record.parameters > 1e6 and record.val_accuracy >= 0.93
    assert record.seconds > 0 and 0 < record.train_accuracy <= 1
    assert set(run.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(run.history["val_accuracy"]) == 3
    assert recorder.events[0] == "begin" and recorder.events[-1] == ("end", "finished")
    assert sum(1 for e in recorder.events if e[0] == "batch") == 3 * math.ceil(4500 / 128)
    # Every batch's own loss and accuracy, for the live curves: they average to the epoch's.
    steps = math.ceil(4500 / 128)
    batches = run.batch_history
    assert len(batches["epoch"]) == len(batches["loss"]) == len(batches["accuracy"]) == 3 * steps
    assert batches["epoch"][0] == pytest.approx(1 / steps) and batches["epoch"][
        -1
    ] == pytest.approx(3)
    for epoch in range(3):
        own = slice(epoch * steps, (epoch + 1) * steps)
        for key in ("loss", "accuracy"):
            assert np.mean(batches[key][own]) == pytest.approx(run.history[key][epoch], rel=1e-4)
    assert all(0 <= a <= 1 for a in batches["accuracy"])


def test_validation_images_are_held_out_training_images_never_test_images(mnist_small):
    (x_train, y_train), (x_test, _) = mnist_small
    config = TrainingConfig.for_architecture("dnn", epochs=1, seed=0, validation_size=400)
    train, validation = config.split(len(x_train))
    assert len(validation) == 400 and len(train) == len(x_train) - 400
    assert not set(train) & set(validation), "no image is both trained on and validated on"
    # The same images are held out in every run (whatever the training seed), so runs compare.
    again_train, again_validation = TrainingConfig(seed=7, validation_size=400).split(len(x_train))
    np.testing.assert_array_equal(validation, again_validation)
    np.testing.assert_array_equal(train, again_train)
    run = TrainingRun(config, data=mnist_small)
    record = run.fit()
    x_val, y_val = run.validation
    np.testing.assert_array_equal(x_val, x_train[validation])
    np.testing.assert_array_equal(y_val, y_train[validation])
    assert record.val_accuracy == evaluation.accuracy(run.model, x_val, y_val)
    assert record.test_accuracy == evaluation.accuracy(run.model, x_test, mnist_small[1][1])
    assert run.history["val_accuracy"][-1] == pytest.approx(record.val_accuracy, abs=1e-6)


def test_without_validation_the_best_epoch_is_chosen_on_training_accuracy(mnist_small):
    run = TrainingRun(
        TrainingConfig.for_architecture("dnn", epochs=1, validation_size=0), data=mnist_small
    )
    record = run.fit()
    assert record.validation_size == 0 and math.isnan(record.val_accuracy)
    assert record.train_size == 5000 and "val_accuracy" not in run.history
    assert run.best_score == pytest.approx(run.history["accuracy"][-1])


def test_stop_mid_run_ends_early_and_keeps_a_working_model(mnist_small):
    def stop_in_second_epoch(run, epoch, batch):
        if epoch == 1 and batch == 3:
            run.stop()

    run = TrainingRun(
        TrainingConfig.for_architecture("dnn", epochs=20, seed=1),
        data=mnist_small,
        listeners=[Recorder(stop_in_second_epoch)],
    )
    record = run.fit()
    assert run.status == "stopped" and record.stopped
    assert record.epochs == 2, "stopped within the second epoch"
    assert run.completed_epochs == 1 and run.epochs_done == 2
    # The best epoch's weights are kept and the model still predicts well.
    (_, _), (x_test, y_test) = mnist_small
    assert evaluation.accuracy(run.model, x_test, y_test) == record.test_accuracy
    assert record.test_accuracy > 0.8


def test_stop_before_any_run_is_harmless(mnist_small):
    run = TrainingRun(TrainingConfig.for_architecture("dnn", epochs=1), data=mnist_small)
    run.stop()
    assert run.fit() is None and run.record is None  # stopped after its first batch
    assert run.status == "stopped" and run.completed_epochs == 0


@pytest.mark.parametrize("how", ["stop", "ctrl_c"])
def test_a_run_stopped_in_its_first_epoch_produced_nothing_and_saves_nothing(
    mnist_small, tmp_path, how
):
    """Keras ends a stopped epoch early but still reports it: it must not pass for a trained one."""

    def stop_at_third_batch(run, epoch, batch):
        if batch == 2:
            if how == "ctrl_c":
                raise KeyboardInterrupt
            run.stop()

    recorder = Recorder(stop_at_third_batch)
    run = TrainingRun(
        TrainingConfig.for_architecture("tiny", epochs=3), data=mnist_small, listeners=[recorder]
    )
    assert run.fit() is None and run.record is None and run.completed_epochs == 0
    assert run.status == ("interrupted" if how == "ctrl_c" else "stopped")
    assert recorder.events[-1] == ("end", run.status)
    earlier = tmp_path / "model.keras"
    earlier.write_bytes(b"an earlier model")
    with pytest.raises(RuntimeError, match="has not completed an epoch.*nothing was written"):
        run.save(earlier)
    assert earlier.read_bytes() == b"an earlier model" and [p.name for p in tmp_path.iterdir()] == [
        "model.keras"
    ]


def test_keyboard_interrupt_keeps_the_best_weights(mnist_small):
    def interrupt(run, epoch, batch):
        if epoch == 2 and batch == 2:
            raise KeyboardInterrupt

    run = TrainingRun(
        TrainingConfig.for_architecture("dnn", epochs=5, seed=2),
        data=mnist_small,
        listeners=[Recorder(interrupt)],
    )
    record = run.fit()
    assert run.status == "interrupted" and record.stopped and record.epochs == 2
    for kept, best in zip(run.model.get_weights(), run.best_weights, strict=False):
        np.testing.assert_array_equal(kept, best)
    assert record.val_accuracy == pytest.approx(max(run.history["val_accuracy"]), abs=1e-6)


def test_error_midway_marks_the_run_failed(mnist_small):
    def fail(run, epoch, batch):
        if batch == 2:
            raise MemoryError("simulated out of memory")

    run = TrainingRun(
        TrainingConfig.for_architecture("dnn", epochs=1),
        data=mnist_small,
        listeners=[Recorder(fail)],
    )
    with pytest.raises(MemoryError):
        run.fit()
    assert run.status == "failed" and isinstance(run.error, MemoryError)
    with pytest.raises(RuntimeError, match="already failed"):
        run.fit()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"epochs": 0}, "epochs must be a whole number >= 1"),
        ({"epochs": -3}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"data_fraction": 0.0}, "data_fraction"),
        ({"data_fraction": 1.5}, "data_fraction"),
        ({"data_fraction": float("nan"), "batch_size": 64}, "data_fraction"),
        ({"validation_size": -1}, "validation_size must be a whole number >= 0"),
        ({"validation_size": 0.5}, "validation_size"),
        ({"optimizer": "lbfgs"}, "optimizer must be one of adam, sgd, rmsprop"),
        ({"architecture": "nope"}, "architecture must be one of"),
        ({"pendigits_share": -0.1}, r"pendigits_share must be a number in \[0, 10\]"),
        ({"pendigits_share": 11.0}, "pendigits_share must be a number"),
        ({"pendigits_share": 0.3}, "pendigits_share needs a recipe trained on drawings"),
        (
            {"architecture": "drawcnn", "augment": False, "pendigits_share": 0.3},
            "pendigits_share adds to the augmented drawings",
        ),
        (
            {"architecture": "drawcnn", "teacher": "no/such/model.keras"},
            "teacher no/such/model.keras is not a file",
        ),
        ({"teacher": __file__}, "teacher needs a recipe trained on drawings"),
        ({"teacher_weight": 0.75}, "teacher_weight needs a teacher"),
        (
            {"teacher_weight": 0.75, "teacher_temperature": 2.0},
            "teacher_weight and teacher_temperature need a teacher",
        ),
        (
            {"architecture": "drawcnn", "teacher": __file__, "teacher_weight": 1.5},
            r"teacher_weight must be a number in \[0, 1\]",
        ),
        ({"teacher_temperature": 0.0}, r"teacher_temperature must be a number in \(0, 100\]"),
    ],
)
def test_invalid_settings_are_refused_with_a_message(overrides, message):
    with pytest.raises(ConfigError, match=message):
        TrainingConfig(**overrides).validate()


def test_a_misspelt_setting_is_named_with_the_closest_one():
    from handwriting.models import architectures
    from handwriting.training.finetune import FineTuneConfig
    from handwriting.widgets import TrainingPanel

    with pytest.raises(ConfigError, match="Unknown setting 'epoch' \\(did you mean 'epochs'\\?\\)"):
        TrainingConfig.for_architecture("tiny", epoch=3)
    with pytest.raises(
        ConfigError, match="Unknown setting 'epoch'.*the settings are: architecture, epochs"
    ):
        TrainingPanel(architecture="tiny", epoch=3)
    with pytest.raises(ValueError, match="Unknown architecture 'cnn3'. Choose one of: dnn"):
        TrainingPanel(architecture="cnn3")
    with pytest.raises(
        ConfigError, match="Unknown setting 'drawings_share' \\(did you mean 'drawing_share'"
    ):
        FineTuneConfig.for_model(architectures.build("tiny"), drawings_share=0.5)


def test_a_one_cycle_schedule_spans_every_batch_of_the_drawn_data(
    mnist_small, tmp_path, monkeypatch
):
    """drawcnn trains on MNIST plus drawings: its learning rate must last for all their batches
    (counted on the MNIST images alone, the schedule reached 0 for the last fifth of a run)."""
    from handwriting.data import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    rates = []

    class LearningRates(TrainingListener):
        def on_batch_end(self, run, epoch, batch, logs):
            rates.append(float(run.model.optimizer.learning_rate))  # the next batch's rate

    (x, y), test = mnist_small
    config = TrainingConfig.for_architecture(
        "drawcnn", epochs=1, batch_size=32, seed=0, validation_size=40
    )
    run = TrainingRun(config, data=((x[:400], y[:400]), test), listeners=[LearningRates()])
    run.fit()
    assert run.batch == len(rates) > math.ceil(run.train_size / 32)  # drawings add batches
    assert run.steps_per_epoch == run.batch  # progress ends at "batch 15/15", not "15/12"
    assert min(rates[:-1]) > 0  # every batch of the epoch learned something


def test_the_batch_count_never_passes_the_epochs_batches(mnist_small):
    """`fast` runs 16 batches per call into TensorFlow; an epoch of 33 batches ends with a call
    of 1, which Keras numbers as if it were whole. The progress must say "batch 33/33", not
    48/33."""
    (x, y), test = mnist_small
    config = TrainingConfig.for_architecture(
        "fast", epochs=1, batch_size=128, seed=0, validation_size=500
    )
    counts = []
    recorder = Recorder(on_batch=lambda run, epoch, batch: counts.append(run.batch))
    run = TrainingRun(config, data=((x[:4600], y[:4600]), test), listeners=[recorder])
    run.fit()
    steps = run.steps_per_epoch
    assert steps % 16, "the test needs an epoch whose last call is short"
    assert max(counts) == counts[-1] == steps


def test_batch_larger_than_the_data_is_refused(mnist_small):
    config = TrainingConfig.for_architecture("dnn", batch_size=512, data_fraction=0.05)
    assert "larger than the 225 training images" in " ".join(config.problems(5000))
    run = TrainingRun(config, data=mnist_small)
    with pytest.raises(ConfigError, match="batch_size 512"):
        run.fit()
    assert run.status == "failed"


def test_save_and_load_round_trip(mnist_small, tmp_path):
    run = TrainingRun(TrainingConfig.for_architecture("tiny", epochs=1), data=mnist_small)
    run.fit()
    path = run.save(tmp_path / "sub" / "model.keras")
    assert path.is_file() and not [p for p in path.parent.iterdir() if p.name.startswith(".")]
    loaded = load_model(path)
    (_, _), (x_test, _) = mnist_small
    np.testing.assert_allclose(
        evaluation.predict_probabilities(loaded, x_test[:50]),
        evaluation.predict_probabilities(run.model, x_test[:50]),
        atol=1e-6,
    )


def test_a_run_can_start_from_a_saved_model_of_the_same_layers(mnist_small, tiny_model, tmp_path):
    from handwriting.training import save_model

    source = save_model(tiny_model, tmp_path / "tiny.keras")
    (x_train, y_train), (x_test, y_test) = mnist_small
    data = ((x_train[:1000], y_train[:1000]), (x_test, y_test))

    def test_accuracy(**start):  # a learning rate too small to learn anything
        config = TrainingConfig.for_architecture(
            "tiny", epochs=1, learning_rate=1e-9, seed=0, **start
        )
        return TrainingRun(config, data=data).fit().test_accuracy

    expected = float(
        np.mean(evaluation.predict_probabilities(tiny_model, x_test).argmax(1) == y_test)
    )
    assert expected > 0.8
    assert test_accuracy(initial_model=str(source)) == pytest.approx(expected, abs=0.02)
    assert test_accuracy() < 0.5  # random weights, same settings
    assert "initial_model" in " ".join(
        TrainingConfig(initial_model=str(tmp_path / "none.keras")).problems()
    )
    with pytest.raises(ConfigError, match="has other layers than dnn.*same layers"):
        TrainingRun(
            TrainingConfig.for_architecture("dnn", epochs=1, initial_model=str(source)), data=data
        ).fit()


def test_save_before_fit_and_bad_suffix_are_clear(tmp_path):
    with pytest.raises(RuntimeError, match="fit"):
        TrainingRun().save(tmp_path / "m.keras")
    from handwriting.models import architectures
    from handwriting.training import save_model

    with pytest.raises(ValueError, match=".keras"):
        save_model(architectures.build("tiny"), tmp_path / "m.h5")


def test_confusion_matrix_and_mistakes():
    probabilities = np.eye(10, dtype=np.float32)[[0, 1, 2, 3]] * 0.9 + 0.01
    y_true = np.array([0, 1, 5, 3])
    matrix = evaluation.confusion_matrix(y_true, probabilities.argmax(1))
    assert matrix.sum() == 4 and matrix[5, 2] == 1 and np.trace(matrix) == 3
    mistakes = evaluation.misclassified(probabilities, y_true)
    assert len(mistakes) == 1 and mistakes.indices.tolist() == [2]
    assert mistakes.predicted.tolist() == [2] and mistakes.true.tolist() == [5]
