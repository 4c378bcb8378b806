"""Shared test set-up: real MNIST from $HANDWRITING_MNIST, quick mode, small cached subsets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = "--screenshots"

# Tests run on the real data but in quick mode (small subsets, one epoch) unless told otherwise.
_shared_mnist = ROOT.parent / "shared" / "mnist"
if "HANDWRITING_MNIST" not in os.environ and _shared_mnist.is_dir():
    os.environ["HANDWRITING_MNIST"] = str(_shared_mnist)
os.environ.setdefault("HANDWRITING_QUICK", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class Clueless:
    """A stand-in model, the same probability for every digit: every drawing is "not a digit"."""

    def __call__(self, x, training=False):
        import tensorflow as tf

        return tf.fill([tf.shape(x)[0], 10], 0.1)


class SureSeven:
    """A stand-in model certain that every drawing is a 7."""

    def __call__(self, x, training=False):
        import tensorflow as tf

        return tf.one_hot(tf.fill([tf.shape(x)[0]], 7), 10)


@pytest.fixture(scope="session")
def mnist_small():
    """5,000 training and 1,000 test digits of the real MNIST, float32 (N, 28, 28, 1)."""
    from handwriting.data import load_mnist

    return load_mnist(train_size=5000, test_size=1000)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Folder for screenshots and other files a person looks at after the tests."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _one_epoch_tiny(data, seed: int):
    from handwriting.training import TrainingConfig, TrainingRun

    run = TrainingRun(TrainingConfig.for_architecture("tiny", epochs=1, seed=seed), data=data)
    run.fit()
    return run.model


@pytest.fixture(scope="session")
def tiny_model(mnist_small):
    """A small model trained for one epoch (~95 % test accuracy): quick to export and call."""
    return _one_epoch_tiny(mnist_small, seed=0)


@pytest.fixture(scope="session")
def second_tiny_model(mnist_small):
    """Another one, trained with seed 1 (e.g. to average with the first)."""
    return _one_epoch_tiny(mnist_small, seed=1)


@pytest.fixture(scope="session")
def cnn2_model():
    """cnn2 trained briefly on 30,000 real digits (~98.5 % test accuracy) for drawn-digit tests."""
    from handwriting.data import load_mnist
    from handwriting.training import TrainingConfig, TrainingRun

    data = load_mnist(train_size=30000, test_size=2000, quick=False)
    run = TrainingRun(TrainingConfig.for_architecture("cnn2", epochs=2, seed=0), data=data)
    run.fit()
    return run.model


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium under Playwright, shared by the browser tests."""
    from handwriting.browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def pretrained_app(tmp_path_factory):
    """The shipped pretrained model exported with its own calibration (as the CLI does), served
    on 127.0.0.1: the base URL."""
    from handwriting.browser import serve_directory
    from handwriting.export import export_web_app
    from handwriting.models.digit_model import PRETRAINED

    out = tmp_path_factory.mktemp("pretrained") / "app"
    export_web_app(PRETRAINED, out)
    with serve_directory(out) as url:
        yield url


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    """A real JupyterLab on 127.0.0.1 (token-protected) serving a copy of lab/."""
    from lab_harness import start_jupyterlab, stop_jupyterlab

    lab = start_jupyterlab(tmp_path_factory.mktemp("jupyterlab"))
    yield lab
    stop_jupyterlab(lab)


@pytest.fixture(scope="session")
def personal_drawings(tmp_path_factory) -> Path:
    """A drawings folder (DIR/<digit>/*.png) in one consistent personal style that MNIST models
    misread: 12 barred seven-segment digits of each digit (drawn_digits.segment_drawing),
    saved through drawings.save_drawing as the pad would. Copy it before changing it."""
    import numpy as np

    from handwriting.drawn.collected import save_drawing
    from handwriting.drawn.templates import segment_drawing

    folder = tmp_path_factory.mktemp("personal") / "drawings"
    rng = np.random.default_rng(7)
    for digit in range(10):
        for _ in range(12):
            save_drawing(folder, digit, segment_drawing(digit, rng).rgba())
    return folder


def pytest_addoption(parser):
    parser.addoption(
        SCREENSHOTS,
        action="store_true",
        help="make the docs' pictures into docs/images/ (tests/test_screenshots.py; "
        "make screenshots); without it those tests are skipped",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "screenshots: writes a picture of docs/images/")


def pytest_collection_modifyitems(config, items):
    """A normal run never rewrites docs/images/: the picture makers run only when asked."""
    if config.getoption(SCREENSHOTS):
        return
    skip = pytest.mark.skip(reason=f"makes docs/images/: run with {SCREENSHOTS}")
    for item in items:
        if "screenshots" in item.keywords:
            item.add_marker(skip)
