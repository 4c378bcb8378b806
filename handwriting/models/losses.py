"""Losses for digit models: label smoothing, outlier exposure for "not a digit", and learning
from a teacher model (knowledge distillation).

Non-digit drawings carry the label :data:`OUTLIER_LABEL` and are trained towards the uniform
distribution over the ten digits ("outlier exposure", Hendrycks et al. 2019), so that the model's
confidence on a scribble is low and the "not a digit" rule can flag it. The model keeps the lab's
contract, (None, 28, 28, 1) in [0, 1] -> (None, 10) softmax: outliers change the loss, not the
outputs.

A training image may also be *taught*: its target then carries a teacher model's probabilities
for it as well as its label (:func:`taught_targets`), and the loss mixes the label's
cross-entropy with the cross-entropy to the teacher's probabilities, both softened by
a temperature (Hinton et al. 2015, "Distilling the knowledge in a neural network"). This
module imports Keras: import it lazily.
"""

from __future__ import annotations

import keras
from keras import ops

from ..constants import NUM_CLASSES, TEACHER_TEMPERATURE, TEACHER_WEIGHT

#: The label of a non-digit drawing in the training data: its target is 1/10 for every digit.
OUTLIER_LABEL = -1


#: The teacher's probabilities of an image that is not taught (a pen digit, a drawing).
NOT_TAUGHT = -1.0


def taught_targets(labels, teacher_probabilities, taught):
    """Targets (B, 1 + 10) of a batch: each image's label, then the teacher's probabilities
    (B, 10) where ``taught`` (B,) is true, :data:`NOT_TAUGHT` elsewhere (TensorFlow tensors)."""
    import tensorflow as tf  # lazy: the data pipeline's side of the loss

    probabilities = tf.where(
        taught[:, None], tf.cast(teacher_probabilities, tf.float32), NOT_TAUGHT
    )
    return tf.concat([tf.cast(labels, tf.float32)[:, None], probabilities], axis=1)


def _split_targets(y_true):
    """(labels (B,), teacher's probabilities (B, 10) or None) of plain or :func:`taught_targets`."""
    if len(y_true.shape) == 2 and y_true.shape[-1] == NUM_CLASSES + 1:
        return ops.cast(y_true[:, 0], "int32"), y_true[:, 1:]
    return ops.reshape(ops.cast(y_true, "int32"), (-1,)), None


def outlier_exposure_objective(
    label_smoothing: float = 0.1,
    outlier_weight: float = 0.5,
    teacher_weight: float = TEACHER_WEIGHT,
    temperature: float = TEACHER_TEMPERATURE,
):
    """(loss, metrics) for ``model.compile``: digits get label-smoothed cross-entropy, images
    labelled :data:`OUTLIER_LABEL` the cross-entropy to the uniform distribution, weighted by
    ``outlier_weight`` (Hendrycks et al. use 0.5), taught images also the teacher's term
    (``teacher_weight``, ``temperature``); "accuracy" counts the digits only."""
    loss = OutlierExposureLoss(label_smoothing, outlier_weight, teacher_weight, temperature)
    return loss, [DigitAccuracy(name="accuracy")]


def label_smoothing_objective(label_smoothing: float = 0.1):
    """(loss, metrics) for ``model.compile``: cross-entropy to label-smoothed targets (the
    outlier-exposure loss on data without outliers)."""
    return outlier_exposure_objective(label_smoothing)


@keras.saving.register_keras_serializable(package="handwriting")
class OutlierExposureLoss(keras.losses.Loss):
    """Cross-entropy to label-smoothed one-hot targets, and to 1/10 everywhere for outliers;
    for a taught image (:func:`taught_targets`) mixed with the softened cross-entropy to its
    teacher's probabilities, which weighs ``teacher_weight``."""

    def __init__(
        self,
        label_smoothing: float = 0.1,
        outlier_weight: float = 0.5,
        teacher_weight: float = TEACHER_WEIGHT,
        temperature: float = TEACHER_TEMPERATURE,
        name: str = "outlier_exposure",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = label_smoothing
        self.outlier_weight = outlier_weight
        self.teacher_weight = teacher_weight
        self.temperature = temperature

    def call(self, y_true, y_pred):
        labels, teacher = _split_targets(y_true)
        outlier = labels < 0
        one_hot = ops.one_hot(ops.maximum(labels, 0), NUM_CLASSES)
        smoothing = ops.where(outlier, 1.0, self.label_smoothing)[:, None]
        target = one_hot * (1.0 - smoothing) + smoothing / NUM_CLASSES
        log_p = ops.log(ops.clip(y_pred, 1e-7, 1.0))
        loss = -ops.sum(target * log_p, axis=-1) * ops.where(outlier, self.outlier_weight, 1.0)
        if teacher is None:
            return loss
        taught = teacher[:, 0] != NOT_TAUGHT
        return ops.where(
            taught,
            (1.0 - self.teacher_weight) * loss + self.teacher_weight * self._taught(teacher, log_p),
            loss,
        )

    def _taught(self, teacher, log_p):
        """Cross-entropy of the model's softened probabilities to the teacher's, x T^2."""
        t = self.temperature
        teacher_soft = ops.softmax(ops.log(ops.clip(teacher, 1e-7, 1.0)) / t, axis=-1)
        model_soft = ops.log_softmax(log_p / t, axis=-1)
        return -ops.sum(teacher_soft * model_soft, axis=-1) * t**2

    def get_config(self):
        return {
            **super().get_config(),
            "label_smoothing": self.label_smoothing,
            "outlier_weight": self.outlier_weight,
            "teacher_weight": self.teacher_weight,
            "temperature": self.temperature,
        }


@keras.saving.register_keras_serializable(package="handwriting")
class DigitAccuracy(keras.metrics.Mean):
    """Share of digit images (outliers ignored) whose most likely class is the label."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        labels, _ = _split_targets(y_true)
        correct = ops.cast(ops.argmax(y_pred, axis=-1) == labels, "float32")
        return super().update_state(correct, sample_weight=ops.cast(labels >= 0, "float32"))
