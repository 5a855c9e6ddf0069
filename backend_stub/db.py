"""Database engine and sessions: SQLite (WAL) by default, any SQLAlchemy URL via DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.schema import CreateIndex
from sqlmodel import Session, SQLModel, create_engine

from backend_stub.config import Settings
from backend_stub.sqlite_writer import writer_factory

# Pools: (kept, extra). SQLite's keeps more connections than the 40 worker threads, all of them:
# a SQLite connection costs little, and one opened per request beyond the pool (with its PRAGMAs)
# costs more. A PostgreSQL connection is the database server's, shared by every server process.
SQLITE_POOL = (50, 10)
POSTGRES_POOL = (10, 20)
# Connections no request may take: the work that is not a request's (the push stream's sign-in
# check and leases, the fan-out, the emergency worker) always finds one.
RESERVED_CONNECTIONS = 5
# How long a request waits for a connection (the pool's own timeout, SQLAlchemy's default).
CONNECTION_WAIT_S = 30
SQLITE_BUSY_S = 30.0  # how long a SQLite write waits for the one writer before "database is locked"


def make_engine(settings: Settings) -> Engine:
    url = settings.effective_database_url
    # Outside dev a failing statement's error (and so the log) names no values: phones, names.
    hide = not settings.is_dev
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_S,
                "factory": writer_factory(SQLITE_BUSY_S),  # writers queue in the process
            },
            hide_parameters=hide,
            pool_size=SQLITE_POOL[0],
            max_overflow=SQLITE_POOL[1],
            pool_timeout=CONNECTION_WAIT_S,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=POSTGRES_POOL[0],
        max_overflow=POSTGRES_POOL[1],
        pool_timeout=CONNECTION_WAIT_S,
        hide_parameters=hide,
    )


def request_slots(engine: Engine) -> int:
    """How many requests may hold a database session at once (`deps.get_db`): the pool's
    connections but the reserved ones. A request holds its connection from its first statement
    until its session closes, and between the two it waits for worker threads (a sync route, its
    answer's serialisation); were more requests allowed in than there are connections, every
    worker thread could wait for a connection held by a request waiting for a thread — a
    deadlock that only the pool's timeout ended, as 503s (80 reads at once on PostgreSQL's 30
    connections, 200 on SQLite's 60)."""
    kept, extra = SQLITE_POOL if engine.dialect.name == "sqlite" else POSTGRES_POOL
    return kept + extra - RESERVED_CONNECTIONS


# Indexes an earlier version made that this one has not: dropped from a database at start.
RETIRED_INDEXES = ("ix_appeal_subclass_code",)  # ix_appeal_nearby leads with subclass_code


def init_db(engine: Engine) -> None:
    """The tables, and the indexes of tables an earlier version made: `create_all` makes missing
    tables only, so a database kept across an upgrade would go on without an index added since
    (a create that scans where it should seek) and on with one retired (a write for nothing)."""
    from backend_stub import models  # noqa: F401  (registers the tables)

    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        have = _index_names(conn)
        for table in SQLModel.metadata.sorted_tables:
            for index in table.indexes:
                if index.name not in have:  # IF NOT EXISTS: another process may be at it too
                    conn.execute(CreateIndex(index, if_not_exists=True))
        for name in RETIRED_INDEXES:
            if name in have:
                conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))


def _index_names(conn: Connection) -> set[str]:
    """The names of the indexes in the database (PostgreSQL: in the current schema), one query."""
    if conn.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return set(conn.execute(text(query)).scalars())


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def forget_rolled_back(session: OrmSession, key: str, previous: SessionTransaction) -> None:
    """After a savepoint rolls back, drop what was noted inside it from `session.info[key]`.

    `session.info[key]` is a list of `(savepoint, item)` pairs, the savepoint being the nested
    transaction that was open when the item was noted (None outside any). The sync feed's
    pending rows and the push channel's pending events both keep such a list.
    """
    pending = session.info.get(key)
    if pending and previous.nested:
        session.info[key] = [(tx, item) for tx, item in pending if not _within(tx, previous)]


def _within(tx: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while tx is not None:
        if tx is outer:
            return True
        tx = tx.parent
    return False
