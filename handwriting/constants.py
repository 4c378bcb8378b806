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

#: Knowledge distillation (``train --teacher``): the teacher's share of a taught image's loss,
#: and the temperature that softens both the teacher's and the model's probabilities (the
#: teacher's term is scaled by its square, so that its gradients keep their size, as Hinton et
#: al. 2015 do). Temperature 1 by default: at 4, a drawcnn taught by a bncnn read its MNIST
#: images far more sharply than the pen digits, and its calibration (fitted on MNIST) was
#: unsure of 5 % of the pen digits; at 1 it was not (candidates L and N2 of
#: bench/results.json's exploration whole_number_candidates).
TEACHER_WEIGHT = 0.5
TEACHER_TEMPERATURE = 1.0
