"""What the security tests share: a fake SMSC server, production settings, and snapshots of
everything a request could leave behind (rows in every table, files under the data dir)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from backend_stub.config import Settings

PROD_SECRET = "a-production-secret-of-at-least-32-characters"


@dataclass
class FakeSmsc:
    """SMSC.kz's `send.php` on 127.0.0.1: answers `{"id", "cnt"}` and keeps every text sent."""

    url: str = ""
    texts: list[tuple[str, str]] = field(default_factory=list)  # (phones, mes)

    def last_code(self, phone: str) -> str:
        for phones, text in reversed(self.texts):
            if phones == phone.removeprefix("+"):
                return "".join(ch for ch in text if ch.isdigit())[-6:]
        raise AssertionError(f"no SMS to {phone}")


@contextmanager
def fake_smsc() -> Iterator[FakeSmsc]:
    fake = FakeSmsc()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            fake.texts.append((form["phones"][0], form["mes"][0]))
            body = b'{"id": 1, "cnt": 1}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/sys/send.php"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def production_settings(data_dir: Path, smsc_url: str, **over: Any) -> Settings:
    """APP_ENV=production with real-looking secrets and the SMSC adapter at `smsc_url`."""
    values: dict[str, Any] = {
        "app_env": "production",
        "data_dir": data_dir,
        "database_url": os.environ.get("DATABASE_URL", ""),
        "secret_key": PROD_SECRET,
        "open311_api_key": "an-open311-key-for-tests",
        "operator_password": "an-operator-password-for-tests",
        "sms_provider": "smsc",
        "smsc_url": smsc_url,
        "smsc_login": "city109",
        "smsc_password": "smsc-password-for-tests",
        "emergency_system_url": "https://emergency.example.kz",
        "public_base_url": "https://city109.example.kz",
        "allowed_hosts": "testserver",  # the host TestClient sends
        "emergency_worker_interval_s": 0,
        **over,
    }
    return Settings(_env_file=None, **values)


def engine_of(client: TestClient) -> Engine:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    return engine


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the schema."""
    with Session(engine) as db:
        return {
            name: int(db.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in SQLModel.metadata.tables.items()
        }


def stored_files(data_dir: Path) -> set[str]:
    """Every file under the data dir except the SQLite database itself."""
    skip = ("city109.db", "city109.db-wal", "city109.db-shm")
    return {
        str(p.relative_to(data_dir))
        for p in data_dir.rglob("*")
        if p.is_file() and p.name not in skip
    }


@dataclass(frozen=True)
class Footprint:
    rows: dict[str, int]
    files: set[str]


def footprint(client: TestClient) -> Footprint:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    return Footprint(row_counts(engine_of(client)), stored_files(settings.data_dir))


def formatted(records: list[logging.LogRecord]) -> list[str]:
    """Each record as a handler would write it, traceback included, plus its raw arguments."""
    fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [f"{fmt.format(r)} {r.args!r}" for r in records]
