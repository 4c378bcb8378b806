"""What every widget of the lab shares: buttons that show their errors, following another
widget's model through traitlets, and the pads' reader of a model (or the lab's own)."""

from __future__ import annotations

import contextlib
import html

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
