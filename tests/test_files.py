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
        assert (
            partial.suffix == ".npz" and partial.name.startswith(".") and partial.parent == tmp_path
        )
        np.savez_compressed(partial, x=np.arange(3))  # would append .npz to any other name
    with np.load(path) as loaded:
        assert loaded["x"].tolist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["cache.npz"]


def test_a_model_save_that_fails_keeps_the_previous_model(tiny_model, tmp_path, monkeypatch):
    from handwriting.models.digit_model import load_model
    from handwriting.training import save_model

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
    load_model(path)  # still a readable model


def test_writable_folder_makes_the_folder_or_says_what_is_in_the_way(tmp_path):
    assert files.writable_folder(tmp_path / "runs" / "cnn2").is_dir()
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file where a folder should be")
    for folder in (blocker, blocker / "cnn2"):
        with pytest.raises(
            files.FolderError,
            match=f"Cannot save in {folder} "
            rf"\(a file, not a folder: {blocker}\)",
        ):
            files.writable_folder(folder)
    assert blocker.read_text().startswith("a file")


def test_files_that_belong_together_are_replaced_all_or_none(tmp_path):
    model, calibration, stale = (
        tmp_path / "m.keras",
        tmp_path / "m.calibration.json",
        tmp_path / "old.json",
    )
    for path, text in ((model, "old model"), (calibration, "old calibration"), (stale, "stale")):
        path.write_text(text)
    with pytest.raises(KeyboardInterrupt):  # Ctrl+C after the model, before the rest
        with files.replacing_together([model, calibration], remove=[stale]) as (m, c):
            m.write_text("new model")
            raise KeyboardInterrupt
    assert [model.read_text(), calibration.read_text(), stale.read_text()] == [
        "old model",
        "old calibration",
        "stale",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "m.calibration.json",
        "m.keras",
        "old.json",
    ]
    with files.replacing_together([model, calibration], remove=[stale]) as (m, c):
        m.write_text("new model")
        c.write_text("new calibration")
    assert [model.read_text(), calibration.read_text(), stale.exists()] == [
        "new model",
        "new calibration",
        False,
    ]


def test_a_folder_where_a_file_goes_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "mine.keras").mkdir()
    wrote = []
    with pytest.raises(files.SaveError, match=r"mine.keras: it is a folder, not a file"):
        with files.replacing(tmp_path / "mine.keras") as partial:
            wrote.append(partial)  # never reached: refused first
    assert not wrote and [p.name for p in tmp_path.iterdir()] == ["mine.keras"]
    with pytest.raises(files.SaveError, match="it is a folder"):
        files.writable_as_files(tmp_path / "ok.keras", tmp_path / "mine.keras")
    (tmp_path / "notes").write_text("a file")
    with pytest.raises(files.FolderError, match=r"a file, not a folder: .*notes"):
        files.writable_as_files(tmp_path / "notes" / "mine.keras")
    assert files.writable_as_files(tmp_path / "new" / "m.keras") == [tmp_path / "new" / "m.keras"]
    assert not (tmp_path / "new").exists()  # checks, creates nothing


def test_same_file_sees_through_symbolic_and_hard_links(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "model.keras").write_text("a model")
    (tmp_path / "alias").symlink_to(runs)
    (tmp_path / "link.keras").symlink_to(runs / "model.keras")
    (tmp_path / "hard.keras").hardlink_to(runs / "model.keras")
    for other in ("alias/model.keras", "link.keras", "hard.keras", "runs/../runs/model.keras"):
        assert files.same_file(tmp_path / other, runs / "model.keras"), other
    assert files.same_file(tmp_path / "alias" / "new.keras", runs / "new.keras")  # not there yet
    assert not files.same_file(tmp_path / "alias" / "other.keras", runs / "model.keras")
