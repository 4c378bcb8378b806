"""Numbers every layer shares, named once: the model's input and its classes.

The canvas's own numbers (its size, the brush, the refusal thresholds) belong to the
preprocessing spec and live in :mod:`handwriting.preprocess`, twinned in ``web/preprocess.js``.
"""

from __future__ import annotations

#: A model's input is MODEL_SIZE x MODEL_SIZE x 1 (MNIST's 28 x 28 grey pixels).
MODEL_SIZE = 28
INPUT_SHAPE = (MODEL_SIZE, MODEL_SIZE, 1)
#: One output per digit, 0-9.
NUM_CLASSES = 10
