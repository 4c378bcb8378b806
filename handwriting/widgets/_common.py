"""What every widget of the lab shares: buttons that show their errors, following another
widget's model through traitlets, and what both pads share: their reader of a model (or the
lab's own), their canvas and their pointer handling."""

from __future__ import annotations

import contextlib
import html
import time

import ipywidgets as widgets
from ipycanvas import Canvas, hold_canvas

from ..models.digit_model import PRETRAINED, ModelError

PRETRAINED_NOTE = (
    "Reading with the lab's pretrained model (give the pad a TrainingPanel or a .keras file to "
    "use yours)."
)


def reader_for(model, make) -> tuple[object | None, bool, str]:
    """A pad's reader of ``model``: (reader, using the pretrained model, note for the pad).

    ``make(model)`` builds the reader (a Recognizer, a NumberReader). No model yet, or
    ``"pretrained"``, reads with the lab's pretrained model, and the note says so. A broken
    installation of that model gives no reader and a note saying what is wrong (the pad shows
    it, it does not fail); a broken model of the user's own is raised, for the cell to fail.
    """
    pretrained = model is None or (isinstance(model, str) and model == PRETRAINED)
    try:
        reader = make(PRETRAINED if pretrained else model)
    except ModelError as err:
        if not pretrained:
            raise
        return None, False, html.escape(str(err))
    return reader, pretrained, PRETRAINED_NOTE if pretrained else ""


def shown_not_raised(action) -> None:
    """Run a button's action. The action shows its own problems in its widget and raises them
    for code that called it; a click has no caller to raise to, so they stop here."""
    try:
        action()
    except Exception:  # noqa: BLE001 - already shown in the widget by the action itself
        pass


def follow_models(source, on_change):
    """Accept a model, a ``.keras`` path or a widget with a ``model`` trait (a TrainingPanel) as a
    widget's model ``source``.

    A widget is followed through its traits: ``on_change(model, calibration)`` is called whenever
    its ``model`` changes, with the calibration set together with it (its ``calibration`` trait).
    Returns (model, calibration) to start with: the widget's current ones (None before its first
    run), else ``(source, None)`` (the follower finds the calibration of a path or "pretrained").
    """
    if hasattr(source, "has_trait") and source.has_trait("model"):
        source.observe(lambda change: on_change(change.new, source.calibration), names="model")
        return source.model, source.calibration
    return source, None


@contextlib.contextmanager
def shown_and_raised(message_widget, empty_attribute: str):
    """Show an error in ``message_widget`` (where the person looks, as an ``hw-guess hw-error``
    with ``data-<empty_attribute>=""``), then let it reach the caller, so a cell fails."""
    try:
        yield
    except Exception as err:
        message_widget.value = (
            f'<div class="hw-guess hw-error" data-{empty_attribute}="" '
            f'style="color:#b00020">{html.escape(str(err))}</div>'
        )
        raise


def pad_canvas(width: int, height: int) -> Canvas:
    """A pad's canvas, ``width`` x ``height`` pixels, framed."""
    canvas = Canvas(
        width=width,
        height=height,
        layout=widgets.Layout(width=f"{width}px", height=f"{height}px", border="1px solid #888"),
    )
    canvas.add_class("hw-pad-canvas")
    return canvas


class PointerDrawing:
    """A pad's pointer handling, for a widget with ``canvas``, ``sketch`` (begin / extend / end
    strokes), ``undo_button``, ``clear_button``, ``live_interval`` and ``refresh()``: mouse, pen
    and touch draw on the sketch and the canvas; the pad reads while a stroke is drawn (at most
    every ``live_interval`` seconds) and when it ends."""

    _last_live = 0.0

    def _listen_to_pointer(self) -> None:
        canvas = self.canvas
        canvas.on_mouse_down(self._pointer_down)
        canvas.on_mouse_move(self._pointer_move)
        canvas.on_mouse_up(self._pointer_up)
        canvas.on_mouse_out(self._pointer_up)
        canvas.on_touch_start(lambda touches: self._pointer_down(*touches[0]))
        canvas.on_touch_move(lambda touches: self._pointer_move(*touches[0]))
        canvas.on_touch_end(lambda touches: self._pointer_up())
        self.undo_button.on_click(lambda _: self.undo())
        self.clear_button.on_click(lambda _: self.clear())

    def _pointer_down(self, x, y) -> None:
        self.sketch.begin(x, y)
        with hold_canvas(self.canvas):
            self.canvas.line_width = self.sketch.width
            self.canvas.fill_circle(x, y, self.sketch.width / 2)

    def _pointer_move(self, x, y) -> None:
        if not self.sketch.drawing:
            return
        last = self.sketch.last_point
        self.sketch.extend(x, y)
        with hold_canvas(self.canvas):
            self.canvas.line_width = self.sketch.width
            self.canvas.stroke_line(last[0], last[1], x, y)
        now = time.perf_counter()
        if now - self._last_live >= self.live_interval:  # throttled live reading
            self._last_live = now
            self.refresh()

    def _pointer_up(self, *_args) -> None:
        if self.sketch.drawing:
            self.sketch.end()
            self.refresh()
