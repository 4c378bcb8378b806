"""Real JupyterLab for end-to-end tests: a server on 127.0.0.1 with a token, driven by Playwright.

The server runs on a temporary copy of ``lab/`` (JupyterLab saves outputs into the notebooks it
runs; the repository's copies stay clean), with its own settings folder (no news pop-up, every
cell kept in the DOM) and ``HANDWRITING_QUICK=1`` so notebooks train on small subsets.
``window.jupyterapp`` is exposed so tests can run JupyterLab commands such as run-all-cells.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"

_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JupyterLab:
    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    _FIND = """(path) => {
      for (const w of window.jupyterapp.shell.widgets('main')) {
        if (w.context && w.context.path === path) return w;
      }
      return null;
    }"""

    def open_notebook(self, page, name: str, timeout_s: float = 120) -> None:
        """Open ``name`` in a fresh workspace and wait until its kernel is idle."""
        page.goto(
            f"{self.url}lab/workspaces/test-{secrets.token_hex(4)}/tree/{name}"
            f"?reset&token={self.token}"
        )
        page.wait_for_function(
            f"""(path) => {{
              const w = window.jupyterapp && ({self._FIND})(path);
              const kernel = w && w.sessionContext.session && w.sessionContext.session.kernel;
              return kernel && kernel.status === 'idle';
            }}""",
            arg=name,
            timeout=timeout_s * 1000,
        )

    def run_all_cells(self, page, name: str, timeout_s: float = 600) -> list[str]:
        """Run every cell of the open notebook ``name``; return the text of any error outputs."""
        page.evaluate(
            f"""(path) => {{
            const w = ({self._FIND})(path);
            window.jupyterapp.shell.activateById(w.id);
            return window.jupyterapp.commands.execute('notebook:run-all-cells');
        }}""",
            name,
        )
        try:
            page.wait_for_function(
                f"""(path) => {{
                  const w = ({self._FIND})(path);
                  const kernel = w.sessionContext.session.kernel;
                  const cells = w.content.widgets.filter(c => c.model.type === 'code');
                  return kernel.status === 'idle'
                         && cells.every(c => c.model.executionCount !== null
                                             && !c.node.querySelector('.jp-InputPrompt')
                                                       .textContent.includes('*'));
                }}""",
                arg=name,
                timeout=timeout_s * 1000,
                polling=500,
            )
        except Exception:
            self.screenshot(page, f"timeout-{name}.png")
            raise
        return page.eval_on_selector_all(
            "[data-mime-type='application/vnd.jupyter.error']", "els => els.map(e => e.innerText)"
        )

    def execute(self, page, name: str, code: str) -> None:
        """Run ``code`` in the kernel of the open notebook ``name``, silently (no cell, no
        output): e.g. to seed its random generators before the cells run."""
        status = page.evaluate(
            f"""async ([path, code]) => {{
            const w = ({self._FIND})(path);
            const future = w.sessionContext.session.kernel.requestExecute(
                {{code, silent: true, store_history: false}});
            return (await future.done).content.status;
        }}""",
            [name, code],
        )
        if status != "ok":
            raise RuntimeError(f"{code!r} failed in {name}'s kernel: {status}")

    def screenshot(self, page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        page.screenshot(path=str(path), full_page=True)
        return path


def start_jupyterlab(workdir: Path, timeout_s: float = 90) -> JupyterLab:
    """Start JupyterLab on a copy of lab/ in ``workdir``; stop it with :func:`stop_jupyterlab`."""
    root = workdir / "lab"
    shutil.copytree(
        ROOT / "lab", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "build", "runs")
    )
    settings = workdir / "settings"
    for name, values in _SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token, port = secrets.token_hex(16), _free_port()
    env = dict(
        os.environ,
        HANDWRITING_QUICK="1",
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
        JUPYTER_CONFIG_DIR=str(workdir / "config"),
        JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
        PYTHONUNBUFFERED="1",
    )
    log = workdir / "jupyterlab.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
        ]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=root,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    lab = JupyterLab(
        url=f"http://127.0.0.1:{port}/", token=token, root=root, process=process, log=log
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"{lab.url}api/status?token={token}", timeout=2)
            return lab
        except OSError:
            time.sleep(0.5)
    stop_jupyterlab(lab)
    raise RuntimeError(
        f"JupyterLab did not answer within {timeout_s} s:\n{log.read_text()[-3000:]}"
    )


def stop_jupyterlab(lab: JupyterLab) -> None:
    lab.process.terminate()
    try:
        lab.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        lab.process.kill()


def draw(page, canvas_locator, points, size: int = 280) -> None:
    """Draw one stroke through ``points`` (canvas pixels) with the mouse on a canvas element."""
    canvas = canvas_locator.first
    canvas.wait_for()
    canvas.evaluate("e => e.scrollIntoView({block: 'center'})")  # no wait for "stable" layout
    page.wait_for_timeout(500)
    box = canvas.bounding_box()
    scale = box["width"] / size
    mouse = page.mouse
    mouse.move(box["x"] + points[0][0] * scale, box["y"] + points[0][1] * scale)
    mouse.down()
    for x, y in points[1:]:
        mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=4)
    mouse.up()


#: A phone's browser context (Playwright's ``browser.new_context(**PHONE)``): narrow, touch.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 2,
}


def touch_stroke(page, canvas_locator, points, size: int = 280) -> None:
    """Draw one stroke through ``points`` (canvas pixels) with a finger on a canvas element
    ``size`` canvas pixels wide: touch events sent through the Chrome DevTools Protocol."""
    box = canvas_locator.bounding_box()
    scale = box["width"] / size
    cdp = page.context.new_cdp_session(page)

    def touch(kind, point=None):
        at = [] if point is None else [(box["x"] + point[0] * scale, box["y"] + point[1] * scale)]
        where = [{"x": x, "y": y} for x, y in at]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": where})

    touch("touchStart", points[0])
    for point in points[1:]:
        touch("touchMove", point)
    touch("touchEnd")


#: JS: the digit of the longest probability bar (data-digit / data-probability), pad or app alike.
LIKELIEST = """function likeliest(bars) {
  let best = null;
  for (const bar of bars) {
    if (best === null
        || Number(bar.dataset.probability) > Number(best.dataset.probability)) best = bar;
  }
  return best ? best.dataset.digit : "";
}"""


# Resolves with the pad's reading made after the next mouse-up (data-drawing="no", a newer
# data-reading than now) and the milliseconds from that mouse-up to the reading in the page.
_WATCH_READING = """(pad) => {
  const box = pad.querySelector('.hw-pad-prediction');
  const count = g => Number(g ? g.dataset.reading : 0);
  const before = count(box.querySelector('.hw-guess'));
  window.__hwReading = new Promise(resolve => {
    let up = null;
    window.addEventListener('mouseup', () => { up = performance.now(); },
                            {capture: true, once: true});
    const seen = () => {
      const guess = box.querySelector('.hw-guess');
      if (up !== null && guess && guess.dataset.drawing === 'no' && count(guess) > before) {
        observer.disconnect();
        resolve({digit: guess.dataset.digit, ms: performance.now() - up, text: guess.innerText,
                 likeliest: guess.dataset.likeliest, number: guess.dataset.text});
      }
    };
    const observer = new MutationObserver(seen);
    observer.observe(box, {subtree: true, childList: true, attributes: true, characterData: true});
  });
}"""


def draw_and_read(page, pad_locator, points, timeout_ms: float = 60_000, size: int = 280) -> dict:
    """Draw a stroke on a DrawingPad (or a NumberPad, ``size`` its canvas's width) in the page
    and wait for the reading that follows mouse-up.

    Returns {"digit": "7" or "" (refused, or not sure), "likeliest": the digit of the longest
    bar, "text": what the pad says, "number": a NumberPad's number read, "ms": mouse-up to that
    reading in the DOM (the kernel's work, the widget messages and the page's rendering)}.
    """
    pad = pad_locator.first
    pad.evaluate(_WATCH_READING)
    draw(page, pad.locator("canvas.hw-pad-canvas"), points, size=size)
    return page.evaluate(f"""() => Promise.race([window.__hwReading, new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no reading after mouse-up')), {timeout_ms}))])""")
