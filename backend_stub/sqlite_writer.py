"""One SQLite writer at a time, queued in the process instead of polled by SQLite.

SQLite lets one connection write at a time. A connection that finds the file locked sleeps in
SQLite's busy handler — 1, 2, 5, 10 … then 100 ms between tries — and so, under a burst of
writes, a writer goes on sleeping long after the lock is free: 32 residents filing at once on one
process got p95 ~3 s with the CPU partly idle. Here a connection takes its database's writer lock
(a `threading.Lock`) just before the first write statement of a transaction and gives it back when
the transaction ends (commit, rollback, close): a waiting writer is woken the moment the lock is
free. The lock is held exactly while SQLite's own would be (from the first write to the end of
the transaction), so no wait is added that SQLite did not already impose. SQLite runs one server
process per file (README), so the process's lock is the file's; SQLite's busy timeout stays as the
backstop for anything else that opens the file.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITES)


class _Cursor(sqlite3.Cursor):
    connection: QueuedWriterConnection

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        with self.connection.turn(sql):
            super().execute(sql, parameters)
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _Cursor:
        with self.connection.turn(sql):
            super().executemany(sql, seq_of_parameters)
        return self


class QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection that queues for its database's writer lock (`writer_factory`)."""

    writer: threading.Lock
    wait_s: float

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._holding = False

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)

    @contextmanager
    def turn(self, statement: str) -> Iterator[None]:
        """Run `statement` holding the writer if it writes; give it back if the transaction
        ended (or never began) with it."""
        if not self._holding and _is_write(statement):
            if not self.writer.acquire(timeout=self.wait_s):
                raise sqlite3.OperationalError("database is locked")  # SQLite's own words for it
            self._holding = True
        try:
            yield
        finally:
            self.after()

    def after(self) -> None:
        if self._holding and not self.in_transaction:  # ended (or never began) with the statement
            self._release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.after()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.after()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._holding:
                self._release()

    def _release(self) -> None:
        self._holding = False
        self.writer.release()


def writer_factory(wait_s: float) -> type[QueuedWriterConnection]:
    """A connection class for one database: its connections share one writer lock."""
    return type(
        "QueuedWriterConnection",
        (QueuedWriterConnection,),
        {"writer": threading.Lock(), "wait_s": wait_s},
    )
