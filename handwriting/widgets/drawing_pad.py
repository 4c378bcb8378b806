"""DrawingPad: draw a digit on an ipycanvas and watch the model's probabilities update live.

A view over :class:`handwriting.honest.recognizer.Sketch` (the strokes) and
:class:`handwriting.honest.recognizer.Recognizer` (preprocess + model). Mouse and touch events, the
test methods :meth:`DrawingPad.draw_strokes` / :meth:`DrawingPad.set_pixels`, Undo and Clear
all end in the same :meth:`DrawingPad.refresh`.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import traitlets
from ipycanvas import hold_canvas

from ..honest.recognizer import Reading, Recognizer, Sketch
from ..png import encode_png
from ..preprocess import CANVAS_SIZE, STROKE_WIDTH, ink_from_rgba
from ._common import PointerDrawing, follow_models, pad_canvas, reader_for, shown_and_raised

PROMPT = "Draw a digit"


def probability_bars_html(probabilities: np.ndarray | None) -> str:
    """Ten horizontal bars, one per digit (empty bars while there is nothing to read)."""
    rows = []
    top = None if probabilities is None else int(np.argmax(probabilities))
    for digit in range(10):
        p = 0.0 if probabilities is None else float(probabilities[digit])
        colour = "#2f7ed8" if digit == top else "#9bb7d4"
        rows.append(
            f'<div class="hw-bar" data-digit="{digit}" data-probability="{p:.6f}" '
            'style="display:flex;align-items:center;gap:6px;height:20px">'
            f'<span style="width:1em;font-weight:bold">{digit}</span>'
            '<span style="flex:1;background:#eee;height:14px;position:relative">'
            f'<span style="position:absolute;left:0;top:0;bottom:0;width:{100 * p:.1f}%;'
            f'background:{colour}"></span></span>'
            f'<span style="width:4em;text-align:right;font-size:12px">{100 * p:.1f}%</span></div>'
        )
    return '<div class="hw-probabilities">' + "".join(rows) + "</div>"


def _preview_png(image: np.ndarray | None) -> bytes:
    pixels = (
        np.zeros((28, 28), np.uint8) if image is None else np.round(image * 255).astype(np.uint8)
    )
    return encode_png(pixels, scale=4)


class DrawingPad(PointerDrawing, widgets.HBox):
    """Draw a digit (mouse, pen or touch) and see what the model sees and thinks.

    Args:
        model: a 28x28x1 Keras model, a ``.keras`` path, ``"pretrained"``, or a TrainingPanel
            (the pad then follows the panel's newest model). Without one (None, or a panel that
            has not trained yet) the pad reads with the lab's pretrained model and says so.
        center: MNIST-style centring before the model (as the web app does).
        live_interval: seconds between predictions while a stroke is being drawn.
        calibration: the model's :class:`~handwriting.honest.calibration.Calibration` (temperature
        and
            the "not sure" / "not a digit" thresholds); default: a TrainingPanel's for each of its
            models (:attr:`TrainingPanel.calibration`), the pretrained model's, the one stored
            beside a ``.keras`` path, else temperature 1 and the default thresholds.
    """

    reading = traitlets.Instance(
        Reading,
        help="What the pad read last (strokes, undo, clear, a new "
        "model): the inspector observes it.",
    )

    def __init__(
        self,
        model=None,
        center: bool = True,
        live_interval: float = 0.1,
        size: int = CANVAS_SIZE,
        calibration=None,
    ):
        self.sketch = Sketch(size=size)
        self.calibration = calibration
        self.live_interval = live_interval
        self.recognizer: Recognizer | None = None
        self.using_pretrained = False
        self.reading = Reading(image=None, probabilities=None, refused="blank", message=PROMPT)
        self.readings_shown = 0

        self.canvas = pad_canvas(size, size)
        self.width_slider = widgets.IntSlider(
            value=STROKE_WIDTH, min=4, max=40, description="Brush"
        )
        self.center_box = widgets.Checkbox(
            value=center, description="Centre like MNIST", indent=False
        )
        self.undo_button = widgets.Button(description="Undo", icon="undo")
        self.clear_button = widgets.Button(description="Clear", icon="trash")
        self.prediction = widgets.HTML()
        self.prediction.add_class("hw-pad-prediction")
        self.model_note = widgets.HTML()
        self.model_note.add_class("hw-pad-model-note")
        self.bars = widgets.HTML(probability_bars_html(None))
        self.preview = widgets.Image(
            format="png",
            value=_preview_png(None),
            layout=widgets.Layout(width="112px", height="112px"),
        )
        self.preview.add_class("hw-pad-preview")

        self._listen_to_pointer()
        self.width_slider.observe(self._brush_changed, "value")
        self.center_box.observe(self._center_changed, "value")

        controls = widgets.HBox([self.undo_button, self.clear_button])
        left = widgets.VBox([self.canvas, controls, self.width_slider, self.center_box])
        right = widgets.VBox(
            [
                self.model_note,
                self.prediction,
                widgets.HTML("<b>What the model sees</b>"),
                self.preview,
                self.bars,
            ],
            layout=widgets.Layout(width="300px"),
        )
        super().__init__([left, right], layout=widgets.Layout(gap="16px"))
        self.add_class("hw-drawing-pad")
        self._paint_background()
        self.model = model
        self._show(self.reading)

    # ----------------------------------------------------------------- model

    @property
    def model(self):
        return None if self.recognizer is None else self.recognizer.model

    @model.setter
    def model(self, model) -> None:
        self._set_model(*follow_models(model, self._set_model))

    def _set_model(self, model, calibration=None) -> None:
        calibration = calibration if self.calibration is None else self.calibration
        self.recognizer, self.using_pretrained, self.model_note.value = reader_for(
            model,
            lambda model: Recognizer(model, center=self.center_box.value, calibration=calibration),
        )
        self.refresh()

    # ------------------------------------------------------------ user actions

    def draw_strokes(self, strokes) -> Reading:
        """Draw strokes (each a list of (x, y) canvas points) as a user would; returns the reading.

        Bad strokes (or a model that fails) are shown on the pad and raised, so the cell fails."""
        with self._shown_and_raised():
            self.sketch.add_strokes(strokes)
            self._redraw()
            return self.refresh()

    def set_pixels(self, rgba: np.ndarray) -> Reading:
        """Replace the drawing with an RGBA canvas image (size x size x 4 uint8) and read it."""
        with self._shown_and_raised():
            ink_from_rgba(rgba)  # validates shape and dtype
            if rgba.shape[:2] != (self.sketch.size, self.sketch.size):
                raise ValueError(
                    f"Expected a {self.sketch.size}x{self.sketch.size} RGBA image, "
                    f"got {rgba.shape[1]}x{rgba.shape[0]}."
                )
            self.sketch.set_picture(rgba)
            self._redraw()
            return self.refresh()

    def _shown_and_raised(self):
        """Show an error on the pad (where the person looks), then let it reach the caller."""
        return shown_and_raised(self.prediction, "digit")

    def undo(self) -> Reading:
        self.sketch.undo()
        self._redraw()
        return self.refresh()

    def clear(self) -> Reading:
        self.sketch.clear()
        self._redraw()
        return self.refresh()

    def refresh(self) -> Reading:
        """Read the current drawing and update the prediction, preview and bars."""
        if self.recognizer is None:
            reading = Reading(
                image=None,
                probabilities=None,
                refused="no_model",
                message="No model yet: train one above, or pass a .keras file.",
            )
        else:
            reading = self.recognizer.read(self.sketch.rgba())
        self._show(reading)
        return reading

    def on_reading(self, callback) -> None:
        """Call ``callback(reading)`` after every new reading (``observe(..., "reading")``)."""
        self.observe(lambda change: callback(change.new), names="reading")

    # ------------------------------------------------------------- rendering

    def _show(self, reading: Reading) -> None:
        self.readings_shown += 1
        # The bars and preview change first, the guess last: a page that watches the guess sees
        # them already up to date. data-reading counts readings, data-drawing says whether a
        # stroke was still being drawn (so a test or a latency benchmark can tell the reading
        # after mouse-up) and data-likeliest names the longest bar, sure or not.
        self.bars.value = probability_bars_html(reading.probabilities)
        self.preview.value = _preview_png(reading.image)
        likeliest = "" if reading.probabilities is None else reading.digit
        attributes = (
            f'class="hw-guess" data-reading="{self.readings_shown}" '
            f'data-drawing="{"yes" if self.sketch.drawing else "no"}" data-likeliest="{likeliest}"'
        )
        if reading.probabilities is None:
            text = html.escape(reading.message or PROMPT)
            self.prediction.value = (
                f'<div {attributes} data-digit="" style="font-size:18px">{text}</div>'
            )
        elif reading.refused:  # unsure / not a digit: said plainly, bars stay
            self.prediction.value = (
                f'<div {attributes} data-digit="" data-verdict="{reading.refused}" '
                f'style="font-size:18px;color:#a15c00"><b>{html.escape(reading.message)}</b> '
                f'<span style="font-size:13px">(most likely {reading.digit}, '
                f"{100 * reading.confidence:.1f}%)</span></div>"
            )
        else:
            self.prediction.value = (
                f'<div {attributes} data-digit="{reading.digit}" data-verdict="digit" '
                'style="font-size:18px">'
                f'Looks like a <b style="font-size:28px">{reading.digit}</b> '
                f"({100 * reading.confidence:.1f}% sure)</div>"
            )
        self.reading = reading  # last: observers see the pad already updated

    def _paint_background(self) -> None:
        with hold_canvas(self.canvas):
            self.canvas.fill_style = "black"
            self.canvas.fill_rect(0, 0, self.canvas.width, self.canvas.height)
            self.canvas.stroke_style = "white"
            self.canvas.fill_style = "white"
            self.canvas.line_cap = "round"
            self.canvas.line_join = "round"

    def _redraw(self) -> None:
        """Repaint every stroke (after undo/clear/draw_strokes), as one batch of commands."""
        with hold_canvas(self.canvas):
            self._paint_background()
            if self.sketch.picture is not None:
                self.canvas.put_image_data(np.ascontiguousarray(self.sketch.picture[..., :3]), 0, 0)
            for width, points in self.sketch.strokes:
                self._paint_stroke(points, width)

    def _paint_stroke(self, points, width) -> None:
        self.canvas.line_width = width
        if len(points) == 1:
            self.canvas.fill_circle(points[0][0], points[0][1], width / 2)
        else:
            self.canvas.stroke_lines(points)

    def _brush_changed(self, change) -> None:
        self.sketch.width = change["new"]

    def _center_changed(self, change) -> None:
        if self.recognizer is not None:
            self.recognizer.center = change["new"]
        self.refresh()
