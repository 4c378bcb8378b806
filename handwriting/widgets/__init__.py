"""ipywidgets views over the plain Python objects in :mod:`handwriting`.

Each widget is a thin shell: the work happens in the package's plain classes, which are tested
without a browser; a widget only wires buttons and outputs to them.
"""
from .drawing_pad import DrawingPad
from .export_panel import ExportPanel
from .training_panel import TrainingPanel

__all__ = ["DrawingPad", "ExportPanel", "TrainingPanel"]
