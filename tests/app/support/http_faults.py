"""An HTTP proxy on a real loopback socket, in front of a live backend, that breaks chosen
requests the way a bad mobile network or a captive portal does.

- `drop_answer(method, path)`: the request reaches the server, which answers (and commits);
  the proxy reads the whole answer and closes the client's connection without a byte of it.
- `answer(method, path, raw)`: the proxy answers itself (a portal's login page, a redirect, an
  error page), the server never sees the request.

Every other request passes through. Each client connection carries one request: the proxy asks
the server to close after answering (`Connection: close`), so the client does not reuse it.
Requests with a chunked body are not supported (the app's client always sends a length).
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

HEAD_END = b"\r\n\r\n"


@dataclass
class Rule:
    method: str
    path: str  # a regex matched against the whole path
    kind: str  # drop_answer | answer
    raw: bytes = b""
    times: int = 1


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


class FaultProxy:
    def __init__(self, upstream_url: str) -> None:
        target = urlsplit(upstream_url)
        self._upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.rules: list[Rule] = []
        self.log: list[tuple[str, str, str]] = []  # (method, path, what happened)
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()

    # -- faults ----------------------------------------------------------------------------------

    def drop_answer(self, method: str, path: str, times: int = 1) -> None:
        with self._lock:
            self.rules.append(Rule(method, path, "drop_answer", times=times))

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

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------------

    def _take(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.method == method and re.fullmatch(rule.path, path):
                    rule.times -= 1
                    if rule.times <= 0:
                        self.rules.remove(rule)
                    return rule
        return None

    def _note(self, method: str, path: str, what: str) -> None:
        with self._lock:
            self.log.append((method, path, what))

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _addr = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            request = _read_request(client)
            if request is None:
                return
            head, body = request
            method, target = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
            path = urlsplit(target).path
            rule = self._take(method, path)
            # Noted before the client hears anything: what it sees next is already counted.
            if rule is not None and rule.kind == "answer":
                self._note(method, path, "answered by the proxy")
                client.sendall(rule.raw)
                return
            with socket.create_connection(self._upstream, timeout=30) as upstream:
                upstream.sendall(_closing(head) + body)
                if rule is not None and rule.kind == "drop_answer":
                    _read_to_end(upstream)  # the server answered (and committed): thrown away
                    self._note(method, path, "answer dropped")
                    return
                self._note(method, path, "passed")
                while data := upstream.recv(65536):
                    client.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()


def _read_request(conn: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while HEAD_END not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(HEAD_END)
    match = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    length = int(match.group(1)) if match else 0
    if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
        raise OSError("chunked request bodies are not supported")
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head, body


def _closing(head: bytes) -> bytes:
    """The request head with `Connection: close` (one request per upstream connection)."""
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + HEAD_END


def _read_to_end(conn: socket.socket) -> None:
    while conn.recv(65536):
        pass
