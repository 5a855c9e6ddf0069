"""Demo data (idempotent seeding) and the demo autopilot (one step per tick, clean stop)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from backend_stub.config import Settings
from backend_stub.demo import autopilot
from backend_stub.demo.appeal_records import APPEALS, RESIDENTS
from backend_stub.demo.autopilot import run_autopilot, step_once
from backend_stub.demo.seed import seed_demo
from backend_stub.main import create_app
from backend_stub.models import (
    Address,
    Appeal,
    AppealEvent,
    FeedEvent,
    MediaFile,
    Message,
    User,
)
from backend_stub.presenters.appeals import appeal_out
from backend_stub.statuses import Status

TABLES: tuple[type[SQLModel], ...] = (
    User,
    Address,
    Appeal,
    AppealEvent,
    Message,
    MediaFile,
    FeedEvent,
)


@pytest.fixture
def engine(settings: Settings) -> Engine:
    engine: Engine = create_app(settings).state.engine
    return engine


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as db:
        return {t.__name__: db.exec(select(func.count()).select_from(t)).one() for t in TABLES}


def test_seed_demo_is_idempotent_and_covers_every_status(
    engine: Engine, settings: Settings
) -> None:
    assert seed_demo(engine, settings) == len(APPEALS) >= 8
    first = counts(engine)
    assert seed_demo(engine, settings) == 0
    assert counts(engine) == first

    with Session(engine) as db:
        appeals = db.exec(select(Appeal)).all()
        outs = [appeal_out(db, a) for a in appeals]
        users = {u.phone: u for u in db.exec(select(User)).all()}
        assert users[settings.operator_phone].role == "operator"
        for spec in RESIDENTS:
            user = users[spec.phone]
            assert user.role == "resident" and user.full_name
            labels = {
                a.label: a for a in db.exec(select(Address).where(Address.user_id == user.id)).all()
            }
            assert set(labels) == {"home", "work"}
            assert all(a.district and a.lat and a.lon for a in labels.values())

    assert {a.status for a in appeals} == {s.value for s in Status}
    assert {a.language for a in appeals} == {"kk", "ru"}
    assert len({a.subclass_code for a in appeals}) == len(appeals)
    assert all(a.number.startswith("109-") for a in appeals)

    overdue = [o for o in outs if o.overdue]
    assert len(overdue) == 1 and overdue[0].status != "closed"

    rated = [o for o in outs if o.rating is not None]
    assert len(rated) == 1 and rated[0].status == "closed" and rated[0].result_text
    assert {m.role for m in rated[0].media} == {"applicant", "after"}
    assert all(o.result_text for o in outs if o.status == "closed")

    for o in outs:  # history is in order, starts at filing, and matches the status
        times = [h.at for h in o.history]
        assert times == sorted(times) and times[0] == o.created_at
        moves = [h.to_status for h in o.history if h.kind == "status"]
        assert moves[0] == "created" and moves[-1] == o.status
        assert o.created_at <= o.updated_at
    assert first["Message"] >= 5


def test_step_once_moves_appeals_and_posts_messages(engine: Engine, settings: Settings) -> None:
    seed_demo(engine, settings)
    with Session(engine) as db:
        before = {a.id: (a.status, a.language) for a in db.exec(select(Appeal)).all()}
        msgs_before = db.exec(select(func.count()).select_from(Message)).one()
    open_ = [i for i, (s, _) in before.items() if s != "closed"]

    assert step_once(engine, operator_phone=settings.operator_phone) == len(open_)

    expected_next = {
        "created": "assigned",
        "assigned": "in_progress",
        "returned": "reassigned",
        "reassigned": "in_progress",
        "in_progress": "closed",
    }
    with Session(engine) as db:
        after = {a.id: a for a in db.exec(select(Appeal)).all()}
        for appeal_id, (status, language) in before.items():
            appeal = after[appeal_id]
            if status == "closed":
                assert appeal.status == "closed"
                continue
            assert appeal.status == expected_next[status]
            last = db.exec(
                select(Message)
                .where(Message.appeal_id == appeal_id)
                .order_by(col(Message.id).desc())
            ).first()
            assert last is not None and last.author_role == "operator"
            assert last.text == autopilot.STEP_MESSAGES[Status(appeal.status)][language]
            event = db.exec(
                select(AppealEvent)
                .where(AppealEvent.appeal_id == appeal_id)
                .order_by(col(AppealEvent.id).desc())
            ).first()
            assert event is not None and event.to_status == appeal.status
            if appeal.status == "closed":
                assert appeal.result_text == autopilot.RESULT_TEXT[language]
        msgs_after = db.exec(select(func.count()).select_from(Message)).one()
    assert msgs_after == msgs_before + len(open_)

    for _ in range(4):  # at most four more steps close everything
        step_once(engine)
    with Session(engine) as db:
        assert {a.status for a in db.exec(select(Appeal)).all()} == {"closed"}
    assert step_once(engine) == 0


def test_step_once_without_appeals_or_operator(engine: Engine) -> None:
    assert step_once(engine) == 0
    with Session(engine) as db:
        assert db.exec(select(User).where(User.role == "operator")).first() is not None


def _open_count(engine: Engine) -> int:
    with Session(engine) as db:
        return len(db.exec(select(Appeal).where(Appeal.status == "created")).all())


def test_autopilot_runs_and_stops_cleanly_when_cancelled(
    engine: Engine, settings: Settings
) -> None:
    seed_demo(engine, settings)
    settings.autopilot_interval_s = 0.05
    created = _open_count(engine)
    assert created > 0

    async def main() -> asyncio.Task[None]:
        task = asyncio.create_task(run_autopilot(engine, settings))
        deadline = time.monotonic() + 10
        while _open_count(engine) == created and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return task

    task = asyncio.run(main())
    assert task.cancelled()
    assert _open_count(engine) < created


def test_autopilot_survives_errors(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: Counter[str] = Counter()

    def flaky(engine: Engine, **kw: Any) -> int:
        calls["step"] += 1
        if calls["step"] == 1:
            raise RuntimeError("database is away")
        return 0

    monkeypatch.setattr(autopilot, "step_once", flaky)
    settings.autopilot_interval_s = 0.01

    async def main() -> None:
        task = asyncio.create_task(run_autopilot(engine, settings))
        deadline = time.monotonic() + 10
        while calls["step"] < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert calls["step"] >= 3


def test_autopilot_off_returns_at_once(engine: Engine, settings: Settings) -> None:
    settings.autopilot_interval_s = 0
    asyncio.run(asyncio.wait_for(run_autopilot(engine, settings), timeout=1))
