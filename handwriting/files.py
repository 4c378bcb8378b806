"""Atomic file writes: a file the lab writes appears whole under its name, or not at all.

For example::

    with files.replacing("runs/cnn2/model.keras") as partial:
        model.save(partial)                   # renamed to model.keras only if this succeeds
    files.write_json("runs/cnn2/run.json", record)

A run killed half-way through a save, a full disk or an error in the writer leaves the previous
file (if any) untouched and no partial file behind. Files that belong together (a model, its
calibration, its record) are written by one :func:`replacing_together`: all of them are
complete before any is renamed into place.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


class SaveError(OSError):
    """A path the lab cannot save to; the message says why and which path is at fault."""


class FolderError(SaveError):
    """A folder the lab cannot save in; the message says why and which path is at fault."""


def _partial_path(path: Path) -> Path:
    """A hidden name beside ``path`` with the same suffix (some writers need it: ``model.save``
    wants ``.keras``, ``np.savez`` adds ``.npz`` when it is missing)."""
    return path.with_name(f".{path.stem}-{secrets.token_hex(4)}.partial{path.suffix}")


def _refuse_a_folder(path: Path) -> None:
    if path.is_dir():
        raise SaveError(f"Cannot save {path}: it is a folder, not a file; choose another name.")


@contextmanager
def replacing_together(
    paths: Iterable[str | os.PathLike], remove: Iterable[str | os.PathLike] = ()
) -> Iterator[list[Path]]:
    """Temporary paths beside ``paths`` (one each, same folder and suffix, hidden names) to write
    a set of files that belong together, e.g. a model and its calibration.

    When the ``with`` block ends normally, every temporary file replaces its path, in the order
    given, and then every path in ``remove`` is deleted (a file of the old set that the new one
    does not have, e.g. a calibration of the model being replaced). When the block raises,
    nothing changes and the temporary files are deleted. The folders are created if needed; a
    path that is a folder is refused (:class:`SaveError`) before the block runs.

    The renames come after every writer has finished, so a failing writer (a full disk, an
    error, Ctrl+C) changes none of the files; only a crash between two renames, a few
    microseconds, can leave some of the set replaced.
    """
    paths = [Path(p).expanduser() for p in paths]
    remove = [Path(p).expanduser() for p in remove]
    for path in (*paths, *remove):
        _refuse_a_folder(path)
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    partials = [_partial_path(path) for path in paths]
    try:
        yield partials
        for partial, path in zip(partials, paths, strict=False):
            os.replace(partial, path)
        for path in remove:
            path.unlink(missing_ok=True)
    finally:
        for partial in partials:
            partial.unlink(missing_ok=True)


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` (same folder, same suffix, hidden name) to write to.

    When the ``with`` block ends normally the temporary file replaces ``path`` in one rename;
    when it raises, the temporary file is deleted and ``path`` is left as it was
    (:func:`replacing_together` for one file).
    """
    with replacing_together([path]) as (partial,):
        yield partial


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`replacing`); returns the path."""
    with replacing(path) as partial:
        partial.write_bytes(data)
    return Path(path).expanduser()


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    return write_bytes(path, text.encode())


def json_text(value, indent: int = 2, **dumps) -> str:
    """``value`` as the lab writes JSON files: indented, one newline at the end."""
    return json.dumps(value, indent=indent, **dumps) + "\n"


def write_json(path: str | os.PathLike, value, indent: int = 2, **dumps) -> Path:
    """Write ``value`` as indented JSON to ``path`` atomically; returns the path."""
    return write_text(path, json_text(value, indent, **dumps))


def writable_folder(folder: str | os.PathLike) -> Path:
    """Make ``folder`` (and its parents) and check that a file can be written in it, so that long
    work (a training run, a session of drawing) learns before it starts, not after, that it
    could not save its result.

    Raises:
        FolderError: "Cannot save in runs/x (a file, not a folder: runs)", "... (Permission
            denied: ...)": the reason and the path at fault.
    """
    folder = Path(folder).expanduser()
    try:
        _refuse_a_file_on_the_way(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise FolderError(
            f"Cannot save in {folder} ({err.strerror or err}: {err.filename})"
        ) from None
    return folder


def _refuse_a_file_on_the_way(folder: Path) -> None:
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise NotADirectoryError(errno.ENOTDIR, "a file, not a folder", str(blocker))


def writable_as_files(*paths: str | os.PathLike) -> list[Path]:
    """Check, before long work, that each of ``paths`` can later be written as a file: it is not
    a folder, and no file stands where one of its folders should be. Creates nothing
    (:func:`writable_folder` checks that a folder can be written in).

    Raises:
        SaveError: "Cannot save runs/x/mine.keras: it is a folder, not a file; ...", or a
            :class:`FolderError` "Cannot save in runs/x/sub (a file, not a folder: runs/x)".
    """
    checked = [Path(path).expanduser() for path in paths]
    for path in checked:
        try:
            _refuse_a_file_on_the_way(path.parent)
        except OSError as err:
            raise FolderError(
                f"Cannot save in {path.parent} ({err.strerror}: {err.filename})"
            ) from None
        _refuse_a_folder(path)
    return checked


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when ``a`` and ``b`` name the same file: the same path once symbolic links are
    followed (whether or not it exists yet), or two hard links to one file."""
    a, b = Path(a).expanduser(), Path(b).expanduser()
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False
