"""Inside the network: layer outputs, first-layer filters, saliency, nearest training digits
(:mod:`~handwriting.inspection.network`), and the pictures of them (:mod:`~.heatmaps`).

Layer: above :mod:`handwriting.honest`, beside :mod:`handwriting.export`; the inspector widget
shows it.
"""

from .network import (
    INDEX_SIZE,
    NEIGHBOURS,
    Inspection,
    LayerOutput,
    NeighbourIndex,
    Neighbours,
    Probe,
    first_layer_filters,
    inspected_layers,
    snapshot_model,
)

__all__ = [
    "INDEX_SIZE",
    "NEIGHBOURS",
    "Inspection",
    "LayerOutput",
    "NeighbourIndex",
    "Neighbours",
    "Probe",
    "first_layer_filters",
    "inspected_layers",
    "snapshot_model",
]
