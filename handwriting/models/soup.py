"""Model soups: the weights of several fine-tunes of one model, averaged into one model.

    taught = [load_model("runs/taught-t4/model.keras"), load_model("runs/taught-t1/model.keras")]
    model = soup.average_weights(taught)        # one network: each weight the mean of theirs

Models fine-tuned from the same weights (``train --init``) stay close enough that the mean of
their weights is a good model too, often better than each of them (Wortsman et al. 2022,
"Model soups: averaging weights of multiple fine-tuned models improves accuracy without
increasing inference time"). Unlike an ensemble (:mod:`.ensemble`, which averages the models'
readings and costs one model's time per member), a soup reads a digit as fast as one model.
Batch-norm statistics are averaged like the weights. Models trained from different random
weights do not average into a good model: this module cannot tell (their layers match), so
it is for fine-tunes of one run.
"""

from __future__ import annotations

import numpy as np

from .digit_model import ModelError


def _layout(model) -> list[tuple]:
    """Each weight's shape, in order: two models average only if these match."""
    return [tuple(weight.shape) for weight in model.weights]


def average_weights(models: list):
    """One ``keras.Model`` with the layers of ``models[0]`` and, for each weight, the mean of
    that weight over ``models`` (two or more of the same layers).

    Raises:
        ModelError: fewer than two models, or one whose layers differ from the first's.
    """
    import keras

    if len(models) < 2:
        raise ModelError(f"Averaging weights needs two models or more, got {len(models)}.")
    first = models[0]
    for model in models[1:]:
        if _layout(model) != _layout(first):
            raise ModelError(
                f"{model.name} has other layers than {first.name}: only models of one "
                "architecture average (fine-tunes of one run, e.g. train --init)."
            )
    soup = keras.models.clone_model(first)
    each = [model.get_weights() for model in models]
    soup.set_weights([np.mean(weights, axis=0) for weights in zip(*each, strict=True)])
    return soup
