"""A person's own digits as a plain folder of labelled PNGs, and the arrays the model learns from.

The layout is Keras' ``image_dataset_from_directory`` one, readable and extendable by anyone::

    DIR/0/20261129-180102-001.png
    DIR/7/20261129-180233-001.png
    ...

Each file is a canvas as drawn: white ink on black (or on transparent), normally the pad's
280x280 RGBA, but any greyscale or RGBA PNG of at least 28x28 pixels (and at most
:data:`MAX_PIXELS`) is read the same way. :func:`load_drawings` turns every file into the 28x28
the pad would show the model, through :func:`handwriting.preprocess.preprocess_canvas`; files it
cannot use are listed with the reason and what to do, never fatal. :func:`save_drawing` writes
atomically and never replaces a drawing.

One concern: a person's drawings folder: saving (atomic, never overwriting), loading with a
reason for every file skipped, and the collection that asks for each digit in turn.
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import files
from ..data import check_digit
from ..png import encode_png
from ..preprocess import DrawingError, check_drawing, ink_from_rgba, preprocess_canvas

DIGITS = tuple(str(d) for d in range(10))
SUFFIX = ".png"
#: Below this many drawings of a digit none can be held out for testing (one to learn from).
MIN_PER_DIGIT = 2
#: Larger images are refused before they are decoded (a "decompression bomb" of a few bytes that
#: unpacks to gigabytes, a photo far bigger than any canvas): 16 megapixels, e.g. 4096x4096.
MAX_PIXELS = 4096 * 4096


class DrawingsError(ValueError):
    """The drawings folder cannot be used (missing, empty, too few to split); says what to do."""


class UnusableDrawing(DrawingsError):
    """One drawing file cannot be read; the message is ``path: reason`` (what is wrong, what to do).

    Attributes:
        path: the file.
        reason: the message without the path, as :attr:`DrawingSet.skipped` lists it.
    """

    def __init__(self, path: str | os.PathLike, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = Path(path), reason


def how_to_collect(folder: str | os.PathLike) -> str:
    """One sentence on how drawings get into ``folder``."""
    return (
        f"Collect drawings first: handwriting.drawn.collected.save_drawing({str(folder)!r}, digit, "
        "canvas) "
        f"writes {Path(folder) / '<digit>' / '<name>.png'}, or put PNGs of white digits on black "
        "there yourself, one sub-folder per digit 0-9."
    )


def save_drawing(folder: str | os.PathLike, digit: int, rgba: np.ndarray) -> Path:
    """Save one drawing as ``folder/<digit>/<timestamp>-<n>.png`` and return its path.

    The PNG is written to a hidden temporary file in the same folder and then linked to its
    name, which fails instead of replacing an existing file: a drawing is never half-written
    and never overwritten (the counter ``n`` moves on until a name is free).

    Args:
        folder: the drawings folder (created if missing).
        digit: the label, 0-9.
        rgba: the canvas, (H, W, 4) uint8, white ink on black, as the pad gives it.

    Raises:
        ValueError, TypeError: a label that is not a digit, a canvas that is not (H, W, 4) uint8.
        DrawingError: a canvas the pad would not read (blank, a dot, mostly ink).
    """
    digit = check_digit(digit)
    reason = check_drawing(rgba)  # also checks the shape and dtype, with clear errors
    if reason:
        raise DrawingError(reason)
    target = Path(folder).expanduser() / str(digit)
    target.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".drawing-", suffix=".partial", dir=target)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(encode_png(rgba))
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for n in range(1, 10_000):
            path = target / f"{stamp}-{n:03d}{SUFFIX}"
            try:
                os.link(tmp, path)  # atomic, and refuses an existing name
                return path
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links (FAT, some shares)
                if path.exists():
                    continue
                os.replace(tmp, path)
                return path
        raise FileExistsError(f"No free file name for {stamp} in {target}.")
    finally:
        Path(tmp).unlink(missing_ok=True)


def read_canvas(path: str | os.PathLike) -> np.ndarray:
    """A PNG file as an RGBA uint8 canvas (H, W, 4), whatever its mode (grey, 16-bit, palette).

    Transparency reads as the pad's spec reads it (ink = R x A: light strokes on a transparent
    page are ink). Dark strokes on a transparent page, as drawing apps save them, would be no
    ink at all: for those, the opacity is the ink.

    Raises:
        UnusableDrawing: not a regular file (a broken or looping link, a pipe), larger than
            :data:`MAX_PIXELS` (checked before decoding), or not a readable image (truncated,
            damaged); the message names the file and what to do.
    """
    from PIL import Image

    path = Path(path)
    if not path.is_file():
        if path.is_symlink():
            reason = "a link to nothing (broken, or a loop): remove it or point it at a drawing"
        elif path.exists():
            reason = "not a regular file (a folder, a pipe, a device): remove it or put a PNG there"
        else:
            reason = "no such file"
        raise UnusableDrawing(path, reason)
    too_large = (
        f"(at most {MAX_PIXELS / 1e6:.1f} megapixels are read; the pad saves 280x280): "
        "scale it down, or move it out of the drawings folder"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # MAX_PIXELS is lower
            image = Image.open(path)
    except Image.DecompressionBombError:
        raise UnusableDrawing(
            path,
            f"too large to be a drawing: over "
            f"{2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels "
            f"{too_large}",
        ) from None
    except Exception as err:  # noqa: BLE001 - Pillow raises many types for a damaged file
        raise _unreadable(path, err) from err
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise UnusableDrawing(
                path, f"too large to be a drawing: {width}x{height} pixels {too_large}"
            )
        try:
            image.load()
        except Exception as err:  # noqa: BLE001 - as above: truncated, bad checksums, ...
            raise _unreadable(path, err) from err
        if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float greyscale
            grey = np.asarray(image, dtype=np.float64)
            peak = 65535.0 if grey.max() > 255 else 255.0
            image = Image.fromarray(np.round(np.clip(grey / peak, 0, 1) * 255).astype(np.uint8))
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint8)
    opacity = rgba[..., 3]
    if opacity.min() < 255 and (rgba[..., 0].astype(np.uint16) * opacity).max() < 128 * 255:
        rgba = np.dstack([opacity, opacity, opacity, np.full_like(opacity, 255)])
    return rgba


def _unreadable(path: Path, err: Exception) -> UnusableDrawing:
    detail = str(err).replace(f": {str(path)!r}", "").replace(f" {str(path)!r}", "")  # named once
    return UnusableDrawing(
        path,
        f"not a readable PNG ({type(err).__name__}: {detail}): open it and "
        "save it again as a PNG, or remove it",
    )


def _read_drawing(path: Path) -> tuple[np.ndarray | None, str | None]:
    """(28x28 image, None) for a usable file, else (None, why not, with what to do)."""
    try:
        rgba = read_canvas(path)
    except UnusableDrawing as err:
        return None, err.reason
    try:
        return preprocess_canvas(rgba), None
    except DrawingError as err:
        if err.reason == "too_full" and ink_from_rgba(rgba).mean() > 0.5:
            return None, (
                "mostly white: is it dark ink on a light background? Invert it "
                "(the pad's drawings are white ink on black)"
            )
        return None, f"{err.reason}: {err}"
    except (TypeError, ValueError) as err:
        return None, str(err)


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


@dataclass
class DrawingSet:
    """Labelled drawings as the model sees them.

    Attributes:
        images: (N, 28, 28, 1) float32 in [0, 1], the pad's preprocessing of each file.
        labels: (N,) int64 digits.
        paths: the N files, sorted by digit then name (oldest first for the pad's names).
        skipped: (path, reason) for every file that was not loaded.
    """

    images: np.ndarray
    labels: np.ndarray
    paths: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> np.ndarray:
        """How many drawings of each digit: (10,) int."""
        return np.bincount(self.labels, minlength=10)

    def subset(self, indices) -> DrawingSet:
        """The drawings at ``indices`` (in that order); ``skipped`` is not carried over."""
        indices = np.asarray(indices, dtype=np.int64)
        return DrawingSet(
            self.images[indices], self.labels[indices], [self.paths[i] for i in indices]
        )

    def split(self, held_out: float = 0.3, seed: int = 0) -> tuple[DrawingSet, DrawingSet]:
        """(train, held_out): about ``held_out`` of each digit's drawings kept for testing.

        Stratified (every digit that has drawings is in both parts, at least one each) and
        seeded (the same folder and seed give the same split); both parts keep file order.

        Raises:
            DrawingsError: ``held_out`` outside (0, 1), or a digit with fewer than
                :data:`MIN_PER_DIGIT` drawings.
        """
        if (
            isinstance(held_out, bool)
            or not isinstance(held_out, (int, float))
            or not 0 < held_out < 1
        ):
            raise DrawingsError(
                f"held_out must be a share between 0 and 1 (e.g. 0.3), not {held_out!r}."
            )
        counts = self.counts()
        few = [f"{d} ({n})" for d, n in enumerate(counts) if 0 < n < MIN_PER_DIGIT]
        if few:
            raise DrawingsError(
                f"Too few drawings to hold any out for testing: digit {', '.join(few)}. "
                f"Draw at least {MIN_PER_DIGIT} of every digit you collect "
                "(5 or more make the before/after numbers meaningful)."
            )
        rng = np.random.default_rng(seed)
        test = np.zeros(len(self), dtype=bool)
        for digit in np.flatnonzero(counts):
            mine = np.flatnonzero(self.labels == digit)
            n_out = min(max(1, int(round(len(mine) * held_out))), len(mine) - 1)
            test[rng.permutation(mine)[:n_out]] = True
        return self.subset(np.flatnonzero(~test)), self.subset(np.flatnonzero(test))


def load_drawings(folder: str | os.PathLike) -> DrawingSet:
    """Every usable drawing in ``folder/<digit>/**/*.png``, through the pad's preprocessing.

    Hidden files and folders (``.ipynb_checkpoints``, temporary files) are ignored; anything
    else that cannot be used (a file outside a digit folder or in a digit folder inside another
    one, not a PNG, unreadable, too large, blank, a dot, mostly ink) is listed in
    :attr:`DrawingSet.skipped` with the reason and what to do. Links to folders are not followed.

    Raises:
        DrawingsError: the folder is missing or holds no usable drawing (the message says how to
            collect drawings, and what was skipped).
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DrawingsError(f"No drawings folder at {folder}. {how_to_collect(folder)}")
    images, labels, paths, skipped = [], [], [], []
    for entry in sorted(folder.iterdir()):
        if _is_hidden(entry.name):
            continue
        if not (entry.is_dir() and entry.name in DIGITS):
            skipped.append((entry, "not in a digit folder: put drawings in sub-folders named 0-9"))
            continue
        for path in sorted(entry.rglob("*")):
            inner = path.relative_to(entry).parts
            if any(_is_hidden(part) for part in inner) or path.is_dir():
                continue
            nested = next((part for part in inner[:-1] if part in DIGITS), None)
            if nested is not None:  # e.g. a whole drawings folder copied into 3/
                where = Path(entry.name, *inner[:-1]).as_posix()
                skipped.append(
                    (
                        path,
                        (
                            f"in a digit folder inside another ({where}/): is it a "
                            f"{entry.name} or a {nested}? Move it straight into "
                            f"{entry.name}/ or {nested}/"
                        ),
                    )
                )
                continue
            if path.suffix.lower() != SUFFIX:
                skipped.append((path, f"not a {SUFFIX} file"))
                continue
            image, reason = _read_drawing(path)
            if reason:
                skipped.append((path, reason))
                continue
            images.append(image)
            labels.append(int(entry.name))
            paths.append(path)
    if not images:
        found = (
            f" Skipped {len(skipped)} file(s), e.g. {skipped[0][0]}: {skipped[0][1]}."
            if skipped
            else ""
        )
        raise DrawingsError(f"No usable drawings in {folder}.{found} {how_to_collect(folder)}")
    return DrawingSet(
        np.stack(images)[..., None].astype(np.float32),
        np.array(labels, dtype=np.int64),
        paths,
        skipped,
    )


def skipped_lines(skipped: list[tuple[Path, str]]) -> list[str]:
    """One line per skipped file, ``path: reason``, for the CLI and the widgets."""
    return [f"{path}: {reason}" for path, reason in skipped]


@dataclass(frozen=True)
class Collected:
    """One drawing a :class:`Collection` saved: its label, file and the 28x28 the model sees."""

    digit: int
    path: Path
    image: np.ndarray
    prompted: bool  # asked for by the prompts (False: kept with a label of one's own)


class Collection:
    """Asks for each digit in turn, ``per_digit`` times, and saves the answers into a folder.

    The plain-Python state behind the collector widget: :attr:`prompt` says what to draw next,
    :meth:`save` stores a canvas as that digit, :meth:`keep` stores one under any label ("that
    was a 4"), :meth:`redo` deletes the last drawing this collection saved and asks for it again.
    Files already in the folder are kept; only this collection's own drawings can be removed.

    Args:
        folder: the drawings folder (``DIR/<digit>/<name>.png``), made at once: a folder
            that cannot be written is refused before anything is drawn for it.
        per_digit: how many drawings of each digit to ask for (default 5).
        digits: the digits to ask for, in order (default 0-9).
    """

    def __init__(self, folder: str | os.PathLike, per_digit: int = 5, digits=range(10)):
        if (
            isinstance(per_digit, bool)
            or not isinstance(per_digit, (int, np.integer))
            or per_digit < 1
        ):
            raise ValueError(f"per_digit must be a whole number >= 1, not {per_digit!r}.")
        self.per_digit = int(per_digit)
        self.digits = [check_digit(d) for d in digits]
        if not self.digits:
            raise ValueError("Give at least one digit to collect.")
        try:
            self.folder = files.writable_folder(folder)
        except files.FolderError as err:
            raise DrawingsError(f"{err}; choose another folder for your drawings.") from None
        self.saved: list[Collected] = []

    @property
    def total(self) -> int:
        """How many prompted drawings the collection asks for."""
        return self.per_digit * len(self.digits)

    @property
    def done(self) -> int:
        """How many of them are saved."""
        return sum(item.prompted for item in self.saved)

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def digit(self) -> int | None:
        """The digit asked for next (None when every prompt is answered)."""
        return None if self.finished else self.digits[self.done // self.per_digit]

    @property
    def prompt(self) -> str:
        """What to draw next, e.g. "Draw a 7 (2 of 5)"."""
        if self.finished:
            return (
                f"Done: {self.total} drawings in {self.folder}. Keep more with a label, "
                "or fine-tune on them."
            )
        return f"Draw a {self.digit} ({self.done % self.per_digit + 1} of {self.per_digit})"

    def save(self, rgba: np.ndarray) -> Collected:
        """Save ``rgba`` as the digit asked for and move on to the next prompt.

        Raises:
            DrawingsError: every prompt is already answered (use :meth:`keep`).
            DrawingError, ValueError, TypeError: as :func:`save_drawing` (blank canvas, ...).
        """
        if self.finished:
            raise DrawingsError(
                f"All {self.total} drawings are collected: keep more with "
                "keep(digit, canvas), or start a new Collection."
            )
        return self._store(self.digit, rgba, prompted=True)

    def keep(self, digit: int, rgba: np.ndarray) -> Collected:
        """Save ``rgba`` under ``digit`` (e.g. a misread drawing: "that was a 4"); the prompts
        stay where they are."""
        return self._store(check_digit(digit), rgba, prompted=False)

    def redo(self) -> Collected:
        """Delete the last drawing this collection saved; a prompted one is asked for again.

        Raises:
            DrawingsError: this collection has saved nothing (others' files are never removed),
                or the file could not be deleted (it then stays on disk and in :attr:`saved`).
        """
        if not self.saved:
            raise DrawingsError(
                "Nothing to redo: no drawing has been saved here yet "
                "(drawings already in the folder are never deleted)."
            )
        item = self.saved[-1]
        try:
            item.path.unlink(missing_ok=True)
        except OSError as err:
            raise DrawingsError(
                f"Could not delete {item.path} ({err.strerror or err}): it stays in "
                f"the folder and in this collection. Make {item.path.parent} "
                "writable, or delete the file yourself, then redo again."
            ) from None
        self.saved.pop()
        return item

    @property
    def missing(self) -> list[Collected]:
        """Drawings this collection saved whose file is gone (deleted or moved by hand, or the
        whole folder, e.g. with its drive): they are no longer there to learn from.

        A file name taken again by a later drawing counts as gone too: names are only ever
        given when free, so the first file had disappeared by then.
        """
        gone, later = [], set()
        for item in reversed(self.saved):
            if item.path in later or not item.path.is_file():
                gone.append(item)
            later.add(item.path)
        return gone[::-1]

    def _store(self, digit: int, rgba: np.ndarray, prompted: bool) -> Collected:
        try:
            path = save_drawing(self.folder, digit, rgba)
        except OSError as err:
            where = f": {err.filename}" if err.filename else ""
            raise DrawingsError(
                f"Could not save the drawing in {self.folder / str(digit)} "
                f"({err.strerror or err}{where}). Make {self.folder} a writable "
                "folder again (was it moved, or its drive disconnected?) and save "
                "again, or collect into another folder."
            ) from None
        item = Collected(digit, path, preprocess_canvas(rgba), prompted)
        self.saved.append(item)
        return item
