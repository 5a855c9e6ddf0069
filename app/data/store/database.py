"""The SQLite engine of the local store: WAL journal, and one write path per database file.

Why one write path: in web mode one process serves several page sessions on one file (a reload
opens a new session while the old one still syncs and loads), and each writes from worker
threads. SQLite lets one writer in at a time; in WAL mode a transaction that *read* first and
then writes cannot wait for another writer that committed meanwhile: it fails at once with
"database is locked" (busy_timeout does not apply: waiting could deadlock). So:

- `Database.session()` / `Database.begin()` — a transaction that may write. It waits for the
  file's process-wide write lock (a `threading.RLock` shared by every `Database` on the file),
  then starts with `BEGIN IMMEDIATE` (the SQLite write lock from its first statement; another
  process waits under busy_timeout). Writers queue; none fails half-way.
- `Database.read()` — a read-only session: a plain `BEGIN` (a WAL snapshot; readers never wait
  for writers), and a statement that would write there is refused ("read-only").
- Any other transaction on the engine (migrations, tests) also begins `IMMEDIATE`.

Keep write transactions short: never across an `await`, never around a network call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlmodel import Session, create_engine

from app.data.store.migrations import MIGRATIONS, Migration, migrate

READ = "city109_read"  # execution option: a read-only transaction (plain BEGIN)
BUSY_TIMEOUT_MS = 10_000  # another process (or connection) holding the SQLite write lock
WRITE_LOCK_TIMEOUT_S = 30.0  # this process's writers queue for the file's lock this long
_READ_STATEMENTS = ("SELECT", "WITH", "PRAGMA", "EXPLAIN")


def create_sqlite_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
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
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A transaction that may write takes the write lock with its first statement, so a
        # read before its first write can never make it fail later (see the module doc).
        read = conn.get_execution_options().get(READ, False)
        conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _read_only(
        conn: Connection, _cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool
    ) -> None:
        if not conn.get_execution_options().get(READ, False):
            return
        words = statement.lstrip().split(None, 1)
        if words and words[0].upper() not in (*_READ_STATEMENTS, "BEGIN"):
            raise RuntimeError(f"a write in a read-only transaction: {words[0]} (use session())")

    return engine


_write_locks: dict[str, threading.RLock] = {}
_write_locks_guard = threading.Lock()


def _write_lock_for(engine: Engine) -> threading.RLock:
    """The process's one write lock of the file behind `engine`."""
    key = str(Path(engine.url.database or "").resolve())
    with _write_locks_guard:
        return _write_locks.setdefault(key, threading.RLock())


_writing = threading.local()  # the Database whose write transaction this thread is in


class Database:
    """An opened, migrated local database. Blocking: call it from `asyncio.to_thread`."""

    def __init__(self, engine: Engine, version: int) -> None:
        self.engine = engine
        self.version = version
        self.write_lock = _write_lock_for(engine)
        self._reader = engine.execution_options(**{READ: True})

    @classmethod
    def open(cls, path: Path, steps: tuple[Migration, ...] = MIGRATIONS) -> Database:
        engine = create_sqlite_engine(path)
        version = migrate(engine, steps)
        return cls(engine, version)

    @contextmanager
    def _write_turn(self) -> Iterator[None]:
        """This thread's turn to write to the file (the process-wide queue of writers)."""
        if getattr(_writing, "depth", 0):
            # The outer transaction holds SQLite's write lock: the inner one would wait for it
            # until the busy timeout. Pass the outer session down instead.
            raise RuntimeError("a nested write transaction on the local store")
        if not self.write_lock.acquire(timeout=WRITE_LOCK_TIMEOUT_S):
            raise TimeoutError("the local store's write lock stayed busy")
        _writing.depth = 1
        try:
            yield
        finally:
            _writing.depth = 0
            self.write_lock.release()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that may write: it waits for the file's write turn and begins with
        `BEGIN IMMEDIATE`. Commit before leaving; keep it short (no network, no await)."""
        with self._write_turn(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction on a plain connection (committed on leaving, like
        `engine.begin()`), on the file's one write path."""
        with self._write_turn(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session: a consistent snapshot that never waits for writers."""
        with Session(self._reader, expire_on_commit=False) as session:
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
