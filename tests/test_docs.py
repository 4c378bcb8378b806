"""The documentation site (docs/, `make docs`): it builds offline with no warning, and every
notebook of the lab is one of its pages.

The build needs the `docs` extra (`pip install -e '.[docs]'`, or `make install-docs`). `make
test` installs it and sets HANDWRITING_TEST_DOCS=1, under which a missing extra fails the build
test instead of skipping it; without the variable (`make test-quick`, a bare pytest) the build
runs when the extra is there and is skipped, with the reason, when it is not.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

DOCS = ROOT / "docs"
NOTEBOOKS = sorted(path.stem for path in (ROOT / "lab").glob("[0-9][0-9]_*.ipynb"))
API_PAGES = ["widgets", "numbers", "honest", "models", "training", "export", "drawn", "core"]


def _code(path):
    notebook = json.loads(path.read_text())
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_has_its_page_with_its_current_code_and_outputs(name):
    """docs/lab/NAME.ipynb is the notebook as run by `make notebook-pages`: the same code cells
    (a notebook changed since is a stale page), with outputs, and no widget left in them."""
    page = DOCS / "lab" / f"{name}.ipynb"
    assert page.is_file(), f"docs/lab has no page for lab/{name}.ipynb: run make notebook-pages"
    assert _code(page) == _code(ROOT / "lab" / f"{name}.ipynb"), (
        f"docs/lab/{name}.ipynb has other code than lab/{name}.ipynb: run make notebook-pages"
    )
    cells = json.loads(page.read_text())["cells"]
    outputs = [out for cell in cells if cell["cell_type"] == "code" for out in cell["outputs"]]
    assert outputs, f"docs/lab/{name}.ipynb was stored without running it"
    assert not any("error" == out["output_type"] for out in outputs), f"{name} ran into an error"
    assert "widget-view" not in page.read_text()


def test_the_notebooks_page_links_every_notebook():
    index = (DOCS / "notebooks.md").read_text()
    missing = [name for name in NOTEBOOKS if f"<lab/{name}>" not in index]
    assert not missing, f"docs/notebooks.md does not link {missing}: add a row to its table"


def _docs_extra_missing() -> str | None:
    wanted = ("sphinx", "myst_parser", "myst_nb", "pydata_sphinx_theme")
    missing = [name for name in wanted if importlib.util.find_spec(name) is None]
    return ", ".join(missing) or None


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    """`make docs`'s command, fresh: a broken link, a missing picture, a bad cross-reference or
    a docstring docutils cannot read is a warning, and every warning fails it."""
    missing = _docs_extra_missing()
    if missing and os.environ.get("HANDWRITING_TEST_DOCS") == "1":
        pytest.fail(f"the docs extra is not installed ({missing}): make install-docs")
    if missing:
        pytest.skip(f"the docs extra is not installed ({missing}): make install-docs")
    out = tmp_path / "html"
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-E", "-b", "html"]
    command += ["-d", str(tmp_path / "doctrees"), str(DOCS), str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"sphinx-build failed:\n{done.stderr[-5000:]}"
    for name in NOTEBOOKS:
        page = (out / "lab" / f"{name}.html").read_text()
        assert "need a live kernel" in page, f"lab/{name}: the live-kernel note is missing"
    widgets = (out / "reference" / "widgets.html").read_text()
    assert "DrawingPad" in widgets and "TrainingPanel" in widgets, "the API reference is empty"
    for name in API_PAGES:
        assert (out / "reference" / f"{name}.html").is_file()
    assert "Benchmark" in (out / "benchmarks.html").read_text()
