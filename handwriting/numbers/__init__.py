"""Whole numbers: a row of handwritten digits cut into digits, each read as the square pad reads it.

    from handwriting.numbers import NumberReader
    reader = NumberReader("pretrained")          # any model, path or "pretrained"
    r = reader.read(rgba)                        # RGBA (H, W >= H, 4), white ink on black
    r = reader.read_strokes(strokes, size=(H, W))    # the pad's strokes: exact grouping
    r.text, r.digits, r.boxes                    # "2026"; one Reading per digit; their boxes

The written spec is ``web/NUMBERS.md`` (the browser app's twin follows it; a test checks that
its table of constants is this package's):

1. **Parts**: the pad's strokes, or (from pixels) the 8-connected regions of ink.
2. **Groups**: parts sorted by their left edge join the group before them when their column
   ranges overlap by at least ``MERGE_OVERLAP`` of the narrower one's width (a 5's flag, a
   4's second stroke, a 7's bar, a 1's dot); digits side by side stay apart.
3. **Touching digits**: a group wider than ``SPLIT_RATIO`` times its height is cut at its
   clearest valley of ink; no clear valley: one digit, "not sure".
4. **Reading**: each digit's ink, pixel for pixel, in the middle of a black square of side
   ``SQUARE_SIDE`` times the number's digit height, read through the single-digit path (the
   preprocessing spec, model and calibration), all digits in one model call. A digit read
   "not sure" (or refused) is a "?" in the text.

Modules: :mod:`.segmentation` (pure: strokes or pixels in, pieces out), :mod:`.reader`
(:class:`NumberReader`), :mod:`.picture` (a PNG of either ink polarity as a canvas).
"""

from .picture import DARK_ON_LIGHT, WHITE_ON_DARK, Picture, as_canvas, load_picture
from .reader import (
    BLANK_MESSAGE,
    TOUCHING_MESSAGE,
    UNSURE,
    NumberReader,
    NumberReading,
    compose_text,
)
from .segmentation import (
    MAX_DIGITS,
    MERGE_OVERLAP,
    MIN_PIECE,
    SPLIT_RATIO,
    SQUARE_SIDE,
    VALLEY_SHARE,
    Box,
    NumberError,
    Piece,
    TooManyMarks,
    check_number_canvas,
    cut_digits,
    digit_height,
    digit_square,
    draw_group,
    find_cut,
    group_parts,
    pixel_groups,
    rasterize_wide,
    split_touching,
    stroke_groups,
)

__all__ = [
    "BLANK_MESSAGE",
    "DARK_ON_LIGHT",
    "MAX_DIGITS",
    "MERGE_OVERLAP",
    "MIN_PIECE",
    "SPLIT_RATIO",
    "SQUARE_SIDE",
    "TOUCHING_MESSAGE",
    "UNSURE",
    "VALLEY_SHARE",
    "WHITE_ON_DARK",
    "Box",
    "NumberError",
    "NumberReader",
    "NumberReading",
    "Piece",
    "Picture",
    "TooManyMarks",
    "as_canvas",
    "check_number_canvas",
    "compose_text",
    "cut_digits",
    "digit_height",
    "digit_square",
    "draw_group",
    "find_cut",
    "group_parts",
    "load_picture",
    "pixel_groups",
    "rasterize_wide",
    "split_touching",
    "stroke_groups",
]
