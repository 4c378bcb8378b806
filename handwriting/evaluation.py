"""Evaluation helpers: probabilities, accuracy, confusion matrix, misclassified examples."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUM_CLASSES = 10


def predict_probabilities(model, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """(N, 10) probabilities for images (N, 28, 28, 1), in batches, without a progress bar."""
    import tensorflow as tf

    x = np.asarray(x, dtype=np.float32)
    outputs = [model(tf.constant(x[i:i + batch_size]), training=False).numpy()
               for i in range(0, len(x), batch_size)]
    return np.concatenate(outputs) if outputs else np.zeros((0, NUM_CLASSES), np.float32)


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of images whose most likely class is the label."""
    return float(np.mean(predict_probabilities(model, x).argmax(axis=1) == np.asarray(y)))


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Counts (num_classes, num_classes): row = true label, column = predicted label."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return matrix


@dataclass
class Mistakes:
    """The misclassified examples, most confident mistakes first."""

    indices: np.ndarray      # positions in the evaluated set
    predicted: np.ndarray    # the model's label
    true: np.ndarray         # the real label
    confidence: np.ndarray   # the probability the model gave its (wrong) label

    def __len__(self) -> int:
        return len(self.indices)


def misclassified(probabilities: np.ndarray, y_true: np.ndarray, limit: int | None = None) -> Mistakes:
    """The examples whose argmax differs from ``y_true``, sorted by confidence (descending)."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != np.asarray(y_true))
    confidence = probabilities[wrong, predicted[wrong]]
    order = np.argsort(-confidence, kind="stable")[:limit]
    wrong = wrong[order]
    return Mistakes(wrong, predicted[wrong], np.asarray(y_true)[wrong], confidence[order])


#: How people draw digits on a pad compared with MNIST: (scale, rows down, columns right).
PLACEMENTS = {
    "as in MNIST": (1.0, 0, 0),
    "off-centre (6 px)": (1.0, 6, -6),
    "small (60 %)": (0.6, 0, 0),
    "small, in a corner": (0.5, 7, 7),
    "large (130 %)": (1.3, 0, 0),
}


def drawn_accuracy(model, x: np.ndarray, y: np.ndarray, placement: tuple[float, int, int],
                   center: bool) -> float:
    """Accuracy on digits re-drawn at ``placement`` on the 280x280 canvas and read through
    :func:`handwriting.preprocess.preprocess_canvas` (centring on or off), as the pad does.
    A drawing the preprocessing refuses counts as wrong."""
    from .preprocess import DrawingError, digit_to_canvas, preprocess_canvas, shift_and_scale

    scale, dy, dx = placement
    images, kept = [], []
    for i, digit in enumerate(x):
        try:
            images.append(preprocess_canvas(digit_to_canvas(shift_and_scale(digit, scale, dy, dx)),
                                            center=center))
            kept.append(i)
        except DrawingError:
            pass
    if not images:
        return 0.0
    predicted = predict_probabilities(model, np.stack(images)[..., None]).argmax(axis=1)
    return float((predicted == np.asarray(y)[kept]).sum() / len(y))
