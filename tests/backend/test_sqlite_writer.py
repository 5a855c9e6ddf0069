"""SQLite writers queue in the process (`backend_stub.sqlite_writer`) instead of sleeping in
SQLite's busy handler. Each connection here has a busy timeout of 0: one that reached SQLite's
lock while another writer held it would be refused at once ("database is locked"), so a write
that succeeds after waiting has waited in the process's queue."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from backend_stub.config import Settings
from backend_stub.db import make_engine
from backend_stub.sqlite_writer import QueuedWriterConnection, writer_factory

Connect = Callable[[], sqlite3.Connection]


@pytest.fixture
def connect(tmp_path: Path) -> Iterator[Connect]:
    factory = writer_factory(wait_s=10.0)
    path = tmp_path / "w.db"
    opened: list[sqlite3.Connection] = []

    def open_one() -> sqlite3.Connection:
        conn = sqlite3.connect(path, factory=factory, timeout=0, check_same_thread=False)
        opened.append(conn)
        return conn

    setup = open_one()
    setup.cursor().execute("PRAGMA journal_mode=WAL")
    setup.cursor().execute("CREATE TABLE t (x INTEGER)")
    setup.commit()
    yield open_one
    for conn in opened:
        conn.close()


def write_in_thread(
    conn: sqlite3.Connection, value: int
) -> tuple[threading.Event, list[BaseException]]:
    done, errors = threading.Event(), []

    def run() -> None:
        try:
            conn.cursor().execute("INSERT INTO t VALUES (?)", (value,))
            conn.commit()
        except BaseException as exc:  # handed to the test
            errors.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, errors


def rows(conn: sqlite3.Connection) -> list[int]:
    return sorted(x for (x,) in conn.cursor().execute("SELECT x FROM t"))


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_second_writer_waits_in_the_process_until_the_first_transaction_ends(
    connect: Connect, end: str
) -> None:
    first, second = connect(), connect()
    first.cursor().execute("INSERT INTO t VALUES (1)")  # holds the writer
    done, errors = write_in_thread(second, 2)
    assert not done.wait(0.3), errors  # queued (SQLite alone refuses at once: busy timeout 0)
    getattr(first, end)()
    assert done.wait(10) and not errors, errors
    assert rows(connect()) == ([1, 2] if end == "commit" else [2])


def test_reading_takes_no_turn(connect: Connect) -> None:
    reader, writer = connect(), connect()
    assert rows(reader) == []  # a read (outside a write transaction) holds nothing
    done, errors = write_in_thread(writer, 7)
    assert done.wait(10) and not errors, errors
    assert rows(reader) == [7]


def test_a_failed_first_write_gives_the_turn_back(connect: Connect) -> None:
    first, second = connect(), connect()
    with pytest.raises(sqlite3.OperationalError):
        first.cursor().execute("INSERT INTO no_such_table VALUES (1)")
    done, errors = write_in_thread(second, 3)
    assert done.wait(10) and not errors, errors


def test_a_writer_that_waits_too_long_gets_sqlites_own_error(tmp_path: Path) -> None:
    factory = writer_factory(wait_s=0.2)
    path = tmp_path / "w.db"
    first = sqlite3.connect(path, factory=factory, timeout=0, check_same_thread=False)
    first.cursor().execute("CREATE TABLE t (x INTEGER)")
    first.commit()
    second = sqlite3.connect(path, factory=factory, timeout=0, check_same_thread=False)
    first.cursor().execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        second.cursor().execute("INSERT INTO t VALUES (2)")
    first.rollback()
    second.cursor().execute("INSERT INTO t VALUES (2)")  # its turn now
    second.commit()
    first.close()
    second.close()


def test_the_servers_sqlite_engine_queues_its_writers(tmp_path: Path) -> None:
    """Every connection of the backend's SQLite engine takes part, and a burst of writers through
    it — each holding the writer a moment — all get their turn."""
    engine = make_engine(Settings(data_dir=tmp_path, database_url="", _env_file=None))
    try:
        with engine.begin() as conn:
            assert isinstance(conn.connection.dbapi_connection, QueuedWriterConnection)
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        errors: list[BaseException] = []

        def write(n: int) -> None:
            try:
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                    conn.execute(text("SELECT count(*) FROM t")).one()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors[:3]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 50
    finally:
        engine.dispose()
