"""Honest answers: metrics, calibration and the digit / unsure / not-a-digit verdicts, the
:class:`~handwriting.honest.recognizer.Recognizer` that reads a drawing the way the pad does, and
the drawn-digit benchmark that scores those answers.

Layer: above :mod:`handwriting.models` and :mod:`handwriting.drawn`; below training (which records
accuracy) and everything that shows or exports answers.
"""
