"""Losses for digit models: label smoothing, and outlier exposure for "not a digit".

Non-digit drawings carry the label :data:`OUTLIER_LABEL` and are trained towards the uniform
distribution over the ten digits ("outlier exposure", Hendrycks et al. 2019), so that the model's
confidence on a scribble is low and the "not a digit" rule can flag it. The model keeps the lab's
contract, (None, 28, 28, 1) in [0, 1] -> (None, 10) softmax: outliers change the loss, not the
outputs. This module imports Keras: import it lazily.
"""

from __future__ import annotations

import keras
from keras import ops

from ..constants import NUM_CLASSES

#: The label of a non-digit drawing in the training data: its target is 1/10 for every digit.
OUTLIER_LABEL = -1


def outlier_exposure_objective(label_smoothing: float = 0.1, outlier_weight: float = 0.5):
    """(loss, metrics) for ``model.compile``: digits get label-smoothed cross-entropy, images
    labelled :data:`OUTLIER_LABEL` the cross-entropy to the uniform distribution, weighted by
    ``outlier_weight`` (Hendrycks et al. use 0.5); "accuracy" counts the digits only."""
    return (OutlierExposureLoss(label_smoothing, outlier_weight), [DigitAccuracy(name="accuracy")])


def label_smoothing_objective(label_smoothing: float = 0.1):
    """(loss, metrics) for ``model.compile``: cross-entropy to label-smoothed targets (the
    outlier-exposure loss on data without outliers)."""
    return outlier_exposure_objective(label_smoothing)


@keras.saving.register_keras_serializable(package="handwriting")
class OutlierExposureLoss(keras.losses.Loss):
    """Cross-entropy to label-smoothed one-hot targets, and to 1/10 everywhere for outliers."""

    def __init__(
        self,
        label_smoothing: float = 0.1,
        outlier_weight: float = 0.5,
        name: str = "outlier_exposure",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = label_smoothing
        self.outlier_weight = outlier_weight

    def call(self, y_true, y_pred):
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        outlier = labels < 0
        one_hot = ops.one_hot(ops.maximum(labels, 0), NUM_CLASSES)
        smoothing = ops.where(outlier, 1.0, self.label_smoothing)[:, None]
        target = one_hot * (1.0 - smoothing) + smoothing / NUM_CLASSES
        log_p = ops.log(ops.clip(y_pred, 1e-7, 1.0))
        cross_entropy = -ops.sum(target * log_p, axis=-1)
        return cross_entropy * ops.where(outlier, self.outlier_weight, 1.0)

    def get_config(self):
        return {
            **super().get_config(),
            "label_smoothing": self.label_smoothing,
            "outlier_weight": self.outlier_weight,
        }


@keras.saving.register_keras_serializable(package="handwriting")
class DigitAccuracy(keras.metrics.Mean):
    """Share of digit images (outliers ignored) whose most likely class is the label."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        correct = ops.cast(ops.argmax(y_pred, axis=-1) == labels, "float32")
        return super().update_state(correct, sample_weight=ops.cast(labels >= 0, "float32"))
