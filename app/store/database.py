"""The SQLite engine of the local store: WAL journal, one engine per file per process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from app.store.migrations import MIGRATIONS, Migration, migrate

IMMEDIATE = "city109_begin_immediate"  # execution option: BEGIN IMMEDIATE


def create_sqlite_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 10},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite would otherwise run DDL outside transactions (a half-applied migration);
        # SQLAlchemy's documented recipe: no implicit handling, and BEGIN on each transaction.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A write transaction that reads first must take the write lock at once: a deferred
        # BEGIN that reads, then writes after another connection committed, fails with
        # "database is locked" at once (WAL snapshot), without waiting for busy_timeout.
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """An opened, migrated local database. Blocking: call it from `asyncio.to_thread`."""

    def __init__(self, engine: Engine, version: int) -> None:
        self.engine = engine
        self.version = version

    @classmethod
    def open(cls, path: Path, steps: tuple[Migration, ...] = MIGRATIONS) -> Database:
        engine = create_sqlite_engine(path)
        version = migrate(engine, steps)
        return cls(engine, version)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session for a transaction that reads and then writes: it starts with BEGIN
        IMMEDIATE (waits for the write lock up front instead of failing half-way)."""
        bind = self.engine.execution_options(**{IMMEDIATE: True})
        with Session(bind, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


_open: dict[Path, Database] = {}
_lock = threading.Lock()


def open_database(path: Path) -> Database:
    """The process's one `Database` for this file (web mode: page sessions share the engine and
    the migration runs once)."""
    key = path.resolve()
    with _lock:
        db = _open.get(key)
        if db is None:
            db = _open[key] = Database.open(key)
        return db
