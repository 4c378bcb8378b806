"""The architecture registry: name -> builder, one-line description and default training recipe.

Every model takes (28, 28, 1) float32 images in [0, 1] and ends in a softmax over the 10 digits.
To add an architecture, write a builder that returns an uncompiled ``keras.Model`` and call
:func:`register` (see the bottom of this file).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from ..constants import INPUT_SHAPE, NUM_CLASSES


@dataclass(frozen=True)
class Recipe:
    """Default hyper-parameters an architecture is trained with (what the README measures)."""

    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    lr_decay: float = 1.0
    augment: bool = False
    #: Learning rate warms up from a tenth over the first ``warmup_epochs``, then cosine-decays
    #: to 0 (lr_decay is then unused).
    one_cycle: bool = False
    warmup_epochs: float = 1.0
    #: Train in bfloat16 where the CPU has it in hardware (see handwriting.models.precision).
    mixed_precision: bool = False
    #: Batches per call into TensorFlow (Keras' steps_per_execution): less Python overhead for
    #: small models; progress and Stop then come every this many batches.
    steps_per_execution: int = 1
    #: The training data: "mnist" (MNIST, shifted/rotated/zoomed when ``augment``) or "drawings"
    #: (MNIST plus pad-like drawings and non-digits; handwriting.training.augmentation).
    dataset: str = "mnist"
    #: Returns (loss, metrics) for model.compile; default sparse cross-entropy and accuracy. A
    #: "drawings" recipe's also takes a taught run's teacher_weight and temperature.
    objective: Callable | None = None


@dataclass(frozen=True)
class Architecture:
    """One registry entry."""

    name: str
    description: str
    builder: Callable[[], keras.Model]  # noqa: F821
    recipe: Recipe = field(default_factory=Recipe)


_REGISTRY: dict[str, Architecture] = {}


def register(name: str, description: str, recipe: Recipe | None = None):
    """Decorator adding a builder to the registry under ``name``."""

    def decorator(builder):
        if name in _REGISTRY:
            raise ValueError(f"Architecture {name!r} is already registered.")
        _REGISTRY[name] = Architecture(name, description, builder, recipe or Recipe())
        return builder

    return decorator


def names() -> list[str]:
    """Registered architecture names, in registration order (simplest first)."""
    return list(_REGISTRY)


def get(name: str) -> Architecture:
    """The registry entry for ``name``; a clear error lists the valid names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"Unknown architecture {name!r}. Choose one of: {', '.join(names())}."
        ) from None


def describe(name: str) -> str:
    """The one-line description of ``name``."""
    return get(name).description


def build(name: str) -> keras.Model:  # noqa: F821
    """A fresh, uncompiled model of architecture ``name``."""
    return get(name).builder()


@functools.cache
def count_parameters(name: str) -> int:
    """Number of parameters of architecture ``name`` (builds it once, then remembers)."""
    return int(build(name).count_params())


def _input():
    import keras

    return keras.Input(shape=INPUT_SHAPE, name="image")


def _classifier_head(x, dropout: float = 0.0, units: int = 128):
    from keras import layers

    x = layers.Flatten()(x)
    x = layers.Dense(units, activation="relu")(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    return layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)


@register(
    "dnn",
    "Dense net: Flatten - Dense(128, relu) - Dense(10). The classic baseline.",
    Recipe(epochs=10),
)
def build_dnn():
    import keras

    inputs = _input()
    return keras.Model(inputs, _classifier_head(inputs), name="dnn")


@register(
    "cnn1",
    "One-conv CNN: Conv(64, 3x3) - MaxPool - Flatten - Dense(128) - Dense(10).",
    Recipe(epochs=10),
)
def build_cnn1():
    import keras
    from keras import layers

    inputs = _input()
    x = layers.Conv2D(64, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    return keras.Model(inputs, _classifier_head(x), name="cnn1")


@register(
    "cnn2",
    "Deeper CNN: two conv pairs + max-pool, dropout, Dense(128). The tutorial's best.",
    Recipe(epochs=12, lr_decay=0.85),
)
def build_cnn2():
    import keras
    from keras import layers

    inputs = _input()
    x = inputs
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Dropout(0.25)(x)
    return keras.Model(inputs, _classifier_head(x, dropout=0.5), name="cnn2")


def _bncnn_layers(name: str, dropout: float):
    """Batch-norm CNN: conv 32-64-128, strided 5x5 convs instead of pooling (28 -> 14 -> 7)."""
    import keras
    from keras import layers

    def conv_bn(x, filters, kernel=3, strides=1):
        x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)  # settles fast enough for short runs
        return layers.Activation("relu")(x)

    inputs = _input()
    x = inputs
    for filters in (32, 64):  # 28 -> 14 -> 7
        x = conv_bn(x, filters)
        x = conv_bn(x, filters)
        x = conv_bn(x, filters, kernel=5, strides=2)  # a learned downsampling
        x = layers.Dropout(dropout)(x)
    x = conv_bn(x, 128, kernel=4)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def _label_smoothing():
    from .losses import label_smoothing_objective  # lazy: losses imports Keras

    return label_smoothing_objective()


@register(
    "bncnn",
    "Ours: batch-norm CNN (conv 32-64-128, strided convs instead of pooling, "
    "dropout) trained on shifted/rotated/zoomed digits, 15 epochs one-cycle, bfloat16 where "
    "the CPU has it. Best accuracy, robust to drawings; `train --members 3` averages three.",
    Recipe(
        epochs=15,
        learning_rate=3e-3,
        augment=True,
        one_cycle=True,
        warmup_epochs=1.0,
        mixed_precision=True,
    ),
)
def build_bncnn():
    return _bncnn_layers("bncnn", dropout=0.4)


def _outlier_exposure(**teaching):
    from .losses import outlier_exposure_objective  # lazy: losses imports Keras

    return outlier_exposure_objective(**teaching)


@register(
    "drawcnn",
    "Ours, for the pad: bncnn's layers trained on pad-like digits (brush width, "
    "slant, elastic distortion, re-drawn strokes) and on non-digit drawings pushed towards "
    "'no idea' (outlier exposure). The lab's pretrained model is one started from a "
    "trained bncnn (train --init).",
    Recipe(
        epochs=8,
        learning_rate=3e-3,
        augment=True,
        one_cycle=True,
        dataset="drawings",
        objective=_outlier_exposure,
    ),
)
def build_drawcnn():
    return _bncnn_layers("drawcnn", dropout=0.3)


@register(
    "tiny",
    "Ours, for speed: Conv(32, 5x5, stride 2) - Conv(64, 3x3, stride 2), batch norm, "
    "dropout - Dense(10). Small and quick on a CPU.",
    Recipe(epochs=6, batch_size=128, learning_rate=3e-3, lr_decay=0.65),
)
def build_tiny():
    import keras
    from keras import layers

    inputs = _input()
    x = inputs
    for filters, kernel in ((32, 5), (64, 3)):  # strided convs: 28 -> 14 -> 7, cheap on a CPU
        x = layers.Conv2D(filters, kernel, strides=2, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.Activation("relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="tiny")


@register(
    "fast",
    "Ours, for speed: Conv(32, 5x5, stride 2) - Conv(64, 3x3, stride 2) - Dense(128) - "
    "Dense(10), no batch norm; 2 epochs, one-cycle, label smoothing, bfloat16 where the CPU "
    "has it. 99 % in seconds on a CPU.",
    Recipe(
        epochs=2,
        batch_size=128,
        learning_rate=3e-3,
        one_cycle=True,
        warmup_epochs=0.3,
        objective=_label_smoothing,
        mixed_precision=True,
        steps_per_execution=16,
    ),
)
def build_fast():
    import keras
    from keras import layers

    inputs = _input()
    x = inputs
    for filters, kernel in ((32, 5), (64, 3)):  # strided convs: 28 -> 14 -> 7
        x = layers.Conv2D(filters, kernel, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="fast")
