"""Ensembles: a few models trained with different seeds, read as one model.

    models = [run.model for run in runs]          # e.g. three bncnn runs, seeds 0, 1, 2
    model = ensemble.average(models)              # one keras.Model: the mean of their probabilities
    model = ensemble.shift_averaged(model)        # ... also read one pixel up/down/left/right (TTA)

Each member is trained alone (``TrainingRun`` at its architecture's registry recipe, nothing
special); averaging their probabilities cancels the mistakes they do not share. The members may
be of one architecture or of several (``bncnn,bncnn,cnn2``), each at its own recipe. The
ensemble is an ordinary digit model (28x28x1 image in, 10 probabilities out), so the pad,
evaluation, calibration and the TF.js export take it as it is; it costs one member's time per
member to train and to read a digit.

Test-time augmentation (:func:`shift_averaged`) averages the readings of the image as drawn and
moved by one pixel each way: five readings per digit, also one ordinary digit model.
"""

from __future__ import annotations

from ..constants import INPUT_SHAPE
from . import architectures
from .digit_model import ModelError, check_digit_model

#: An example of a mixed ensemble, for messages and help.
MIXED_EXAMPLE = "bncnn,bncnn,cnn2"
#: Test-time augmentation: (rows down, columns right) of each reading; the drawing as it is and
#: moved one pixel down, up, right and left.
SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))
#: The name suffix of a shift-averaged model (bncnn_x3_tta).
TTA_SUFFIX = "_tta"


def member_architectures(members: str, architecture: str) -> list[str]:
    """The architecture of each member, from the CLI's ``--members``: a count (``"3"``: three of
    ``architecture``) or a comma-separated list of architectures (``"bncnn,bncnn,cnn2"``)."""
    text = members.strip()
    if text.lstrip("+-").isdigit():
        if int(text) < 1:
            raise ValueError(f"--members must be 1 or more (models averaged), not {text}.")
        return [architecture] * int(text)
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in architectures.names()]
    if unknown:
        raise ValueError(
            f"--members: unknown architecture {unknown[0]!r}; give a count such as 3 "
            f"or a list such as {MIXED_EXAMPLE} (architectures: "
            f"{', '.join(architectures.names())})."
        )
    if len(names) < 2:
        raise ValueError(
            f"--members {text}: an ensemble lists two architectures or more "
            f"(e.g. {MIXED_EXAMPLE}); for one model use --arch {names[0]}."
        )
    return names


def member_seeds(seed: int, members: int) -> list[int]:
    """The seeds of ensemble ``seed``'s members: ``members`` consecutive seeds, so that two
    ensembles with different seeds never share a member (seed 1 of 3 members: 3, 4, 5)."""
    if members < 1:
        raise ValueError(f"An ensemble needs at least one member, not {members}.")
    return [seed * members + k for k in range(members)]


def describe(members: list[str] | tuple[str, ...]) -> str:
    """A recipe's members in words: ``bncnn x 3``, ``bncnn x 2 + cnn2``."""
    counts = {name: members.count(name) for name in members}  # first-seen order
    return " + ".join(name if count == 1 else f"{name} x {count}" for name, count in counts.items())


def model_name(members: list[str] | tuple[str, ...], tta: bool = False) -> str:
    """The averaged model's name: ``bncnn_x3``, ``bncnn_x2_cnn2``, with ``tta`` ``bncnn_x3_tta``."""
    return describe(members).replace(" x ", "_x").replace(" + ", "_") + (TTA_SUFFIX if tta else "")


def average(models: list, name: str = "ensemble"):
    """One Keras model whose output is the mean of ``models``' probabilities (same input)."""
    import keras

    if len(models) < 2:
        raise ModelError(f"An ensemble averages two models or more; got {len(models)}.")
    for model in models:
        check_digit_model(model)
    image = keras.Input(shape=INPUT_SHAPE, name="image")
    # Each member is wrapped under its own name: models of one architecture share their name.
    members = [
        keras.Model(model.input, model.output, name=f"member{k}_{model.name}")
        for k, model in enumerate(models)
    ]
    probabilities = keras.layers.Average(name="probabilities")(
        [member(image) for member in members]
    )
    return keras.Model(image, probabilities, name=name)


def shift_averaged(model, shifts=SHIFTS, name: str | None = None):
    """One Keras model whose output is the mean of ``model``'s probabilities over the image moved
    by each ``(rows down, columns right)`` of ``shifts`` (pixels moved in are blank): test-time
    augmentation, as many readings per digit as shifts. Plain Keras layers (padding, cropping,
    average), so it saves, loads and exports like any digit model."""
    import keras

    check_digit_model(model)
    shifts = [tuple(shift) for shift in shifts]
    if not shifts or any(
        len(shift) != 2 or not all(isinstance(d, int) and abs(d) <= 2 for d in shift)
        for shift in shifts
    ):
        raise ModelError(
            f"Shifts are (rows, columns) pairs of whole pixels from -2 to 2, e.g. "
            f"{SHIFTS}; got {shifts}."
        )
    margin = max(abs(d) for shift in shifts for d in shift)
    image = keras.Input(shape=INPUT_SHAPE, name="image")
    padded = keras.layers.ZeroPadding2D(margin, name="blank_margin")(image)
    readings = [
        model(
            keras.layers.Cropping2D(
                ((margin - dy, margin + dy), (margin - dx, margin + dx)), name=f"shift{k}"
            )(padded)
        )
        for k, (dy, dx) in enumerate(shifts)
    ]
    probabilities = (
        keras.layers.Average(name="probabilities")(readings) if len(readings) > 1 else readings[0]
    )
    return keras.Model(image, probabilities, name=name or model.name + TTA_SUFFIX)
