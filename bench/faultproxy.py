"""An HTTP/1.1 proxy on 127.0.0.1 that makes a share of the requests fail, the way a phone's
network does: between the app's HTTP client and a real backend, on real TCP connections.

Per request (chosen by a seeded random generator, so a run can be repeated):
- `drop_before`: the connection is closed before the request reaches the server;
- `drop_after`: the request is forwarded, the server answers (it has committed), and the
  connection is closed instead of passing the answer on — the response is lost;
- `503`: answered "503 Service Unavailable" without reaching the server.

Everything else is passed through byte for byte (keep-alive kept, one upstream connection per
client connection). Runs in its own thread with its own event loop: `with FaultProxy(...) as p`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

FAULTS = ("drop_before", "drop_after", "503")
MAX_HEAD = 64 * 1024


class _Closed(Exception):
    """The peer closed the connection."""


@dataclass
class Message:
    head: bytes  # start line and headers, with the blank line
    body: bytes
    start: str  # the start line
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names


async def _read_head(reader: asyncio.StreamReader) -> tuple[bytes, str, dict[str, str]]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as exc:
        raise _Closed from exc
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return head, lines[0], headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            out = bytearray()
            while True:
                size_line = await reader.readuntil(b"\r\n")
                out += size_line
                size = int(size_line.split(b";")[0].strip(), 16)
                out += await reader.readexactly(size + 2)
                if size == 0:
                    return bytes(out)
        length = int(headers.get("content-length", "0") or 0)
        return await reader.readexactly(length) if length else b""
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as exc:
        raise _Closed from exc


async def read_request(reader: asyncio.StreamReader) -> Message:
    head, start, headers = await _read_head(reader)
    return Message(head, await _read_body(reader, headers), start, headers)


async def read_response(reader: asyncio.StreamReader, method: str) -> Message:
    head, start, headers = await _read_head(reader)
    status = int(start.split()[1])
    no_body = method == "HEAD" or status in (204, 304) or 100 <= status < 200
    body = b"" if no_body else await _read_body(reader, headers)
    return Message(head, body, start, headers)


def _service_unavailable() -> bytes:
    body = json.dumps(
        {"error": {"code": "http_503", "message": "injected by the fault proxy", "details": {}}}
    ).encode()
    return (
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
        + f"content-length: {len(body)}\r\n\r\n".encode()
        + body
    )


class FaultProxy:
    def __init__(
        self,
        upstream_url: str,
        share: float = 0.2,
        seed: int = 109,
        script: list[str] | None = None,
    ) -> None:
        """`script`: the outcomes of the first requests, in order (tests), then `share`."""
        target = urlparse(upstream_url)
        self._upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self.share = share
        self._rnd = random.Random(seed)
        self._script = list(script or [])
        self.counts: Counter[str] = Counter()  # passed / drop_before / drop_after / 503
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.url = future.result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> str:
        self._server = await asyncio.start_server(
            self._client, "127.0.0.1", 0, limit=MAX_HEAD, backlog=128
        )
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    # -- one client connection -------------------------------------------------------------------

    def _pick(self) -> str:
        if self._script:
            return self._script.pop(0)
        if self._rnd.random() >= self.share:
            return "passed"
        return self._rnd.choice(FAULTS)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                request = await read_request(reader)
                fault = self._pick()
                self.counts[fault] += 1
                if fault == "drop_before":
                    return
                if fault == "503":
                    writer.write(_service_unavailable())
                    await writer.drain()
                    continue
                if upstream is None:
                    upstream = await asyncio.open_connection(*self._upstream, limit=MAX_HEAD)
                up_reader, up_writer = upstream
                up_writer.write(request.head + request.body)
                await up_writer.drain()
                response = await read_response(up_reader, request.start.split()[0])
                if fault == "drop_after":
                    return  # the server has answered (and committed): the answer is lost
                writer.write(response.head + response.body)
                await writer.drain()
                if "close" in response.headers.get("connection", "").lower():
                    return
        except (_Closed, ConnectionError, OSError, ValueError, IndexError):
            return
        finally:
            for w in (writer, upstream[1] if upstream else None):
                if w is not None:
                    with contextlib.suppress(Exception):
                        w.close()
