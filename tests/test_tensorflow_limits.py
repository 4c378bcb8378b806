"""TensorFlow's thread pools follow the container's CPU limit; an admin's own setting wins."""

from __future__ import annotations

import os

import pytest

from handwriting.tensorflow_limits import (
    GPU_GROWTH_ENV,
    INTER_OP_ENV,
    INTRA_OP_ENV,
    cpu_limit,
    limit_tensorflow,
)

VISIBLE = len(os.sched_getaffinity(0))


def _cgroup(tmp_path, v2=None, v1=None):
    if v2 is not None:
        (tmp_path / "cpu.max").write_text(v2 + "\n")
    if v1 is not None:
        (tmp_path / "cpu").mkdir()
        (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
    return tmp_path


@pytest.mark.parametrize(
    "v2, v1, expected",
    [
        ("100000 100000", None, 1),  # cgroup v2: one CPU
        ("50000 100000", None, 1),  # half a CPU still gets a thread
        ("max 100000", None, VISIBLE),  # no quota
        (None, (100000, 100000), 1),  # cgroup v1
        (None, (-1, 100000), VISIBLE),
        (None, None, VISIBLE),  # no cgroup files at all
        ("1000000 100000", None, VISIBLE),  # a quota above the visible cores changes nothing
    ],
)
def test_cpu_limit_follows_the_cgroup_quota(tmp_path, v2, v1, expected):
    assert cpu_limit(_cgroup(tmp_path, v2, v1)) == expected


def test_limit_tensorflow_sets_threads_and_gpu_growth_but_keeps_what_is_set(tmp_path):
    environ = {INTER_OP_ENV: "4"}
    limit_tensorflow(environ, _cgroup(tmp_path, v2="100000 100000"))
    assert environ == {INTRA_OP_ENV: "1", INTER_OP_ENV: "4", GPU_GROWTH_ENV: "true"}


def test_importing_the_package_limits_tensorflow():
    import handwriting  # noqa: F401 - the import is what is tested

    assert os.environ[INTRA_OP_ENV].isdigit() and os.environ[GPU_GROWTH_ENV] == "true"
