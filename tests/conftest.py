"""Shared test set-up: real MNIST from $HANDWRITING_MNIST, quick mode, small cached subsets."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"

# Tests run on the real data but in quick mode (small subsets, one epoch) unless told otherwise.
_shared_mnist = ROOT.parent / "shared" / "mnist"
if "HANDWRITING_MNIST" not in os.environ and _shared_mnist.is_dir():
    os.environ["HANDWRITING_MNIST"] = str(_shared_mnist)
os.environ.setdefault("HANDWRITING_QUICK", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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
