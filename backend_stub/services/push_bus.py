"""The push bus between server processes on one PostgreSQL database: each process's listener,
and the leases that count a resident's push streams across processes.

`push` sends every committed feed row and every ended sign-in as a `NOTIFY` on the schema's
channel (inside the writing transaction: delivered on commit only). One `Listener` thread per
process keeps one connection of its own (psycopg, autocommit) `LISTEN`ing there and hands what
other processes announced to this process's `Broker`. When that connection is lost the listener
reconnects (backing off up to `MAX_BACKOFF_S`) and, once it listens again, tells every local
stream "resync": notices sent meanwhile are gone, and the app then pulls the feed from its
cursor. An idle ping every `PING_S` notices a connection that died silently.

Leases (`crud.push_streams`): a stream takes one before it starts (`take_lease`; None when the
resident has the cap already, on any process) and gives it back when it ends. The listener
thread renews this process's leases every `RENEW_S`; a process that dies stops renewing, and its
leases stop counting `LEASE_S` later, so nobody is locked out for longer than that.
SQLite has neither: one process serves one database file, and its broker counts its streams.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import psycopg
from psycopg import sql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from backend_stub.crud import push_streams
from backend_stub.models import utcnow
from backend_stub.services import push

log = logging.getLogger("city109.push_bus")

APPLICATION_NAME = "city109-push"  # the listener's connection in pg_stat_activity
LEASE_S = 60.0
RENEW_S = 15.0
PING_S = 5.0
WAIT_S = 1.0  # one wait for notices; the stop flag is looked at in between
FIRST_BACKOFF_S = 0.2
MAX_BACKOFF_S = 5.0


def shared(engine: Engine) -> bool:
    """Whether several processes may serve this database (PostgreSQL) and need the bus."""
    return engine.dialect.name == "postgresql"


def _bus(engine: Engine) -> push.Bus:
    with engine.connect() as connection:
        return push.bus_of(engine, connection)


def take_lease(engine: Engine, *, user_id: int, session_id: int, limit: int) -> str | None:
    """A lease for a new stream of the resident, held by this process; None at the cap."""
    now = utcnow()
    with Session(engine) as db:
        lease = push_streams.take(
            db,
            user_id=user_id,
            session_id=session_id,
            holder=push.bus_of(engine, db.connection()).origin,
            limit=limit,
            now=now,
            until=now + timedelta(seconds=LEASE_S),
        )
        db.commit()
    return lease


def give_back(engine: Engine, lease: str) -> None:
    """The stream ended: its lease stops counting (or expires, if the database is away)."""
    try:
        with Session(engine) as db:
            push_streams.give_back(db, lease_id=lease)
            db.commit()
    except SQLAlchemyError:
        log.warning("push bus: a lease was not given back; it expires in %.0f s", LEASE_S)


class Listener:
    """This process's one LISTEN connection, in a thread of its own (`start`, `stop`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.broker = push.broker_for(engine)
        self.bus = _bus(engine)
        url = engine.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self.listening = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="push-bus", daemon=True)
        self._renew_at = time.monotonic() + RENEW_S

    def start(self, timeout: float = 10.0) -> Listener:
        """Start listening; returns once the LISTEN stands (or `timeout` passed: it retries)."""
        self._thread.start()
        if not self.listening.wait(timeout):
            log.warning("push bus: not listening yet; streams resync once it does")
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(WAIT_S + PING_S)
        self.broker.shortcut.distrust()
        try:  # the streams' own give-backs may have been cut short by the shutdown
            with Session(self.engine) as db:
                push_streams.give_back_all(db, holder=self.bus.origin)
                db.commit()
        except SQLAlchemyError:
            log.warning("push bus: this process's leases not given back; they expire")

    def _run(self) -> None:
        backoff, lost = FIRST_BACKOFF_S, False
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    self._conninfo, autocommit=True, application_name=APPLICATION_NAME
                ) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.bus.channel)))
                    self.broker.shortcut.trust()  # every commit from now on is heard
                    if lost:  # notices sent while nobody listened are gone
                        self.broker.resync_all()
                    backoff, lost = FIRST_BACKOFF_S, False
                    self.listening.set()
                    self._serve(conn)
            except psycopg.Error as exc:
                self.listening.clear()
                self.broker.shortcut.distrust()
                lost = True
                log.warning("push bus: connection lost (%s); reconnecting", type(exc).__name__)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                self._renew_if_due()
            except BaseException:
                self.broker.shortcut.distrust()  # this thread ends: nothing is heard any more
                raise

    def _serve(self, conn: psycopg.Connection) -> None:
        pinged = time.monotonic()
        while not self._stopping.is_set():
            for notice in conn.notifies(timeout=WAIT_S):
                self._deliver(notice.payload)
            if time.monotonic() - pinged >= PING_S:
                conn.execute("SELECT 1")
                pinged = time.monotonic()
            self._renew_if_due()

    def _deliver(self, payload: str) -> None:
        notice = push.read_notice(payload, own=self.bus.origin)
        if notice is None:
            return
        rows, sessions, users = notice
        if rows:
            self.broker.publish(rows)
        if sessions or users:
            self.broker.end(sessions, users)

    def _renew_if_due(self) -> None:
        if time.monotonic() < self._renew_at:
            return
        self._renew_at = time.monotonic() + RENEW_S
        leases = self.broker.leases()
        if not leases:
            return
        try:
            with Session(self.engine) as db:
                push_streams.renew(db, ids=leases, until=utcnow() + timedelta(seconds=LEASE_S))
                db.commit()
        except SQLAlchemyError:
            log.exception("push bus: renewing %d leases failed", len(leases))


def start(engine: Engine) -> Listener | None:
    """The process's listener on PostgreSQL, started; None on SQLite."""
    return Listener(engine).start() if shared(engine) else None
