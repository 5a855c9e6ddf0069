"""Appeal analytics of the personal cabinet: a pure function checked against fixtures whose
answers were worked out by hand, and fast over 10,000 appeals."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from app.data.repositories.analytics import AppealHistoryRepository
from app.data.store.database import Database
from app.data.store.models import LocalAppeal
from app.domain.analytics import STATUS_ORDER, AppealFacts, appeal_analytics

NOW = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def facts(
    status: str,
    category: str | None,
    created_h_ago: float,
    *,
    due_in_h: float | None = None,  # from creation
    closed_after_h: float | None = None,  # from creation
    rating: int | None = None,
) -> AppealFacts:
    created = NOW - created_h_ago * H
    return AppealFacts(
        status=status,
        category=category,
        created_at=created,
        due_at=created + due_in_h * H if due_in_h is not None else None,
        closed_at=created + closed_after_h * H if closed_after_h is not None else None,
        rating=rating,
    )


FIXTURE = [
    # closed on time after 10 h, rated 5
    facts("closed", "09", 100, due_in_h=24, closed_after_h=10, rating=5),
    # closed late after 30 h (deadline 24 h), rated 2
    facts("closed", "09", 200, due_in_h=24, closed_after_h=30, rating=2),
    # closed exactly at the deadline (counts as on time) after 72 h, not rated
    facts("closed", "12", 300, due_in_h=72, closed_after_h=72),
    # closed, no deadline known: counted in the average time, not in the on-time share; rated 4
    facts("closed", "40", 50, closed_after_h=8, rating=4),
    # open and overdue now
    facts("in_progress", "12", 100, due_in_h=24),
    # open, deadline ahead
    facts("assigned", "09", 5, due_in_h=72),
    # just filed on this device: no category, no deadline yet
    facts("created", None, 0.1),
]


def test_known_answers() -> None:
    a = appeal_analytics(FIXTURE, NOW)
    assert a.total == 7
    assert dict(a.by_status) == {
        "created": 1, "assigned": 1, "returned": 0, "reassigned": 0, "in_progress": 1, "closed": 4
    }  # fmt: skip
    assert [s for s, _n in a.by_status] == list(STATUS_ORDER)
    assert a.by_category == (("09", 3), ("12", 2), ("40", 1), (None, 1))
    assert (a.closed, a.open, a.overdue_open) == (4, 3, 1)
    assert (a.closed_with_deadline, a.closed_on_time) == (3, 2)
    assert a.on_time_share == 2 / 3
    assert a.average_close == timedelta(hours=(10 + 30 + 72 + 8) / 4)  # 30 h
    assert a.rated == 3
    assert a.average_rating == (5 + 2 + 4) / 3


def test_nothing_yet() -> None:
    a = appeal_analytics([], NOW)
    assert a.empty and a.total == 0
    assert a.on_time_share is None and a.average_close is None and a.average_rating is None
    assert a.by_category == ()
    assert all(n == 0 for _s, n in a.by_status)


def test_top_categories_and_the_rest() -> None:
    rows = [facts("created", c, 1) for c in "AABBBCDDDDEFG"] + [facts("created", None, 1)]
    a = appeal_analytics(rows, NOW, top=3)
    # D=4, B=3, A=2 shown; C, E, F, G (1 each) and the one without a category summed up
    assert a.by_category == (("D", 4), ("B", 3), ("A", 2), (None, 5))


def test_naive_datetimes_from_sqlite_are_utc() -> None:
    created = datetime(2026, 7, 1, 10, 0)  # naive, as SQLite returns them
    row = AppealFacts(
        "closed", "01", created, due_at=created + 2 * H, closed_at=created + H, rating=None
    )
    a = appeal_analytics([row], NOW)
    assert a.closed_on_time == 1 and a.average_close == H


def test_ratings_out_of_range_and_clock_skew_are_ignored() -> None:
    rows = [
        facts("closed", "01", 10, closed_after_h=-1, rating=0),  # closed "before" it was filed
        facts("closed", "01", 10, closed_after_h=2, rating=3),
    ]
    a = appeal_analytics(rows, NOW)
    assert a.average_close == 2 * H
    assert a.rated == 1 and a.average_rating == 3


def test_ten_thousand_appeals_are_fast() -> None:
    rnd = random.Random(109)
    rows = []
    for _ in range(10_000):
        status = rnd.choice(STATUS_ORDER)
        closed = rnd.uniform(1, 300) if status == "closed" else None
        rows.append(
            facts(
                status,
                f"{rnd.randrange(47):02d}",
                rnd.uniform(0, 5000),
                due_in_h=rnd.choice((24, 72, 240)),
                closed_after_h=closed,
                rating=rnd.choice((None, 1, 2, 3, 4, 5)) if closed else None,
            )
        )
    started = time.perf_counter()
    a = appeal_analytics(rows, NOW)
    elapsed = time.perf_counter() - started
    assert a.total == 10_000
    assert sum(n for _s, n in a.by_status) == 10_000
    assert sum(n for _c, n in a.by_category) == 10_000
    assert elapsed < 0.5, elapsed


def test_ten_thousand_appeals_from_the_local_store(tmp_path: Path) -> None:
    """Reading the store and computing stays well under a second for 10,000 appeals."""
    db = Database.open(tmp_path / "app.db")
    rnd = random.Random(7)
    rows = []
    for i in range(10_000):
        created = NOW - timedelta(hours=rnd.uniform(1, 5000))
        closed = rnd.random() < 0.6
        rows.append(
            {
                "client_id": f"c{i}",
                "text": "…",
                "subclass_code": f"{rnd.randrange(47):02d}.01",
                "class_code": None if i % 10 == 0 else f"{rnd.randrange(47):02d}",
                "status": "closed" if closed else "in_progress",
                "created_at": created,
                "updated_at": created,
                "due_at": created + timedelta(hours=72),
                "closed_at": created + timedelta(hours=rnd.uniform(1, 100)) if closed else None,
                "rating": rnd.choice((None, 3, 4, 5)) if closed else None,
            }
        )
    with db.session() as s:
        s.execute(insert(LocalAppeal), rows)
        s.commit()
    started = time.perf_counter()
    a = appeal_analytics(AppealHistoryRepository(db).facts(), NOW)
    elapsed = time.perf_counter() - started
    db.close()
    assert a.total == 10_000 and a.closed == sum(1 for r in rows if r["status"] == "closed")
    assert a.closed_on_time == sum(
        1 for r in rows if r["closed_at"] is not None and r["closed_at"] <= r["due_at"]
    )
    assert elapsed < 1.0, elapsed
