"""Handwriting Lab: from MNIST to a digit recogniser in your browser, inside JupyterLab or Colab.

Modules (data flows one way):
    data -> architectures -> training -> models/evaluation -> preprocess (pad) / export (web)
Widgets in ``handwriting.widgets`` are thin views over these.
"""
__version__ = "0.1.0"

import os as _os

from .tensorflow_limits import limit_tensorflow as _limit_tensorflow

# TensorFlow's C++ start-up chatter (CUDA probing, oneDNN notes) buries the lab's own output.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Threads from the CPU limit, GPU memory on demand: many learners share one machine.
_limit_tensorflow()
