"""Tables that fit the terminal, drawn with rich.

The width a table may take (:func:`output_width`):

- ``--wide``: no limit; every column, every cell whole, one line per row;
- else ``COLUMNS`` when it is set to a positive whole number (on a terminal or not);
- else the terminal's width when standard output is a terminal;
- else :data:`DEFAULT_WIDTH` (100) characters, for pipes, files and logs.

A table that would be wider first shrinks its flexible columns (place paths, descriptions: wrapped, or
shortened with an ellipsis), then leaves out its optional columns, least useful first, and says which
under the table. Headers are bold on a terminal only; text written elsewhere carries no escape codes
(``NO_COLOR`` turns the bold off on a terminal too).
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

__all__ = ["DEFAULT_WIDTH", "Cell", "Clip", "Column", "PlacePath", "output_width", "render_table"]

DEFAULT_WIDTH = 100
"""Characters a table may take when standard output is not a terminal and ``COLUMNS`` is not set."""

_UNBOUNDED = 100_000
_GAP = 2  # one space of padding and the column divider
# A rule of dashes under the header, one run per column; no other lines.
_BOX = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)


def output_width(*, wide: bool = False) -> int | None:
    """Characters a table may take; None for no limit (``--wide``)."""
    if wide:
        return None
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if _is_terminal():
        return os.get_terminal_size(sys.stdout.fileno()).columns if _has_fileno() else DEFAULT_WIDTH
    return DEFAULT_WIDTH


def _is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _has_fileno() -> bool:
    try:
        sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class Column:
    """A table column.

    ``right`` aligns numbers; a ``flex`` column wraps (or shortens itself) to fit and takes what the
    others leave, down to ``min_width``; a column with ``drop`` > 0 is left out when the table would not
    fit otherwise, the highest ``drop`` first; a ``wide_only`` column (one that repeats what another shows,
    more compactly) only with ``--wide``.
    """

    header: str
    right: bool = False
    flex: bool = False
    drop: int = 0
    min_width: int = 16
    wide_only: bool = False


class PlacePath:
    """A route's places joined by ``>``, rendered to the width it gets.

    Whole when it fits on one line; else the places at indices ``keep`` (the ends, border points,
    changes of mode) with ``…`` for each run of places between; wrapped after a ``>`` when even that
    is too long for one line.
    """

    def __init__(self, places: Sequence[str], keep: Collection[int] = ()) -> None:
        self.places = tuple(places)
        self.keep = frozenset(keep) | {0, len(self.places) - 1}

    def __str__(self) -> str:
        return " > ".join(self.places)

    def short(self) -> list[str]:
        """The kept places in order, ``…`` standing for each run of places left out."""
        parts: list[str] = []
        for i, place in enumerate(self.places):
            if i in self.keep:
                parts.append(place)
            elif not parts or parts[-1] != "…":
                parts.append("…")
        return parts

    def lines(self, width: int) -> list[str]:
        """The path in lines of at most ``width`` characters (a single place longer than that stays whole)."""
        full = str(self)
        if len(full) <= width:
            return [full]
        parts = self.short()
        lines: list[str] = []
        line = ""
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            candidate = part if not line else f"{line} > {part}"
            # A line that goes on ends with " >": keep room for it unless this is the last part.
            if not line or len(candidate) + (0 if last else 2) <= width:
                line = candidate
            else:
                lines.append(line + " >")
                line = part
        lines.append(line)
        return lines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        full = len(str(self))
        return Measurement(min(full, max(len(p) for p in self.places) + 2), full)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(self.lines(options.max_width)), overflow="fold")


class Clip:
    """Text wrapped to the width it gets and cut after ``max_lines`` lines, ending with ``…`` when cut."""

    def __init__(self, text: str, max_lines: int = 2) -> None:
        self.text = " ".join(text.split())
        self.max_lines = max_lines

    def __str__(self) -> str:
        return self.text

    def lines(self, width: int) -> list[str]:
        """The text in at most ``max_lines`` lines of at most ``width`` characters."""
        lines = textwrap.wrap(self.text, max(width, 1), break_on_hyphens=False) or [""]
        if len(lines) <= self.max_lines:
            return lines
        kept = lines[: self.max_lines]
        last = kept[-1]
        kept[-1] = (last if len(last) < width else last[: max(width - 1, 0)].rstrip()) + "…"
        return kept

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(len(self.text), 12), len(self.text))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(self.lines(options.max_width)), overflow="fold")


Cell: TypeAlias = str | int | float | PlacePath | Clip | None


def _text_width(cell: Cell) -> int:
    if cell is None:
        return 0
    return max((len(line) for line in str(cell).splitlines()), default=0)


def render_table(columns: Sequence[Column], rows: Iterable[Sequence[Cell]], *, wide: bool = False) -> str:
    """The rows as a table that fits :func:`output_width`, and a line naming the columns left out, if any."""
    rows = [["" if c is None else c for c in row] for row in rows]
    width = output_width(wide=wide)
    kept = [i for i, col in enumerate(columns) if wide or not col.wide_only]
    dropped: list[str] = []
    natural = [max([len(col.header), *(_text_width(r[i]) for r in rows)]) for i, col in enumerate(columns)]
    if width is not None:
        while True:
            need = sum(min(natural[i], columns[i].min_width) if columns[i].flex else natural[i] for i in kept)
            need += _GAP * (len(kept) - 1)
            droppable = [i for i in kept if columns[i].drop > 0]
            if need <= width or not droppable:
                break
            worst = max(droppable, key=lambda i: (columns[i].drop, i))
            kept.remove(worst)
            dropped.append(columns[worst].header)
    tty = _is_terminal()
    table = Table(
        box=_BOX,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style="bold" if tty else "",
        highlight=False,
    )
    for i in kept:
        col = columns[i]
        table.add_column(
            col.header,
            justify="right" if col.right else "left",
            no_wrap=not col.flex,
            overflow="fold" if col.flex else "ellipsis",
        )
    for row in rows:
        table.add_row(*(_renderable(row[i]) for i in kept))
    text = _render(table, width, tty)
    if dropped and width is not None:
        note = f"(left out to fit {width} columns: {', '.join(dropped)}; --wide shows every column)"
        text += "\n" + textwrap.fill(note, max(width, 20), break_long_words=False, break_on_hyphens=False)
    return text


def _renderable(cell: Cell) -> RenderableType:
    if isinstance(cell, PlacePath | Clip):
        return cell
    return Text(str(cell))


def _render(renderable: RenderableType, width: int | None, tty: bool) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=_UNBOUNDED if width is None else width,
        force_terminal=tty,
        color_system="standard" if tty else None,
        no_color=bool(os.environ.get("NO_COLOR")),
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
        legacy_windows=False,
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines())

