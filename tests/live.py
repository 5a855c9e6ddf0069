"""Real servers on real sockets, for the tests that attack the backend as a network would.

- `live_app(app)`: the app served by uvicorn in a thread on a free 127.0.0.1 port → its URL.
- `LiveProcess`: a Python process of ours (the backend, the app in web mode) on a loopback URL,
  started once it answers and stopped afterwards; `backend(data_dir)` builds the backend's,
  `backend_process(data_dir)` runs one for a `with` block. It reads this process's environment,
  so under `scripts/pg-test.sh` it lands in the test's PostgreSQL schema; several of them on one
  data dir and one database act as one service.
- `burst(n, make)`: n requests at once over one socket pool (`asyncio.gather`), answers in order;
  `run_async(coro)`: `asyncio.run` that works beside the browser tests' running loop.
- `sign_in_with(client, phone)`, `sign_in_http(url, phone)`: the real SMS-code flow through the
  dev inbox → auth headers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
START_TIMEOUT_S = 60.0


def _ephemeral_ports() -> range:
    """The ports the kernel gives outgoing connections (Linux's default range if unreadable)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return range(int(low), int(high) + 1)
    except (OSError, ValueError):
        return range(32768, 61000)


def _listening_ports() -> range:
    """Ports for our servers: the 10,000 below the kernel's ephemeral range, else any."""
    ephemeral = _ephemeral_ports()
    if ephemeral.start - 10_000 >= 1024:
        return range(ephemeral.start - 10_000, ephemeral.start)
    return range(1024, 65536)


_LISTENING = _listening_ports()
_handed_out: set[int] = set()
_ports_lock = threading.Lock()


def free_port() -> int:
    """A loopback port for a server of ours to listen on, chosen below the kernel's ephemeral
    range: a port the kernel hands out (bind to 0) can be taken, before our server binds it, by
    any outgoing connection on the machine — a browser test's app once failed to start so. Never
    the same port twice in this process (a server may still be on its way to it)."""
    with _ports_lock:
        for _ in range(1000):
            port = random.choice(_LISTENING)
            if port in _handed_out:
                continue
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free loopback port in {_LISTENING}")


@contextmanager
def live_app(app: FastAPI) -> Iterator[str]:
    """Serve `app` (lifespan included) on a free loopback port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", timeout_graceful_shutdown=2, backlog=1024, proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


class LiveProcess:
    """`python <args>` of ours, run from the repository on a loopback URL with its output in
    `log`: `start()` returns once `url + ready_path` answers 200 (failing with the log if it
    exits or is not ready within START_TIMEOUT_S); `stop()` terminates it (then kills it)."""

    def __init__(
        self,
        args: list[str],
        url: str,
        log: Path,
        *,
        name: str,
        ready_path: str = "/health",
        env: dict[str, str] | None = None,
    ) -> None:
        self.args, self.url, self.log, self.name = args, url, log, name
        self.ready_path = ready_path
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self) -> LiveProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, *self.args], cwd=ROOT, env=self.env, stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.output()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"{self.name} did not start:\n{self.output()}")
            time.sleep(0.2)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def __enter__(self) -> LiveProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def backend(
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    name: str = "backend",
    port: int = 0,
    emergency_worker: bool = False,
    log: Path | None = None,
) -> LiveProcess:
    """`python -m backend_stub` on `data_dir` (a free loopback port unless given), not started
    yet; its log in `data_dir` unless given. Without `emergency_worker` the emergency
    forwarding worker is off (most tests drive it by hand)."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    full_env = {} if emergency_worker else {"EMERGENCY_WORKER_INTERVAL_S": "0"}
    full_env.update(env or {})
    cmd = ["-m", "backend_stub", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--data-dir", str(data_dir), *args]
    log = log or data_dir / f"{name}-{port}.log"
    return LiveProcess(cmd, f"http://127.0.0.1:{port}", log, name=name, env=full_env)


@contextmanager
def backend_process(
    data_dir: Path, *args: str, env: dict[str, str] | None = None, name: str = "backend"
) -> Iterator[LiveProcess]:
    """`python -m backend_stub` on a free loopback port, answering /health; stopped on exit."""
    with backend(data_dir, *args, env=env, name=name) as server:
        yield server


def burst(
    n: int,
    make: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    *,
    timeout: float = 60.0,
) -> list[httpx.Response]:
    """Send n requests at once (`make(client, i)` builds the i-th); return the answers in order.

    One client with a pool wide enough for every request, so all n are on the wire together.
    """

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
            return list(await asyncio.gather(*(make(client, i) for i in range(n))))

    return run_async(run())


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a loop of its own in a thread of its own: Playwright's sync API (the
    browser tests, in the same pytest process) leaves an event loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def sign_in_with(http: httpx.Client, phone: str) -> dict[str, str]:
    """The SMS-code flow through the dev inbox, over `http` (a client of the server, a
    `TestClient` too) → bearer headers."""
    r = http.post("/api/v1/auth/otp/request", json={"phone": phone})
    assert r.status_code == 200, r.text
    code = http.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]
    r = http.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def sign_in_http(url: str, phone: str) -> dict[str, str]:
    """The SMS-code flow through the dev inbox of the server at `url` → bearer headers."""
    with httpx.Client(base_url=url, timeout=30) as c:
        return sign_in_with(c, phone)
