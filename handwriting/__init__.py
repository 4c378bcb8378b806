"""Handwriting Lab: from MNIST to a digit recogniser in your browser, inside JupyterLab or Colab.

The package is in layers; a module imports only from its own layer or the ones below it
(checked by the import contract in ``pyproject.toml``, ``lint-imports``)::

    __main__                   python -m handwriting: runs the cli
    widgets/  cli              thin: show or parse, then call one job
    jobs                       train-and-calibrate, train an ensemble, calibrate, fine-tune,
                               export-and-verify, ship the pretrained model
    export/  inspection/       the TF.js app and its parity check; inside the network;
    numbers/                   whole numbers: cut into digits, each read as the pad reads one
    training/                  runs, fine-tuning, pad-like augmentation, curve numbers
    honest/                    metrics, calibration and verdicts, the Recognizer, the drawn
    benchmark
    models/                    architectures, load / check / predict, pretrained, ensembles, losses
    drawn/                     drawings: generated, templates, benchmark sets, doodles, a person's
    core modules               constants, data, preprocess (the canvas spec), strokes, files, png,
                               browser, plots, TensorFlow set-up

Data flows one way: data -> models -> training -> (a model) -> honest answers -> pad / export.
"""

__version__ = "0.1.0"

import os as _os

from . import _moved
from .tensorflow_limits import limit_tensorflow as _limit_tensorflow

# TensorFlow's C++ start-up chatter (CUDA probing, oneDNN notes) buries the lab's own output.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Threads from the CPU limit, GPU memory on demand: many learners share one machine.
_limit_tensorflow()
# Old flat module names (handwriting.honest.calibration, ...) still import, with a
# DeprecationWarning.
_moved.install()
