"""Bounded JSON: nesting depth measured before a parser sees the text, and a ``{"rows": [...]}`` body split as it streams.

A recursive parser (``json.loads``) fails on deep nesting with RecursionError; a C parser (orjson)
stops at 1024 levels, but values that deep still break whatever recurses over them later (pickle,
validation). So every JSON text that reaches a parser here has been measured first:
:func:`too_deep` scans it (strings skipped) and reports where nesting passes ``MAX_JSON_DEPTH``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["MAX_JSON_DEPTH", "MAX_ROW_BYTES", "Excess", "JsonBodySplitter", "JsonBodyError", "too_deep"]

MAX_JSON_DEPTH = 32
"""Most levels of objects and arrays a JSON request body or batch row may nest (the outermost counts as 1)."""

MAX_ROW_BYTES = 65_536
"""The longest JSON text of one row of a ``{"rows": [...]}`` body."""

# A string (group "key" when it is an object key, "open" is None while it is unterminated) or a bracket.
_TOKEN = re.compile(rb'"(?P<body>(?:[^"\\]|\\.)*)(?P<close>")?(?P<key>\s*:)?|[\[\]{}]', re.DOTALL)
_SAFE_KEY = re.compile(rb"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
_WS = re.compile(rb"[ \t\r\n]*")
_STR = r'"(?:[^"\\]|\\.)*"'
_FLAT = rf'(?:[^"{{}}\[\]]|{_STR})*'
# A row object whose values are scalars or arrays of scalars: matched whole by one C call (the common case).
_FLAT_ROW = re.compile(rf"\{{(?:[^\"{{}}\[\]]|{_STR}|\[{_FLAT}\])*\}}".encode(), re.DOTALL)
# A run of such rows, each followed by a comma: split with one findall, a C call for many rows.
_FLAT_RUN = re.compile(rf"(?:[ \t\r\n]*{_FLAT_ROW.pattern.decode()}[ \t\r\n]*,)+".encode(), re.DOTALL)
_RUN_WINDOW = 16_384
"""Bytes a run of flat rows is matched in at once (the regex engine keeps state for each character it matches)."""
_KEY = re.compile(rb'"((?:[^"\\]|\\.)*)"[ \t\r\n]*:[ \t\r\n]*', re.DOTALL)
_SHORT_VALUE = re.compile(rb'"(?:[^"\\]|\\.)*"|null|true|false|-?[0-9][0-9.eE+-]*', re.DOTALL)


@dataclass(frozen=True, slots=True)
class Excess:
    """Where nesting first passed the limit: the object keys on the way there (safe names only) and the line."""

    path: tuple[str, ...]
    line: int
    offset: int


def too_deep(text: bytes, limit: int = MAX_JSON_DEPTH) -> Excess | None:
    """Where ``text`` nests deeper than ``limit`` levels, or None; linear, without recursion or parsing.

    Keys that are not plain names (letters, digits, underscores) are reported as ``"?"``.
    """
    if text.count(b"[") + text.count(b"{") <= limit:
        return None
    stack: list[str | None] = []
    key: str | None = None
    for token in _TOKEN.finditer(text):
        first = text[token.start()]
        if first == 0x22:  # a string: only keys matter
            if token.group("key") is not None and stack:
                body = token.group("body")
                key = body.decode() if _SAFE_KEY.match(body) else "?"
            continue
        if first in (0x5B, 0x7B):  # [ {
            stack.append(key)
            key = None
            if len(stack) > limit:
                path = tuple(k for k in stack if k is not None)
                return Excess(path, text.count(b"\n", 0, token.start()) + 1, token.start())
        elif stack:
            stack.pop()
            key = None
    return None


class JsonBodyError(ValueError):
    """The body is not a ``{"rows": [...], "format": ...}`` object; ``field`` names what is wrong."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _value_end(buf: bytes, pos: int, final: bool) -> int | None:
    """End of the JSON value starting at ``pos`` (brackets balanced, strings skipped); None if not all there yet."""
    if buf[pos] not in b'[{"':  # a number, true, false, null or garbage: ends at the next delimiter
        ends = [i for i in (buf.find(b",", pos), buf.find(b"]", pos), buf.find(b"}", pos)) if i >= 0]
        return min(ends) if ends else (len(buf) if final else None)
    depth = 0
    for token in _TOKEN.finditer(buf, pos):
        start = token.start()
        first = buf[start]
        if first == 0x22:
            if token.group("close") is None:
                return len(buf) if final else None
            if depth == 0:
                return token.end()
        elif first in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _TooDeep(start)
        else:
            depth -= 1
            if depth <= 0:
                return token.end()
    return len(buf) if final else None


class _TooDeep(Exception):
    def __init__(self, offset: int) -> None:
        self.offset = offset


class JsonBodySplitter:
    """Splits a streamed ``{"rows": [...], "format": "csv"}`` body into each row's JSON text as bytes arrive.

    Memory stays within about one chunk plus one row: consumed bytes are dropped. ``format`` is
    known once the whole body has been read. Raises :class:`JsonBodyError` for a body of another
    shape, a row longer than :data:`MAX_ROW_BYTES` or nested deeper than :data:`MAX_JSON_DEPTH`.
    """

    def __init__(self) -> None:
        self.format: str | None = None
        self._buf = b""
        self._pos = 0
        self._lines_before = 0  # newlines in bytes already dropped
        self._state = "start"
        self._rows = 0
        self._seen: set[str] = set()
        self._wait_for = 0  # bytes pending before an incomplete row is scanned again

    def _line(self, offset: int) -> int:
        return self._lines_before + self._buf.count(b"\n", 0, offset) + 1

    def _fail(self, message: str, field: str | None = None) -> JsonBodyError:
        return JsonBodyError(f"line {self._line(self._pos)}: {message}", field)

    def rows(self, chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
        """Each row's number (from 1) and JSON text, in order."""
        for chunk in chunks:
            self._feed(chunk)
            yield from self._split(final=False)
        yield from self._split(final=True)
        if self._state != "end":
            raise self._fail('the body ends early; expected {"rows": [...]}', "body")
        if "rows" not in self._seen:
            raise JsonBodyError('rows: field required; expected {"rows": [{"origin": ..., "destination": ...}, ...]}', "rows")

    def _feed(self, chunk: bytes) -> None:
        if self._pos:
            self._lines_before += self._buf.count(b"\n", 0, self._pos)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        self._buf += chunk

    def _skip_ws(self) -> None:
        match = _WS.match(self._buf, self._pos)
        assert match is not None
        self._pos = match.end()

    def _split(self, *, final: bool) -> Iterator[tuple[int, bytes]]:  # noqa: C901 - one small state machine
        buf = self._buf
        while True:
            self._skip_ws()
            if self._pos >= len(buf):
                return
            char = buf[self._pos]
            state = self._state
            if state == "start":
                if char != 0x7B:
                    raise self._fail(
                        'expected a JSON object: {"rows": [{"origin": ..., "destination": ...}, ...]}', "body"
                    )
                self._pos += 1
                self._state = "member_or_end"
            elif state in ("member_or_end", "member"):
                if char == 0x7D and state == "member_or_end":
                    self._pos += 1
                    self._state = "end"
                    continue
                key = _KEY.match(buf, self._pos)
                if key is None:
                    if not final and len(buf) - self._pos < 1024:
                        return
                    raise self._fail("expected a member name in double quotes", "body")
                name = key.group(1).decode("utf-8", "replace")
                if name not in ("rows", "format"):
                    raise self._fail("unknown member; the body has rows and optionally format", "body")
                if name in self._seen:
                    raise self._fail("given twice", name)
                self._seen.add(name)
                self._pos = key.end()
                self._state = "rows_open" if name == "rows" else "format"
            elif state == "rows_open":
                if char != 0x5B:
                    raise self._fail("expected a list of objects", "rows")
                self._pos += 1
                self._state = "row_or_close"
            elif state in ("row_or_close", "row"):
                if char == 0x5D and state == "row_or_close":
                    self._pos += 1
                    self._state = "after_value"
                    continue
                if not final and len(buf) - self._pos < self._wait_for:
                    return  # an incomplete row: scanned again once more bytes have come (see _row_end)
                run = _FLAT_RUN.match(buf, self._pos, self._pos + _RUN_WINDOW)
                if run is not None:  # the common case: many flat rows, each followed by a comma
                    for text in _FLAT_ROW.findall(buf, self._pos, run.end()):
                        if len(text) > MAX_ROW_BYTES:
                            raise self._too_long(buf.find(text, self._pos))
                        self._rows += 1
                        yield self._rows, text
                    self._pos = run.end()
                    self._state = "row"
                    continue
                end = self._row_end(final)
                if end is None:
                    return
                self._rows += 1
                yield self._rows, buf[self._pos : end]
                self._pos = end
                self._state = "row_sep"
            elif state == "row_sep":
                if char not in (0x2C, 0x5D):
                    raise self._fail(f"rows[{self._rows - 1}] is followed by something other than ',' or ']'", "rows")
                self._pos += 1
                self._state = "row" if char == 0x2C else "after_value"
            elif state == "format":
                value = _SHORT_VALUE.match(buf, self._pos)
                if value is None or (value.end() == len(buf) and not final):
                    if not final and len(buf) - self._pos < 1024:
                        return
                    raise self._fail("expected csv or jsonl", "format")
                text = value.group()
                if text.startswith(b'"') and len(text) <= 16:
                    self.format = text[1:-1].decode("utf-8", "replace")
                elif text != b"null":
                    raise self._fail("expected csv or jsonl", "format")
                self._pos = value.end()
                self._state = "after_value"
            elif state == "after_value":
                if char not in (0x2C, 0x7D):
                    raise self._fail("expected ',' or '}' after a member", "body")
                self._pos += 1
                self._state = "member" if char == 0x2C else "end"
            else:  # end
                raise self._fail("unexpected data after the JSON object", "body")

    def _too_long(self, pos: int) -> JsonBodyError:
        return JsonBodyError(f"rows[{self._rows}] (line {self._line(pos)}): longer than {MAX_ROW_BYTES:,} bytes", "rows")

    def _row_end(self, final: bool) -> int | None:
        buf, pos = self._buf, self._pos
        pending = len(buf) - pos
        flat = _FLAT_ROW.match(buf, pos)
        if flat is not None:
            if flat.end() - pos > MAX_ROW_BYTES:
                raise self._too_long(pos)
            self._wait_for = 0
            return flat.end()
        try:
            end = _value_end(buf, pos, final)
        except _TooDeep:
            raise JsonBodyError(
                f"rows[{self._rows}] (line {self._line(pos)}): nested deeper than {MAX_JSON_DEPTH} levels", "rows"
            ) from None
        if end is not None and end - pos > MAX_ROW_BYTES or end is None and pending > MAX_ROW_BYTES:
            raise self._too_long(pos)
        if end is None:
            # Scan again only once the pending bytes have doubled: linear overall, even fed a byte at a time.
            self._wait_for = max(4096, 2 * pending)
            return None
        self._wait_for = 0
        return end
