"""What the security tests share: production settings and snapshots of
everything a request could leave behind (rows in every table, files under the data dir).
The fake SMSC server is `tests.security.bursts.fake_smsc`."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from backend_stub.config import Settings

PROD_SECRET = "a-production-secret-of-at-least-32-characters"


def production_settings(data_dir: Path, smsc_url: str, **over: Any) -> Settings:
    """APP_ENV=production with real-looking secrets and the SMSC adapter at `smsc_url`."""
    values: dict[str, Any] = {
        "app_env": "production",
        "data_dir": data_dir,
        "database_url": os.environ.get("DATABASE_URL", ""),
        "secret_key": PROD_SECRET,
        "open311_api_key": "an-open311-key-for-tests",
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
