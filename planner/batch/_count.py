"""Counting the rows of raw batch input as its bytes arrive, at C speed, before any parser reads them.

A parser builds Python objects for every row; at a million rows that takes seconds. To refuse an
input over the row cap as soon as the row past the cap arrives, the bytes are counted first, a
block at a time, with ``bytes`` methods and numpy (no Python work per row):

* CSV: records with content (the header, then rows). Line ends (LF, CR, CRLF) end a record
  unless they are inside a quoted field; which quotes open and close fields follows the ``csv``
  module's rules, checked for every quote of a block at once (a quote opens a field only at the
  start of a field); a block where a quote does not follow them (a quote inside an unquoted
  field) is walked quote by quote.
* JSON Lines: lines with content.
* ``{"rows": [...]}`` bodies: the commas between elements of ``rows``, outside strings (escaped
  quotes included) and outside nested objects and arrays.

A count is never more than the parser will find: a record, line or element is counted only when
a byte in it is certainly not blank (not whitespace, and for CSV not a delimiter or a quote). It
is exact for every input a client would send; a contrived one (a CSV record holding only commas
inside quotes, say) is counted low, and the parser's own count then applies the cap. A count
that cannot follow its input (a JSON body of another shape) stops, and leaves the parser to
refuse the input.

:func:`read_counted` reads a whole input this way before handing it on, spooled to a temporary
file, and parses its first rows as soon as they are there, so that a bad header is answered
before the rest of the body has come.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ._rows import BATCH_ROWS, RowSchema, parse_json_body, parse_rows
from ._store import TooManyRowsError

__all__ = ["InputKind", "count_rows", "read_counted"]

InputKind = Literal["csv", "jsonl", "json"]
"""CSV with a header row, JSON Lines, or a ``{"rows": [...]}`` JSON body."""

_PIECE_BYTES = 1 << 16
"""Bytes handed to a parser at a time."""
_EXACT_QUOTE_BUDGET = 200_000
"""Quotes a CSV count walks one by one (blocks where quotes break the vectorised rule) before it stops counting."""

_BOM = b"\xef\xbb\xbf"
_LF, _CR, _QUOTE, _COMMA, _BACKSLASH = 0x0A, 0x0D, 0x22, 0x2C, 0x5C
# Bytes whose character str.strip() removes: ASCII whitespace, and the first bytes of the UTF-8
# encodings of U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.
_ASCII_SPACE = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
_SPACE_LEADS = b"\xc2\xe1\xe2\xe3"


def _content_table(blank: bytes) -> npt.NDArray[np.bool_]:
    """Bytes that make the line or record holding them non-blank, whatever surrounds them.

    ASCII bytes other than ``blank``, and the first bytes of UTF-8 characters that are not
    whitespace (a lead byte of a whitespace character, a continuation byte or a byte that is
    never valid UTF-8 does not count).
    """
    table = np.zeros(256, dtype=np.bool_)
    for byte in range(0x80):
        table[byte] = byte not in blank
    for byte in range(0xC2, 0xF5):
        table[byte] = byte not in _SPACE_LEADS
    return table


_CSV_CONTENT = _content_table(_ASCII_SPACE + b',"')
_JSONL_CONTENT = _content_table(_ASCII_SPACE)
_CSV_BLANK = (_ASCII_SPACE + b",").replace(b"\n", b"").replace(b"\r", b"")
_JSONL_BLANK = _ASCII_SPACE.replace(b"\n", b"").replace(b"\r", b"")
_LINE_END = np.zeros(256, dtype=np.bool_)
_LINE_END[[_LF, _CR]] = True
_FIELD_START = np.array([_COMMA, _LF, _CR, _QUOTE], dtype=np.uint8)
"""The byte before a quote that opens a quoted field: a delimiter, a line end, or a quote that just closed one."""


class _Lines:
    """Records (CSV, ``quoted``) or lines (JSON Lines) with content, counted a block at a time."""

    def __init__(self, *, quoted: bool) -> None:
        self.quoted = quoted
        self.content = _CSV_CONTENT if quoted else _JSONL_CONTENT
        self.blank = _CSV_BLANK if quoted else _JSONL_BLANK
        self.records = 0
        """Records (or lines) with content so far, the one still open included."""
        self.boundary = 0
        """Offset just past the last line end that ends a record."""
        self.offset = 0
        self.stopped = False
        self._open_counted = False  # the record still open has content (and is counted)
        self._in_quotes = False
        self._prev = _LF  # the byte before this block; the input starts as if after a line end
        self._closed_at_end = False  # the block before ended with a quote that closed a field
        self._budget = _EXACT_QUOTE_BUDGET
        self._first: bytes | None = b""  # the first bytes, until a byte-order mark can be told

    def feed(self, block: bytes) -> None:
        if self.stopped or not block:
            return
        if self._first is not None:
            block, self._first = self._first + block, None
            if len(block) < len(_BOM) and _BOM.startswith(block):
                self._first = block  # wait for more (a lone start of one counts as nothing)
                return
            if block.startswith(_BOM):  # read as nothing (utf-8-sig), as the parser does
                self.offset, block = len(_BOM), block[len(_BOM) :]
                if not block:
                    return
        plain = not self._in_quotes and not self._closed_at_end and (not self.quoted or b'"' not in block)
        if plain and block.isascii():
            self._count_plain(block)
        else:
            self._count_any(block)
        self.offset += len(block)
        self._prev = block[-1]

    def _count_plain(self, block: bytes) -> None:
        """ASCII without quotes: blanks deleted, line ends merged, the runs of content counted (all C calls)."""
        text = block.translate(None, self.blank)
        if b"\r" in text:
            text = text.replace(b"\r", b"\n")
        while b"\n\n" in text:
            text = text.replace(b"\n\n", b"\n")
        if text:
            starts_ended, ends_open = text[0] == _LF, text[-1] != _LF
            runs = text.count(b"\n") + 1 - starts_ended - (not ends_open)
            if self._open_counted and not starts_ended:
                runs -= 1  # the first run continues the record counted in the block before
            self.records += runs
            self._open_counted = ends_open
        last_end = max(block.rfind(b"\n"), block.rfind(b"\r"))
        if last_end >= 0:
            self.boundary = self.offset + last_end + 1

    def _count_any(self, block: bytes) -> None:
        """Any block: line ends and bytes with content found by table look-ups, records by ``reduceat``."""
        data = np.frombuffer(block, dtype=np.uint8)
        content = np.take(self.content, data)
        ends = np.flatnonzero(np.take(_LINE_END, data))
        toggles: npt.NDArray[np.intp] | None = None
        in_quotes, closed_before = self._in_quotes, self._closed_at_end
        if self.quoted and (in_quotes or b'"' in block):
            toggles = self._toggles(data)
            if toggles is None:
                self.stopped = True
                return
            ends = ends[~_inside(toggles, in_quotes, ends)]
            self._in_quotes = bool(in_quotes ^ (len(toggles) & 1))
            self._closed_at_end = bool(toggles.size) and int(toggles[-1]) == len(data) - 1 and not self._in_quotes
        else:
            self._closed_at_end = False
        # Segment 0 is the rest of the record left open by the block before; each line end starts another.
        starts = np.concatenate(([0], ends))
        has = np.logical_or.reduceat(content, starts)
        if toggles is not None and not has.all():
            # Inside a quoted field a comma is text, and so is a quote right after a closing one (an
            # escaped quote): looked for only when a record with a comma or a quote seems blank.
            commas = data == _COMMA
            if (~has & np.logical_or.reduceat(commas | (data == _QUOTE), starts)).any():
                at = np.flatnonzero(commas)
                content[at[_inside(toggles, in_quotes, at)]] = True
                opened = toggles[_inside(toggles, in_quotes, toggles)]
                after_quote = np.where(opened > 0, data[np.maximum(opened - 1, 0)] == _QUOTE, closed_before)
                content[opened[after_quote]] = True
                has = np.logical_or.reduceat(content, starts)
        if has[0] and not self._open_counted:
            self.records += 1
        self.records += int(np.count_nonzero(has[1:]))
        self._open_counted = bool(has[-1]) or (self._open_counted and not ends.size)
        if ends.size:
            self.boundary = self.offset + int(ends[-1]) + 1

    def _toggles(self, data: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp] | None:
        """The quotes of the block that open or close a quoted field; None once too many had to be walked.

        The ``csv`` module opens a quoted field only with a quote at the start of a field (after
        a delimiter or a line end, or right after the quote that closed a field: an escaped
        quote); inside one, any quote closes it. If every quote of the block toggles, which is
        checked at once, the toggles are the quotes themselves; else they are found one by one.
        """
        quotes = np.flatnonzero(data == _QUOTE)
        openers = quotes[1::2] if self._in_quotes else quotes[::2]
        before = data[np.maximum(openers - 1, 0)]
        if openers.size and openers[0] == 0:
            # A quote ending the block before opens no field unless it closed one.
            before[0] = self._prev if self._prev != _QUOTE or self._closed_at_end else 0
        if np.isin(before, _FIELD_START).all():
            return quotes
        return self._walk(data, quotes)

    def _walk(self, data: npt.NDArray[np.uint8], quotes: npt.NDArray[np.intp]) -> npt.NDArray[np.intp] | None:
        """The quotes that open or close a field, by the ``csv`` module's rules, one at a time (within a budget)."""
        self._budget -= len(quotes)
        if self._budget < 0:
            return None
        toggles: list[int] = []
        inside = self._in_quotes
        closed_at = -1 if self._closed_at_end else -2
        for position in quotes.tolist():
            if inside:
                inside, closed_at = False, position
                toggles.append(position)
                continue
            before = int(data[position - 1]) if position else self._prev
            if before in (_COMMA, _LF, _CR) or (before == _QUOTE and closed_at == position - 1):
                inside = True
                toggles.append(position)
        return np.array(toggles, dtype=np.intp)


def _inside(toggles: npt.NDArray[np.intp], start: bool, positions: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Whether the bytes at ``positions`` are inside quotes (a quote itself: once it has toggled).

    ``toggles`` are the positions where quotes open or close, ``start`` whether the block starts inside.
    """
    flips = np.searchsorted(toggles, positions, side="right")
    inside: npt.NDArray[np.bool_] = ((flips & 1) ^ start).astype(np.bool_)
    return inside


# The members a ``{"rows": [...]}`` body may have before its rows (see JsonBodySplitter).
_JSON_HEAD = re.compile(
    rb'\s*\{\s*(?:"format"\s*:\s*(?:"(?:[^"\\]|\\.)*"|null)\s*,\s*)?"rows"\s*:\s*\['.replace(rb"\s", rb"[ \t\r\n]"),
    re.DOTALL,
)
_JSON_HEAD_MAX = 4096
_STRUCTURE = np.zeros(256, dtype=np.int8)  # 1 a comma, 2 an opening bracket, 3 a closing one
_STRUCTURE[_COMMA] = 1
_STRUCTURE[[ord("["), ord("{")]] = 2
_STRUCTURE[[ord("]"), ord("}")]] = 3


class _JsonRows:
    """Elements of the ``rows`` array of a JSON body: commas at its depth, outside strings, plus one."""

    def __init__(self) -> None:
        self.commas = 0
        self.stopped = False
        self.done = False  # the rows array has ended
        self._head: bytes | None = b""
        self._depth = 2  # inside the body object and its rows array
        self._in_string = False
        self._backslashes = 0  # backslashes ending the block before (inside a string)
        self._started: bool | None = None  # whether rows has an element, once its first byte has come

    @property
    def records(self) -> int:
        return self.commas + 1 if self._started else 0

    def feed(self, block: bytes) -> None:
        if self.stopped or self.done or not block:
            return
        if self._head is not None:
            head = self._head + block
            match = _JSON_HEAD.match(head)
            if match is None:
                self._head = head
                if len(head) > _JSON_HEAD_MAX:
                    self.stopped = True  # another shape: the parser says what is wrong
                return
            self._head = None
            block = head[match.end() :]
            if not block:
                return
        self._count(block)

    def _count(self, block: bytes) -> None:
        if self._started is None and (first := block.lstrip(b" \t\r\n")):
            self._started = first[0] != ord("]")
        data = np.frombuffer(block, dtype=np.uint8)
        quotes = np.flatnonzero(data == _QUOTE)
        delimiters = quotes
        if quotes.size and (b"\\" in block or self._backslashes):
            found = self._unescaped(data, quotes)
            if found is None:
                self.stopped = True
                return
            delimiters = found
        if delimiters is quotes:
            flips = (data == _QUOTE).view(np.uint8)
        else:
            flips = np.zeros(len(data), dtype=np.uint8)
            flips[delimiters] = 1
        inside = np.bitwise_xor.accumulate(flips) ^ self._in_string  # 1 inside a string (and on its opening quote)
        kinds = np.take(_STRUCTURE, data)
        kinds[inside.view(np.bool_)] = 0
        structure = kinds[kinds != 0]
        depth = np.cumsum((structure == 2).astype(np.int64) - (structure == 3)) + self._depth
        closed = np.flatnonzero(depth < 2)
        if closed.size:  # the rows array ends in this block: count up to there, then stop
            self.done = True
            structure, depth = structure[: closed[0]], depth[: closed[0]]
        self.commas += int(np.count_nonzero((structure == 1) & (depth == 2)))
        if self.done:
            return
        if depth.size:
            self._depth = int(depth[-1])
        self._in_string = bool(self._in_string ^ (len(delimiters) & 1))
        run = len(block) - len(block.rstrip(b"\\"))
        self._backslashes = (run + (self._backslashes if run == len(block) else 0)) if self._in_string else 0

    def _unescaped(self, data: npt.NDArray[np.uint8], quotes: npt.NDArray[np.intp]) -> npt.NDArray[np.intp] | None:
        """The quotes that start or end a string: those after an even run of backslashes.

        Checked: every quote taken as escaped lies inside a string (outside one, a backslash
        escapes nothing and the parser reads the quote as a string's start); else None.
        """
        slashes = np.flatnonzero(data == _BACKSLASH)
        if slashes.size:
            new_run = np.ones(len(slashes), dtype=np.bool_)
            new_run[1:] = slashes[1:] != slashes[:-1] + 1
            run_start = slashes[np.maximum.accumulate(np.where(new_run, np.arange(len(slashes)), 0))]
            last = np.searchsorted(slashes, quotes) - 1  # the last backslash before each quote
            adjacent = (last >= 0) & (slashes[np.maximum(last, 0)] == quotes - 1)
            first = run_start[np.maximum(last, 0)]
            run = np.where(adjacent, quotes - first, 0) + np.where(adjacent & (first == 0), self._backslashes, 0)
        else:
            run = np.zeros(len(quotes), dtype=np.intp)
        run = run + np.where(quotes == 0, self._backslashes, 0)
        escaped = (run & 1).astype(np.bool_)
        delimiters = quotes[~escaped]
        if escaped.any():
            opened = (np.searchsorted(delimiters, quotes[escaped]) & 1).astype(np.bool_) ^ self._in_string
            if not opened.all():
                return None
        return delimiters


_Counter = _Lines | _JsonRows


def _counter(kind: InputKind) -> _Counter:
    if kind == "json":
        return _JsonRows()
    return _Lines(quoted=kind == "csv")


def _rows_of(counter: _Counter, kind: InputKind) -> int:
    if kind == "csv":
        return max(0, counter.records - 1)  # the header is not a row
    return counter.records


def count_rows(chunks: Iterable[bytes], kind: InputKind) -> int:
    """Rows of an input, counted from its bytes (never more than the parser finds; see the module docs)."""
    counter = _counter(kind)
    for chunk in chunks:
        counter.feed(chunk)
    return _rows_of(counter, kind)


class _EndOfHead(Exception):
    """The parser asked for more than the first bytes: nothing is wrong with them."""


def _head_then_stop(head: bytes) -> Iterator[bytes]:
    for start in range(0, len(head), _PIECE_BYTES):  # in pieces, as the parser reads a spooled body
        yield head[start : start + _PIECE_BYTES]
    raise _EndOfHead


def _check_head(kind: InputKind, head: bytes, schema: RowSchema[Any]) -> None:
    """Parse the first bytes of an input as far as they go: a whole-input error in them is raised.

    The parser reads them as the start of a longer input, stopped where it asks for more, so
    what is merely cut short is no error. Rows are split, not built (a row's errors are its own).
    """
    try:
        rows = (
            parse_json_body(_head_then_stop(head)).rows if kind == "json" else parse_rows(_head_then_stop(head), kind, schema)
        )
        for _ in rows.split():
            pass
    except _EndOfHead:
        pass


def read_counted(
    source: Iterable[bytes],
    kind: InputKind,
    *,
    max_rows: int | None,
    spool_dir: str | Path | None = None,
    replay: Callable[[], Iterable[bytes]] | None = None,
    schema: RowSchema[Any] = BATCH_ROWS,
) -> Iterator[bytes]:
    """The bytes of ``source``, given on only once all of them have been read and their rows counted.

    Raises :class:`~planner.batch.TooManyRowsError` as soon as more than ``max_rows`` rows have
    arrived (the rest is not read), and the :class:`BatchInputError` of the first rows as soon
    as they are there (a bad CSV header, a body of another shape, a first line that is too
    long). Without ``replay`` the bytes are spooled to a temporary file in ``spool_dir`` (memory
    stays flat) and given on from it; with it (a source that is a file already) they are given
    on from ``replay()``. ``schema`` says which columns a CSV header may name (route requests by default).
    """
    counter = _counter(kind)
    head: bytearray | None = bytearray()  # kept until the first rows have been parsed
    checked_at = 0
    with ExitStack() as stack:
        spool = (
            None
            if replay is not None
            else stack.enter_context(tempfile.TemporaryFile(dir=spool_dir, prefix=".upload-"))
        )
        for chunk in source:
            if spool is not None:
                spool.write(chunk)
            counter.feed(chunk)  # each chunk as it comes: a server's are about 64 KiB to 1 MiB
            if head is not None:
                head += chunk
                if _head_due(counter, len(head), checked_at):
                    _check_head(kind, bytes(head), schema)
                    checked_at = len(head)
                    if checked_at >= _HEAD_BYTES[-1] or _line_ended(counter):
                        head = None
            if max_rows is not None and _rows_of(counter, kind) > max_rows:
                raise TooManyRowsError(max_rows)
        if spool is None:
            assert replay is not None
            yield from replay()
            return
        spool.seek(0)
        while piece := spool.read(_PIECE_BYTES):
            yield piece


_HEAD_BYTES = (1, 1 << 14, 1 << 20)
"""The first bytes are parsed early as they come, again at 16 KiB and 1 MiB (and for CSV or JSON Lines, once a line has)."""


def _line_ended(counter: _Counter) -> bool:
    return isinstance(counter, _Lines) and counter.boundary > 0


def _head_due(counter: _Counter, size: int, checked_at: int) -> bool:
    return _line_ended(counter) or any(checked_at < mark <= size for mark in _HEAD_BYTES)
