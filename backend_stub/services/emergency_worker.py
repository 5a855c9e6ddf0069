"""The background worker that drives forwards to the emergency services (SPEC 30-1).

Each tick (`step_once`) goes over the open forwards, each in its own transaction, and for each:
1. sent or not_confirmed with an incident id: asks the system for the incident's status; once
   it is accepted, the forward is accepted (the push callback usually gets there first);
2. pending or sent past `confirm_by`: not_confirmed, the operator is alerted, a resend is due;
3. a (re)send due: POSTs the payload (same idempotency key, so never a second incident); on an
   error the next try waits `emergency_retry_s`, doubling; after `MAX_ATTEMPTS` POSTs without a
   confirmation the forward fails with a last alert.
No transaction is held open over an HTTP call; the row is re-read after it, so a confirmation
that arrived meanwhile is kept. (Should a callback land between that re-read and the commit, the
status check of the next tick puts the acceptance back.)

Several server processes on one PostgreSQL each run a worker, but one pass runs at a time: a
pass holds a PostgreSQL advisory lock (`one_pass_at_a_time`) and a process that cannot take it
skips its tick, so an attempt is never counted twice by two processes stepping the same forward.

`step_once(engine, settings, now=...)` is also what tests call with an injected clock;
`run_emergency_worker` ticks every `emergency_worker_interval_s` (0 = off) and right away when
`wake(engine)` is called after a new forward.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.crud import emergency as crud
from backend_stub.models import Appeal, EmergencyForward, utcnow
from backend_stub.schemas.emergency import ForwardState
from backend_stub.services import emergency_adapter as adapter
from backend_stub.services.steps import step_in_thread

log = logging.getLogger("city109.emergency")

PASS_LOCK = 0x109E  # the advisory lock key of a worker pass (PostgreSQL)


@contextlib.contextmanager
def one_pass_at_a_time(engine: Engine) -> Iterator[bool]:
    """Whether this process may make a pass now: on PostgreSQL, only while it holds the
    session-level advisory lock on a connection of its own (released after the pass, or by
    PostgreSQL when the process dies); SQLite has one process per database file."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PASS_LOCK}).scalar())
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PASS_LOCK})
                conn.commit()


_wakers: dict[int, Callable[[], None]] = {}


@dataclass(frozen=True)
class _Step:
    """One forward's step of a pass: its session, the HTTP client, the forward and its appeal."""

    db: Session
    settings: Settings
    client: httpx.Client
    fwd: EmergencyForward
    appeal: Appeal
    now: datetime

    def check_status(self) -> bool:
        db, fwd = self.db, self.fwd
        assert fwd.external_id is not None
        db.commit()  # nothing held open over the HTTP call
        try:
            url = adapter.system_url(self.settings, fwd)
            incident = adapter.status(self.client, self.settings, url, fwd.external_id)
        except adapter.EmergencySystemError as exc:
            log.info("emergency: status of forward %s unknown: %s", fwd.id, exc)
            return False
        if incident.accepted is None:
            return False
        db.refresh(fwd)
        acceptance_id, accepted_at = incident.accepted
        if crud.mark_accepted(
            db,
            fwd=fwd,
            appeal=self.appeal,
            acceptance_id=acceptance_id,
            accepted_at=accepted_at,
            now=self.now,
        ):
            db.commit()
        return True

    def send(self) -> None:
        db, settings, fwd = self.db, self.settings, self.fwd
        incident: adapter.Incident | None = None
        error: str | None = None
        try:
            payload = adapter.build_payload(db, settings, fwd, self.appeal)
            url = adapter.system_url(settings, fwd)
            db.commit()  # nothing held open over the HTTP call
            incident = adapter.submit(self.client, settings, url, payload)
        except adapter.EmergencySystemError as exc:
            error = str(exc) or type(exc).__name__
            log.warning("emergency: forward %s not received: %s", fwd.id, error)
        db.refresh(fwd)
        crud.record_attempt(
            db,
            settings=settings,
            fwd=fwd,
            appeal=self.appeal,
            now=self.now,
            external_id=incident.incident_id if incident else None,
            already_accepted=incident.accepted if incident else None,
            error=error,
        )
        db.commit()


def step_forward(
    engine: Engine, settings: Settings, client: httpx.Client, forward_id: int, now: datetime
) -> None:
    with Session(engine, expire_on_commit=False) as db:
        found = crud.open_forward(db, forward_id=forward_id)
        if found is None:
            return
        fwd, appeal = found
        step = _Step(db, settings, client, fwd, appeal, now)
        waiting = (ForwardState.SENT.value, ForwardState.NOT_CONFIRMED.value)
        if fwd.state in waiting and fwd.external_id and step.check_status():
            return
        unconfirmed = (ForwardState.PENDING.value, ForwardState.SENT.value)
        if fwd.state in unconfirmed and now >= fwd.confirm_by:
            crud.mark_not_confirmed(db, settings=settings, fwd=fwd, appeal=appeal, now=now)
            db.commit()
        if fwd.next_attempt_at is None or now < fwd.next_attempt_at:
            return
        if fwd.attempts >= crud.MAX_ATTEMPTS:
            crud.mark_failed(db, fwd=fwd, appeal=appeal, now=now)
            db.commit()
            return
        step.send()


def step_once(
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    *,
    client: httpx.Client | None = None,
) -> int:
    """One pass over the open forwards; returns how many there were.

    A forward whose step fails unexpectedly is logged and left for the next pass.
    """
    now = now or utcnow()
    with one_pass_at_a_time(engine) as mine:
        if not mine:
            return 0  # another process is making its pass
        with Session(engine) as db:
            ids = crud.open_ids(db)
        if not ids:
            return 0
        own_client = client is None
        http = client or adapter.new_client()
        try:
            for forward_id in ids:
                try:
                    step_forward(engine, settings, http, forward_id, now)
                except Exception:
                    log.exception("emergency: forward %s: step failed", forward_id)
        finally:
            if own_client:
                http.close()
        return len(ids)


def wake(engine: Engine) -> None:
    """Ask the running worker (if any) for a pass now, e.g. right after a new forward."""
    waker = _wakers.get(id(engine))
    if waker is not None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            waker()


async def run_emergency_worker(engine: Engine, settings: Settings) -> None:
    """`step_once` in a worker thread every `emergency_worker_interval_s` and on `wake`.

    Errors are logged and the loop goes on; cancellation stops it after the pass under way.
    """
    interval = settings.emergency_worker_interval_s
    if interval <= 0:
        return
    loop = asyncio.get_running_loop()
    event = asyncio.Event()

    def _wake() -> None:
        loop.call_soon_threadsafe(event.set)

    _wakers[id(engine)] = _wake
    try:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=interval)
            event.clear()
            try:
                await step_in_thread(step_once, engine, settings)
            except Exception:
                log.exception("emergency: worker pass failed")
    finally:
        _wakers.pop(id(engine), None)


def start(engine: Engine, settings: Settings) -> asyncio.Task[None] | None:
    """Start the worker in the app's lifespan (None when it is switched off)."""
    if settings.emergency_worker_interval_s <= 0:
        return None
    return asyncio.create_task(run_emergency_worker(engine, settings))


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
