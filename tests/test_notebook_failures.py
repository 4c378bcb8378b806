"""A notebook whose work fails must fail under nbval: no cell may swallow a failed run or export."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parent.parent / "lab"

#: Loaded by the notebook's kernel at start-up: every training run fails in its first batch,
#: the way a run that runs out of memory does.
BROKEN_TRAINING = """
import handwriting.training as training

def _broken_fit(self):
    raise MemoryError("deliberately broken run (test)")

training.TrainingRun._fit = _broken_fit
"""


def _run_nbval(notebook: str, tmp_path: Path, **env) -> subprocess.CompletedProcess:
    shutil.copy(LAB / notebook, tmp_path / notebook)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / notebook),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HANDWRITING_QUICK": "1", **env},
    )


def test_a_failed_training_run_fails_the_training_notebook(tmp_path):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(BROKEN_TRAINING)
    result = _run_nbval(
        "02_train.ipynb",
        tmp_path,
        PYTHONPATH=os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])),
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert (
        "deliberately broken run" in result.stdout and "1 failed" in result.stdout
    )  # the train cell


@pytest.mark.browser
def test_an_export_that_cannot_be_checked_fails_the_export_notebook(tmp_path):
    result = _run_nbval(
        "04_export.ipynb", tmp_path, HANDWRITING_CHROMIUM=str(tmp_path / "no-chromium")
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "no-chromium' is not a file" in result.stdout, result.stdout[-3000:]
    assert "Cell 4 - " in result.stdout  # the first export cell fails
