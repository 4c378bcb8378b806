"""The code's shape, checked: layers (import-linter), one style (ruff), imports at the top, and the
old flat module names still importing for one release."""

from __future__ import annotations

import ast
import importlib
import importlib.resources
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "handwriting"
#: A module longer than this says in its docstring why it is one concern ("One concern: ...").
MAX_LINES = 400


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make install` (it is in the test extras).")
    return found


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_layers_hold():
    """Widgets and the CLI on top, the core modules at the bottom, no cycles (pyproject.toml)."""
    result = _run(_tool("lint-imports"))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_finds_nothing():
    result = _run(_tool("ruff"), "check", ".")
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_code_is_formatted():
    result = _run(_tool("ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout[-4000:] + "\nrun `ruff format .` to fix"


def _function_level_imports(path: Path):
    """(line, text) of imports of the package's own modules inside functions."""
    text = path.read_text()
    lines = text.splitlines()
    for function in ast.walk(ast.parse(text)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (
                node.level > 0 or (node.module or "").startswith("handwriting")
            ):
                yield node.lineno, lines[node.lineno - 1].strip()


def test_the_package_imports_its_own_modules_at_the_top():
    """Inside a function only where a heavy dependency must stay lazy, said in a `# lazy:`
    comment."""
    hidden = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in _function_level_imports(path)
        if "# lazy:" not in text
    ]
    assert not hidden, "import these at the top of the module:\n" + "\n".join(hidden)


def test_long_modules_say_why_they_are_one_concern():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if len(text.splitlines()) > MAX_LINES and "One concern:" not in docstring:
            long.append(f"{path.relative_to(ROOT)} ({len(text.splitlines())} lines)")
    assert not long, "split these, or say in the docstring why each is one concern: " + ", ".join(
        long
    )


@pytest.mark.parametrize("old", ["calibration", "drawn_digits", "evaluation", "architectures"])
def test_an_old_module_name_still_imports_with_a_warning(old):
    from handwriting import _moved

    sys.modules.pop(f"handwriting.{old}", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(f"handwriting.{old}")
    assert any(issubclass(w.category, DeprecationWarning) and old in str(w.message) for w in caught)
    homes = [importlib.import_module(home) for home in _moved.MOVED[f"handwriting.{old}"]]
    for home in homes:  # every public name of the new home(s) is there
        public = [name for name in vars(home) if not name.startswith("_")]
        assert all(getattr(module, name) is getattr(home, name) for name in public)
    if len(homes) == 1:
        assert module is homes[0]  # the very module: what a notebook changes, the lab sees
        assert module.__spec__.name == homes[0].__name__  # the home keeps its own spec
        if hasattr(homes[0], "__path__"):  # a package still finds its data (pen digits)
            assert importlib.resources.files(homes[0].__name__).is_dir()


def test_the_readme_and_the_package_docstring_describe_the_checked_layers():
    """Every module or folder the import contract names is in the README's code map and in
    handwriting/__init__.py's docstring, so the description cannot drift from what is checked."""
    import tomllib

    import handwriting

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in contract["contracts"] if c["type"] == "layers")["layers"]
    names = [name.strip() for layer in layers for name in layer.replace(":", "|").split("|")]
    readme = (ROOT / "README.md").read_text()
    code_map = readme[readme.index("## How it fits together") :]
    code_map = code_map[: code_map.index("\n## ", 10)]
    for name in names:
        assert name in code_map, f"README's code map does not name the layer module {name!r}"
    core = names[names.index("constants") :]
    for name in names[: names.index("constants")]:
        assert name in handwriting.__doc__, f"handwriting/__init__.py does not name {name!r}"
    assert "core modules" in handwriting.__doc__ and all(n in code_map for n in core)
