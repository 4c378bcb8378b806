"""Whole numbers (handwriting.numbers): cut into digits, each read as the square pad reads it."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from conftest import ROOT

from handwriting import numbers
from handwriting.__main__ import main
from handwriting.drawn import pendigits
from handwriting.drawn.templates import STYLES
from handwriting.honest.recognizer import Recognizer
from handwriting.numbers import (
    NumberError,
    NumberReader,
    Piece,
    cut_digits,
    pixel_groups,
    rasterize_wide,
    split_touching,
    stroke_groups,
)
from handwriting.png import encode_png
from handwriting.preprocess import CANVAS_SIZE, STROKE_WIDTH

WIDE = (CANVAS_SIZE, 3 * CANVAS_SIZE)  # the number pad: 280 x 840
HEIGHT = 160.0  # digit height in the tests, canvas pixels
TOP = 60.0

#: Digits drawn in more than one stroke (x, y in digit heights, y down), several of them with a
#: part that does not touch the rest (so also apart in pixels).
DETACHED = {
    "5 with a detached flag": [
        [(0.1, 0.12), (0.07, 0.45), (0.3, 0.42), (0.55, 0.55), (0.58, 0.8), (0.3, 1.0), (0, 0.9)],
        [(0.22, -0.12), (0.62, -0.16)],
    ],
    "4 in two strokes": STYLES["4-open"][1],
    "7 with a bar": STYLES["7-bar"][1],
    "1 with a serif and a base": STYLES["1-flag-base"][1],
    "1 with a dot": [[(0.3, 0.3), (0.3, 1.0)], [(0.3, 0.02)]],
}


def placed(shape, x: float, height: float = HEIGHT, top: float = TOP) -> list[np.ndarray]:
    """A shape's strokes (digit heights) on the canvas: its left edge at x, ``height`` high."""
    strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in shape]
    left = min(s[:, 0].min() for s in strokes)
    return [
        np.column_stack([x + (s[:, 0] - left) * height, top + s[:, 1] * height]) for s in strokes
    ]


def in_a_row(shapes, gap: float = 0.35, height: float = HEIGHT) -> list[list[np.ndarray]]:
    """Shapes side by side, ``gap`` digit heights between their ink: each one's strokes."""
    x, row = 30.0, []
    for shape in shapes:
        strokes = placed(shape, x, height)
        row.append(strokes)
        right = max(s[:, 0].max() for s in strokes)
        x = right + STROKE_WIDTH + gap * height
    return row


def flat(row) -> list[np.ndarray]:
    return [stroke for digit in row for stroke in digit]


@pytest.fixture(scope="module")
def reader():
    return NumberReader("pretrained")


# ------------------------------------------------------------------------ segmentation


@pytest.mark.parametrize("name", DETACHED)
def test_a_digit_in_detached_parts_stays_one_digit(name):
    strokes = placed(DETACHED[name], 100)
    assert len(stroke_groups(strokes, WIDE)) == 1
    assert len(pixel_groups(rasterize_wide(strokes, WIDE))) == 1


def test_digits_with_detached_parts_side_by_side_stay_apart():
    row = in_a_row(DETACHED.values(), gap=0.15, height=110)
    strokes = flat(row)
    by_strokes = cut_digits(stroke_groups(strokes, WIDE))
    by_pixels = cut_digits(pixel_groups(rasterize_wide(strokes, WIDE)))
    assert len(by_strokes) == len(by_pixels) == len(DETACHED)
    assert [p.box for p in by_strokes] == [p.box for p in by_pixels]
    for piece, digit in zip(by_strokes, row, strict=True):  # left to right, each its own ink
        points = np.concatenate(digit)
        assert piece.box[0] < points[:, 0].min() and points[:, 0].max() < piece.box[2]


def test_pixels_and_strokes_give_the_same_boxes_for_separate_digits():
    points, labels = pendigits.load("held_out")
    rng = np.random.default_rng(0)
    size = (CANVAS_SIZE, 4 * CANVAS_SIZE)
    for _ in range(10):  # four real writers' digits, each somewhere in its own quarter
        rows = rng.choice(len(points), 4, replace=False)
        strokes = [
            s + (k * CANVAS_SIZE, 0)
            for k, row in enumerate(rows)
            for s in pendigits.to_strokes(points[row], rng)
        ]
        by_strokes = cut_digits(stroke_groups(strokes, size))
        by_pixels = cut_digits(pixel_groups(rasterize_wide(strokes, size)))
        assert len(by_strokes) == 4
        assert [p.box for p in by_strokes] == [p.box for p in by_pixels]
        for a, b in zip(by_strokes, by_pixels, strict=True):
            np.testing.assert_array_equal(a.ink, b.ink)


def _touching(shapes) -> tuple[list[np.ndarray], list[float]]:
    """Shapes in a row whose ink just meets (no gap): their strokes and the junctions' x."""
    strokes, junctions, x = [], [], 100.0
    for shape in shapes:
        digit = placed(shape, x)
        strokes += digit
        junctions.append(max(s[:, 0].max() for s in digit) + STROKE_WIDTH / 2)
        x = junctions[-1] + STROKE_WIDTH / 2
    return strokes, junctions[:-1]


@pytest.mark.parametrize(
    "shapes",
    [("0-round-overlap",) * 2, ("4-closed",) * 2, ("7-bar", "0-round-overlap", "0-round-overlap")],
)
def test_touching_digits_are_cut_where_the_ink_is_thinnest(shapes):
    strokes, junctions = _touching([STYLES[name][1] for name in shapes])
    groups = pixel_groups(rasterize_wide(strokes, WIDE))
    assert len(groups) == 1  # they touch: one ink region
    pieces = cut_digits(groups)
    assert len(pieces) == len(shapes) and all(p.touching and not p.doubtful for p in pieces)
    for left, right, junction in zip(pieces[:-1], pieces[1:], junctions, strict=True):
        assert left.box[2] <= right.box[0]  # the cut column goes to the right
        assert abs(right.box[0] - junction) < 0.05 * HEIGHT  # cut where they meet


def test_a_wide_group_without_a_valley_is_one_doubtful_digit(reader):
    scribble = [[(x, 120 + 40 * (i % 2)) for i, x in enumerate(range(100, 700, 15))]]
    group = stroke_groups(scribble, WIDE)
    assert split_touching(group[0])[0].doubtful
    reading = reader.read_strokes(scribble, WIDE)
    assert reading.text == "?" and reading.touching == [True]
    assert reading.digits[0].refused == "unsure"
    assert reading.digits[0].message == numbers.TOUCHING_MESSAGE


def test_a_narrow_group_is_never_cut():
    ink = np.ones((100, 130))  # as wide as SPLIT_RATIO allows
    assert split_touching(Piece((0, 0, 130, 100), ink)) == [Piece((0, 0, 130, 100), ink)]


def test_groups_join_parts_that_overlap_by_half_the_narrower():
    assert numbers.group_parts([(0, 100), (40, 60)]) == [[0, 1]]  # a bar across a stem
    assert numbers.group_parts([(30, 100), (0, 60)]) == [[1, 0]]  # left-edge order
    assert numbers.group_parts([(0, 100), (90, 190)]) == [[0], [1]]  # a slanted neighbour
    assert numbers.group_parts([(0, 10), (5, 100)]) == [[0, 1]]  # half the narrower: joined


# ------------------------------------------------------------------------ reading


def test_42_written_with_strokes_reads_42(reader):
    row = in_a_row([STYLES["4-open"][1], STYLES["2-plain"][1]])
    strokes = flat(row)
    reading = reader.read_strokes(strokes, WIDE)
    assert reading.text == "42", [d.message for d in reading.digits]
    assert [d.digit for d in reading.digits] == [4, 2] and len(reading.boxes) == 2
    same = reader.read(rasterize_wide(strokes, WIDE))
    assert same.text == "42" and same.boxes == reading.boxes
    again = reader.read_strokes(strokes, WIDE)  # the groups drawn last time are re-used
    assert again.boxes == reading.boxes and again.text == "42"


def test_a_digit_reads_as_the_square_pad_reads_it(reader):
    """A number can never disagree with its digits: one digit on the square pad gets the very
    28x28 and probabilities the single-digit Recognizer gives it."""
    points, _ = pendigits.load("held_out")
    recognizer = Recognizer("pretrained")
    for row in range(5):
        canvas = pendigits.to_drawing(points[row]).rgba()
        alone, in_number = recognizer.read(canvas), reader.read(canvas)
        assert len(in_number.digits) == 1
        np.testing.assert_array_equal(in_number.digits[0].image, alone.image)
        np.testing.assert_allclose(
            in_number.digits[0].probabilities, alone.probabilities, atol=1e-6
        )


def test_an_unsure_or_refused_digit_is_a_question_mark(reader):
    row = in_a_row([STYLES["4-open"][1], [[(0, 0), (0.01, 0.01)]], STYLES["2-plain"][1]])
    reading = reader.read_strokes(flat(row), WIDE)  # a speck between two digits
    assert reading.text == "4?2"
    assert reading.digits[1].refused == "too_small" and reading.digits[1].probabilities is None


# ------------------------------------------------------------------------ bad input


def test_an_empty_canvas_reads_as_nothing(reader):
    for reading in (
        reader.read(rasterize_wide([], WIDE)),
        reader.read_strokes([], WIDE),
        reader.read_strokes([[]], WIDE),
    ):
        assert reading.text == "" and reading.digits == [] and reading.boxes == []
        assert reading.refused == "blank" and "empty" in reading.message


def test_a_canvas_narrower_than_high_is_refused_with_a_clear_message(reader):
    with pytest.raises(NumberError, match="width must be at least its height"):
        reader.read(rasterize_wide([], (280, 200)))
    with pytest.raises(ValueError, match="width must be at least its height"):
        reader.read_strokes([[(10, 10), (50, 50)]], size=(280, 279))
    with pytest.raises(ValueError, match="at least 28"):
        reader.read_strokes([], size=(20, 100))


def test_a_thousand_tiny_dots_get_an_answer_quickly(reader):
    rng = np.random.default_rng(1)
    dots = [[(x, y)] for x, y in rng.uniform((0, 0), (840, 280), size=(1000, 2))]
    start = time.perf_counter()
    by_strokes = reader.read_strokes(dots, WIDE, width=2)
    canvas = np.zeros(WIDE + (4,), np.uint8)
    canvas[..., 3] = 255
    canvas[rng.integers(0, 280, 1000), rng.integers(0, 840, 1000), :3] = 255
    by_pixels = reader.read(canvas)
    assert time.perf_counter() - start < 10
    for reading in (by_strokes, by_pixels):
        assert reading.refused == "too_many" and reading.text == "" and not reading.digits
        assert f"at most {numbers.MAX_DIGITS} digits" in reading.message
    # with the pad's brush they run together: one wide blot, a "?" (never a confident digit)
    blot = reader.read_strokes(dots, WIDE)
    assert set(blot.text) <= {"?"} and len(blot.text) <= numbers.MAX_DIGITS


# ------------------------------------------------------------------------ the spec and the CLI


def test_the_spec_lists_the_python_constants():
    """web/NUMBERS.md's table holds every constant with its Python value (the JS twin's test
    reads the same table)."""
    doc = (ROOT / "web" / "NUMBERS.md").read_text()
    table = dict(re.findall(r"^\| `([A-Z_]+)` \| ([^|]+?) \|", doc, flags=re.M))
    names = ("MERGE_OVERLAP", "SPLIT_RATIO", "MIN_PIECE", "VALLEY_SHARE", "SQUARE_SIDE")
    for name in (*names, "MAX_DIGITS"):
        assert float(table[name]) == getattr(numbers, name), name
    assert table["UNSURE"] == f'`"{numbers.UNSURE}"`'
    for message in (numbers.TOUCHING_MESSAGE, numbers.BLANK_MESSAGE):
        assert f'"{message}"' in doc


def test_the_js_twin_defines_the_python_constants_once():
    """web/numbers.js names each constant once, with the Python value, and says the same (the
    "too many" message, built from the count, is compared in Chromium: test_web_numbers.py)."""
    text = (ROOT / "web" / "numbers.js").read_text()
    names = ("MERGE_OVERLAP", "SPLIT_RATIO", "MIN_PIECE", "VALLEY_SHARE", "SQUARE_SIDE")
    for name in (*names, "MAX_DIGITS"):
        values = re.findall(rf"\bconst {name} = ([0-9.eE+-]+);", text)
        assert len(values) == 1, f"{name} must be defined exactly once in numbers.js"
        assert float(values[0]) == getattr(numbers, name), name
    assert re.findall(r'\bconst UNSURE = "(.*?)";', text) == [numbers.UNSURE]
    for message in (numbers.TOUCHING_MESSAGE, numbers.BLANK_MESSAGE):
        assert f'"{message}"' in text


def _number_png(path, strokes, dark_on_light: bool, mode: str = "RGBA"):
    from PIL import Image

    canvas = rasterize_wide(strokes, WIDE)
    grey = canvas[..., 0]
    if dark_on_light:
        grey = 255 - grey
    Image.fromarray(grey).convert(mode).save(path)
    return path


@pytest.mark.parametrize(("dark_on_light", "mode"), [(False, "L"), (True, "RGB"), (True, "RGBA")])
def test_the_cli_reads_a_png_of_a_number_in_either_polarity(tmp_path, capsys, dark_on_light, mode):
    strokes = flat(in_a_row([STYLES["4-open"][1], STYLES["2-plain"][1]]))
    path = _number_png(tmp_path / "number.png", strokes, dark_on_light, mode)
    assert main(["read", str(path)]) == 0
    printed = capsys.readouterr().out
    expected = numbers.DARK_ON_LIGHT if dark_on_light else numbers.WHITE_ON_DARK
    assert f"{path}: {expected}, 840x280" in printed
    assert "number: 42" in printed
    lines = [line for line in printed.splitlines() if re.match(r"  \d\. ", line)]
    assert len(lines) == 2 and lines[0].startswith("  1. 4") and "%" in lines[0]


def test_as_canvas_keeps_the_pads_own_pixels_and_inverts_a_page():
    canvas = rasterize_wide(flat(in_a_row([STYLES["2-plain"][1]])), WIDE)
    picture = numbers.as_canvas(canvas)
    assert picture.polarity == numbers.WHITE_ON_DARK and not picture.widened
    np.testing.assert_array_equal(picture.canvas, canvas)
    page = canvas.copy()
    page[..., :3] = 235 - canvas[..., :3] * (200 / 255)  # grey ink on an off-white page
    inverted = numbers.as_canvas(page).canvas
    assert numbers.as_canvas(page).polarity == numbers.DARK_ON_LIGHT
    expected = canvas[..., 0] * (200 / 235)  # the page's grey (235) is the background: 0
    assert np.abs(inverted[..., 0] - expected).max() <= 2  # the page is rounded to 0-255


def test_the_cli_reads_a_picture_narrower_than_high_as_one_square(tmp_path, capsys):
    strokes = placed(STYLES["2-plain"][1], 20, height=150, top=20)
    path = tmp_path / "two.png"
    path.write_bytes(encode_png(rasterize_wide(strokes, (200, 200))[:, :140]))
    assert main(["read", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "140x200 (narrower than high: read on a square" in printed
    assert "number: 2" in printed


def test_the_cli_says_what_is_wrong_with_a_file(tmp_path, capsys):
    assert main(["read", str(tmp_path / "missing.png")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "notes.png").write_text("not a picture")
    assert main(["read", str(tmp_path / "notes.png")]) == 2
    assert "not a readable PNG" in capsys.readouterr().err
    (tmp_path / "tiny.png").write_bytes(encode_png(np.zeros((20, 60), np.uint8)))
    assert main(["read", str(tmp_path / "tiny.png")]) == 2
    assert "at least 28 pixels high" in capsys.readouterr().err
    blank = tmp_path / "blank.png"
    blank.write_bytes(encode_png(np.zeros((100, 300), np.uint8)))
    assert main(["read", str(blank)]) == 0
    assert "nothing read: Write a number first" in capsys.readouterr().out
