"""Fixtures for the browser tests: a real `corridor serve` on a free loopback port, headless Chromium, and
pages that cannot reach anything off the machine (every non-loopback request is aborted and recorded)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser_support import ARTIFACTS, CHROMIUM_ARGS, LAPTOP, ROOT, TIMEOUT_MS, OpenPage, Watch, chromium, is_loopback

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Route


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 45.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"corridor serve exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"corridor serve was not ready after {timeout_s:g} s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A real `corridor serve` on the bundled network, on a free loopback port."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # The server takes its settings from CORRIDOR_* variables; start it from a clean slate (no API keys).
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log = ARTIFACTS / "e2e-server.log"
    command = [sys.executable, "-m", "corridor_cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def open_page(browser: Browser, server: str) -> Iterator[OpenPage]:
    """``open_page(viewport=..., abort_offsite=False)``: a fresh page on the server, watched.

    Chromium resolves no host name but localhost (CHROMIUM_ARGS). With ``abort_offsite`` every request is also
    intercepted and any that is not for the loopback server is aborted and recorded in ``Watch.blocked``
    (interception turns the browser's HTTP cache off, so it is kept for the tests that need it).
    """
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None, *, abort_offsite: bool = False) -> tuple[Page, Watch]:
        context = browser.new_context(viewport=viewport or LAPTOP, base_url=server)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        watch = Watch(server)

        def only_loopback(route: Route) -> None:
            if is_loopback(route.request.url):
                route.continue_()
            else:
                watch.blocked.append(route.request.url)
                route.abort("internetdisconnected")

        if abort_offsite:
            context.route("**/*", only_loopback)
        pg = context.new_page()
        pg.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: watch.page_errors.append(str(e)))

        def on_failed(request: Request) -> None:
            watch.failed.append(f"{request.url}: {request.failure}")

        pg.on("requestfailed", on_failed)
        pg.on("request", lambda r: watch.urls.append(r.url))
        pg.on("response", lambda r: watch.http_errors.append((r.status, r.url)) if r.status >= 400 else None)
        return pg, watch

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(open_page: OpenPage) -> tuple[Page, Watch]:
    """A laptop-sized page (1440 × 900)."""
    return open_page()
