"""NumberPad: write a number on a wide ipycanvas and watch it read, digit by digit, live.

A view over :class:`handwriting.numbers.writing.NumberSketch` (the strokes) and
:class:`handwriting.numbers.NumberReader` (cut into digits, each read as the square pad reads
one). Mouse and touch events, the test method :meth:`NumberPad.draw_strokes`, Undo and Clear all
end in the same :meth:`NumberPad.refresh`.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import traitlets
from ipycanvas import hold_canvas

from ..drawn.written_numbers import NUMBER_PAD
from ..numbers import BLANK_MESSAGE, NumberReader, NumberReading
from ..numbers.writing import NumberCut, NumberSketch, digit_title
from ._common import PointerDrawing, follow_models, pad_canvas, reader_for, shown_and_raised

PROMPT = "Write a number, e.g. your year of birth, digits side by side"
BOX_COLOUR = "#f5a623"
LABEL_CHAR_WIDTH = 9  # pixels per character of the boxes' 14px labels (digits are about 8 wide)


def digit_bars_html(reading, index: int) -> str:
    """One digit's row: its place, what was read, ten small bars (0-9) and its message."""
    p = reading.probabilities
    top = None if p is None else int(np.argmax(p))
    bars = []
    for digit in range(10):
        share = 0.0 if p is None else float(p[digit])
        colour = "#2f7ed8" if digit == top else "#9bb7d4"
        bars.append(
            f'<span class="hw-bar" data-digit="{digit}" data-probability="{share:.6f}" '
            f'title="{digit}: {100 * share:.1f}%" style="display:inline-flex;flex-direction:column;'
            'align-items:center;width:14px">'
            '<span style="height:22px;width:9px;background:#eee;position:relative;display:block">'
            f'<span style="position:absolute;left:0;right:0;bottom:0;height:{100 * share:.0f}%;'
            f'background:{colour}"></span></span>'
            f'<span style="font-size:9px;line-height:10px">{digit}</span></span>'
        )
    verdict = "digit" if not reading.refused else reading.refused
    answer = "?" if reading.refused else str(reading.digit)
    message = html.escape(reading.message) if reading.refused else ""
    return (
        f'<div class="hw-number-digit" data-index="{index}" data-digit="{answer}" '
        f'data-verdict="{verdict}" style="display:flex;align-items:center;gap:6px;'
        'margin:2px 0">'
        f'<span style="width:1.5em;color:{BOX_COLOUR};font-weight:bold">{index + 1}</span>'
        f'<span style="width:1.2em;font-size:18px;font-weight:bold">{answer}</span>'
        f'<span style="display:inline-flex;gap:1px">{"".join(bars)}</span>'
        f'<span style="font-size:12px;color:#555">{html.escape(digit_title(reading))}</span>'
        f'<span style="font-size:12px;color:#a15c00">{message}</span></div>'
    )


class NumberPad(PointerDrawing, widgets.VBox):
    """Write a number (mouse, pen or touch) on a canvas three times as wide as high and see the
    number read, each digit's box and each digit's probabilities, live.

    Args:
        model: a 28x28x1 Keras model, a ``.keras`` path, ``"pretrained"``, or a TrainingPanel
            (the pad then follows its newest model). Without one the pad reads with the lab's
            pretrained model and says so.
        size: the canvas, (height, width >= height) pixels.
        live_interval: seconds between readings while a stroke is being drawn.
        calibration: as for :class:`~handwriting.widgets.DrawingPad`.
    """

    reading = traitlets.Instance(NumberReading, help="What the pad read last.")

    def __init__(
        self, model=None, size: tuple[int, int] = NUMBER_PAD, live_interval=0.1, calibration=None
    ):
        self.sketch = NumberSketch(size=size)
        self.calibration = calibration
        self.live_interval = live_interval
        self.reader: NumberReader | None = None
        self.using_pretrained = False
        self.readings_shown = 0
        height, width = self.sketch.size
        self.canvas = pad_canvas(width, height)
        self.undo_button = widgets.Button(description="Undo", icon="undo")
        self.clear_button = widgets.Button(description="Clear", icon="trash")
        self.prediction = widgets.HTML()
        self.prediction.add_class("hw-pad-prediction")
        self.model_note = widgets.HTML()
        self.model_note.add_class("hw-pad-model-note")
        self.digit_rows = widgets.HTML()
        self.digit_rows.add_class("hw-number-digits")

        self._listen_to_pointer()

        controls = widgets.HBox([self.undo_button, self.clear_button, self.prediction])
        super().__init__([self.model_note, self.canvas, controls, self.digit_rows])
        self.add_class("hw-number-pad")
        self.reading = NumberReading("", refused="blank", message=PROMPT)
        self._redraw()
        self.model = model

    # ----------------------------------------------------------------- model

    @property
    def model(self):
        return None if self.reader is None else self.reader.recognizer.model

    @model.setter
    def model(self, model) -> None:
        self._set_model(*follow_models(model, self._set_model))

    def _set_model(self, model, calibration=None) -> None:
        calibration = calibration if self.calibration is None else self.calibration
        self.reader, self.using_pretrained, self.model_note.value = reader_for(
            model, lambda model: NumberReader(model, calibration=calibration)
        )
        self.refresh()

    # ------------------------------------------------------------ user actions

    def draw_strokes(self, strokes) -> NumberReading:
        """Write strokes (each a list of (x, y) canvas points) as a user would; returns the
        reading. Bad strokes are shown on the pad and raised, so the cell fails."""
        with self._shown_and_raised():
            self.sketch.add_strokes(strokes)
            return self.refresh()

    def undo(self) -> NumberReading:
        self.sketch.undo()
        return self.refresh()

    def clear(self) -> NumberReading:
        self.sketch.clear()
        return self.refresh()

    def refresh(self) -> NumberReading:
        """Read the strokes; show the number, the boxes and each digit's bars."""
        with self._shown_and_raised():
            if self.reader is None:
                reading = NumberReading(
                    "",
                    refused="no_model",
                    message="No model yet: train one, or pass a .keras file.",
                )
            else:
                reading = self.sketch.read(self.reader)
            self._show(reading)
            return reading

    def cut(self) -> NumberCut:
        """The number as written now, with each digit's square and 28x28: ``.figure()``."""
        return self.sketch.cut(self.reader)

    def rgba(self) -> np.ndarray:
        return self.sketch.rgba()

    def _shown_and_raised(self):
        """Show an error on the pad (where the person looks), then let it reach the caller."""
        return shown_and_raised(self.prediction, "text")

    # ------------------------------------------------------------- rendering

    def _show(self, reading: NumberReading) -> None:
        self.readings_shown += 1
        self._redraw(reading.boxes)
        self.digit_rows.value = "".join(
            digit_bars_html(digit, i) for i, digit in enumerate(reading.digits)
        )
        # Rows and boxes first, the number last: a page that watches the number sees them
        # already up to date (data-reading counts readings, data-drawing: a stroke under way).
        attributes = (
            f'class="hw-guess hw-number" data-reading="{self.readings_shown}" '
            f'data-drawing="{"yes" if self.sketch.drawing else "no"}" '
            f'data-text="{html.escape(reading.text)}" data-digits="{len(reading.digits)}"'
        )
        if not reading.digits:
            message = html.escape(
                PROMPT if reading.message == BLANK_MESSAGE else reading.message or PROMPT
            )
            self.prediction.value = f'<div {attributes} style="font-size:16px">{message}</div>'
        else:
            unsure = (
                ' <span style="font-size:13px;color:#a15c00">(a ? is a digit it is not sure of)'
                "</span>"
                if "?" in reading.text
                else ""
            )
            self.prediction.value = (
                f'<div {attributes} style="font-size:18px">Reads as '
                f'<b style="font-size:28px">{html.escape(reading.text)}</b>{unsure}</div>'
            )
        self.reading = reading  # last: observers see the pad already updated

    def _redraw(self, boxes=()) -> None:
        """Repaint the strokes and the digits' boxes, as one batch of commands."""
        with hold_canvas(self.canvas):
            self.canvas.fill_style = "black"
            self.canvas.fill_rect(0, 0, self.canvas.width, self.canvas.height)
            self.canvas.stroke_style = "white"
            self.canvas.fill_style = "white"
            self.canvas.line_cap = "round"
            self.canvas.line_join = "round"
            self.canvas.line_width = self.sketch.width
            for points in self.sketch.all_strokes():
                if len(points) == 1:
                    self.canvas.fill_circle(points[0][0], points[0][1], self.sketch.width / 2)
                else:
                    self.canvas.stroke_lines(points)
            self.canvas.stroke_style = BOX_COLOUR
            self.canvas.fill_style = BOX_COLOUR
            self.canvas.line_width = 2
            self.canvas.font = "14px sans-serif"
            free = 0.0  # labels left to right: one starts where the last one ended
            for i, (x0, y0, x1, y1) in enumerate(boxes):
                self.canvas.stroke_rect(x0, y0, x1 - x0, y1 - y0)
                label, x = str(i + 1), max(x0 + 3, free)
                self.canvas.fill_text(label, x, max(y0 - 4, 14))
                free = x + LABEL_CHAR_WIDTH * len(label) + 3
            self.canvas.stroke_style = "white"
            self.canvas.fill_style = "white"
            self.canvas.line_width = self.sketch.width
