"""Digit models: the architectures, loading / checking / calling a model, the pretrained model,
ensembles, losses and mixed precision.

Layer: above :mod:`handwriting.drawn` and the core modules, below everything that trains,
calibrates or exports. ``handwriting.models`` itself offers what a notebook needs to get a model.
"""

from .digit_model import (
    PRETRAINED,
    PRETRAINED_RECORD,
    PRETRAINED_WEIGHTS,
    REBUILD_COMMAND,
    DigitPredictor,
    ModelError,
    as_digit_model,
    check_digit_model,
    load_model,
    load_pretrained,
    pretrained_record,
    write_pretrained,
)

__all__ = [
    "PRETRAINED",
    "PRETRAINED_RECORD",
    "PRETRAINED_WEIGHTS",
    "REBUILD_COMMAND",
    "DigitPredictor",
    "ModelError",
    "as_digit_model",
    "check_digit_model",
    "load_model",
    "load_pretrained",
    "pretrained_record",
    "write_pretrained",
]
