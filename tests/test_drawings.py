"""A person's drawings as a folder of PNGs: round trip through the pad's preprocessing, atomic
writes that never overwrite, broken files named not fatal, a stratified seeded split."""

import errno
import os
import re
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from handwriting.drawn import collected as drawings_module
from handwriting.drawn.collected import (
    DrawingsError,
    DrawingSet,
    UnusableDrawing,
    load_drawings,
    read_canvas,
    save_drawing,
)
from handwriting.drawn.templates import segment_drawing, style_drawing
from handwriting.honest.recognizer import Sketch
from handwriting.preprocess import DrawingError, preprocess_canvas


def _canvas(seed=0, style="7-bar"):
    return style_drawing(style, np.random.default_rng(seed)).rgba()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_save_then_load_gives_what_the_pad_reads(tmp_path):
    sketch = Sketch()
    sketch.add_strokes([[(80, 60), (200, 60), (120, 240)], [(110, 150), (190, 140)]])
    canvases = {7: sketch.rgba(), 3: segment_drawing(3, np.random.default_rng(1)).rgba()}
    paths = {
        digit: save_drawing(tmp_path / "mine", digit, rgba) for digit, rgba in canvases.items()
    }

    for digit, path in paths.items():
        assert path.parent == tmp_path / "mine" / str(digit) and path.suffix == ".png"
        assert np.array_equal(read_canvas(path), canvases[digit])  # lossless, as drawn
    loaded = load_drawings(tmp_path / "mine")
    assert loaded.skipped == [] and len(loaded) == 2
    assert loaded.paths == [paths[3], paths[7]] and loaded.labels.tolist() == [3, 7]
    assert loaded.images.shape == (2, 28, 28, 1) and loaded.images.dtype == np.float32
    for i, digit in enumerate((3, 7)):
        assert np.array_equal(loaded.images[i, ..., 0], preprocess_canvas(canvases[digit]))


def test_saving_never_overwrites_and_leaves_no_partial_files(tmp_path, monkeypatch):
    monkeypatch.setattr(drawings_module.time, "strftime", lambda _: "20260101-120000")
    first = tmp_path / "4" / "20260101-120000-001.png"
    first.parent.mkdir()
    first.write_bytes(b"someone else's file")
    paths = [save_drawing(tmp_path, 4, _canvas(seed)) for seed in range(3)]

    assert [p.name for p in paths] == [f"20260101-120000-00{n}.png" for n in (2, 3, 4)]
    assert first.read_bytes() == b"someone else's file"
    for seed, path in enumerate(paths):
        assert np.array_equal(read_canvas(path), _canvas(seed))
    assert _files(tmp_path) == [first, *paths]  # no hidden temporary left

    def broken_encoder(_):
        raise OSError("disk full")

    monkeypatch.setattr(drawings_module, "encode_png", broken_encoder)
    with pytest.raises(OSError, match="disk full"):
        save_drawing(tmp_path, 4, _canvas(9))
    assert _files(tmp_path) == [first, *paths]


@pytest.mark.parametrize(
    "digit, rgba, error, message",
    [
        (10, "canvas", ValueError, "digit from 0 to 9"),
        (True, "canvas", ValueError, "digit from 0 to 9"),
        ("3", "canvas", ValueError, "digit from 0 to 9"),
        (3, np.zeros((280, 280, 4), np.uint8), DrawingError, "Draw a digit first"),
        (3, np.zeros((280, 280, 4), np.float32), TypeError, "uint8"),
        (3, np.zeros((280, 280), np.uint8), ValueError, r"\(H, W, 4\)"),
    ],
)
def test_bad_labels_and_canvases_are_refused_before_writing(tmp_path, digit, rgba, error, message):
    with pytest.raises(error, match=message):
        save_drawing(tmp_path, digit, _canvas() if isinstance(rgba, str) else rgba)
    assert _files(tmp_path) == []


def _write_png(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


def test_pngs_made_by_anyone_are_read_like_the_pad_canvas(tmp_path):
    ink = _canvas(3)[::2, ::2, 0]  # a 140x140 grey digit, white on black
    grey = _write_png(tmp_path / "7" / "grey.png", ink)
    deep = _write_png(tmp_path / "7" / "16bit.png", ink.astype(np.uint16) * 257)
    transparent = np.zeros(ink.shape + (4,), np.uint8)
    transparent[..., :3], transparent[..., 3] = 255, ink  # white ink on a transparent page
    clear = _write_png(tmp_path / "7" / "transparent.png", transparent)
    transparent[..., :3] = 0  # black ink on a transparent page,
    dark = _write_png(tmp_path / "7" / "app.png", transparent)  # as drawing apps save it
    expected = preprocess_canvas(np.dstack([ink, ink, ink, np.full_like(ink, 255)]))

    loaded = load_drawings(tmp_path)
    assert loaded.skipped == [] and loaded.paths == [deep, dark, grey, clear]
    for image in loaded.images:
        np.testing.assert_allclose(image[..., 0], expected, atol=1e-6)


def test_stray_and_broken_files_are_named_and_the_good_ones_load(tmp_path):
    good = save_drawing(tmp_path, 1, _canvas(0, "1-flag"))
    png = good.read_bytes()
    (tmp_path / "1" / "notes.txt").write_text("my ones")
    (tmp_path / "1" / "garbage.png").write_bytes(b"not a png at all")
    (tmp_path / "1" / "truncated.png").write_bytes(png[: len(png) // 2])
    _write_png(tmp_path / "2" / "blank.png", np.zeros((280, 280), np.uint8))
    _write_png(tmp_path / "3" / "tiny.png", np.full((10, 10), 255, np.uint8))
    _write_png(tmp_path / "4" / "paper.png", 255 - _canvas(4, "4-open")[..., 0])  # dark on light
    (tmp_path / "stray.png").write_bytes(png)
    (tmp_path / "seven").mkdir()
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "x.png").write_bytes(b"ignored: hidden")
    (tmp_path / "1" / ".drawing-x.partial").write_bytes(b"ignored: hidden")

    loaded = load_drawings(tmp_path)
    assert loaded.paths == [good] and loaded.labels.tolist() == [1]
    reasons = {path.relative_to(tmp_path).as_posix(): reason for path, reason in loaded.skipped}
    assert sorted(reasons) == [
        "1/garbage.png",
        "1/notes.txt",
        "1/truncated.png",
        "2/blank.png",
        "3/tiny.png",
        "4/paper.png",
        "seven",
        "stray.png",
    ]
    assert reasons["1/notes.txt"] == "not a .png file"
    assert reasons["1/garbage.png"].startswith("not a readable PNG")
    assert reasons["1/truncated.png"].startswith("not a readable PNG")
    assert reasons["1/truncated.png"].endswith("save it again as a PNG, or remove it")
    assert "blank" in reasons["2/blank.png"] and "Draw a digit first" in reasons["2/blank.png"]
    assert "at least 28x28" in reasons["3/tiny.png"]
    assert "Invert it" in reasons["4/paper.png"]
    assert "sub-folders named 0-9" in reasons["stray.png"] and "0-9" in reasons["seven"]
    assert (
        drawings_module.skipped_lines(loaded.skipped)[0]
        == f"{tmp_path / '1' / 'garbage.png'}: " + reasons["1/garbage.png"]
    )


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny greyscale PNG whose header claims ``width`` x ``height`` pixels (a few zero bytes of
    pixel data follow): what a decompression bomb looks like before it is decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(bytes(width + 1)))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_among_good_drawings_is_skipped_with_its_reason(tmp_path):
    good = [save_drawing(tmp_path, digit, _canvas(digit)) for digit in (1, 7)]
    bomb = tmp_path / "7" / "bomb.png"
    bomb.write_bytes(_png_claiming(20_000, 10_000))  # 200 megapixels: Pillow refuses it
    large = tmp_path / "1" / "large.png"
    large.write_bytes(_png_claiming(6_000, 5_000))  # 30: Pillow would try to decode it
    assert bomb.stat().st_size < 1000

    loaded = load_drawings(tmp_path)
    assert loaded.paths == good
    reasons = dict(loaded.skipped)
    assert sorted(reasons) == [large, bomb]
    assert re.fullmatch(
        r"too large to be a drawing: over 179 megapixels \(at most 16.8 megapixels are "
        r"read; .*\): scale it down, or move it out of the drawings folder",
        reasons[bomb],
    )
    assert reasons[large].startswith("too large to be a drawing: 6000x5000 pixels (at most 16.8")
    with pytest.raises(UnusableDrawing, match=f"^{re.escape(str(bomb))}: too large") as raised:
        read_canvas(bomb)
    assert raised.value.path == bomb and isinstance(raised.value, DrawingsError)


def test_links_to_nothing_and_digit_folders_inside_digit_folders_are_named(tmp_path):
    good = save_drawing(tmp_path, 3, _canvas(3, "3-round"))
    copied = save_drawing(
        tmp_path / "3" / "old" / "drawings", 7, _canvas(7)
    )  # a folder copied into 3/
    os.symlink("loop.png", tmp_path / "3" / "loop.png")
    os.symlink("nowhere.png", tmp_path / "3" / "broken.png")
    os.symlink(tmp_path, tmp_path / "3" / "back")  # a loop of folders: not followed

    loaded = load_drawings(tmp_path)
    assert loaded.paths == [good]
    reasons = {path.relative_to(tmp_path).as_posix(): reason for path, reason in loaded.skipped}
    assert sorted(reasons) == [
        "3/broken.png",
        "3/loop.png",
        copied.relative_to(tmp_path).as_posix(),
    ]
    assert (
        reasons["3/loop.png"]
        == reasons["3/broken.png"]
        == "a link to nothing (broken, or a loop): remove it or point it at a drawing"
    )
    assert reasons[copied.relative_to(tmp_path).as_posix()] == (
        "in a digit folder inside another (3/old/drawings/7/): is it a 3 or a 7? "
        "Move it straight into 3/ or 7/"
    )


def test_missing_empty_or_useless_folders_say_how_to_collect(tmp_path):
    with pytest.raises(DrawingsError, match="No drawings folder at .*Collect drawings first"):
        load_drawings(tmp_path / "nowhere")
    with pytest.raises(DrawingsError, match="No usable drawings in .*Collect drawings first"):
        load_drawings(tmp_path)
    _write_png(tmp_path / "5" / "blank.png", np.zeros((50, 50), np.uint8))
    with pytest.raises(DrawingsError, match=r"Skipped 1 file\(s\), e.g. .*blank.png: blank"):
        load_drawings(tmp_path)


def _fake_set(counts: dict[int, int]) -> DrawingSet:
    labels = np.concatenate([np.full(n, digit) for digit, n in counts.items()]).astype(np.int64)
    images = np.random.default_rng(0).random((len(labels), 28, 28, 1)).astype(np.float32)
    return DrawingSet(images, labels, [Path(f"{d}/{i:03d}.png") for i, d in enumerate(labels)])


def test_split_is_stratified_seeded_and_disjoint():
    drawings = _fake_set({0: 10, 3: 7, 7: 20, 9: 2})
    train, test = drawings.split(held_out=0.3, seed=0)

    assert test.counts().tolist() == [3, 0, 0, 2, 0, 0, 0, 6, 0, 1]
    assert (train.counts() + test.counts()).tolist() == drawings.counts().tolist()
    assert not set(train.paths) & set(test.paths)
    for part in (train, test):  # images travel with their labels
        index = [drawings.paths.index(p) for p in part.paths]
        assert np.array_equal(part.images, drawings.images[index])
        assert np.array_equal(part.labels, drawings.labels[index]) and index == sorted(index)
    again = drawings.split(held_out=0.3, seed=0)
    assert again[1].paths == test.paths
    assert drawings.split(held_out=0.3, seed=1)[1].paths != test.paths


def test_split_refuses_too_few_drawings_of_a_digit_and_bad_shares():
    with pytest.raises(DrawingsError, match=r"digit 4 \(1\).*at least 2 of every digit"):
        _fake_set({3: 5, 4: 1}).split()
    for share in (0, 1, 1.5, True):
        with pytest.raises(DrawingsError, match="held_out must be a share between 0 and 1"):
            _fake_set({3: 5}).split(held_out=share)


def test_the_personal_style_folder_loads_whole(personal_drawings):
    loaded = load_drawings(personal_drawings)
    assert loaded.skipped == [] and loaded.counts().tolist() == [12] * 10
    assert all(
        p.parent.name == str(label) for p, label in zip(loaded.paths, loaded.labels, strict=False)
    )
    assert not [p for p in personal_drawings.rglob(".*")]  # no temporary files left


# ------------------------------------------------------------------ Collection (the collector's
# state)


def test_a_collection_asks_for_each_digit_in_turn_and_saves_into_the_folder(tmp_path):
    from handwriting.drawn.collected import Collection

    collection = Collection(tmp_path / "mine", per_digit=2, digits=[7, 3])
    asked = []
    while not collection.finished:
        asked.append(collection.prompt)
        collection.save(segment_drawing(collection.digit, np.random.default_rng(len(asked))).rgba())
    assert asked == [
        "Draw a 7 (1 of 2)",
        "Draw a 7 (2 of 2)",
        "Draw a 3 (1 of 2)",
        "Draw a 3 (2 of 2)",
    ]
    assert collection.prompt.startswith("Done: 4 drawings") and collection.digit is None
    loaded = load_drawings(tmp_path / "mine")
    assert loaded.labels.tolist() == [3, 3, 7, 7] and loaded.skipped == []
    assert sorted(item.path for item in collection.saved) == sorted(loaded.paths)
    for item in collection.saved:  # the grid shows exactly what the model will learn from
        assert np.array_equal(item.image, loaded.images[loaded.paths.index(item.path), ..., 0])
    with pytest.raises(DrawingsError, match="All 4 drawings are collected"):
        collection.save(_canvas())


def test_redo_removes_only_the_collections_own_last_drawing_and_asks_again(tmp_path):
    from handwriting.drawn.collected import Collection

    someone_elses = save_drawing(tmp_path, 5, _canvas(1))
    collection = Collection(tmp_path, per_digit=2, digits=[5])
    with pytest.raises(DrawingsError, match="Nothing to redo"):
        collection.redo()
    first = collection.save(_canvas(2))
    second = collection.save(_canvas(3))
    assert collection.finished
    assert collection.redo() == second and not second.path.exists()
    assert collection.prompt == "Draw a 5 (2 of 2)" and first.path.exists()
    assert collection.redo() == first and collection.prompt == "Draw a 5 (1 of 2)"
    with pytest.raises(DrawingsError, match="never deleted"):
        collection.redo()
    assert _files(tmp_path) == [someone_elses]


def _refuse_unlink_in(monkeypatch, folder: Path):
    """Deleting a file in ``folder`` fails as in a read-only folder (root would not be refused)."""
    unlink = Path.unlink

    def refused(path, missing_ok=False):
        if path.parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)


def test_redo_in_a_read_only_folder_keeps_the_drawing_on_disk_and_in_the_collection(
    tmp_path, monkeypatch
):
    from handwriting.drawn.collected import Collection

    collection = Collection(tmp_path, per_digit=2, digits=[5])
    first, second = collection.save(_canvas(2)), collection.save(_canvas(3))
    _refuse_unlink_in(monkeypatch, tmp_path / "5")
    with pytest.raises(
        DrawingsError,
        match=f"^Could not delete {re.escape(str(second.path))} "
        r"\(Permission denied\): it stays in the folder and in "
        f"this collection. Make {re.escape(str(tmp_path / '5'))} "
        "writable, or delete the file yourself, then redo again",
    ):
        collection.redo()
    assert second.path.exists() and [item.path for item in collection.saved] == [
        first.path,
        second.path,
    ]
    assert collection.finished
    monkeypatch.undo()  # writable again: redo works
    assert collection.redo() is second and not second.path.exists()
    assert collection.prompt == "Draw a 5 (2 of 2)"


def test_a_folder_that_disappears_mid_session_loses_no_new_drawing_and_is_told(tmp_path):
    from handwriting.drawn.collected import Collection

    folder = tmp_path / "mine"
    collection = Collection(folder, per_digit=3, digits=[2])
    first = collection.save(_canvas(2, "2-plain"))
    shutil.rmtree(folder)  # deleted (or its drive unplugged)
    second = collection.save(_canvas(3, "2-plain"))  # made again: the new drawing is kept
    assert read_canvas(second.path).shape == (280, 280, 4)
    assert [item.path for item in collection.missing] == [first.path]

    shutil.rmtree(folder)
    folder.write_text("a file where the folder was")
    with pytest.raises(
        DrawingsError,
        match=f"^Could not save the drawing in {re.escape(str(folder / '2'))} "
        r"\(Not a directory: .*\)\. Make .*mine a writable folder "
        "again .* or collect into another folder",
    ):
        collection.save(_canvas(4, "2-plain"))
    assert len(collection.saved) == 2 and collection.prompt == "Draw a 2 (3 of 3)"


def test_keep_saves_under_any_label_without_moving_the_prompts(tmp_path):
    from handwriting.drawn.collected import Collection

    collection = Collection(tmp_path, per_digit=1)
    kept = collection.keep(4, _canvas(4))
    assert kept.path.parent == tmp_path / "4" and not kept.prompted
    assert collection.prompt == "Draw a 0 (1 of 1)" and collection.done == 0
    assert collection.redo() == kept and _files(tmp_path) == []
    with pytest.raises(ValueError, match="from 0 to 9"):
        collection.keep(10, _canvas())
    with pytest.raises(DrawingError):
        collection.save(np.zeros((280, 280, 4), np.uint8))  # blank: refused, not saved
    assert collection.saved == [] and _files(tmp_path) == []
    with pytest.raises(ValueError, match="per_digit"):
        type(collection)(tmp_path, per_digit=0)


def test_a_collection_refuses_a_folder_it_could_not_save_in_before_anything_is_drawn(tmp_path):
    from handwriting.drawn.collected import Collection

    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where the drawings folder should be")
    for folder in (blocker, blocker / "mine"):
        with pytest.raises(
            DrawingsError,
            match=f"Cannot save in .*a file, not a folder: {blocker}.*choose another folder",
        ):
            Collection(folder)
    assert Collection(tmp_path / "new" / "mine").folder.is_dir()  # made at once
