"""Ensembles: a few models of one recipe, trained with different seeds, read as one model.

    models = [run.model for run in runs]          # e.g. three bncnn runs, seeds 0, 1, 2
    model = ensemble.average(models)              # one keras.Model: the mean of their probabilities

Each member is trained alone (``TrainingRun``, nothing special); averaging their probabilities
cancels part of each one's mistakes. The ensemble is an ordinary digit model (28x28x1 image in,
10 probabilities out), so the pad, evaluation, calibration and the TF.js export take it as it is;
it costs one member's time per member to train and to read a digit.
"""
from __future__ import annotations

from .architectures import INPUT_SHAPE
from .models import ModelError, check_digit_model


def member_seeds(seed: int, members: int) -> list[int]:
    """The seeds of ensemble ``seed``'s members: ``members`` consecutive seeds, so that two
    ensembles with different seeds never share a member (seed 1 of 3 members: 3, 4, 5)."""
    if members < 1:
        raise ValueError(f"An ensemble needs at least one member, not {members}.")
    return [seed * members + k for k in range(members)]


def average(models: list, name: str = "ensemble"):
    """One Keras model whose output is the mean of ``models``' probabilities (same input)."""
    import keras

    if len(models) < 2:
        raise ModelError(f"An ensemble averages two models or more; got {len(models)}.")
    for model in models:
        check_digit_model(model)
    image = keras.Input(shape=INPUT_SHAPE, name="image")
    # Each member is wrapped under its own name: models of one architecture share their name.
    members = [keras.Model(model.input, model.output, name=f"member{k}_{model.name}")
               for k, model in enumerate(models)]
    probabilities = keras.layers.Average(name="probabilities")([member(image) for member in members])
    return keras.Model(image, probabilities, name=name)
