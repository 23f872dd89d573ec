"""Output files a command cannot write are refused up front; ``corridor serve`` reports a busy port first."""

from __future__ import annotations

import argparse
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import TINY, run_process

from corridor_cli.main import build_parser, main

PAIRS = "origin,destination\nalpha,gamma city\n"


def _output_options(
    parser: argparse.ArgumentParser, name: str = ""
) -> Iterator[tuple[str, argparse.Action]]:
    """Every (sub-)command's ``-o`` option."""
    for action in parser._actions:
        if "-o" in action.option_strings:
            yield name, action
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _output_options(sub, f"{name} {sub_name}".strip())


OUTPUT_OPTIONS = list(_output_options(build_parser()))


def test_batch_has_an_output_file() -> None:
    assert "batch" in [name for name, _ in OUTPUT_OPTIONS]


@pytest.mark.parametrize(("name", "action"), OUTPUT_OPTIONS, ids=[n for n, _ in OUTPUT_OPTIONS])
def test_every_output_option_refuses_an_extension_it_cannot_write(name: str, action: argparse.Action) -> None:
    assert callable(action.type)
    with pytest.raises(argparse.ArgumentTypeError, match=r"cannot write 'x\.xlsx': \.xlsx is not a format"):
        action.type("x.xlsx")


@pytest.mark.parametrize("name", ["results.xlsx", "results.json", "results", "results.csv.gz"])
def test_batch_refuses_an_output_extension_it_cannot_write_before_any_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    source = tmp_path / "pairs.csv"
    source.write_text(PAIRS, encoding="utf-8")
    out = tmp_path / name
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", str(source), "-o", str(out), "--network", TINY, "--workers", "1"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"corridor batch: error: argument -o/--output: cannot write '{out}': ")
    assert last.endswith("allowed extensions: .csv (CSV), .jsonl (JSON Lines), .ndjson (JSON Lines)")
    assert ("it has no extension" in last) if name == "results" else (f"{Path(name).suffix} is not a format" in last)
    assert list(tmp_path.iterdir()) == [source]  # no output, no checkpoint


def test_assign_writes_into_a_directory_and_refuses_a_file_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("", encoding="utf-8")
    for target, message in ((tmp_path / "out.xlsx", ".xlsx is not a format this command writes"), (existing, "is a file")):
        with pytest.raises(SystemExit) as exit_info:
            main(["assign", "uz_kz_2030", "-o", str(target)])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert message in err
        assert "assets.csv, links.csv, ods.csv, corridors.csv, flows.geojson, assignment.json" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_batch_refuses_a_format_that_contradicts_the_extension(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "pairs.csv"
    source.write_text(PAIRS, encoding="utf-8")
    code = main(["batch", str(source), "-o", str(tmp_path / "out.csv"), "--format", "jsonl", "--network", TINY])
    assert code == 2
    assert "--format jsonl does not match the extension of" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize(("name", "first"), [("OUT.CSV", "row,id,status"), ("out.ndjson", '{"row": 1')])
def test_batch_writes_the_format_its_extension_names(tmp_path: Path, name: str, first: str) -> None:
    source = tmp_path / "pairs.csv"
    source.write_text(PAIRS, encoding="utf-8")
    done = run_process("batch", str(source), "-o", str(tmp_path / name), "--network", TINY, "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(first)


def test_serve_on_a_busy_port_says_so_first_and_exits_one() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        done = run_process("serve", "--port", str(port), timeout=120)
        took = time.monotonic() - started
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines == [
        f"corridor serve: error: 127.0.0.1:{port} is already in use; another server may be running there. "
        "Stop it, or choose another port with --port N (or CORRIDOR_PORT)."
    ]
    assert "startup" not in done.stderr.lower()
    assert took < 60


def test_serve_on_a_busy_port_of_another_host_names_that_host() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.2", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_process("serve", "--host", "127.0.0.2", "--port", str(port), timeout=120)
    assert done.returncode == 1
    assert f"127.0.0.2:{port} is already in use" in done.stderr
