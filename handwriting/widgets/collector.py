"""DrawingCollector: ask for each digit in turn, save what is drawn on the pad, show the grid.

A view over :class:`handwriting.drawn.collected.Collection` beside a
:class:`~handwriting.widgets.DrawingPad`. Every button's action is a public method
(:meth:`DrawingCollector.save`, :meth:`~DrawingCollector.redo`, :meth:`~DrawingCollector.keep`)
for cells and tests; a problem is shown in the collector and raised to code, a click only
shows it.
"""

from __future__ import annotations

import contextlib
import html

import ipywidgets as widgets
import numpy as np

from ..drawn.collected import Collected, Collection
from ._common import shown_not_raised
from .gallery import thumbnail_grid_html


class DrawingCollector(widgets.VBox):
    """Collect a person's digits from a drawing pad into ``DIR/<digit>/<name>.png``.

    Args:
        pad: the :class:`~handwriting.widgets.DrawingPad` to take drawings from (shown apart:
            ``display(pad, collector)``).
        folder: the drawings folder.
        per_digit: drawings asked for per digit (default 5).
        digits: the digits asked for, in order (default 0-9).

    Attributes:
        collection: the :class:`~handwriting.drawn.collected.Collection` (prompts, saved files).
    """

    def __init__(self, pad, folder, per_digit: int = 5, digits=range(10)):
        self.pad = pad
        self.collection = Collection(folder, per_digit, digits)
        self.prompt = widgets.HTML()
        self.prompt.add_class("hw-collect-prompt")
        self.save_button = widgets.Button(
            description="Save / Next", button_style="success", icon="check"
        )
        self.redo_button = widgets.Button(description="Redo last", icon="undo")
        self.keep_digit = widgets.Dropdown(
            options=list(range(10)),
            value=0,
            description="Keep as",
            layout=widgets.Layout(width="150px"),
            style={"description_width": "initial"},
        )
        self.keep_button = widgets.Button(
            description="Keep",
            icon="save",
            tooltip="Save the pad's drawing under the digit chosen here (e.g. a misread 4)",
        )
        self.message = widgets.HTML()
        self.message.add_class("hw-collect-message")
        self.grid = widgets.HTML()
        self.grid.add_class("hw-collect-grid")

        self.save_button.on_click(lambda _: shown_not_raised(self.save))
        self.redo_button.on_click(lambda _: shown_not_raised(self.redo))
        self.keep_button.on_click(lambda _: shown_not_raised(self.keep))
        super().__init__(
            [
                self.prompt,
                widgets.HBox(
                    [self.save_button, self.redo_button, self.keep_digit, self.keep_button]
                ),
                self.message,
                self.grid,
            ]
        )
        self.add_class("hw-collector")
        self._show()

    # ------------------------------------------------------------- actions

    def save(self) -> Collected:
        """Save the pad's drawing as the digit asked for, clear the pad, ask for the next one."""
        with self._shown_and_raised():
            item = self.collection.save(self.pad.sketch.rgba())
        return self._saved(item, f"Saved a {item.digit}: {item.path.name}.")

    def keep(self, digit: int | None = None) -> Collected:
        """Save the pad's drawing under ``digit`` (default: the "Keep as" choice), e.g. a
        drawing the model misread; the prompts stay where they are."""
        digit = self.keep_digit.value if digit is None else digit
        with self._shown_and_raised():
            item = self.collection.keep(digit, self.pad.sketch.rgba())
        return self._saved(item, f"Kept as a {item.digit}: {item.path.name}.")

    def redo(self) -> Collected:
        """Delete the last drawing saved here and ask for it again."""
        with self._shown_and_raised():
            item = self.collection.redo()
        self._show(f"Removed {item.path.name} (a {item.digit}): draw it again.")
        return item

    def fill(self, make_drawing, seed: int = 0) -> list[Collected]:
        """Answer every remaining prompt by code: draw ``make_drawing(digit, rng)``'s strokes on
        the pad, as the mouse would, and save them (quick runs, demos, tests).

        Args:
            make_drawing: e.g. :func:`handwriting.drawn.segment_drawing`; returns an object
                with ``strokes`` (sequences of (x, y) canvas points).
            seed: seeds the ``numpy`` generator passed to ``make_drawing``.
        """
        rng = np.random.default_rng(seed)
        saved = []
        while not self.collection.finished:
            self.pad.draw_strokes(make_drawing(self.collection.digit, rng).strokes)
            saved.append(self.save())
        return saved

    # ------------------------------------------------------------ internals

    def _saved(self, item: Collected, text: str) -> Collected:
        self.pad.clear()
        self._show(text)
        return item

    @contextlib.contextmanager
    def _shown_and_raised(self):
        try:
            yield
        except Exception as err:
            self.message.value = f'<div style="color:#b00020">{html.escape(str(err))}</div>'
            raise

    def _show(self, text: str = "") -> None:
        # The prompt goes last: it is what a person (and a browser test) watches for the next
        # step, so the grid and buttons it follows are already in place when it changes.
        c = self.collection
        gone = {id(item) for item in c.missing}  # deleted or moved since they were saved
        self.grid.value = thumbnail_grid_html(
            [item.image for item in c.saved],
            [
                f"{item.digit}"
                + ("" if item.prompted else " (kept)")
                + (" (file gone)" if id(item) in gone else "")
                for item in c.saved
            ],
            empty="<i>Nothing collected yet.</i>",
        )
        if gone:
            text += (
                f" {len(gone)} drawing(s) saved earlier are no longer in {c.folder} (deleted, "
                "or moved?): put them back, or draw them again, to learn from them."
            )
        colour = "#b06000" if gone else "#333"
        self.message.value = f'<div style="color:{colour}">{html.escape(text)}</div>'
        self.save_button.disabled = c.finished
        self.redo_button.disabled = not c.saved
        self.prompt.value = (
            f'<div style="font-size:18px" data-digit="{"" if c.digit is None else c.digit}">'
            f"{html.escape(c.prompt)}</div>"
        )
