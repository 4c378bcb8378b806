"""Exports on a shared machine: folder permissions, a killed export's litter, overlapping
exports."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading

from conftest import ROOT

from handwriting.export import export_web_app, remove_stale_staging


def test_export_gets_the_permissions_mkdir_gives_under_the_umask(tiny_model, tmp_path):
    umask = 0o027  # not the usual 022: the umask must decide
    previous = os.umask(umask)
    try:
        result = export_web_app(tiny_model, tmp_path / "web")
    finally:
        os.umask(previous)
    folders = [result.out_dir, *(p for p in result.out_dir.rglob("*") if p.is_dir())]
    files = [p for p in result.out_dir.rglob("*") if p.is_file()]
    assert len(folders) >= 2 and len(files) == len(result.files)
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folders} == {
        p.name: 0o777 & ~umask for p in folders
    }
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {
        p.name: 0o666 & ~umask for p in files
    }


_HOLD_STAGING = """
import sys, time
from pathlib import Path
from handwriting.export.app import _new_staging_folder
folder, _ = _new_staging_folder(Path(sys.argv[1]))
(folder / "half-written.bin").write_bytes(b"x" * 1000)
print(folder, flush=True)
time.sleep(600)
"""


def test_a_killed_exports_staging_folder_is_removed_by_the_next_export(tiny_model, tmp_path):
    target = tmp_path / "web"
    others = [tmp_path / ".other.tmp-abcd1234", tmp_path / ".web.tmp-notes", tmp_path / "web.tmp-x"]
    for folder in others:
        folder.mkdir()
    exporter = subprocess.Popen(
        [sys.executable, "-c", _HOLD_STAGING, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        staging = tmp_path / os.path.basename(exporter.stdout.readline().strip())
        assert staging.name.startswith(".web.tmp-") and staging.is_dir()
        remove_stale_staging(target)
        assert staging.is_dir(), "a running export's staging folder must be left alone"
    finally:
        exporter.send_signal(signal.SIGKILL)
        exporter.wait()
        exporter.stdout.close()
    assert staging.is_dir(), "SIGKILL leaves the staging folder behind"

    export_web_app(tiny_model, target)
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["web", *(p.name for p in others)])


def test_overlapping_exports_leave_sys_stdout_alone(tiny_model, tmp_path):
    stdout, start = sys.stdout, threading.Barrier(2)
    results, errors = {}, []

    def export(name):
        start.wait()
        try:
            results[name] = export_web_app(tiny_model, tmp_path / name)
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=export, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sys.stdout is stdout
    assert results["a"].files == results["b"].files
