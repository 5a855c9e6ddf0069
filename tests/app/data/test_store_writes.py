"""One write path per database file: no "database is locked", whatever writes at once.

In web mode one process serves several page sessions on one local database (a reload opens a
new session while the old one still runs its sync engine and loads). Each of them writes from
worker threads. A transaction that read first and then writes cannot wait for another writer in
SQLite's WAL mode: it fails at once with "database is locked" (busy_timeout does not apply).
These tests write as those sessions do and count the failures: none.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from app.composition import AppSession
from app.data.repositories import outbox as ob
from app.data.store.database import Database, open_database
from app.data.store.models import OutboxEntry, Setting


def _run_together(*jobs: Callable[[], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as exc:  # collected, the test reports them all
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_a_read_then_write_transaction_waits_for_another_writer(tmp_path: Path) -> None:
    """The store's write session reads, another writer commits meanwhile, then it writes."""
    path = tmp_path / "app.db"
    first, second = Database.open(path), Database.open(path)  # two engines on one file
    read_done, other_done = threading.Event(), threading.Event()

    def reads_then_writes() -> None:
        with first.session() as s:
            s.get(Setting, "a")  # the transaction has read
            read_done.set()
            other_done.wait(1.0)  # the other writer commits now, or waits for us
            s.add(Setting(key="a", value="1"))
            s.commit()

    def writes() -> None:
        read_done.wait(10)
        try:
            with second.session() as s:
                s.add(Setting(key="b", value="2"))
                s.commit()
        finally:
            other_done.set()

    errors = _run_together(reads_then_writes, writes)
    assert errors == []
    with first.read() as s:
        assert {r.key: r.value for r in s.exec(select(Setting)).all()} == {"a": "1", "b": "2"}
    first.close()
    second.close()


def test_a_read_session_refuses_to_write(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "app.db")
    with db.read() as s:
        assert s.get(Setting, "x") is None
        s.add(Setting(key="x", value="1"))
        with pytest.raises(Exception, match="read-only"):
            s.commit()
    with db.read() as s:
        assert s.get(Setting, "x") is None
    db.close()


def test_a_write_inside_a_write_on_one_thread_fails_at_once(tmp_path: Path) -> None:
    """Nesting would wait for itself until the busy timeout; it is a bug, said at once."""
    db = Database.open(tmp_path / "app.db")
    with db.session() as s:
        s.add(Setting(key="x", value="1"))
        s.flush()
        with pytest.raises(RuntimeError, match="nested"), db.begin() as conn:
            conn.execute(text("DELETE FROM setting"))
        s.commit()
    db.close()


PROFILE = {
    "id": 7,
    "phone": "+77011234567",
    "full_name": "Айгүл",
    "language": "kk",
    "addresses": [
        {"id": 1, "label": "home", "text": "Астана, Мәңгілік Ел 8", "lat": 51.1, "lon": 71.4}
    ],
    "notify_status_updates": True,
    "alert_levels": ["Extreme", "Severe"],
}


def _poll(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "question_kk": f"Сауалнама {n}",
        "question_ru": f"Опрос {n}",
        "options": [{"id": 1, "text_kk": "иә", "text_ru": "да"}],
        "status": "open",
        "opens_at": "2026-01-01T00:00:00+00:00",
        "closes_at": "2030-01-01T00:00:00+00:00",
        "multiple": False,
        "max_choices": 1,
    }


def test_two_page_sessions_on_one_file_write_at_once_without_locked_errors(
    make_session: Callable[[], AppSession],
) -> None:
    """A reload: the old page session and the new one load and merge at the same time (the
    cabinet's profile, participation, the sync engine's outbox moves, settings)."""
    old, new = make_session(), make_session()
    with old.db.session() as s:
        for i in range(6):
            old.appeals.outbox.add(
                s, kind=ob.MARK_READ, target=f"appeal-{i}", payload={}, key=f"k{i}"
            )
        s.commit()
    with old.db.read() as s:
        ids = [e.id for e in s.exec(select(OutboxEntry)).all() if e.id is not None]
    rounds = 25

    def profile_loads(session: AppSession) -> Callable[[], None]:
        def run() -> None:
            for _ in range(rounds):
                session.personal._repo.store_profile(PROFILE)
                session.personal._repo.profile()

        return run

    def participation_loads(session: AppSession) -> Callable[[], None]:
        def run() -> None:
            repo = session.participation._repo
            for i in range(rounds):
                repo.store_polls([_poll(i % 3 + 1)])
                repo.polls()

        return run

    def outbox_moves(session: AppSession) -> Callable[[], None]:
        def run() -> None:
            box = session.appeals.outbox
            for i in range(rounds):
                entry_id = ids[i % len(ids)]
                box.mark_in_flight(entry_id)
                box.mark_retry(entry_id, at=datetime.now(UTC), error="network", code="network")
                box.next_ready()
                box.counts()

        return run

    def settings(session: AppSession) -> Callable[[], None]:
        def run() -> None:
            for i in range(rounds):
                session.settings.put("probe", str(i))

        return run

    jobs = [
        make(s)
        for s in (old, new)
        for make in (profile_loads, participation_loads, outbox_moves, settings)
    ]
    errors = _run_together(*jobs)
    assert [repr(e) for e in errors] == []


def test_open_database_has_one_write_lock_per_file(tmp_path: Path) -> None:
    a = open_database(tmp_path / "one.db")
    b = Database.open(tmp_path / "one.db")
    assert a.write_lock is b.write_lock
    b.close()
