"""Project files agree with each other: pyproject vs environment.yml, README vs .ci/run."""

import tomllib

import yaml
from conftest import ROOT


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_requirements_as_pyproject():
    project = _pyproject()["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert python == ["python=3.11"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {line for line in pip_section if not line.startswith("-e")}
    assert listed == wanted
    assert "-e ." in pip_section


def test_ydf_is_pinned_below_the_protobuf_clash():
    assert "ydf<0.16" in _pyproject()["project"]["dependencies"]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme.split("##")[1], "the README's set-up section names `make test`"
    assert "make test" in ci
