"""What every widget of the lab shares: buttons that show their errors, and following another
widget's model through traitlets."""

from __future__ import annotations

import contextlib
import html


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
