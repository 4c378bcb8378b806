"""The notebooks' first cell: in Colab, install this package from its repository and check it.

The repository URL is written once, as ``Repository`` under ``[project.urls]`` in
``pyproject.toml``, and the version once, as ``handwriting.__version__``. A notebook opened in
Colab comes without the rest of the repository, so its first cell has to carry both: run
``python -m handwriting.colab`` after changing either, and it rewrites that cell in every notebook
under ``lab/`` (``tests/test_colab.py`` fails while a notebook's cell is out of date).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import nbformat

from . import __version__

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
NOTEBOOKS = ROOT / "lab"

SETUP_CELL = """\
# Colab only: install Handwriting Lab {version} and switch on third-party widgets.
# Elsewhere this does nothing. (Written by `python -m handwriting.colab` from pyproject.toml:
# change the URL there, not here.)
import sys

if "google.colab" in sys.modules:
    import importlib
    import subprocess

    REPOSITORY, VERSION = "{url}", "{version}"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", f"handwriting @ git+{{REPOSITORY}}"],
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        raise RuntimeError(
            f"Installing Handwriting Lab from {{REPOSITORY}} failed:\\n{{pip.stderr[-2000:]}}\\n"
            "Check that the runtime is online and that the URL is right (pyproject.toml, "
            "[project.urls] Repository), then run this cell again."
        )
    importlib.invalidate_caches()
    import handwriting

    if handwriting.__version__ != VERSION:
        raise RuntimeError(
            f"This notebook is for Handwriting Lab {{VERSION}} but {{REPOSITORY}} gave "
            f"{{handwriting.__version__}}: open the notebook from the same branch as the "
            "package, or restart the runtime (Runtime > Restart session) and run this cell "
            "again."
        )
    from google.colab import output

    output.enable_custom_widget_manager()"""


def project_source(pyproject: Path = PYPROJECT) -> tuple[str, str]:
    """(repository URL, version) of the project: ``[project.urls] Repository`` and
    ``__version__``."""
    project = tomllib.loads(pyproject.read_text())["project"]
    try:
        url = project["urls"]["Repository"]
    except KeyError:
        raise ValueError(
            f"{pyproject} has no Repository under [project.urls]; add the "
            "repository's URL there (the Colab cell installs from it)."
        ) from None
    return url, __version__


def setup_cell(url: str, version: str) -> str:
    """The source of the notebooks' first code cell for ``url`` and ``version``."""
    return SETUP_CELL.format(url=url, version=version)


def update_notebooks(paths, url: str, version: str) -> list[Path]:
    """Rewrite the first code cell of each notebook in ``paths``; return the ones that changed."""
    wanted, changed = setup_cell(url, version), []
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        first = next(cell for cell in notebook.cells if cell.cell_type == "code")
        if first.source != wanted:
            first.source = wanted
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handwriting.colab", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        default=sorted(NOTEBOOKS.glob("*.ipynb")),
        help="default: lab/*.ipynb",
    )
    args = parser.parse_args(argv)
    if not PYPROJECT.is_file():
        parser.error(f"{PYPROJECT} not found: run this from a checkout of the repository.")
    url, version = project_source()
    for path in update_notebooks(args.notebooks, url, version):
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
