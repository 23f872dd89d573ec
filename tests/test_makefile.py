"""The Makefile's virtualenv: ``serve`` installs only what serving needs, ``test`` the development tools."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(target: str, venv: Path) -> str:
    """The commands ``make TARGET`` would run with its virtualenv at ``venv`` (``make -n``: nothing runs)."""
    # Under `make test` this process inherits the outer make's flags: a dry run must not see them.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VENV")}
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), target, f"VENV={venv}"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    return done.stdout


def installed(venv: Path, *stamps: str) -> None:
    """A virtualenv that exists, with the given stamps newer than pyproject.toml."""
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "bin" / "python").write_text("")
    later = (ROOT / "pyproject.toml").stat().st_mtime + 10
    for stamp in stamps:
        (venv / stamp).write_text("")
        os.utime(venv / stamp, (later, later))


def test_serve_on_a_fresh_machine_creates_the_venv_and_installs_the_base_dependencies_only(tmp_path: Path) -> None:
    commands = dry_run("serve", tmp_path / "venv")
    assert f"-m venv {tmp_path / 'venv'}" in commands
    assert "pip install --quiet -e .\n" in commands
    assert "[dev]" not in commands
    assert commands.rstrip().endswith("bin/corridor serve")


def test_test_on_a_fresh_machine_creates_the_venv_and_installs_the_development_tools(tmp_path: Path) -> None:
    commands = dry_run("test", tmp_path / "venv")
    assert f"-m venv {tmp_path / 'venv'}" in commands
    assert "pip install --quiet -e '.[dev]'" in commands
    assert "ruff check" in commands
    assert "mypy" in commands
    assert "-m pytest" in commands


def test_test_after_serve_adds_the_development_tools_to_the_same_venv(tmp_path: Path) -> None:
    installed(tmp_path / "venv", ".installed-serve")
    commands = dry_run("test", tmp_path / "venv")
    assert "-m venv" not in commands
    assert "pip install --quiet -e '.[dev]'" in commands
    assert "pip install --quiet -e .\n" not in dry_run("serve", tmp_path / "venv")


def test_serve_after_test_installs_nothing_more(tmp_path: Path) -> None:
    installed(tmp_path / "venv", ".installed-serve", ".installed-dev")
    commands = dry_run("serve", tmp_path / "venv")
    assert "pip install" not in commands
    assert "-m venv" not in commands


def test_serving_loads_no_development_tool() -> None:
    # What `make serve` installs (the base dependencies) is all the server imports: building the app and
    # loading the CLI pull in none of the packages only the `dev` extra brings (httpx is a base dependency:
    # the corridor_client package ships with the server and the API's answer models live in it).
    dev_only = ["pytest", "hypothesis", "schemathesis", "playwright", "dask", "distributed", "ruff", "mypy"]
    code = (
        "import sys, api.app, corridor_cli.main, corridor_cli.commands_serve; api.app.create_app(); "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({dev_only!r})))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, check=True)
    assert done.stdout.strip() == "[]"
