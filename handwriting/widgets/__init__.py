"""ipywidgets views over the plain Python objects in :mod:`handwriting`.

Each widget is a thin shell: the work happens in the package's plain classes, which are tested
without a browser; a widget only wires buttons and outputs to them.
"""

from ..quiet_tensorflow import import_tensorflow

import_tensorflow()

from .collector import DrawingCollector  # noqa: E402
from .drawing_pad import DrawingPad  # noqa: E402
from .export_panel import ExportPanel  # noqa: E402
from .inspector import Inspector  # noqa: E402
from .number_pad import NumberPad  # noqa: E402
from .training_panel import TrainingPanel  # noqa: E402

__all__ = [
    "DrawingCollector",
    "DrawingPad",
    "ExportPanel",
    "Inspector",
    "NumberPad",
    "TrainingPanel",
]
