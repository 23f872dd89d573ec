"""Output files: a command writes only the formats its extensions name."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["output_directory", "output_path"]


def output_path(formats: Mapping[str, str]) -> Callable[[str], Path]:
    """An argparse ``type`` accepting a path whose extension is a key of ``formats`` (any case).

    ``formats`` maps extensions to what they hold (``{".csv": "CSV"}``); any other extension, or none,
    is refused (exit code 2) with the allowed ones named, before the command does any work.
    """
    allowed = ", ".join(f"{ext} ({what})" for ext, what in formats.items())

    def check(value: str) -> Path:
        path = Path(value)
        suffix = path.suffix.lower()
        if suffix not in formats:
            found = f"{path.suffix} is not a format this command writes" if path.suffix else "it has no extension"
            raise argparse.ArgumentTypeError(f"cannot write {value!r}: {found}; allowed extensions: {allowed}")
        return path

    return check


def output_directory(files: Sequence[str]) -> Callable[[str], Path]:
    """An argparse ``type`` accepting a directory to write ``files`` into: not an existing file, no extension.

    A name with an extension (``-o results.xlsx``) reads as a file the command would not write, and is
    refused (exit code 2) naming what the directory receives.
    """

    def check(value: str) -> Path:
        path = Path(value)
        if path.is_file():
            raise argparse.ArgumentTypeError(f"{value!r} is a file; give a directory for {', '.join(files)}")
        if path.suffix and not path.is_dir():
            raise argparse.ArgumentTypeError(
                f"cannot write {value!r}: {path.suffix} is not a format this command writes; give a directory "
                f"(without an extension) for {', '.join(files)}"
            )
        return path

    return check
