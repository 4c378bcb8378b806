"""Atomic file writes: a file the lab writes appears whole under its name, or not at all.

    with files.replacing("runs/cnn2/model.keras") as partial:
        model.save(partial)                   # renamed to model.keras only if this succeeds
    files.write_json("runs/cnn2/run.json", record)

A run killed half-way through a save, a full disk or an error in the writer leaves the previous
file (if any) untouched and no partial file behind.
"""
from __future__ import annotations

import errno
import json
import os
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` (same folder, same suffix, hidden name) to write to.

    When the ``with`` block ends normally the temporary file replaces ``path`` in one rename;
    when it raises, the temporary file is deleted and ``path`` is left as it was. The folder is
    created if needed. The suffix is kept because some writers need it (``model.save`` wants
    ``.keras``, ``np.savez`` adds ``.npz`` when it is missing).
    """
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}-{secrets.token_hex(4)}.partial{path.suffix}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`replacing`); returns the path."""
    with replacing(path) as partial:
        partial.write_bytes(data)
    return Path(path).expanduser()


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    return write_bytes(path, text.encode())


def write_json(path: str | os.PathLike, value, indent: int = 2, **dumps) -> Path:
    """Write ``value`` as indented JSON to ``path`` atomically; returns the path."""
    return write_text(path, json.dumps(value, indent=indent, **dumps) + "\n")


class FolderError(OSError):
    """A folder the lab cannot save in; the message says why and which path is at fault."""


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
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise NotADirectoryError(errno.ENOTDIR, "a file, not a folder", str(blocker))
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise FolderError(f"Cannot save in {folder} ({err.strerror or err}: {err.filename})") from None
    return folder
