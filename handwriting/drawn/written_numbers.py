"""Numbers written as strokes on the number pad: digits of :data:`~.templates.STYLES` in a row.

For the notebook, the tests and the docs: a number the pad can be given with
``NumberPad.draw_strokes`` (or ``NumberReader.read_strokes``) without a mouse, with gaps,
touching digits and a slant chosen by the caller, so the places where reading a number goes
wrong can be shown, not only told.
"""

from __future__ import annotations

import numpy as np

from ..preprocess import CANVAS_SIZE, STROKE_WIDTH
from .templates import STYLES

#: The number pad's canvas, (height, width): three squares side by side.
NUMBER_PAD = (CANVAS_SIZE, 3 * CANVAS_SIZE)

#: The style each digit is written in unless told otherwise (names of :data:`STYLES`).
NUMBER_STYLES = {
    0: "0-oval",
    1: "1-flag",
    2: "2-plain",
    3: "3-round",
    4: "4-open",
    5: "5-two-strokes",
    6: "6-round",
    7: "7-plain",
    8: "8-two-loops",
    9: "9-straight",
}


def number_strokes(
    text: str,
    gap: float | list[float] = 0.35,
    height: float = 160.0,
    left: float = 40.0,
    top: float = 60.0,
    slant: float = 0.0,
    styles: dict[int, str] | None = None,
) -> list[np.ndarray]:
    """The strokes ((n, 2) arrays of canvas points) of ``text``'s digits written in a row.

    Args:
        text: the digits, e.g. ``"2026"``.
        gap: space between one digit's ink and the next one's, in digit heights (one value, or
            one per pair); 0 lets the inks meet, below 0 they overlap.
        height: digit height in canvas pixels; ``left``, ``top``: where the first digit starts.
        slant: the top of each digit moves right by ``slant`` x height (0: upright).
        styles: digit -> a :data:`STYLES` name, over :data:`NUMBER_STYLES`.

    Raises:
        ValueError: a character that is not a digit, or a gap per pair of the wrong length.
    """
    if not text or not text.isdigit():
        raise ValueError(f"Expected digits such as '2026', got {text!r}.")
    gaps = [gap] * (len(text) - 1) if np.ndim(gap) == 0 else list(gap)
    if len(gaps) != len(text) - 1:
        raise ValueError(f"{len(text)} digits need {len(text) - 1} gaps, got {len(gaps)}.")
    chosen = {**NUMBER_STYLES, **(styles or {})}
    strokes, x = [], float(left)
    for i, character in enumerate(text):
        digit, shape = STYLES[chosen[int(character)]]
        assert digit == int(character), f"{chosen[int(character)]} is a {digit}"
        parts = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in shape]
        parts = [np.column_stack([p[:, 0] + slant * (1 - p[:, 1]), p[:, 1]]) for p in parts]
        shift = min(p[:, 0].min() for p in parts)
        placed = [
            np.column_stack([x + (p[:, 0] - shift) * height, top + p[:, 1] * height]) for p in parts
        ]
        strokes += placed
        if i < len(gaps):  # the next digit's ink starts `gap` heights after this one's ends
            x = max(p[:, 0].max() for p in placed) + STROKE_WIDTH + gaps[i] * height
    return strokes
