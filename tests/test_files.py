"""Atomic writes: what the lab saves (models, records, calibrations, caches) is whole or absent."""
import json

import numpy as np
import pytest

from handwriting import files


def test_write_json_creates_the_folder_and_replaces_the_old_file(tmp_path):
    path = tmp_path / "runs" / "cnn2" / "run.json"
    files.write_json(path, {"epochs": 1})
    files.write_json(path, {"epochs": 2})
    assert json.loads(path.read_text()) == {"epochs": 2}
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "model.keras"
    path.write_bytes(b"the model a person trained")
    with pytest.raises(RuntimeError, match="disk full"):
        with files.replacing(path) as partial:
            partial.write_bytes(b"half a mod")
            raise RuntimeError("disk full")
    assert path.read_bytes() == b"the model a person trained"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_the_partial_file_keeps_the_suffix_its_writer_needs(tmp_path):
    path = tmp_path / "cache.npz"
    with files.replacing(path) as partial:
        assert partial.suffix == ".npz" and partial.name.startswith(".") and partial.parent == tmp_path
        np.savez_compressed(partial, x=np.arange(3))      # would append .npz to any other name
    with np.load(path) as loaded:
        assert loaded["x"].tolist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["cache.npz"]


def test_a_model_save_that_fails_keeps_the_previous_model(tiny_model, tmp_path, monkeypatch):
    from handwriting.models.digit_model import load_model
    from handwriting.training.run import save_model

    path = save_model(tiny_model, tmp_path / "model.keras")
    before = path.read_bytes()

    def broken_save(filepath, *args, **kwargs):
        open(filepath, "wb").write(b"half")
        raise OSError("No space left on device")

    monkeypatch.setattr(tiny_model, "save", broken_save)
    with pytest.raises(OSError, match="No space"):
        save_model(tiny_model, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]
    load_model(path)                                        # still a readable model


def test_writable_folder_makes_the_folder_or_says_what_is_in_the_way(tmp_path):
    assert files.writable_folder(tmp_path / "runs" / "cnn2").is_dir()
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder should be")
    for folder in (blocker, blocker / "cnn2"):
        with pytest.raises(files.FolderError, match=f"Cannot save in {folder} "
                                                    rf"\(a file, not a folder: {blocker}\)"):
            files.writable_folder(folder)
    assert blocker.read_text().startswith("a file")
