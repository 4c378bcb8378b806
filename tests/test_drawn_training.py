"""Training for drawn digits: pad-like augmentation, outlier exposure, the drawcnn recipe."""

import math

import numpy as np
import pytest

from handwriting.data import CACHE_ENV
from handwriting.models import losses
from handwriting.models.losses import OUTLIER_LABEL
from handwriting.training import augmentation as drawn_training


def _bar(width: int = 2) -> np.ndarray:
    """One image (1, 28, 28, 1): a vertical stroke ``width`` pixels wide, like a drawn 1."""
    image = np.zeros((1, 28, 28, 1), np.float32)
    image[0, 6:22, 13 : 13 + width] = 1.0
    return image


@pytest.mark.parametrize("steps, change", [((1.0, 1.0), +1), ((2.0, 2.0), +2), ((-1.0, -1.0), -1)])
def test_brush_width_makes_strokes_wider_or_thinner_by_whole_pixels(steps, change):
    out = drawn_training.random_brush_width(_bar(3), steps=steps).numpy()
    assert (out[0, 14, :, 0] > 0.5).sum() == 3 + change


def test_a_warp_with_no_randomness_is_the_identity_and_a_warp_keeps_the_ink_in_range():
    image = _bar()
    still = drawn_training.random_warp(
        image, rotation_degrees=0, shear=0, scale=(1, 1), shift_pixels=0, elastic_pixels=0
    ).numpy()
    np.testing.assert_allclose(still, image, atol=1e-5)
    warped = drawn_training.random_warp(np.repeat(image, 64, axis=0)).numpy()
    assert warped.min() >= 0 and warped.max() <= 1
    assert not np.allclose(warped, image, atol=1e-2)
    ink = warped.sum(axis=(1, 2, 3)) / image.sum()
    assert ink.min() > 0.5 and ink.max() < 2  # moved and stretched, not lost


def test_outliers_are_trained_towards_the_uniform_distribution():
    loss = losses.OutlierExposureLoss(label_smoothing=0.0, outlier_weight=1.0)
    uniform = np.full((1, 10), 0.1, np.float32)
    confident = np.full((1, 10), 0.01, np.float32)
    confident[0, 3] = 0.91
    outlier = np.array([OUTLIER_LABEL])
    assert float(loss(outlier, uniform)) == pytest.approx(np.log(10), rel=1e-5)  # its minimum
    assert float(loss(outlier, confident)) > float(loss(outlier, uniform)) + 1
    assert float(loss(np.array([3]), confident)) == pytest.approx(-np.log(0.91), rel=1e-5)


def test_accuracy_counts_digits_only():
    metric = losses.DigitAccuracy()
    probabilities = np.eye(10, dtype=np.float32)[[1, 2, 3, 4]]
    metric.update_state(np.array([1, 2, 9, OUTLIER_LABEL]), probabilities)
    assert float(metric.result()) == pytest.approx(2 / 3)


def test_a_taught_image_learns_its_label_and_its_teachers_reading():
    loss = losses.OutlierExposureLoss(label_smoothing=0.0, teacher_weight=0.5, temperature=1.0)
    teacher = np.full((1, 10), 0.02, np.float32)
    teacher[0, 3], teacher[0, 5] = 0.7, 0.14  # a 3 that looks a little like a 5

    def taught(labels, taught_rows):
        return np.asarray(
            losses.taught_targets(
                np.array(labels), np.repeat(teacher, len(labels), 0), np.array(taught_rows)
            )
        )

    one_hot, like_teacher = np.eye(10, dtype=np.float32)[[3]] * 0.9 + 0.01, teacher
    # not taught: the label's loss, exactly as without a teacher
    for reading in (one_hot, like_teacher):
        assert float(loss(taught([3], [False]), reading)) == pytest.approx(
            float(loss(np.array([3]), reading))
        )
    # taught: half the label's cross-entropy, half the teacher's
    expected = 0.5 * -np.log(0.7) + 0.5 * -(teacher * np.log(teacher)).sum()
    assert float(loss(taught([3], [True]), like_teacher)) == pytest.approx(expected, rel=1e-5)
    # the teacher pulls a taught reading towards its own: the 5 it saw gains
    import tensorflow as tf

    x = np.log(one_hot)
    for taught_row, grows in ((False, False), (True, True)):
        logits = tf.Variable(x)
        with tf.GradientTape() as tape:
            value = loss(taught([3], [taught_row]), tf.nn.softmax(logits))
        step = -tape.gradient(value, logits).numpy()
        assert (step[0, 5] > 0) == grows
    # accuracy reads the label from taught targets
    metric = losses.DigitAccuracy()
    metric.update_state(taught([3, 9], [True, False]), np.eye(10, dtype=np.float32)[[3, 3]])
    assert float(metric.result()) == pytest.approx(0.5)


def test_a_teacher_teaches_the_mnist_images_only(
    forty_pen_digits, mnist_small, tmp_path, monkeypatch
):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    (x, y), _ = mnist_small
    x, y = x[:100], y[:100]

    import tensorflow as tf

    def teacher(batch, training=False):  # reads every image as a 7
        return tf.one_hot(tf.fill([tf.shape(batch)[0]], 7), 10)

    dataset = drawn_training.make_drawing_dataset(
        x, y, batch_size=32, seed=1, pendigits_share=0.3, teacher=teacher
    )
    targets = np.concatenate([t for _, t in dataset])
    drawn_images, _ = drawn_training.drawn_training_data(x, y, seed=1)
    assert targets.shape == (100 + len(drawn_images) + 30, 11)
    taught = targets[:, 1] != losses.NOT_TAUGHT
    assert taught.sum() == 100  # the MNIST images, not the drawings or the pen digits
    assert (targets[taught, 1:].argmax(axis=1) == 7).all()
    assert (targets[~taught, 1:] == losses.NOT_TAUGHT).all()
    assert sorted(targets[taught, 0].astype(int)) == sorted(y)


def test_training_data_joins_drawn_digits_and_non_digits(mnist_small, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    (x, y), _ = mnist_small
    x, y = x[:100], y[:100]
    images, labels = drawn_training.drawn_training_data(x, y, seed=1)
    assert images.shape[1:] == (28, 28, 1) and len(images) == len(labels) >= 15
    assert (labels == OUTLIER_LABEL).sum() >= 6 and set(labels[labels >= 0]) <= set(range(10))
    again, _ = drawn_training.drawn_training_data(x, y, seed=1)  # from the cache
    np.testing.assert_array_equal(again, images)
    batches = list(drawn_training.make_drawing_dataset(x, y, batch_size=32, seed=1))
    assert sum(len(b[0]) for b in batches) == 100 + len(images)


def test_a_cache_that_cannot_be_written_is_skipped_with_a_warning(
    mnist_small, tmp_path, monkeypatch
):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    (x, y), _ = mnist_small
    with pytest.warns(
        UserWarning, match=f"Could not keep the drawn training data in {blocker}.*{CACHE_ENV}"
    ):
        images, labels = drawn_training.drawn_training_data(x[:100], y[:100], seed=1)
    assert len(images) == len(labels) >= 15  # the data is made all the same
    assert blocker.read_text().startswith("a file")


def test_the_training_data_never_draws_a_held_out_template(mnist_small, monkeypatch):
    from handwriting.drawn import drawing, redrawn, templates

    kinds = []
    place = drawing.place

    def recording_place(strokes, rng, label, kind, *args, **kwargs):
        kinds.append(kind)
        return place(strokes, rng, label, kind, *args, **kwargs)

    for module in (redrawn, templates):  # every module that places drawings
        monkeypatch.setattr(module, "place", recording_place)
    (x, y), _ = mnist_small
    drawn_training.drawn_training_data(x[:300], y[:300], seed=2, cache=False)
    assert len(kinds) > 50
    assert set(kinds) <= {"mnist", "doodle", *templates.STYLES, *templates.NON_DIGIT_KINDS}
    assert "doodle" in kinds


@pytest.fixture
def forty_pen_digits(monkeypatch):
    """pendigits.load gives the first 40 rows of a part (quick to render) and notes the parts."""
    from handwriting.drawn import pendigits

    load, parts = pendigits.load, []

    def first_rows(part="all"):
        parts.append(part)
        points, labels = load(part)
        return points[:40], labels[:40]

    monkeypatch.setattr(pendigits, "load", first_rows)
    return parts


def test_pen_digits_are_trained_on_from_their_training_part_only_varied_and_cached(
    forty_pen_digits, tmp_path, monkeypatch
):
    from handwriting.drawn import pendigits

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    images, labels = drawn_training.pendigits_training_data(100, seed=3)
    assert forty_pen_digits == ["train"]  # the held-out part is development data
    assert images.shape == (100, 28, 28, 1) and images.dtype == np.float32
    points, train_labels = pendigits.load("train")
    assert len(list(tmp_path.glob("pendigits-varied-*.npy"))) == 3  # 3 rounds of 40, cached
    rounds = [drawn_training._pendigits_round(points, 3, r, cache=True) for r in range(3)]
    assert not np.array_equal(rounds[0], rounds[1])  # every round drawn anew
    rendered = np.concatenate(rounds).reshape(120, -1)
    for image, label in zip(images, labels, strict=True):  # each kept with its own label
        [row] = np.flatnonzero((rendered == image.reshape(1, -1)).all(axis=1))
        assert label == np.tile(train_labels, 3)[row]
    again = drawn_training.pendigits_training_data(100, seed=3, cache=False)
    np.testing.assert_array_equal(again[0], images)  # the cache holds what drawing makes
    np.testing.assert_array_equal(again[1], labels)
    other, _ = drawn_training.pendigits_training_data(100, seed=4)
    assert not np.array_equal(other, images)


def test_a_pendigits_share_adds_pen_digits_to_the_drawn_training_data(
    forty_pen_digits, mnist_small, tmp_path, monkeypatch
):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    (x, y), _ = mnist_small
    x, y = x[:100], y[:100]
    drawn_images, _ = drawn_training.drawn_training_data(x, y, seed=1)

    def examples(**settings):
        dataset = drawn_training.make_drawing_dataset(x, y, batch_size=32, seed=1, **settings)
        return sum(len(batch[0]) for batch in dataset)

    assert examples() == 100 + len(drawn_images)
    assert examples(pendigits_share=0.3) == 100 + len(drawn_images) + 30
    assert examples(pendigits_share=0.3, augment=False) == 100  # MNIST alone, as without


def test_a_run_with_a_pendigits_share_trains_on_the_pen_digits_too(
    forty_pen_digits, mnist_small, tmp_path, monkeypatch
):
    from handwriting.training import TrainingConfig, TrainingRun

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    (x, y), test = mnist_small
    config = TrainingConfig.for_architecture(
        "drawcnn", epochs=1, batch_size=32, seed=0, validation_size=20, pendigits_share=0.5
    )
    run = TrainingRun(config, data=((x[:200], y[:200]), test))
    run.fit()
    train, _ = config.split(200)
    drawn_images, _ = drawn_training.drawn_training_data(x[train], y[train], seed=0)
    examples = len(train) + len(drawn_images) + round(0.5 * len(train))
    assert run.steps_per_epoch == run.batch == math.ceil(examples / 32)
    assert forty_pen_digits == ["train"]


def test_a_run_with_a_teacher_trains(mnist_small, tmp_path, monkeypatch):
    from handwriting.models import architectures
    from handwriting.training import TrainingConfig, TrainingRun

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    (x, y), test = mnist_small
    teacher = tmp_path / "teacher.keras"
    architectures.build("drawcnn").save(teacher)
    config = TrainingConfig.for_architecture(
        "drawcnn",
        epochs=1,
        batch_size=32,
        seed=0,
        validation_size=20,
        teacher=str(teacher),
        teacher_weight=0.75,
        teacher_temperature=2.0,
    )
    run = TrainingRun(config, data=((x[:200], y[:200]), test))
    record = run.fit()
    assert 0 < record.train_accuracy <= 1 and 0 <= record.val_accuracy <= 1
    assert (run.model.loss.teacher_weight, run.model.loss.temperature) == (0.75, 2.0)


def test_drawcnn_trains_with_its_recipe(mnist_small, tmp_path, monkeypatch):
    from handwriting.training import TrainingConfig, TrainingRun

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    (x, y), test = mnist_small
    config = TrainingConfig.for_architecture("drawcnn", epochs=3, batch_size=32, seed=0)
    run = TrainingRun(config, data=((x[:700], y[:700]), test))
    record = run.fit()
    assert run.model.output_shape == (None, 10) and record.train_size == 630
    assert run.history["loss"][-1] < run.history["loss"][0]  # it learns
    assert 0 < record.train_accuracy <= 1  # digits only: outliers have no label
