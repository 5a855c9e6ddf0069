"""Real servers on real sockets, for the tests that attack the backend as a network would.

- `live_app(app)`: the app served by uvicorn in a thread on a free 127.0.0.1 port → its URL.
- `backend_process(data_dir)`: `python -m backend_stub` in its own process (it reads this
  process's environment, so under `scripts/pg-test.sh` it lands in the test's PostgreSQL schema);
  several of them on one data dir and one database act as one service.
- `burst(n, make)`: n requests at once over one socket pool (`asyncio.gather`), answers in order;
  `run_async(coro)`: `asyncio.run` that works beside the browser tests' running loop.
- `sign_in_http(url, phone)`: the real SMS-code flow through the dev inbox → auth headers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@dataclass
class BackendProcess:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def backend_process(
    data_dir: Path, *args: str, env: dict[str, str] | None = None, name: str = "backend"
) -> Iterator[BackendProcess]:
    """`python -m backend_stub` on a free loopback port, answering /health; stopped on exit."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"{name}-{port}.log"
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "EMERGENCY_WORKER_INTERVAL_S": "0"}
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "backend_stub", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--data-dir", str(data_dir), *args]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert proc.poll() is None, f"{name} exited:\n{log.read_text(errors='replace')}"
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{name} did not start:\n{log.read_text()}"
            time.sleep(0.1)
        yield BackendProcess(url, proc, log)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


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


def sign_in_http(url: str, phone: str) -> dict[str, str]:
    """The SMS-code flow through the dev inbox of the server at `url` → bearer headers."""
    with httpx.Client(base_url=url, timeout=30) as c:
        r = c.post("/api/v1/auth/otp/request", json={"phone": phone})
        assert r.status_code == 200, r.text
        code = c.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]
        r = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}
