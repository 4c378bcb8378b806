"""The built wheel, installed into a fresh venv, exports a working app: what `pip install` gives
Colab.

The venv borrows this environment's installed dependencies through a ``.pth`` line (a path added
that way is not scanned for ``.pth`` files, so this checkout's editable install stays out): the
wheel itself is installed for real, without downloading anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile

import pytest
from conftest import ROOT

import handwriting
from handwriting.export import APP_FILES


def _run(*argv, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, (
        f"{' '.join(argv)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """`make dist`'s wheel. The build backend comes from pip's cache: ours cannot build it, as
    setuptools>=77 needs a newer `packaging` than tensorflowjs allows."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT), cwd=ROOT)
    [built] = out.glob("handwriting-*.whl")
    return built


def test_the_wheel_installed_in_a_fresh_venv_exports_an_app(wheel, tiny_model, tmp_path):
    assert wheel.name.startswith(f"handwriting-{handwriting.__version__}-")
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    site = next((env / "lib").glob("python3.*/site-packages"))
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = str(env / "bin" / "python")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "--quiet",
        str(wheel),
        cwd=tmp_path,
    )

    where = json.loads(
        _run(
            python,
            "-c",
            "import json, handwriting; from handwriting.export import "
            "web_dir; print(json.dumps([handwriting.__file__, str(web_dir())]))",
            cwd=tmp_path,
        ).stdout
    )
    assert all(path.startswith(str(site)) for path in where), where

    tiny_model.save(tmp_path / "model.keras")
    _run(
        python,
        "-m",
        "handwriting",
        "export",
        "--model",
        "model.keras",
        "--out",
        "app",
        "--zip",
        cwd=tmp_path,
    )
    assert {p.name for p in (tmp_path / "app").iterdir()} >= set(APP_FILES) | {
        "model",
        "export.json",
    }
    assert (tmp_path / "app" / "model" / "model.json").is_file() and (
        tmp_path / "app.zip"
    ).is_file()
    assert (tmp_path / "app" / "tf.min.js").read_bytes() == (
        ROOT / "web" / "tf.min.js"
    ).read_bytes()


def test_the_wheel_ships_the_data_the_benchmark_reads(wheel):
    """Package data: the pen digits and the Quick, Draw! doodles, each with its credit (and the
    doodles with their package's licence), so an installed copy needs no download."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "pendigits_data/pendigits-train.npz",
        "pendigits_data/README.md",
        "quickdraw_data/doodles.npz",
        "quickdraw_data/README.md",
        "quickdraw_data/LICENSE",
    ):
        assert f"handwriting/drawn/{name}" in names, name
