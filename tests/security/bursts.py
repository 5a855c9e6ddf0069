"""What the burst tests share: a fake SMSC that can be slow and looks at the database while a
message is in flight, the service under attack (one server in a thread, or two server processes
on one database splitting every burst), and tallies of the answers."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from backend_stub.config import Settings
from backend_stub.main import create_app
from tests.live import backend_process, burst, live_app

TOPOLOGIES = ["one-server", "two-processes"]


@dataclass
class Smsc:
    """SMSC.kz's `send.php` on 127.0.0.1. Answers after `delay_s`; on receipt it runs `probe`
    (while the backend is inside its SMS call) and keeps what the probe found."""

    url: str = ""
    delay_s: float = 0.0
    probe: Callable[[], str | None] | None = None
    texts: list[tuple[str, str]] = field(default_factory=list)  # (phone without +, text)
    findings: list[str] = field(default_factory=list)
    arrived: int = 0  # requests received, answered or not yet
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent_to(self, phone: str) -> int:
        with self.lock:
            return sum(1 for p, _ in self.texts if p == phone.removeprefix("+"))

    def total(self) -> int:
        with self.lock:
            return len(self.texts)

    def last_code(self, phone: str) -> str:
        with self.lock:
            texts = [t for p, t in self.texts if p == phone.removeprefix("+")]
        assert texts, f"no SMS to {phone}"
        return "".join(ch for ch in texts[-1] if ch.isdigit())[-6:]

    def received(self, phone: str, message: str) -> None:
        with self.lock:
            self.arrived += 1
        finding = self.probe() if self.probe is not None else None
        time.sleep(self.delay_s)
        with self.lock:
            self.texts.append((phone, message))
            if finding:
                self.findings.append(finding)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # the listen backlog: a burst of sends is not refused


@contextmanager
def fake_smsc(delay_s: float = 0.0) -> Iterator[Smsc]:
    fake = Smsc(delay_s=delay_s)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            fake.received(form["phones"][0], form["mes"][0])
            body = b'{"id": 1, "cnt": 1}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/sys/send.php"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def database_url(data_dir: Path) -> str:
    """The database every server of the test uses: the test's PG schema, else the SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{(data_dir / 'city109.db').resolve()}"


def open_transactions(data_dir: Path) -> Callable[[], str | None]:
    """A probe: what write transaction is open on the test's database right now, if any.

    SQLite: whether another connection can take the write lock at once (BEGIN IMMEDIATE, no
    wait). PostgreSQL: connections of the test's schema idle inside a transaction."""
    url = database_url(data_dir)
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def sqlite_probe() -> str | None:
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                return None
            except sqlite3.OperationalError as exc:
                return f"SQLite write lock held during the SMS call ({exc})"
            finally:
                conn.close()

        return sqlite_probe
    engine = create_engine(url, poolclass=NullPool)
    name = make_url(url).query.get("application_name", "")

    def pg_probe() -> str | None:
        with engine.connect() as conn:
            n = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"
                    " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
        return f"{n} PostgreSQL transaction(s) open during the SMS call" if n else None

    return pg_probe


def smsc_env(smsc: Smsc) -> dict[str, str]:
    return {
        "SMS_PROVIDER": "smsc",
        "SMSC_URL": smsc.url,
        "SMSC_LOGIN": "city109",
        "SMSC_PASSWORD": "smsc-password-for-tests",
        # the fake gateway answers at once: a send taking longer is the machine's load (a CI
        # run beside others), not a gateway to time out
        "SMSC_TIMEOUT_S": "25",  # below the test clients' 30 s
    }


@dataclass
class Service:
    """The backend under attack: one or more base URLs on one database, and that database."""

    urls: list[str]
    engine: Engine
    data_dir: Path

    def url(self, i: int) -> str:
        """The server the i-th request of a burst goes to (round robin)."""
        return self.urls[i % len(self.urls)]


@contextmanager
def service(topology: str, data_dir: Path, smsc: Smsc, **over: Any) -> Iterator[Service]:
    """`one-server`: the app in a thread (uvicorn); `two-processes`: two `python -m
    backend_stub` on the same data dir and database. `over`: settings, e.g. otp_ttl_s=60."""
    env = {**smsc_env(smsc), **{k.upper(): str(v) for k, v in over.items()}}
    url = database_url(data_dir)
    engine = create_engine(url, poolclass=NullPool)
    with ExitStack() as stack:
        if topology == "one-server":
            values = {k.lower(): v for k, v in env.items()}
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                data_dir=data_dir,
                database_url=os.environ.get("DATABASE_URL", ""),
                emergency_worker_interval_s=0,
                **values,
            )
            urls = [stack.enter_context(live_app(create_app(settings)))]
        else:
            first = stack.enter_context(backend_process(data_dir, env=env, name="a"))
            second = stack.enter_context(backend_process(data_dir, env=env, name="b"))
            urls = [first.url, second.url]
        try:
            yield Service(urls, engine, data_dir)
        finally:
            engine.dispose()


def tally(responses: list[httpx.Response]) -> Counter[str]:
    """`status` or `status error-code` of each answer, counted."""
    out: Counter[str] = Counter()
    for r in responses:
        code = ""
        if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application"):
            try:
                code = r.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = "?"
        out[f"{r.status_code} {code}".strip()] += 1
    return out


def server_errors(responses: list[httpx.Response]) -> list[str]:
    return [f"{r.status_code} {r.text[:200]}" for r in responses if r.status_code >= 500]


def post_burst(
    svc: Service, n: int, path: str, body: Callable[[int], dict[str, Any]]
) -> list[httpx.Response]:
    """n POSTs at once, split round robin over the service's servers."""
    return burst(n, lambda c, i: c.post(svc.url(i) + path, json=body(i)))


def sign_in(svc: Service, smsc: Smsc, phone: str) -> dict[str, Any]:
    """The SMS-code flow through the fake SMSC → the token answer."""
    with httpx.Client(base_url=svc.urls[0], timeout=30) as c:
        r = c.post("/api/v1/auth/otp/request", json={"phone": phone})
        assert r.status_code == 200, r.text
        r = c.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": smsc.last_code(phone)})
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
