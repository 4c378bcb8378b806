"""Real-browser plumbing: a static file server on 127.0.0.1 and headless Chromium via Playwright.

Used by the export's parity check and by the tests. We never download a browser: Playwright
drives the system's Chromium (Debian's ``chromium`` package) through ``executable_path``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

CHROMIUM_ENV = "HANDWRITING_CHROMIUM"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a headless Chromium on a machine without a sandbox or outside network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


class BrowserUnavailableError(RuntimeError):
    """No usable Chromium (or Playwright) on this machine."""


def find_chromium() -> str:
    """Path of the Chromium binary: ``$HANDWRITING_CHROMIUM``, else the first one on PATH."""
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        if not Path(explicit).is_file():
            raise BrowserUnavailableError(
                f"{CHROMIUM_ENV}={explicit!r} is not a file. Point it at a Chromium binary."
            )
        return explicit
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailableError(
        "No Chromium found. Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu), "
        f"or set {CHROMIUM_ENV} to a Chromium/Chrome binary."
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".bin": "application/octet-stream",
    }

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


@contextlib.contextmanager
def serve_directory(directory: str | os.PathLike) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"Cannot serve {directory}: not a folder.")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="handwriting-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def chromium(headless: bool = True) -> Iterator[playwright.sync_api.Browser]:  # noqa: F821
    """Launch headless Chromium under Playwright; yields a ``Browser``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - playwright is a core dependency
        raise BrowserUnavailableError("Playwright is missing: pip install playwright") from err
    executable = find_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, headless=headless, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def run_off_event_loop(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a fresh thread and return its result (or raise its exception).

    Playwright's sync API refuses to run inside a running asyncio loop, which is exactly where
    a Jupyter kernel executes cells; a plain thread has no loop, so browser work goes there.
    """
    result: dict[str, object] = {}

    def target():
        try:
            result["value"] = fn()
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = err

    thread = threading.Thread(target=target, name="handwriting-browser")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["value"]  # type: ignore[return-value]
