"""The documentation site (docs/, `make docs`): it builds offline with no warning, and every
notebook of the lab is one of its pages.

The build needs the `docs` extra (`pip install -e '.[docs]'`, or `make install-docs`). `make
test` installs it and sets HANDWRITING_TEST_DOCS=1, under which a missing extra fails the build
test instead of skipping it; without the variable (`make test-quick`, a bare pytest) the build
runs when the extra is there and is skipped, with the reason, when it is not.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest
from conftest import ROOT

DOCS = ROOT / "docs"
NOTEBOOKS = sorted(path.stem for path in (ROOT / "lab").glob("[0-9][0-9]_*.ipynb"))
API_PAGES = ["widgets", "numbers", "honest", "models", "training", "export", "drawn", "core"]


def test_every_notebook_is_a_page():
    """docs/lab is the lab folder itself, and the notebooks page links every notebook."""
    assert (DOCS / "lab").resolve() == (ROOT / "lab").resolve(), "docs/lab must link to ../lab"
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
