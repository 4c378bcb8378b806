"""MNIST loading: the real files, the canonical figures, and clear errors for bad files."""

import gzip
import shutil
import struct

import numpy as np
import pytest

from handwriting import data
from handwriting.data import MnistDataError

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def full_mnist():
    return data.load_mnist(quick=False)


def test_full_data_shapes_dtype_and_range(full_mnist):
    (x_train, y_train), (x_test, y_test) = full_mnist
    assert x_train.shape == (60000, 28, 28, 1) and x_test.shape == (10000, 28, 28, 1)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0


def test_canonical_label_counts(full_mnist):
    (_, y_train), (_, y_test) = full_mnist
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_quick_mode_and_explicit_sizes(monkeypatch):
    monkeypatch.setenv(data.QUICK_ENV, "1")
    (x, _), (xt, _) = data.load_mnist()
    assert len(x) == data.QUICK_TRAIN_SIZE and len(xt) == data.QUICK_TEST_SIZE
    (x, _), (xt, _) = data.load_mnist(train_size=10, test_size=5)
    assert len(x) == 10 and len(xt) == 5
    with pytest.raises(ValueError, match="train_size"):
        data.load_mnist(train_size=0)


def _copy_mnist(tmp_path):
    folder = tmp_path / "mnist"
    shutil.copytree(data.os.environ[data.MNIST_ENV], folder)
    for f in folder.iterdir():
        f.chmod(0o644)
    return folder


def _write_idx(path, magic, dims, payload: bytes):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload)


def test_missing_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(data.MNIST_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(MnistDataError, match="not a folder"):
        data.load_mnist()


def test_missing_file_names_the_file(tmp_path):
    folder = _copy_mnist(tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MnistDataError, match="t10k-labels-idx1-ubyte.gz"):
        data.load_mnist(source=folder)


def test_truncated_gzip_names_the_file(tmp_path):
    folder = _copy_mnist(tmp_path)
    target = folder / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:100_000])
    with pytest.raises(MnistDataError, match="train-images-idx3-ubyte.gz.*(corrupt|truncated)"):
        data.load_mnist(source=folder)


def test_garbage_file_is_corrupt(tmp_path):
    folder = _copy_mnist(tmp_path)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(b"this is not gzip")
    with pytest.raises(MnistDataError, match="corrupt"):
        data.load_mnist(source=folder)


@pytest.mark.parametrize(
    "magic, count, body, message",
    [
        (0x803, 3, 3, "magic number"),  # an images header on the labels file
        (0x801, 10000, 9000, "truncated"),  # fewer labels than the header says
        (0x801, 10, 10, "10000 images but 10 labels"),  # labels and images disagree
    ],
    ids=["wrong-magic", "body-shorter-than-header", "count-mismatch"],
)
def test_bad_label_file_is_explained(tmp_path, magic, count, body, message):
    folder = _copy_mnist(tmp_path)
    _write_idx(folder / "t10k-labels-idx1-ubyte.gz", magic, [count], bytes(body))
    with pytest.raises(MnistDataError, match=message):
        data.load_mnist(source=folder)


def test_no_folder_and_no_internet_explains_the_variable(monkeypatch):
    import keras

    def offline():
        raise OSError("Temporary failure in name resolution")

    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(MnistDataError, match="HANDWRITING_MNIST"):
        data.load_mnist()


def test_without_variable_keras_is_used(monkeypatch):
    import keras

    fake = (
        (np.zeros((3, 28, 28), np.uint8), np.arange(3)),
        (np.zeros((2, 28, 28), np.uint8), np.arange(2)),
    )
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: fake)
    (x, y), (xt, yt) = data.load_mnist(quick=False)
    assert x.shape == (3, 28, 28, 1) and yt.tolist() == [0, 1]


def test_dataset_pipeline_batches_and_augments(mnist_small):
    (x, y), _ = mnist_small
    plain = next(iter(data.make_dataset(x[:256], y[:256], batch_size=64, shuffle=False)))
    assert plain[0].shape == (64, 28, 28, 1) and plain[1].shape == (64,)
    np.testing.assert_array_equal(plain[0].numpy(), x[:64])
    augmented = next(
        iter(data.make_dataset(x[:256], y[:256], batch_size=64, shuffle=False, augment=True))
    )
    images = augmented[0].numpy()
    assert images.shape == (64, 28, 28, 1)
    assert not np.allclose(images, x[:64]), "augmentation changed nothing"
    assert 0.0 <= images.min() and images.max() <= 1.0 + 1e-5
    np.testing.assert_array_equal(augmented[1].numpy(), y[:64])


def test_data_given_to_a_run_is_checked_and_raw_uint8_mnist_is_normalised(mnist_small):
    from handwriting.training import TrainingConfig, TrainingRun
    from handwriting.widgets import TrainingPanel

    (x, y), (x_test, y_test) = mnist_small
    raw = np.round(x[..., 0] * 255).astype(np.uint8)  # keras.datasets.mnist.load_data()'s form
    (x_checked, y_checked), _ = data.as_digit_data(((raw, y.astype(np.uint8)), (x_test, y_test)))
    assert (
        x_checked.dtype == np.float32 and x_checked.shape == x.shape and y_checked.dtype == np.int64
    )
    np.testing.assert_allclose(x_checked, x, atol=0.5 / 255)
    bad = {
        "pixels go from 0 to 255": ((raw.astype(np.float64), y), (x_test, y_test)),  # 0-255 floats
        r"shape \(\d+, 784\)": ((x.reshape(len(x), 784), y), (x_test, y_test)),
        "one-hot": ((x, np.eye(10)[y]), (x_test, y_test)),
        "labels must be whole numbers 0-9": ((x, y + 1), (x_test, y_test)),
        "one label per image": ((x, y[:-1]), (x_test, y_test)),
        r"test images' pixels go from 0 to 2": ((x, y), (x_test * 2, y_test)),
        r"\(x_train, y_train\), \(x_test, y_test\)": (x, y),
    }
    for message, given in bad.items():
        with pytest.raises(data.DigitDataError, match=message):
            data.as_digit_data(given)
    with pytest.raises(data.DigitDataError, match="divide 0-255 images by 255"):
        TrainingPanel(data=bad["pixels go from 0 to 255"])
    with pytest.raises(data.DigitDataError, match="one-hot"):
        TrainingRun(TrainingConfig.for_architecture("tiny"), data=bad["one-hot"])


def test_raw_uint8_images_are_read_as_training_reads_them(tiny_model, mnist_small):
    from handwriting.honest import metrics as evaluation

    (_, _), (x_test, y_test) = mnist_small
    raw = np.round(x_test[:200, ..., 0] * 255).astype(np.uint8)  # as load_data() gives them
    np.testing.assert_allclose(
        evaluation.predict_probabilities(tiny_model, raw),
        evaluation.predict_probabilities(tiny_model, x_test[:200]),
        atol=1e-3,
    )
    assert evaluation.accuracy(tiny_model, raw, y_test[:200]) == evaluation.accuracy(
        tiny_model, x_test[:200], y_test[:200]
    )
