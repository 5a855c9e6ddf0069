"""A TCP proxy between the app (in web mode, a Python process) and the backend that a test can
switch off: "offline" for the app while the browser stays connected to the app.

Offline: every open connection is cut and new ones are accepted and closed at once, so the
app's HTTP client sees connection errors (as on a phone without network); online again: bytes
flow as before.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlparse


class NetProxy:
    def __init__(self, upstream_url: str) -> None:
        target = urlparse(upstream_url)
        self._upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._online = True
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="netproxy").start()

    # -- switching -----------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        return self._online

    def go_offline(self) -> None:
        self._online = False
        with self._lock:
            sockets, self._open = list(self._open), set()
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()

    def go_online(self) -> None:
        self._online = True

    def close(self) -> None:
        self._closed = True
        self.go_offline()
        with contextlib.suppress(OSError):
            self._listener.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _addr = self._listener.accept()
            except OSError:
                return
            if not self._online:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            try:
                server = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                src.close()
            with self._lock:
                self._open.discard(src)
                self._open.discard(dst)
