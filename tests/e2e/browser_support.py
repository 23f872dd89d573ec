"""What the browser tests share: finding Debian's Chromium, skipping (or failing) without it, and the
:class:`Watch` that records what a page logged and fetched.

The fixtures that start `corridor serve` and Chromium are in ``conftest.py`` beside this file.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

import planner

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
"""Screenshots, one per browser test, committed so that a change in the look shows in review."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No name resolves except localhost: whatever a page tried to fetch off the machine fails (and is seen).
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]
LAPTOP = {"width": 1440, "height": 900}
NARROW = {"width": 900, "height": 900}
TIMEOUT_MS = 15_000
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def chromium() -> str | None:
    """Path of the Chromium to drive: CORRIDOR_CHROMIUM when set (and then only it), else Debian's."""
    given = os.environ.get("CORRIDOR_CHROMIUM")
    for candidate in [given] if given else ["/usr/bin/chromium", shutil.which("chromium")]:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install 'corridor-planner[test]')"
    if chromium() is None:
        where = os.environ.get("CORRIDOR_CHROMIUM") or "/usr/bin/chromium"
        return f"no Chromium at {where} (apt-get install chromium, or set CORRIDOR_CHROMIUM to its path)"
    return None


def require_browser() -> None:
    """Skip the calling test module when Chromium or playwright is missing; fail it instead when
    CORRIDOR_REQUIRE_BROWSER is set (as in CI). Call at module level, before importing playwright."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CORRIDOR_REQUIRE_BROWSER", "") not in ("", "0"):
            pytest.fail(f"browser tests cannot run but CORRIDOR_REQUIRE_BROWSER is set: {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}", allow_module_level=True)
    if not planner.bundled_network_path().is_file():
        pytest.skip(f"browser tests skipped: no bundled network at {planner.bundled_network_path()}", allow_module_level=True)


def is_loopback(url: str) -> bool:
    """True for URLs that never leave the machine: loopback hosts, and data: and blob: URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOOPBACK


@dataclass
class Watch:
    """What the page logged and fetched: console errors, failed requests, HTTP errors, every URL, and the
    off-site requests that were blocked."""

    base: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[tuple[int, str]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def assert_clean(self, *, expected_http: tuple[int, ...] = ()) -> None:
        """No script errors, no failed, blocked or off-site requests; HTTP errors only those expected (and then
        the console line Chromium logs for each of them)."""
        assert self.page_errors == []
        assert self.blocked == []
        assert self.failed == []
        assert [u for u in self.urls if not (u.startswith(self.base) or u.startswith(("data:", "blob:")))] == []
        unexpected = [(s, u) for s, u in self.http_errors if s not in expected_http]
        assert unexpected == []
        allowed = len(self.http_errors) - len(unexpected)
        resource_lines = [
            m for m in self.console_errors if m.startswith("Failed to load resource: the server responded")
        ]
        assert [m for m in self.console_errors if m not in resource_lines] == []
        assert len(resource_lines) <= allowed


OpenPage = Callable[..., "tuple[Page, Watch]"]
"""The ``open_page`` fixture: ``open_page(viewport=None, *, abort_offsite=False) -> (page, watch)``."""


_PIXELS_DIFFERING = """async ([a, b]) => {
    const decode = async (b64) => {
        const bitmap = await createImageBitmap(await (await fetch("data:image/png;base64," + b64)).blob());
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const context = canvas.getContext("2d");
        context.drawImage(bitmap, 0, 0);
        return context.getImageData(0, 0, bitmap.width, bitmap.height);
    };
    const [x, y] = [await decode(a), await decode(b)];
    if (x.width !== y.width || x.height !== y.height) return -1;
    let differing = 0;
    for (let i = 0; i < x.data.length; i += 4) {
        if (x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] || x.data[i + 2] !== y.data[i + 2]) differing++;
    }
    return differing;
}"""


def save_screenshot(pg: Page, name: str, *, max_changed_pixels: int = 200) -> Path:
    """Screenshot the page to tests/artifacts/NAME.png. A committed screenshot that differs only by a few
    anti-aliased pixels (Chromium is not pixel-stable from run to run) is kept, so a test run leaves the work
    tree clean unless the look really changed."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    shot = pg.screenshot()
    if path.is_file():
        old = path.read_bytes()
        if old == shot:
            return path
        b64 = [base64.b64encode(x).decode("ascii") for x in (old, shot)]
        differing = int(pg.evaluate(_PIXELS_DIFFERING, b64))
        if 0 <= differing <= max_changed_pixels:
            return path
    path.write_bytes(shot)
    return path
