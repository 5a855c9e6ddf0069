"""The backend under test: `python -m backend_stub` in its own process on 127.0.0.1 (started the
tests' one way, `tests.live.backend`), on a fresh SQLite file or a fresh PostgreSQL schema, with
residents and an operator whose sessions are written straight into the database (signing in
1,000 people by SMS would hit the SMS limits)."""

from __future__ import annotations

import os
import resource
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.crud import sessions as sessions_crud
from backend_stub.crud import staff as staff_crud
from backend_stub.db import init_db, make_engine
from backend_stub.models import User
from tests import live

ROOT = Path(__file__).resolve().parents[1]


def raise_fd_limit(wanted: int = 8192) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A fresh schema on the server at `url`; yields a URL whose search_path is that schema."""
    name = f"bench_{os.getpid()}_{int(time.time())}_{secrets.token_hex(3)}"  # two in one second
    admin = create_engine(url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@dataclass
class People:
    residents: list[dict[str, str]]  # Authorization headers
    operator: dict[str, str]


def seed_people(settings: Settings, residents: int) -> People:
    """Residents and one staff member (a supervisor) with live sessions, written directly (no
    SMS round trips)."""
    engine = make_engine(settings)
    init_db(engine)
    headers: list[dict[str, str]] = []
    with Session(engine) as db:
        users = [User(phone=f"+7702{n:07d}", language="ru") for n in range(residents)]
        db.add_all(users)
        account = staff_crud.create(  # a supervisor may publish alerts
            db,
            login="bench-supervisor",
            display_name="Bench supervisor",
            role="supervisor",
            password=secrets.token_urlsafe(24),
            phone="+77029999999",
        )
        operator = db.get_one(User, account.user_id)
        db.flush()
        for user in [*users, operator]:
            pair = sessions_crud.start_session(db, settings=settings, user=user)
            headers.append({"Authorization": f"Bearer {pair.access_token}"})
        db.commit()
    engine.dispose()
    return People(residents=headers[:-1], operator=headers[-1])


@dataclass
class Backend:
    url: str
    process: subprocess.Popen[bytes]
    label: str


def seeded(data_dir: Path, database_url: str, residents: int) -> tuple[dict[str, str], People]:
    """Seed the database; the environment a server process on it needs, and the people."""
    env = {"DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "ACCESS_TOKEN_TTL_S": "7200"}
    settings = Settings(
        _env_file=None,
        data_dir=data_dir,
        database_url=database_url,
        access_token_ttl_s=7200,
    )
    return env, seed_people(settings, residents)


@contextmanager
def backend(
    data_dir: Path, database_url: str, label: str, residents: int
) -> Iterator[tuple[Backend, People]]:
    """Seed the database, start the server on a free loopback port, stop it afterwards."""
    env, people = seeded(data_dir, database_url, residents)
    with live.backend(data_dir, env=env, log=data_dir / "backend.log") as server:
        assert server.proc is not None
        yield Backend(server.url, server.proc, label), people
