"""A real ``corridor serve`` answers a batch body's row cap and bad start while the body is still arriving.

The client announces a large body, sends its first rows, then stops: the answer must come
without the rest (the server counts rows as bytes arrive and parses the first ones at once).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from api_helpers import TINY
from test_live_server import running

MAX_ROWS = 1_000


@pytest.fixture(scope="module")
def capped_server() -> Iterator[tuple[str, int]]:
    """``corridor serve`` on the tiny network with a row cap of 1,000."""
    for base in running("--network", str(TINY), env={"CORRIDOR_BATCH_MAX_ROWS": str(MAX_ROWS)}):
        yield base, int(base.rsplit(":", 1)[1])


def _send_start(port: int, content_type: str, start: bytes, announced: int = 50_000_000) -> tuple[int, dict[str, object], float]:
    """Announce ``announced`` bytes, send ``start`` only, and wait for the answer (status, body, seconds)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        head = (
            f"POST /v1/batches HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {announced}\r\n\r\n"
        )
        sent = time.monotonic()
        conn.sendall(head.encode() + start)
        received = b""
        while b"\r\n\r\n" not in received or len(received.split(b"\r\n\r\n", 1)[1]) < _length(received):
            piece = conn.recv(65536)  # a timeout (10 s) here fails the test: the server waited for the rest
            if not piece:
                break
            received += piece
        waited = time.monotonic() - sent
    status = int(received.split(b" ", 2)[1])
    body = json.loads(received.split(b"\r\n\r\n", 1)[1])
    return status, body, waited


def _length(received: bytes) -> int:
    for line in received.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 1 << 30


CSV_HEAD = b"origin,destination\n"
JSONL_ROW = b'{"origin": "a1", "destination": "c2"}\n'
JSON_ROW = b'{"origin": "a1", "destination": "c2"}'


@pytest.mark.parametrize(
    ("content_type", "start"),
    [
        ("text/csv", CSV_HEAD + b"a1,c2\n" * (MAX_ROWS + 1)),
        ("application/x-ndjson", JSONL_ROW * (MAX_ROWS + 1)),
        ("application/json", b'{"rows": [' + b", ".join([JSON_ROW] * (MAX_ROWS + 2))),
    ],
)
def test_the_row_past_the_cap_is_answered_413_before_the_body_has_all_come(
    capped_server: tuple[str, int], content_type: str, start: bytes
) -> None:
    status, body, waited = _send_start(capped_server[1], content_type, start)
    assert status == 413
    assert body["code"] == "too_many_rows"
    assert body["limit"] == MAX_ROWS
    print(f"{content_type}: 413 after {waited:.3f} s with {len(start):,} of 50,000,000 bytes sent")


@pytest.mark.parametrize(
    ("content_type", "start", "field"),
    [
        ("text/csv", b"origin,destination,colour\na1,c2,red\n", "colour"),
        ("application/json", b'[{"origin": "a1", "destination": "c2"}, ', "body"),
    ],
)
def test_a_bad_start_is_answered_422_before_the_body_has_all_come(
    capped_server: tuple[str, int], content_type: str, start: bytes, field: str
) -> None:
    status, body, _ = _send_start(capped_server[1], content_type, start)
    assert status == 422
    assert body["code"] == "invalid_batch_input"
    assert body["errors"][0]["field"] == field


def test_a_body_at_the_cap_is_accepted_and_every_row_is_stored(capped_server: tuple[str, int]) -> None:
    base, _ = capped_server
    body = CSV_HEAD + b"\n".join(b"a1,c2" for _ in range(MAX_ROWS)) + b"\r\n\r\n"
    accepted = httpx.post(base + "/v1/batches", content=body, headers={"Content-Type": "text/csv"}, timeout=60)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["rows_total"] == MAX_ROWS
    httpx.delete(base + accepted.headers["location"], timeout=30)
