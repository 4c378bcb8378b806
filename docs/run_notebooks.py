"""The notebooks' pages with their outputs: run every lab notebook and store the run in docs/lab/.

``make notebook-pages`` runs this. Each ``lab/NN_*.ipynb`` is executed top to bottom in a fresh
kernel (nbclient), in quick mode (``HANDWRITING_QUICK=1``: small MNIST subsets, one epoch) and in
a temporary copy of ``lab/`` (what the notebooks write, exports and runs, stays there), then
written to ``docs/lab/`` with its outputs: the plots, tables and printed text the documentation
site shows. Widget outputs (the training panel, the pads, the export panel) are dropped: they
need a live kernel, and each page says so (``docs/conf.py``). ``tests/test_docs.py`` checks
that every stored page has the notebook's current code, so a notebook changed without running
this again fails the tests.

Usage: ``python docs/run_notebooks.py [NAME ...]`` (default: every notebook).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LAB, PAGES = ROOT / "lab", ROOT / "docs" / "lab"
WIDGET = "application/vnd.jupyter.widget-view+json"
COLAB_CELL = "# Colab only:"  # the first line of the set-up cell `make notebooks` writes
TIMEOUT_S = 900  # per cell: the slowest (an export checked in Chromium) takes a minute or two


def notebooks(names: list[str]) -> list[Path]:
    """The lab's notebooks, or those named (``02_train`` or ``02_train.ipynb``)."""
    every = sorted(LAB.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return every
    wanted = {Path(name).stem for name in names}
    unknown = wanted - {path.stem for path in every}
    if unknown:
        raise SystemExit(f"No such notebook in lab/: {', '.join(sorted(unknown))}")
    return [path for path in every if path.stem in wanted]


def for_the_page(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The executed notebook as its page shows it: no widget outputs or widget state (they
    cannot render on a page), and the Colab set-up cell hidden (``remove-cell``: it does
    nothing outside Colab; the set-up guide explains it)."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if WIDGET not in out.get("data", {})]
            if cell.source.startswith(COLAB_CELL):
                tags = cell.metadata.setdefault("tags", [])
                if "remove-cell" not in tags:
                    tags.append("remove-cell")
    notebook.metadata.pop("widgets", None)
    return notebook


def run(path: Path, folder: Path) -> nbformat.NotebookNode:
    """``path`` executed in ``folder`` (a copy of lab/), with its outputs."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return for_the_page(notebook)


def main(argv: list[str]) -> int:
    os.environ["HANDWRITING_QUICK"] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")
    PAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="notebook-pages-") as tmp:
        folder = Path(tmp) / "lab"
        shutil.copytree(LAB, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for path in notebooks(argv):
            print(f"running {path.name} ...", flush=True)
            notebook = run(path, folder)
            staged = PAGES / f".{path.name}.tmp"
            nbformat.write(notebook, staged)
            staged.replace(PAGES / path.name)  # whole or not at all
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
