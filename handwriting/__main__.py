"""``python -m handwriting``: the command line, :mod:`handwriting.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
