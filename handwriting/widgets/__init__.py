"""ipywidgets views over the plain Python objects in :mod:`handwriting`.

Each widget is a thin shell: the work happens in the package's plain classes, which are tested
without a browser; a widget only wires buttons and outputs to them.
"""
