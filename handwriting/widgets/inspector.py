"""Inspector: look inside the model that reads a DrawingPad — maps, filters, saliency, neighbours.

A view over :mod:`handwriting.inspection` (the numbers) and :mod:`handwriting.inspection.heatmaps`
(the
pictures). It follows a :class:`DrawingPad`: every reading at the end of a stroke (and after
undo, clear or a new model, e.g. from the training panel the pad follows) updates it. A model made
of models (an ensemble) is looked at through its first member; a model it cannot open, or a first
layer without filters to show, is said in the widget, in words.
:meth:`Inspector.update`, :meth:`Inspector.snapshot` and :meth:`Inspector.wait` are the same
actions a test or a notebook cell can call.
"""

from __future__ import annotations

import dataclasses
import html
import threading

import ipywidgets as widgets

from ..data import load_mnist
from ..honest.recognizer import Recognizer
from ..inspection import heatmaps
from ..inspection.network import (
    INDEX_SIZE,
    Inspection,
    NeighbourIndex,
    Probe,
    first_layer_filters,
    members,
    snapshot_model,
)
from ..models.digit_model import ModelError
from .gallery import image_html

PROMPT = "Draw a digit on the pad to look inside the model."
MAP_COLUMNS = 16
CELL_PIXELS = 40  # on-screen size of one feature map or filter, whatever its resolution


def _figure(content: str, caption: str, attributes: str = "") -> str:
    return (
        f'<figure style="margin:0 12px 8px 0;display:inline-block;vertical-align:top" {attributes}>'
        f'{content}<figcaption style="font-size:12px;color:#444">{caption}</figcaption></figure>'
    )


def _heading(text: str) -> str:
    return f'<div style="font-weight:bold;margin:10px 0 4px">{text}</div>'


def evidence_html(inspection: Inspection) -> str:
    """The input, and the saliency of the top digit and of the other digit over it."""
    pictures = [
        _figure(
            image_html(heatmaps.grey_digits(inspection.image[None])[0], 4, "hw-input"),
            "what the model saw",
        )
    ]
    for digit, saliency in inspection.saliency.items():
        p = inspection.probabilities[digit]
        pictures.append(
            _figure(
                image_html(heatmaps.saliency_overlay(inspection.image, saliency), 4, "hw-saliency"),
                f"evidence for <b>{digit}</b> ({p:.1%})",
                f'data-digit="{digit}"',
            )
        )
    return (
        _heading("Where the evidence is")
        + "".join(pictures)
        + '<div style="font-size:12px;color:#444">Red ink speaks for the digit, blue ink '
        "against it (gradient × input on the digit's score).</div>"
    )


def neighbours_html(inspection: Inspection) -> str:
    """The nearest training digits with their labels, and what they suggest."""
    neighbours = inspection.neighbours
    if neighbours is None:
        return (
            _heading("Nearest training digits") + "<i>Indexing training digits for this model…</i>"
        )
    cells = heatmaps.grey_digits(neighbours.images)
    pictures = "".join(
        _figure(
            image_html(cell, 2, "hw-neighbour"),
            f"<b>{label}</b> · {similarity:.2f}",
            f'data-label="{label}"',
        )
        for cell, label, similarity in zip(
            cells, neighbours.labels, neighbours.similarity, strict=False
        )
    )
    return (
        _heading(
            f"The {len(neighbours.labels)} nearest training digits in the model's last "
            "hidden layer (label · similarity)"
        )
        + pictures
        + f'<div style="font-size:12px;color:#444">It reads your drawing as a '
        f"<b>{inspection.digit}</b>; to the model it looks most like these, mostly "
        f"<b>{neighbours.majority()}</b>s.</div>"
    )


def layers_html(inspection: Inspection, model_name: str) -> str:
    """Every conv layer's feature maps and every dense layer's activations."""
    parts = [_heading("Feature maps of every conv layer")]
    if not inspection.conv_layers:
        parts.append(
            f"<i>{html.escape(model_name)} has no conv layers: its first layer's weights "
            "are shown as images below.</i>"
        )
    for layer in inspection.conv_layers:
        height, width, channels = layer.values.shape
        grid = heatmaps.feature_map_grid(layer.values, columns=MAP_COLUMNS)
        parts.append(
            _figure(
                image_html(grid, CELL_PIXELS / height, "hw-feature-maps", layer.name),
                f"{html.escape(layer.name)}: {channels} maps of {height}×{width}",
                f'class="hw-layer" data-layer="{html.escape(layer.name)}" '
                f'data-shape="{height}x{width}x{channels}"',
            )
        )
    parts.append(_heading("Dense layers' activations"))
    for layer in inspection.dense_layers:
        bars = heatmaps.activation_bars(layer.values, bar=3 if layer.values.size > 20 else 16)
        parts.append(
            _figure(
                image_html(bars, 1, "hw-dense", layer.name),
                f"{html.escape(layer.name)}: {layer.values.size} units",
                f'class="hw-layer" data-layer="{html.escape(layer.name)}" '
                f'data-shape="{layer.values.size}"',
            )
        )
    return "".join(parts)


def filters_html(model) -> str:
    """The first layer's filters (dnn: each first-layer unit's weights as a 28x28 image), or why
    there are none to show."""
    try:
        name, filters = first_layer_filters(model)
    except ModelError as err:
        return _heading("First layer") + f"<i>{html.escape(str(err))}</i>"
    count, height, width = filters.shape
    what = (
        f"{count} units' weights over the 28×28 pixels"
        if (height, width) == (28, 28)
        else f"{count} filters of {height}×{width}"
    )
    grid = heatmaps.weight_grid(filters, columns=MAP_COLUMNS, cell=28)
    return (
        _heading(f"First layer ({html.escape(name)}): {what}")
        + image_html(grid, CELL_PIXELS / 28, "hw-filters", name)
        + '<div style="font-size:12px;color:#444">Red: a positive weight (ink there excites '
        "the unit), blue: negative.</div>"
    )


class Inspector(widgets.VBox):
    """Feature maps, first-layer filters, saliency and nearest training digits for a pad's drawing.

    Args:
        pad: the :class:`DrawingPad` to follow (its model, and through it a TrainingPanel's).
        panel: the TrainingPanel the pad follows, to enable :meth:`snapshot` of a run in progress.
        index_digits: (images, labels) to find nearest neighbours among; default the first
            :data:`~handwriting.inspection.INDEX_SIZE` MNIST training digits.
        live: also update while a stroke is being drawn (default: at the end of each stroke).
    """

    def __init__(self, pad, panel=None, index_digits=None, live: bool = False):
        self.pad = pad
        self.panel = panel
        self.live = live
        self.probe: Probe | None = None
        self._recognizer: Recognizer | None = None  # reads the pad's canvas for a snapshot
        self.index: NeighbourIndex | None = None
        self.inspection: Inspection | None = None
        self.source = ""  # which model is shown, in words
        self.problem = ""  # why the last model given could not be opened
        self._opened = None  # that model (a member of it is what the probe opens)
        self._index_digits = index_digits
        self._pad_model = None  # the pad's model when we last looked
        self._lock = threading.RLock()  # readings, new models and finished indexes may race
        self._threads: list[threading.Thread] = []

        self.status = widgets.HTML()
        self.status.add_class("hw-inspector-status")
        self.other = widgets.Dropdown(
            options=[("runner-up", None)] + [(str(d), d) for d in range(10)],
            value=None,
            description="Compare with",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="220px"),
        )
        self.snapshot_button = widgets.Button(
            description="Snapshot training",
            icon="camera",
            tooltip="Look inside the model that is training now",
            layout=widgets.Layout(width="180px", display="" if panel else "none"),
        )
        self.evidence = widgets.HTML()
        self.neighbours = widgets.HTML()
        self.layers = widgets.HTML()
        self.filters = widgets.HTML()
        for view, name in (
            (self.evidence, "evidence"),
            (self.neighbours, "neighbours"),
            (self.layers, "layers"),
            (self.filters, "filters"),
        ):
            view.add_class(f"hw-inspector-{name}")

        self.other.observe(lambda change: self.update(), "value")
        self.snapshot_button.on_click(lambda _: self.snapshot())
        super().__init__(
            [
                self.status,
                widgets.HBox([self.other, self.snapshot_button]),
                widgets.HBox(
                    [self.evidence, self.neighbours],
                    layout=widgets.Layout(gap="24px", flex_flow="row wrap"),
                ),
                self.layers,
                self.filters,
            ]
        )
        self.add_class("hw-inspector")
        pad.observe(lambda change: self._pad_read(change.new), names="reading")
        self._pad_read(pad.reading)

    # ------------------------------------------------------------- actions

    def update(self) -> Inspection | None:
        """Inspect the pad's current reading with the current model; returns the inspection."""
        with self._lock:
            reading = self.pad.reading
            if self.probe is not None and self._opened is not self.pad.model:
                # A snapshot: it reads the pad's drawing itself (the pad may have no model yet).
                self._recognizer.center = self.pad.center_box.value
                reading = self._recognizer.read(self.pad.sketch.rgba())
            if self.probe is None:
                self._clear(
                    html.escape(self.problem)
                    or "No model yet: train one in the panel, or give the pad a .keras file.",
                    error=bool(self.problem),
                )
                return None
            if reading.image is None:
                self._clear(
                    html.escape(reading.message or PROMPT) if reading.refused != "blank" else PROMPT
                )
                return None
            inspection = self.probe.inspect(reading.image, other=self.other.value, index=self.index)
            if self.probe.model is self._opened:
                # The pad's (calibrated) probabilities: the same ranking, the same numbers as the
                # pad. A member of an ensemble keeps its own: they are what its pictures explain.
                inspection = dataclasses.replace(inspection, probabilities=reading.probabilities)
            self.inspection = inspection
            self.evidence.value = evidence_html(inspection)
            self.neighbours.value = neighbours_html(inspection)
            self.layers.value = layers_html(inspection, self.probe.model.name)
            # The status last: when it names the digit, the pictures above are already sent.
            self._say(
                f"{html.escape(self.source)} reads a <b>{inspection.digit}</b> "
                f"({inspection.probabilities[inspection.digit]:.1%})."
            )
            return inspection

    def use_model(self, model, source: str = "") -> None:
        """Inspect ``model`` from now on (its neighbour index is built in the background).

        A model made of models (an ensemble, a shift-averaged model) is opened through its first
        member. A model that cannot be opened is said in the status until the next one comes.

        Raises:
            ModelError: ``model`` cannot be opened (also shown).
        """
        with self._lock:
            self.probe, self.index, self._opened, self.problem = None, None, model, ""
            self.source, self.filters.value = "", ""
            if model is None:
                return
            inside = members(model)
            network = inside[0] if inside else model
            try:
                probe = Probe(network)
            except ModelError as err:
                self.problem = f"Cannot look inside this model: {err}"
                self._clear(html.escape(self.problem), error=True)
                raise
            self.probe, self._recognizer = probe, Recognizer(model)
            self.source = source or f"The model ({model.name})"
            if inside:
                which = (
                    "the network" if len(inside) == 1 else f"the first of the {len(inside)} models"
                )
                self.source = f"{network.name}, {which} inside {model.name},"
            self.filters.value = filters_html(network)
        self._start(self._build_index, probe)

    def snapshot(self, wait: bool = False) -> None:
        """Look inside the panel's run in progress: a copy of its weights as they are now.

        The copy is made and opened in a background thread, so the kernel stays free; training
        goes on. The next model the pad gets (e.g. the run's final one) replaces the snapshot.
        """
        run = None if self.panel is None else self.panel.last_run
        if run is None or not self.panel.running or run.model is None:
            self._say("No run in progress to snapshot: press Train in the panel first.", error=True)
            return
        self._say("Taking a snapshot of the run in progress…")
        self._start(self._take_snapshot, run)
        if wait:
            self.wait()

    def wait(self, timeout: float | None = None) -> None:
        """Block until background work (snapshot, neighbour index) has finished."""
        while self._threads:
            self._threads.pop(0).join(timeout)

    # ------------------------------------------------------------ internals

    def _pad_read(self, reading) -> None:
        if self.pad.sketch.drawing and not self.live:
            return  # mid-stroke: wait for the stroke's end
        try:
            if self.pad.model is not self._pad_model:
                self._pad_model = self.pad.model
                name = getattr(self.pad.model, "name", "")
                self.use_model(self.pad.model, f"The pad's model ({name})")
            self.update()
        except ModelError as err:  # written for people: shown as it is
            self._clear(html.escape(self.problem or str(err)), error=True)
        except Exception as err:  # noqa: BLE001 - the pad must keep working whatever happens here
            self._say(
                f"Could not look inside this model: {html.escape(type(err).__name__)}: "
                f"{html.escape(str(err)[:300])}",
                error=True,
            )

    def _take_snapshot(self, run) -> None:
        model = snapshot_model(run.model)
        self.use_model(
            model,
            f"A snapshot of the {run.config.architecture} run in progress "
            f"(epoch {run.epoch + 1}, batch {run.batch})",
        )
        self.update()

    def _build_index(self, probe: Probe) -> None:
        if self._index_digits is None:
            (x_train, y_train), _ = load_mnist(train_size=INDEX_SIZE, test_size=1, quick=False)
            self._index_digits = (x_train, y_train)
        index = NeighbourIndex(probe, *self._index_digits)
        with self._lock:
            if self.probe is probe:  # still the model on show
                self.index = index
                self.update()

    def _start(self, work, *args) -> None:
        def guarded():
            try:
                work(*args)
            except Exception as err:  # noqa: BLE001 - shown in the widget, not lost in a thread
                self._say(
                    f"Inspection failed: {html.escape(type(err).__name__)}: "
                    f"{html.escape(str(err)[:300])}",
                    error=True,
                )

        thread = threading.Thread(target=guarded, name="handwriting-inspect", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _clear(self, message: str, error: bool = False) -> None:
        self.inspection = None
        self._say(message, error)
        self.evidence.value = self.neighbours.value = self.layers.value = ""

    def _say(self, text: str, error: bool = False) -> None:
        colour = "#b00020" if error else "#333"
        self.status.value = f'<div style="color:{colour};font-size:15px">{text}</div>'
