"""Section 7: one learner's memory and CPU for the tour notebook, and what that means for a class.

The tour (lab/00_tour.ipynb) runs in a real Jupyter kernel, followed by what its text asks the
learner to do: press Export (app + Chromium parity check + zip + preview), try cnn2, export again.
A sampler reads the memory of every process the kernel starts (Playwright's driver and Chromium
included) every 0.1 s; CPU time is the kernel's and its children's, from the OS.
"""

from __future__ import annotations

import math
import os
import re
import resource
import tempfile
import threading
import time

import nbformat
import psutil
from nbclient import NotebookClient

from handwriting.data import QUICK_ENV
from handwriting.training import TrainingConfig

from .common import ROOT, load_results, markdown_table

TITLE = "One learner on a shared node: memory and CPU of the tour notebook"
TOUR = ROOT / "lab" / "00_tour.ipynb"
START_SCRIPT = ROOT / "start"  # repo2docker runs it before Jupyter (Binder, JupyterHub)
SAMPLE_SECONDS = 0.1
GIB = 2**30
#: The node a class is sized for, and what is kept back on it for the OS, the hub and the proxy.
NODE_CPUS, NODE_GIB, NODE_RESERVED_GIB = 2, 24, 2
HEADROOM = 1.25  # per-user memory limit = measured peak x this, rounded up to 0.25 GiB
WAIT_MINUTES = 5  # a class may wait this long when everyone runs the same step at once
MODES = ("quick", "full")
CPU_LIMIT = 1  # cores one learner may use at most (the hub's per-user cpu limit)


def learner_cells(full: bool) -> list[str]:
    """What the tour's text asks the learner to do after its last cell."""
    cnn2_epochs = TrainingConfig.for_architecture("cnn2").epochs if full else 1
    return [
        "exporter.export()  # the Export button: app, parity check in Chromium, zip, preview",
        f'panel.architecture.value = "cnn2"  # "try cnn2"\npanel.epochs.value = {cnn2_epochs}\n'
        "panel.train(wait=True)",
        "exporter.export()",
        "assert exporter.report is not None and exporter.report.ok, exporter.message.value",
    ]


def _smaps_rollup(pid: int) -> dict[str, int]:
    """A process's memory totals in bytes (Rss, Pss, Pss_Anon, Pss_File, Pss_Shmem)."""
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            name, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                fields[name] = int(value.split()[0]) * 1024
    return fields


class TreeSampler:
    """Peak memory of a process tree, sampled in a background thread.

    ``rss`` double-counts pages the processes share (Chromium's); ``pss`` splits them, which is
    what a container's memory limit sees. ``private`` is the part another learner cannot share
    (anonymous and shared-memory pages); the rest is file pages (libraries), which the page cache
    holds once per node however many learners map them.
    """

    KINDS = ("rss", "pss", "private")

    def __init__(self, root: psutil.Process):
        self.root = root
        self.peaks = dict.fromkeys(self.KINDS, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-memory", daemon=True)

    def _kernel_tree(self) -> list[psutil.Process]:
        return self.root.children(recursive=True)  # the kernel and what it starts, not us

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = dict.fromkeys(self.KINDS, 0)
            for proc in self._kernel_tree():
                try:
                    m = _smaps_rollup(proc.pid)
                except OSError:  # it ended between listing and reading
                    continue
                now["rss"] += m["Rss"]
                now["pss"] += m["Pss"]
                now["private"] += m["Pss_Anon"] + m["Pss_Shmem"]
            self.peaks = {k: max(self.peaks[k], now[k]) for k in self.KINDS}
            self._stop.wait(SAMPLE_SECONDS)

    def reset(self) -> dict[str, int]:
        """The peaks since the last reset, starting a new interval."""
        peaks, self.peaks = self.peaks, dict.fromkeys(self.KINDS, 0)
        return peaks

    def tree_cpu_seconds(self) -> float:
        """User + system CPU of the kernel tree so far (live processes and reaped children)."""
        total = 0.0
        for proc in self._kernel_tree():
            try:
                t = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += t.user + t.system + t.children_user + t.children_system
        return total

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def image_environment() -> dict[str, str]:
    """The variables the Binder/JupyterHub image's ``start`` script exports for every kernel."""
    return dict(re.findall(r"^export (\w+)=(\S+)$", START_SCRIPT.read_text(), re.MULTILINE))


def run_tour(full: bool) -> dict:
    """Execute the tour plus :func:`learner_cells` in a fresh kernel; per-cell and total figures."""
    nb = nbformat.read(TOUR, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in learner_cells(full)]
    kernel_env = {**image_environment(), QUICK_ENV: "0" if full else "1"}
    saved_env = {name: os.environ.get(name) for name in kernel_env}
    os.environ.update(kernel_env)  # the kernel inherits our environment
    steps = []
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-learner-") as workdir,
            TreeSampler(psutil.Process()) as sampler,
        ):
            client = NotebookClient(
                nb,
                timeout=None,
                kernel_name="python3",  # cnn2: slow
                resources={"metadata": {"path": workdir}},
            )
            marks = {"cpu": 0.0, "wall": time.perf_counter()}

            def on_cell_executed(cell, **_):
                if cell.cell_type != "code":
                    return
                cpu, wall = sampler.tree_cpu_seconds(), time.perf_counter()
                steps.append(
                    {
                        "cell": cell.source.splitlines()[0][:70],
                        "cpu_s": cpu - marks["cpu"],
                        "wall_s": wall - marks["wall"],
                        **sampler.reset(),
                    }
                )
                marks.update(cpu=cpu, wall=wall)

            client.on_cell_executed = on_cell_executed
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            client.execute()
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    # The kernel has exited and was reaped: the OS's own count of its (and its children's) CPU.
    totals = {
        "wall_s": wall,
        "kernel_env": kernel_env,
        "cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "kernel_max_rss": after.ru_maxrss * 1024,  # the largest process, exact
        **{kind: max(s[kind] for s in steps) for kind in TreeSampler.KINDS},
    }
    return {"steps": steps, "totals": totals}


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def sizing(totals: dict) -> dict:
    """Per-user limits and learners per node from one learner's peaks and CPU time.

    The memory limit covers the whole peak (a learner alone on a node is charged the library
    pages too); on a full node the library pages are counted once and each learner adds its
    private part, which is also what the scheduler should reserve per learner.
    """
    shared = totals["pss"] - totals["private"]
    by_memory = int(
        ((NODE_GIB - NODE_RESERVED_GIB) * GIB - shared) // (totals["private"] * HEADROOM)
    )
    by_cpu = int(NODE_CPUS * WAIT_MINUTES * 60 // totals["cpu_s"])
    # When even one tour takes longer than WAIT_MINUTES, no node keeps the wait under it: one
    # learner per core then, each waiting as long as its own tour takes.
    learners = min(by_memory, by_cpu or NODE_CPUS // CPU_LIMIT)
    return {
        "mem_limit_gib": _round_up(totals["pss"] * HEADROOM / GIB, 0.25),
        "mem_guarantee_gib": _round_up(totals["private"] * HEADROOM / GIB, 0.25),
        "cpu_guarantee": min(
            CPU_LIMIT, max(0.05, math.floor(NODE_CPUS / max(learners, 1) * 20) / 20)
        ),
        "alone_minutes": totals["cpu_s"] / CPU_LIMIT / 60,
        "shared_bytes": shared,
        "learners_by_memory": by_memory,
        "learners_by_cpu": by_cpu,
        "learners": learners,
    }


def _gib(n: float) -> str:
    return f"{n / GIB:.2f} GiB" if n else "–"  # nothing sampled: the cell took < 0.1 s


def _by_mode(rows: list[dict]) -> dict[str, dict]:
    """The section's rows (one per mode of the tour), quick first."""
    found = {row["mode"]: row for row in rows}
    return {mode: found[mode] for mode in MODES if mode in found}


def _by_cpu(fit: dict) -> str:
    """Learners by CPU, and how long one waits when even a single tour takes longer than that."""
    if fit["learners_by_cpu"]:
        return str(fit["learners_by_cpu"])
    return (
        f"0 (one tour alone takes {fit['alone_minutes']:.0f} min on its {CPU_LIMIT} core: "
        "one learner per core)"
    )


def markdown(rows: list[dict]) -> str:
    """The section's tables (per cell, per mode) and the hub settings they lead to."""
    data = _by_mode(rows)
    parts = []
    for mode, measured in data.items():
        totals = measured["totals"]
        rows = [
            [
                s["cell"].replace("|", "\\|"),
                f"{s['cpu_s']:.1f}",
                f"{s['wall_s']:.1f}",
                _gib(s["pss"]),
                _gib(s["private"]),
                _gib(s["rss"]),
            ]
            for s in measured["steps"]
        ]
        rows.append(
            [
                "**whole tour**",
                f"**{totals['cpu_s']:.0f}**",
                f"{totals['wall_s']:.0f}",
                f"**{_gib(totals['pss'])}**",
                _gib(totals["private"]),
                _gib(totals["rss"]),
            ]
        )
        env = ", ".join(f"{k}={v}" for k, v in totals["kernel_env"].items())
        parts += [
            f"**{mode} mode** (kernel environment: {env}; largest single process, the "
            f"kernel: {_gib(totals['kernel_max_rss'])} peak RSS)",
            "",
            markdown_table(
                [
                    "cell",
                    "CPU s",
                    "wall s",
                    "peak PSS (kernel + Chromium)",
                    "of which private",
                    "peak RSS",
                ],
                rows,
            ),
            "",
        ]
    fits = {mode: sizing(d["totals"]) for mode, d in data.items()}
    sizing_rows = [
        [
            mode,
            _gib(d["totals"]["pss"]),
            _gib(d["totals"]["private"]),
            f"{fits[mode]['mem_limit_gib']:g} GiB",
            fits[mode]["learners_by_memory"],
            f"{d['totals']['cpu_s']:.0f} s",
            _by_cpu(fits[mode]),
            f"**{fits[mode]['learners']}**",
        ]
        for mode, d in data.items()
    ]
    parts += [
        f"**Learners per {NODE_CPUS}-core / {NODE_GIB} GiB node**",
        "",
        markdown_table(
            [
                "mode",
                "peak PSS",
                "of which private",
                "per-user mem_limit",
                "by memory",
                "CPU per tour",
                f"by CPU (all at once, ≤ {WAIT_MINUTES} min)",
                "learners",
            ],
            sizing_rows,
        ),
        "",
        f"Per-user `mem_limit` = peak PSS × {HEADROOM}, rounded up to 0.25 GiB. By memory: "
        f"{NODE_GIB} GiB less {NODE_RESERVED_GIB} GiB for the OS and the hub, less the library "
        f"pages once (peak PSS − private), ÷ (private × {HEADROOM}). By CPU: {NODE_CPUS} cores "
        f"× {WAIT_MINUTES} min ÷ one tour's CPU seconds, i.e. the whole class runs the whole "
        "tour at the same moment and waits at most that long; where even one tour takes "
        "longer, one learner per core, each waiting as long as its tour takes.",
        "",
    ]
    for mode, fit in fits.items():
        parts += [
            f"JupyterHub (Zero to JupyterHub) per-user settings for {mode} mode:",
            "",
            "```yaml",
            "singleuser:",
            "  memory: "
            f"{{limit: {fit['mem_limit_gib']:g}G, guarantee: {fit['mem_guarantee_gib']:g}G}}",
            f"  cpu: {{limit: {CPU_LIMIT}, guarantee: {fit['cpu_guarantee']:g}}}",
            "  extraEnv: {"
            + ", ".join(f'{k}: "{v}"' for k, v in data[mode]["totals"]["kernel_env"].items())
            + "}",
            "```",
            "",
        ]
    return "\n".join(parts).rstrip()


def run(quick: bool = False, modes=None) -> dict:
    """Both modes of the tour (``--quick``: quick mode only); ``modes`` measures only those and
    keeps the other's row (with the date it was measured) from the last run."""
    modes = modes or (["quick"] if quick else list(MODES))
    data = _by_mode(load_results(quick)["sections"].get("learner", {}).get("data", []))
    for mode in modes:
        print(f"  tour, {mode} mode…", flush=True)
        data[mode] = measured = {"mode": mode, **run_tour(full=mode == "full")}
        totals = measured["totals"]
        print(
            f"  {mode}: peak {_gib(totals['pss'])} PSS ({_gib(totals['rss'])} RSS, "
            f"{_gib(totals['private'])} private), {totals['cpu_s']:.0f} CPU s, "
            f"{totals['wall_s']:.0f} s wall",
            flush=True,
        )
    rows = list(_by_mode(list(data.values())).values())
    return {"title": TITLE, "markdown": markdown(rows), "data": rows}
