"""TensorFlow settings for a machine shared by a class: threads from the CPU limit, GPU memory
growth.

A JupyterHub or Binder pod is often capped at one or two CPUs on a node with many more cores.
TensorFlow sizes its thread pools from the cores it can see, not from that cap, so each learner's
kernel would start a thread per core of the node and the kernel scheduler would throttle them all.
And on a GPU, TensorFlow by default claims nearly all GPU memory for the first kernel that starts.

:func:`limit_tensorflow` sets TensorFlow's own environment variables before it is imported
(``handwriting/__init__.py`` calls it), so the limits hold wherever TensorFlow is imported from. A
variable already set by the user or the hub's admin wins.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

INTRA_OP_ENV = "TF_NUM_INTRAOP_THREADS"
INTER_OP_ENV = "TF_NUM_INTEROP_THREADS"
GPU_GROWTH_ENV = "TF_FORCE_GPU_ALLOW_GROWTH"

_CGROUP = Path("/sys/fs/cgroup")


def _cgroup_cpu_quota(cgroup_root: Path) -> float | None:
    """CPUs allowed by the cgroup's CFS quota (v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``), if
    any."""
    try:
        quota, period = (cgroup_root / "cpu.max").read_text().split()[:2]  # "max 100000"
    except (OSError, ValueError):
        try:
            quota = (cgroup_root / "cpu" / "cpu.cfs_quota_us").read_text().strip()  # "-1"
            period = (cgroup_root / "cpu" / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            return None
    if quota in ("max", "-1"):
        return None
    try:
        return int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None


def cpu_limit(cgroup_root: Path = _CGROUP) -> int:
    """Whole CPUs this process may use: its CPU affinity, capped by a container's CPU quota."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = _cgroup_cpu_quota(cgroup_root)
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return cpus


def limit_tensorflow(environ=os.environ, cgroup_root: Path = _CGROUP) -> None:
    """Size TensorFlow's thread pools to :func:`cpu_limit` and let GPU memory grow on demand.

    Only takes effect before TensorFlow starts; values already in ``environ`` are kept.
    """
    threads = str(cpu_limit(cgroup_root))
    environ.setdefault(INTRA_OP_ENV, threads)
    environ.setdefault(INTER_OP_ENV, threads)
    environ.setdefault(GPU_GROWTH_ENV, "true")
