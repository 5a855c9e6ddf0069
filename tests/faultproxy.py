"""One HTTP/1.1 proxy on 127.0.0.1, between a client and a live backend on real TCP connections,
that breaks requests the way a phone's network or a captive portal does. Used by the app's
tests (lost answers, portals), the browser tests (a network that goes away) and the bench (a
share of random faults).

Outcomes of a request, noted in `log` as (method, path, what) and counted in `counts`:

- `passed`: forwarded; the answer is passed on as it comes (a long stream too);
- `drop_before`: the connection is closed before the request reaches the server;
- `drop_after`: the request is forwarded, the server answers (it has committed), and the
  connection is closed instead of passing the answer on: the answer is lost;
- `503`: answered "503 Service Unavailable" by the proxy, without reaching the server;
- `answer`: answered by the proxy with given bytes (a portal's page), then closed.

Which outcome: a rule for that method and path (`drop_answer`, `answer`), else the next of
`script`, else a seeded random draw where a `share` of requests fail. `go_offline()` cuts every
open connection and refuses new ones until `go_online()`. Keep-alive is kept: one upstream
connection per client connection. Runs on its own event loop in its own thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import threading
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

FAULTS = ("drop_before", "drop_after", "503")
MAX_HEAD = 64 * 1024
CHUNK = 64 * 1024
T = TypeVar("T")
# How each outcome is written in `log` (what `count` matches).
NOTED = {
    "passed": "passed",
    "drop_before": "dropped before the server",
    "drop_after": "answer dropped",
    "503": "answered 503 by the proxy",
    "answer": "answered by the proxy",
}


class _Closed(Exception):
    """The peer closed the connection."""


@dataclass
class Rule:
    method: str
    path: str  # a regex matched against the whole path
    outcome: str  # drop_after | answer
    raw: bytes = b""
    times: int = 1


@dataclass
class Head:
    raw: bytes  # start line and headers, with the blank line
    start: str  # the start line
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names


def raw_response(
    status: int,
    body: str = "",
    *,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A whole HTTP/1.1 answer as bytes (what a captive portal sends back)."""
    data = body.encode()
    lines = [f"HTTP/1.1 {status} Portal", f"Content-Type: {content_type}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines += [f"Content-Length: {len(data)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode() + data


PORTAL_PAGE = "<!doctype html><html><body><h1>Wi-Fi</h1><p>Sign in to the network</p></body></html>"
SERVICE_UNAVAILABLE = raw_response(
    503,
    json.dumps({"error": {"code": "http_503", "message": "injected by the fault proxy"}}),
    content_type="application/json",
)


class FaultProxy:
    def __init__(
        self,
        upstream_url: str,
        share: float = 0.0,
        seed: int = 109,
        script: list[str] | None = None,
    ) -> None:
        """`share`: the part of requests (no rule, no script left) given a random fault;
        `script`: the outcomes of the first requests, in order."""
        target = urlsplit(upstream_url)
        self._upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self.share = share
        self._rnd = random.Random(seed)
        self._script = list(script or [])
        self.rules: list[Rule] = []
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str, str]] = []
        self.online = True
        self._streams: Counter[str] = Counter()  # path → answers flowing right now
        self._writers: set[asyncio.StreamWriter] = set()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="proxy")
        self._thread.start()
        self._server = self._call(
            asyncio.start_server(self._client, "127.0.0.1", 0, limit=MAX_HEAD, backlog=128)
        )
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    # -- faults and what happened ----------------------------------------------------------------

    def drop_answer(self, method: str, path: str, times: int = 1) -> None:
        with self._lock:
            self.rules.append(Rule(method, path, "drop_after", times=times))

    def answer(self, method: str, path: str, raw: bytes, times: int = 1) -> None:
        with self._lock:
            self.rules.append(Rule(method, path, "answer", raw, times))

    def count(self, method: str, path: str, what: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for m, p, w in self.log
                if m == method and re.fullmatch(path, p) and (what is None or w == what)
            )

    def streaming(self, path: str) -> int:
        """How many answers to `path` have begun (status 200) and are still flowing."""
        with self._lock:
            return self._streams[path]

    def go_offline(self) -> None:
        """Cut every open connection; new ones are closed at once (no network)."""
        self.online = False
        self._call(self._cut())

    def go_online(self) -> None:
        self.online = True

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        if not self._loop.is_running():
            return
        self.online = False
        self._call(self._shut())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _shut(self) -> None:
        self._server.close()
        await self._cut()

    async def _cut(self) -> None:
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    # -- one client connection -------------------------------------------------------------------

    def _pick(self, method: str, path: str) -> Rule | str:
        with self._lock:
            for rule in self.rules:
                if rule.method == method and re.fullmatch(rule.path, path):
                    rule.times -= 1
                    if rule.times <= 0:
                        self.rules.remove(rule)
                    return rule
        if self._script:
            return self._script.pop(0)
        if self._rnd.random() >= self.share:
            return "passed"
        return self._rnd.choice(FAULTS)

    def _note(self, method: str, path: str, outcome: str) -> None:
        with self._lock:
            self.counts[outcome] += 1
            self.log.append((method, path, NOTED[outcome]))

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.online:
            writer.close()
            return
        self._writers.add(writer)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                request = await _read_head(reader)
                body = await _read_body(reader, request.headers)
                method, target = request.start.split(" ")[:2]
                path = urlsplit(target).path
                picked = self._pick(method, path)
                outcome = picked.outcome if isinstance(picked, Rule) else picked
                # Noted before the client hears anything: what it sees next is already counted.
                if outcome in ("drop_before", "503", "answer"):
                    self._note(method, path, outcome)
                    if outcome == "drop_before":
                        return
                    writer.write(picked.raw if isinstance(picked, Rule) else SERVICE_UNAVAILABLE)
                    await writer.drain()
                    return
                if upstream is None:
                    upstream = await asyncio.open_connection(*self._upstream, limit=MAX_HEAD)
                    self._writers.add(upstream[1])
                up_reader, up_writer = upstream
                up_writer.write(request.raw + body)
                await up_writer.drain()
                answer = await _read_head(up_reader)
                if outcome == "drop_after":
                    await _read_body(up_reader, answer.headers, _answer_has_body(method, answer))
                    self._note(method, path, outcome)
                    return  # the server has answered (and committed): the answer is lost
                self._note(method, path, outcome)
                writer.write(answer.raw)
                if not await self._pass_body(up_reader, writer, method, path, answer):
                    return
        except (_Closed, ConnectionError, OSError, ValueError, IndexError):
            return
        finally:
            for w in (writer, upstream[1] if upstream else None):
                if w is not None:
                    self._writers.discard(w)
                    with contextlib.suppress(Exception):
                        w.close()

    async def _pass_body(
        self,
        up: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        method: str,
        path: str,
        answer: Head,
    ) -> bool:
        """Pass the answer's body on as it arrives; whether the connection may carry more."""
        status = int(answer.start.split()[1])
        with self._lock:
            self._streams[path] += status == 200
        try:
            await writer.drain()
            if not _answer_has_body(method, answer):
                pass
            elif "chunked" in answer.headers.get("transfer-encoding", "").lower():
                while True:
                    size_line = await _read_line(up)
                    size = int(size_line.split(b";")[0].strip(), 16)
                    writer.write(size_line + await _read_exactly(up, size + 2))
                    await writer.drain()
                    if size == 0:
                        break
            elif "content-length" in answer.headers:
                left = int(answer.headers["content-length"])
                while left:
                    data = await _read_exactly(up, min(left, CHUNK))
                    writer.write(data)
                    await writer.drain()
                    left -= len(data)
            else:  # read to the end: the connection carries nothing more
                while data := await up.read(CHUNK):
                    writer.write(data)
                    await writer.drain()
                return False
        finally:
            with self._lock:
                self._streams[path] -= status == 200
        return "close" not in answer.headers.get("connection", "").lower()


def _answer_has_body(method: str, answer: Head) -> bool:
    status = int(answer.start.split()[1])
    return not (method == "HEAD" or status in (204, 304) or 100 <= status < 200)


async def _read_head(reader: asyncio.StreamReader) -> Head:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as exc:
        raise _Closed from exc
    lines = raw.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return Head(raw, lines[0], headers)


async def _read_line(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readuntil(b"\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as exc:
        raise _Closed from exc


async def _read_exactly(reader: asyncio.StreamReader, n: int) -> bytes:
    try:
        return await reader.readexactly(n)
    except (asyncio.IncompleteReadError, ConnectionError) as exc:
        raise _Closed from exc


async def _read_body(
    reader: asyncio.StreamReader, headers: dict[str, str], has_body: bool = True
) -> bytes:
    """A whole body (a request's, or an answer that is not passed on)."""
    if not has_body:
        return b""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        out = bytearray()
        while True:
            size_line = await _read_line(reader)
            size = int(size_line.split(b";")[0].strip(), 16)
            out += size_line + await _read_exactly(reader, size + 2)
            if size == 0:
                return bytes(out)
    length = int(headers.get("content-length", "0") or 0)
    return await _read_exactly(reader, length) if length else b""
