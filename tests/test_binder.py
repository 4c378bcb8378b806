"""Binder / JupyterHub: the Dockerfile repo2docker writes for this repository (no Docker needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.fixture(scope="module")
def dockerfile() -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "repo2docker",
            "--no-build",
            "--debug",
            "--user-id",
            "1000",
            "--user-name",
            "jovyan",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _line(dockerfile: str, text: str) -> int:
    """Number of the first line of ``dockerfile`` that contains ``text``."""
    lines = dockerfile.splitlines()
    found = [i for i, line in enumerate(lines) if text in line]
    assert found, f"no line with {text!r} in the Dockerfile"
    return found[0]


def test_the_environment_is_installed_after_the_repository_is_copied(dockerfile):
    copied = _line(dockerfile, "COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    installed = _line(dockerfile, '--file "environment.yml"')
    assert copied < installed, "environment.yml's `-e .` needs the repository in place"
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_apt_txt_is_installed_for_the_ubuntu_it_names_packages_of(dockerfile):
    packages = (ROOT / "apt.txt").read_text().split()
    assert "libnss3" in packages and "chromium" not in packages, (
        "Ubuntu's chromium package is a snap stub that cannot run in a container"
    )
    install = dockerfile.splitlines()[_line(dockerfile, "libnss3")]
    assert "apt-get install" in install
    assert set(packages) <= set(install.split())
    assert "FROM docker.io/library/buildpack-deps:24.04" in dockerfile, (
        "apt.txt holds Ubuntu 24.04's package names (Playwright's list): update it for the new base"
    )


def test_post_build_puts_chromium_on_path_after_the_environment_exists(dockerfile):
    assert _line(dockerfile, '--file "environment.yml"') < _line(dockerfile, "RUN ./postBuild")
    script = (ROOT / "postBuild").read_text()
    assert (
        "playwright install chromium" in script and '"${NB_PYTHON_PREFIX}/bin/chromium"' in script
    )
    subprocess.run(["bash", "-n", str(ROOT / "postBuild")], check=True)


def test_the_start_script_sets_the_kernel_environment(dockerfile):
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/start"' in dockerfile
    script = (ROOT / "start").read_text()
    assert "export MALLOC_ARENA_MAX=2" in script and script.rstrip().endswith('exec "$@"')
