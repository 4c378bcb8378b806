"""Inside the network: layer outputs, first-layer filters, saliency and nearest training digits.

Numbers only (no widgets, no figures): a 28x28 image in, numpy arrays out, for any digit model
of the registry (dnn, cnn1, cnn2, bncnn, tiny) or any other 28x28x1 -> 10 Keras model.

:class:`Probe` opens one model once (one traced ``tf.function``); each call then returns every
conv layer's feature maps, every dense layer's activations, the penultimate features and the
saliency of two digits in a single pass, a few milliseconds on a CPU. :class:`NeighbourIndex`
holds the penultimate features of a few thousand training digits, so "which training digits
does the model think this looks like" is one matrix-vector product.

Saliency is gradient x input on the digit's logit (Shrikumar et al. 2016): for every pixel, how
much its ink adds to (positive) or takes from (negative) the evidence for that digit. It is one
backward pass; integrated gradients would need tens. Pixels without ink get no saliency. The
logits are the last Dense layer's scores before its softmax; a model whose output is something
else (two heads averaged, an activation after the logits) is read on the log of its own
probabilities instead (:attr:`Probe.scores`), so the evidence always follows the model's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import INPUT_SHAPE, NUM_CLASSES
from ..data import check_digit, load_mnist
from ..models.digit_model import ModelError, check_digit_model

NEIGHBOURS = 8  # nearest training digits shown per drawing
INDEX_SIZE = 3000  # training digits in the default neighbour index


@dataclass
class LayerOutput:
    """What one conv or dense layer made of the image."""

    name: str
    kind: str  # "conv" (values: H x W x channels) or "dense" (values: units)
    values: np.ndarray


@dataclass
class Neighbours:
    """The training digits nearest to an image in the model's penultimate layer, nearest first."""

    indices: np.ndarray  # (k,) rows of the index's images
    labels: np.ndarray  # (k,) their digits
    similarity: np.ndarray  # (k,) cosine similarity of the features, 1 = same direction
    images: np.ndarray  # (k, 28, 28) the digits themselves

    def majority(self) -> int:
        """The most common label among the neighbours (ties: the nearer one)."""
        counts = np.bincount(self.labels, minlength=NUM_CLASSES)
        best = np.flatnonzero(counts == counts.max())
        return int(next(label for label in self.labels if label in best))


@dataclass
class Inspection:
    """Everything the inspector shows for one drawing."""

    image: np.ndarray  # (28, 28) the input the model saw
    probabilities: np.ndarray  # (10,)
    layers: list[LayerOutput]  # conv and dense layers, input to output
    features: np.ndarray  # (D,) penultimate features (the last Dense layer's input)
    saliency: dict[int, np.ndarray] = field(default_factory=dict)  # digit -> (28, 28)
    neighbours: Neighbours | None = None

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def other(self) -> int:
        """The second digit whose saliency was computed (the top digit's own, if chosen)."""
        return list(self.saliency)[-1]

    @property
    def conv_layers(self) -> list[LayerOutput]:
        return [layer for layer in self.layers if layer.kind == "conv"]

    @property
    def dense_layers(self) -> list[LayerOutput]:
        return [layer for layer in self.layers if layer.kind == "dense"]


def _as_image(image) -> np.ndarray:
    """One 28x28 float32 image in [0, 1] from (28, 28) or (28, 28, 1); a clear error otherwise."""
    x = np.asarray(image)
    if x.shape not in {(28, 28), (28, 28, 1)}:
        raise ValueError(
            f"Expected one 28x28 image (the pad's reading.image), got shape {x.shape}."
        )
    if not np.issubdtype(x.dtype, np.floating) or not np.isfinite(x).all():
        raise ValueError(
            "Expected finite float pixels in [0, 1]; scale uint8 images with "
            "handwriting.data.normalize or use the pad's reading.image."
        )
    return x.reshape(28, 28).astype(np.float32)


def members(model) -> list:
    """The models ``model`` is made of: an ensemble's members, a shift-averaged model's network;
    [] for a single network (the only kind :class:`Probe` opens)."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.Model)]


def gives_logits(model) -> bool:
    """Whether ``model`` is a digit network without its softmax: 28x28x1 in, 10 scores out of a
    last layer without activation, e.g. the inside of ``keras.Sequential([network, Softmax()])``.
    :class:`Probe` opens it too (applying the softmax); the pad takes only the wrapped model."""
    import keras

    last = model.layers[-1] if isinstance(model, keras.Model) and model.layers else None
    if getattr(last, "activation", None) is not keras.activations.linear:
        return False
    try:
        return tuple(model.input_shape[1:]) == INPUT_SHAPE and tuple(model.output_shape[1:]) == (
            NUM_CLASSES,
        )
    except (AttributeError, ValueError):
        return False


def _check_one_network(model) -> None:
    """:func:`check_digit_model` (or :func:`gives_logits`), and refuse a model made of models (an
    ensemble) clearly."""
    if not gives_logits(model):
        check_digit_model(model)
    nested = [member.name for member in members(model)]
    if nested:
        raise ModelError(
            f"{model.name!r} is made of {len(nested)} model{'s' * (len(nested) > 1)} "
            f"({', '.join(nested)}), e.g. an ensemble: open one of them, e.g. "
            f"model.get_layer({nested[0]!r})."
        )


def inspected_layers(model) -> list:
    """The model's conv (Conv2D) and Dense layers, input to output."""
    import keras

    return [
        layer
        for layer in model.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
    ]


def _head(model):
    """The last Dense layer: its pre-activation gives the 10 logits."""
    import keras

    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if not dense or dense[-1].units != NUM_CLASSES:
        raise ModelError(
            f"{model.name!r} has no final Dense layer with 10 units (the logits "
            "before the softmax), which inspection reads, as every registry "
            "architecture has: end the model with Dense(10, activation='softmax')."
        )
    return dense[-1]


def first_layer_filters(model) -> tuple[str, np.ndarray]:
    """The first layer's weights as little images: (layer name, (N, h, w) float32).

    A conv layer gives its N kernels (h x w, e.g. 3x3); a Dense layer on the flattened 28x28
    input (dnn) gives each unit's 784 weights as a 28x28 image: the pattern it responds to.
    """
    import keras

    _check_one_network(model)
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel = np.asarray(layer.kernel.numpy())  # (h, w, in, out)
            return layer.name, kernel.mean(axis=2).transpose(2, 0, 1)
        if isinstance(layer, keras.layers.Dense):
            kernel = np.asarray(layer.kernel.numpy())  # (inputs, units)
            if kernel.shape[0] != 28 * 28:
                break
            return layer.name, kernel.T.reshape(-1, 28, 28)
    raise ModelError(
        f"{model.name!r} starts with neither a Conv2D layer nor a Dense layer on the "
        "784 pixels, so its first layer has no filters to show as images."
    )


def snapshot_model(model):
    """A copy of ``model`` with its current weights, e.g. of a run still training in a thread.

    Reading the weights does not pause training; the copy stays as it is while the run goes on.
    """
    import keras

    check_digit_model(model)
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


class Probe:
    """One digit model opened up: layer outputs, logits' saliency and penultimate features.

    Traced once per model (a fixed (2, 28, 28, 1) signature); each :meth:`inspect` is then one
    forward and one backward pass.

    Attributes:
        scores: what the saliency is taken on: ``"logits"`` (the last Dense layer's, when the
            model's output is their softmax, as in every registry architecture) or
            ``"log-probabilities"`` (the log of the model's output, for any other model).
    """

    def __init__(self, model):
        import keras
        import tensorflow as tf

        _check_one_network(model)
        self.model = model
        self.layers = inspected_layers(model)
        head = _head(model)
        kernel, bias = head.kernel, (0.0 if head.bias is None else head.bias)
        outputs = [layer.output for layer in self.layers] + [head.input, model.outputs[0]]
        self._features_model = keras.Model(model.inputs[0], outputs)
        to_probabilities = tf.nn.softmax if gives_logits(model) else tf.identity

        def forward(x, scores):
            *layer_outputs, features, output = self._features_model(x, training=False)
            probabilities = to_probabilities(output)
            if scores == "logits":
                logits = tf.matmul(features, kernel) + bias
            else:
                logits = tf.math.log(tf.maximum(probabilities, 1e-30))
            return layer_outputs, features, logits, probabilities

        # Does the model answer with the softmax of those logits (every registry architecture)?
        _, _, logits, probabilities = forward(
            np.random.default_rng(0).random((4, 28, 28, 1), np.float32), "logits"
        )
        scores = self.scores = (
            "logits"
            if np.allclose(tf.nn.softmax(logits).numpy(), probabilities.numpy(), atol=1e-4)
            else "log-probabilities"
        )

        def inspect(x, other):
            """x (1, 28, 28, 1); other: a digit, or -1 for the runner-up."""
            pair = tf.tile(x, [2, 1, 1, 1])  # rows are independent: two digits, one pass
            with tf.GradientTape() as tape:
                tape.watch(pair)
                layer_outputs, features, logits, probabilities = forward(pair, scores)
                ranked = tf.argsort(probabilities[0], direction="DESCENDING", stable=True)
                digits = tf.stack([ranked[0], tf.where(other < 0, ranked[1], other)])
                chosen = tf.gather(logits, digits, axis=1, batch_dims=1)
            saliency = (tape.gradient(chosen, pair) * pair)[..., 0]
            return (
                [out[0] for out in layer_outputs],
                features[0],
                probabilities[0],
                digits,
                saliency,
            )

        self._inspect = tf.function(
            inspect,
            input_signature=[
                tf.TensorSpec((1, 28, 28, 1), tf.float32),
                tf.TensorSpec((), tf.int32),
            ],
        )
        self._features = tf.function(
            lambda x: forward(x, scores)[1],
            input_signature=[tf.TensorSpec((None, 28, 28, 1), tf.float32)],
            reduce_retracing=True,
        )

    def features(self, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
        """Penultimate features (N, D) of images (N, 28, 28[, 1])."""
        x = np.asarray(images, np.float32).reshape(-1, 28, 28, 1)
        parts = [
            self._features(x[i : i + batch_size]).numpy() for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(parts).reshape(len(x), -1)

    def inspect(
        self,
        image,
        other: int | None = None,
        index: NeighbourIndex | None = None,
        k: int = NEIGHBOURS,
    ) -> Inspection:
        """Everything about one image: layer outputs, probabilities, saliency, neighbours.

        Args:
            image: the 28x28 input (e.g. ``pad.reading.image``), floats in [0, 1].
            other: a second digit whose evidence to show (default: the runner-up).
            index: training digits to find the ``k`` nearest neighbours in (optional).
        """
        x = _as_image(image)
        other = -1 if other is None else check_digit(other)
        layer_outputs, features, probabilities, digits, saliency = self._inspect(
            x[None, :, :, None], np.int32(other)
        )
        if not (np.isfinite(probabilities.numpy()).all() and np.isfinite(features.numpy()).all()):
            raise ModelError(
                f"{self.model.name!r} gives no numbers (NaN) for this drawing: its "
                "weights are not finite, e.g. its training diverged. Train it again "
                "with a lower learning rate."
            )
        layers = [
            LayerOutput(layer.name, "conv" if out.shape.rank == 3 else "dense", out.numpy())
            for layer, out in zip(self.layers, layer_outputs, strict=False)
        ]
        features = features.numpy().ravel()
        return Inspection(
            image=x,
            probabilities=probabilities.numpy(),
            layers=layers,
            features=features,
            saliency={int(d): s for d, s in zip(digits.numpy(), saliency.numpy(), strict=False)},
            neighbours=None if index is None else index.nearest(features, k),
        )


class NeighbourIndex:
    """Penultimate features of labelled training digits, for nearest-neighbour look-ups.

    Build it once per model (a few thousand digits take about a second); :meth:`nearest` is
    then one matrix-vector product. Similarity is the cosine of the feature vectors.
    """

    def __init__(self, probe: Probe, images: np.ndarray, labels: np.ndarray):
        images = np.asarray(images, np.float32).reshape(-1, 28, 28)
        labels = np.asarray(labels).astype(np.int64).ravel()
        if len(images) == 0 or len(images) != len(labels):
            raise ValueError(
                f"Expected as many labels as images (at least one), got "
                f"{len(images)} images and {len(labels)} labels."
            )
        self.images, self.labels = images, labels
        self._unit = _unit_rows(probe.features(images))

    @classmethod
    def from_mnist(cls, probe: Probe, size: int = INDEX_SIZE) -> NeighbourIndex:
        """An index of the first ``size`` MNIST training digits."""
        (x_train, y_train), _ = load_mnist(train_size=size, test_size=1, quick=False)
        return cls(probe, x_train, y_train)

    def __len__(self) -> int:
        return len(self.labels)

    def nearest(self, features: np.ndarray, k: int = NEIGHBOURS) -> Neighbours:
        """The ``k`` indexed digits whose features point most nearly the way ``features`` do."""
        query = np.asarray(features, np.float32).ravel()
        if query.shape != self._unit.shape[1:]:
            raise ValueError(
                f"Expected {self._unit.shape[1]} features (this index's model), got "
                f"{query.size}: build the index with the same model's Probe."
            )
        similarity = self._unit @ _unit_rows(query[None])[0]
        k = min(k, len(similarity))
        nearest = np.argpartition(-similarity, k - 1)[:k]
        nearest = nearest[np.argsort(-similarity[nearest], kind="stable")]
        return Neighbours(
            indices=nearest,
            labels=self.labels[nearest],
            similarity=similarity[nearest],
            images=self.images[nearest],
        )


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (all-zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
