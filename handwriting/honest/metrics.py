"""Metrics: probabilities, accuracy, confusion matrix, misclassified examples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import NUM_CLASSES


def predict_probabilities(model, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """(N, 10) probabilities for images (N, 28, 28, 1) in [0, 1], in batches, without a progress
    bar. Raw uint8 images (0-255, as ``keras.datasets.mnist.load_data()`` gives them) are
    normalised first, as training normalises them, instead of being read 255 times too bright."""
    import tensorflow as tf

    x = np.asarray(x)
    x = x / np.float32(255) if x.dtype == np.uint8 else x.astype(np.float32, copy=False)
    outputs = [
        model(tf.constant(x[i : i + batch_size]), training=False).numpy()
        for i in range(0, len(x), batch_size)
    ]
    return np.concatenate(outputs) if outputs else np.zeros((0, NUM_CLASSES), np.float32)


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of images whose most likely class is the label."""
    return float(np.mean(predict_probabilities(model, x).argmax(axis=1) == np.asarray(y)))


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = NUM_CLASSES
) -> np.ndarray:
    """Counts (num_classes, num_classes): row = true label, column = predicted label."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return matrix


@dataclass
class Mistakes:
    """The misclassified examples, most confident mistakes first."""

    indices: np.ndarray  # positions in the evaluated set
    predicted: np.ndarray  # the model's label
    true: np.ndarray  # the real label
    confidence: np.ndarray  # the probability the model gave its (wrong) label

    def __len__(self) -> int:
        return len(self.indices)


def misclassified(
    probabilities: np.ndarray, y_true: np.ndarray, limit: int | None = None
) -> Mistakes:
    """The examples whose argmax differs from ``y_true``, sorted by confidence (descending)."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != np.asarray(y_true))
    confidence = probabilities[wrong, predicted[wrong]]
    order = np.argsort(-confidence, kind="stable")[:limit]
    wrong = wrong[order]
    return Mistakes(wrong, predicted[wrong], np.asarray(y_true)[wrong], confidence[order])
