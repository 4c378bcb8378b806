"""Colab: the notebooks' first cell (install from the repository, check the version, widgets on)
and what the export panel does there (no Chromium), all under a fake ``google.colab``."""

from __future__ import annotations

import subprocess
import sys
import types

import nbformat
import pytest
from conftest import ROOT

import handwriting
from handwriting.colab import project_source, setup_cell, update_notebooks
from handwriting.widgets import ExportPanel

URL, VERSION = project_source()


@pytest.fixture()
def colab(monkeypatch):
    """A fake ``google.colab`` that records calls, and a fake pip (``subprocess.run``)."""
    calls = {"widget_manager": 0, "pip": []}
    output = types.SimpleNamespace(
        enable_custom_widget_manager=lambda: calls.__setitem__(
            "widget_manager", calls["widget_manager"] + 1
        )
    )
    monkeypatch.setitem(sys.modules, "google.colab", types.SimpleNamespace(output=output))
    calls["pip_result"] = subprocess.CompletedProcess([], 0, "", "")

    def fake_run(argv, **kwargs):
        calls["pip"].append(argv)
        return calls["pip_result"]

    monkeypatch.setattr(subprocess, "run", fake_run)
    return calls


def test_every_notebook_starts_with_the_setup_cell_for_this_repository_and_version():
    assert URL.startswith("https://") and VERSION == handwriting.__version__
    for path in sorted((ROOT / "lab").glob("*.ipynb")):
        first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert first.source == setup_cell(URL, VERSION), (
            f"{path.name}: run `python -m handwriting.colab` to rewrite its first cell"
        )


def test_in_colab_the_cell_installs_from_the_repository_and_enables_widgets(colab):
    exec(setup_cell(URL, VERSION), {})
    assert colab["pip"] == [
        [sys.executable, "-m", "pip", "install", "-q", f"handwriting @ git+{URL}"]
    ]
    assert colab["widget_manager"] == 1


def test_a_failed_install_says_what_to_check(colab):
    colab["pip_result"] = subprocess.CompletedProcess([], 1, "", "ERROR: repository not found")
    with pytest.raises(
        RuntimeError, match="(?s)failed.*repository not found.*pyproject.toml"
    ) as err:
        exec(setup_cell(URL, VERSION), {})
    assert URL in str(err.value)
    assert colab["widget_manager"] == 0


def test_a_version_other_than_the_notebooks_is_refused(colab):
    with pytest.raises(
        RuntimeError, match=f"notebook is for Handwriting Lab 9.9.9 but .* gave {VERSION}"
    ):
        exec(setup_cell(URL, "9.9.9"), {})


def test_outside_colab_the_cell_does_nothing(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("pip must not run"))
    exec(setup_cell(URL, VERSION), {})


def test_update_notebooks_rewrites_only_stale_cells(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_code_cell("old set-up"),
            nbformat.v4.new_code_cell("print(1)"),
        ]
    )
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    assert update_notebooks([path], "https://example.org/repo", "1.2.3") == [path]
    cells = nbformat.read(path, as_version=4).cells
    assert cells[1].source == setup_cell("https://example.org/repo", "1.2.3")
    assert [cells[0].source, cells[2].source] == ["# title", "print(1)"]
    assert update_notebooks([path], "https://example.org/repo", "1.2.3") == []


def test_in_colab_the_export_skips_the_parity_check_and_still_previews(
    colab, tiny_model, tmp_path, monkeypatch
):
    monkeypatch.delenv("HANDWRITING_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium anywhere, as in Colab
    panel = ExportPanel(tiny_model, out_dir=str(tmp_path / "web"))
    result = panel.export()
    assert result is panel.result and panel.report is None and panel.error is None
    assert (
        "Parity check skipped" in panel.message.value and "No Chromium found" in panel.message.value
    )
    assert "<iframe" in panel.preview.value and "srcdoc=" in panel.preview.value
    assert 'download="web.zip"' in panel.download.value
