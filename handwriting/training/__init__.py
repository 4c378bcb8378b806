"""Training: runs (configure, fit, stop, record, save), fine-tuning on a person's drawings,
augmentation that imitates the pad, and the numbers behind the live curves.

Layer: above :mod:`handwriting.honest` (a fine-tuned model is calibrated again) and
:mod:`handwriting.models`. ``handwriting.training`` itself offers the run API.
"""

from ..models.digit_model import save_model
from .config import OPTIMIZERS, ConfigError, RunRecord, TrainingConfig, with_settings
from .run import (
    TrainingListener,
    TrainingRun,
    batch_values,
    compile_model,
    distribution_strategy,
    start_from,
)

__all__ = [
    "OPTIMIZERS",
    "ConfigError",
    "RunRecord",
    "TrainingConfig",
    "TrainingListener",
    "TrainingRun",
    "batch_values",
    "compile_model",
    "distribution_strategy",
    "save_model",
    "start_from",
    "with_settings",
]
