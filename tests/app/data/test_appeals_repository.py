"""The appeals repository and the outbox, on a real local store (no server): one transaction
per action, order and blocking rules of the queue, and merging what the server says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.data.repositories import outbox as ob
from app.data.repositories.appeal_queries import PageKey
from app.data.repositories.appeals import AppealsRepository, InvalidAction
from app.data.repositories.media_uploads import MediaUploads
from app.data.store.database import Database
from app.data.store.models import LocalAppeal, LocalMedia, OutboxEntry
from app.domain.appeals import NewAppeal, Position, PreparedMedia
from tests.app.support.local_appeals import LocalAppeals
from tests.app.support.sync_harness import SyncSide

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 7, 12, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        return self.t

    def tick(self, seconds: float = 1.0) -> None:
        self.t += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def appeals(db: Database, clock: Clock) -> LocalAppeals:
    return LocalAppeals.over(db, now=clock)


@pytest.fixture
def repo(appeals: LocalAppeals) -> AppealsRepository:
    return appeals.actions


def appeal(text: str = "Жол бұзылған", **over: Any) -> NewAppeal:
    kw: dict[str, Any] = {
        "text": text,
        "subclass_code": "01.01",
        "position": Position(51.12, 71.43, 10.0),
        "address": "Мәңгілік Ел, 8",
    }
    kw.update(over)
    return NewAppeal(**kw)


def server_appeal(client_id: str, server_id: int, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": server_id,
        "number": f"109-2607-{server_id:06d}",
        "client_id": client_id,
        "text": "Жол бұзылған",
        "type": "incident",
        "class_code": "01",
        "subclass_code": "01.01",
        "service_code": "ROADS",
        "importance": "standard",
        "importance_raised": False,
        "lat": 51.12,
        "lon": 71.43,
        "accuracy_m": 10.0,
        "address": "Мәңгілік Ел, 8",
        "district": "yesil",
        "share_personal": True,
        "language": "kk",
        "emergency": False,
        "status": "created",
        "created_at": "2026-07-12T09:00:00+00:00",
        "updated_at": "2026-07-12T09:00:01+00:00",
        "due_at": "2026-07-22T09:00:00+00:00",
        "overdue": False,
        "closed_at": None,
        "result_text": None,
        "reopen_count": 0,
        "repeat_count": 0,
        "rating": None,
        "rating_comment": None,
        "media": [],
        "history": [
            {"at": "2026-07-12T09:00:00Z", "actor_role": "resident", "kind": "status",
             "from_status": None, "to_status": "created", "note": None},
        ],
    }  # fmt: skip
    data.update(over)
    return data


def test_file_writes_the_row_media_and_outbox_in_one_transaction(
    repo: AppealsRepository, db: Database
) -> None:
    statements: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.split()
        statements.append(words[2] if words[0].upper() == "INSERT" else words[0].upper())

    @event.listens_for(db.engine, "commit")
    def committed(conn: Any) -> None:
        statements.append("COMMIT")

    media = PreparedMedia("/data/media/a.jpg", "image", "image/jpeg", 1234)
    cid = repo.file_sync(appeal(media=[media], emergency=True, emergency_service="103"))
    event.remove(db.engine, "before_cursor_execute", record)
    event.remove(db.engine, "commit", committed)
    # One transaction: BEGIN, the inserts (row, attachment, outbox, forward), COMMIT.
    assert statements[0] == "BEGIN" and statements[-1] == "COMMIT"
    assert statements.count("BEGIN") == 1 and statements.count("COMMIT") == 1
    written = {x for x in statements[1:-1] if x != "SELECT"}
    assert written == {"appeal", "local_media", "outbox", "appeal_forward"}
    entries = repo.outbox.entries()
    assert [(e.kind, e.priority, e.idempotency_key) for e in entries] == [
        (ob.CREATE_APPEAL, ob.PRIORITY_EMERGENCY, f"appeal:{cid}"),
        (ob.FORWARD, ob.PRIORITY_EMERGENCY, entries[1].idempotency_key),
    ]
    payload = json.loads(entries[0].payload_json)
    assert payload["client_id"] == cid and payload["emergency"] is True


def test_a_failing_outbox_write_leaves_nothing(
    repo: AppealsRepository, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(repo.outbox, "add", boom)
    with pytest.raises(RuntimeError):
        repo.file_sync(appeal(media=[PreparedMedia("/x.jpg", "image", "image/jpeg", 1)]))
    with db.session() as s:
        for table in (LocalAppeal, LocalMedia, OutboxEntry):
            assert s.exec(select(table)).first() is None


@pytest.mark.parametrize(
    ("new", "code"),
    [
        (appeal("   "), "text_required"),
        (appeal("x" * 4001), "text_too_long"),
        (appeal(subclass_code=""), "category_required"),
        (appeal(position=None, address=" "), "location_required"),
        (appeal(emergency_service="999"), "unknown_service"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_nothing_is_written(
    repo: AppealsRepository, appeals: LocalAppeals, new: NewAppeal, code: str
) -> None:
    with pytest.raises(InvalidAction) as err:
        repo.file_sync(new)
    assert err.value.code == code
    assert appeals.queries.list_sync().items == [] and repo.outbox.entries() == []


async def test_file_notifies_and_kicks_the_engine(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    heard: list[str] = []
    appeals.changes.subscribe(lambda: heard.append("changed"))
    appeals.changes.on_enqueued = lambda: heard.append("kick")
    await repo.file(appeal())
    assert heard == ["changed", "kick"]


def test_list_is_paged_newest_first_with_filters_and_marks(
    repo: AppealsRepository, appeals: LocalAppeals, clock: Clock
) -> None:
    ids = []
    for i in range(5):
        ids.append(repo.file_sync(appeal(f"өтініш {i}")))
        if i != 2:  # two share a time: the page key must still be exact
            clock.tick()
    page = appeals.queries.list_sync(limit=2)
    assert page.items[0].text == "өтініш 4"  # 2 and 3 share a time: either comes next
    seen = [i.client_id for i in page.items]
    while page.next is not None:
        page = appeals.queries.list_sync(before=page.next, limit=2)
        seen += [i.client_id for i in page.items]
    assert sorted(seen) == sorted(ids) and len(set(seen)) == 5
    assert all(i.sync_state == "pending" for i in appeals.queries.list_sync().items)
    SyncSide(repo).complete(
        repo.outbox.entries()[0], appeal=server_appeal(ids[0], 11, status="closed")
    )
    assert [i.client_id for i in appeals.queries.list_sync(status="closed").items] == [ids[0]]
    closed = appeals.queries.list_sync(status="closed").items[0]
    assert closed.sync_state == "synced" and closed.number == "109-2607-000011"
    assert appeals.queries.list_sync(status="assigned").items == []
    assert isinstance(PageKey(T0, "x"), PageKey)


def test_outbox_order_priority_blocking_and_backoff(repo: AppealsRepository, clock: Clock) -> None:
    a = repo.file_sync(appeal("бірінші"))
    m = repo.send_message_sync(a, "сәлем", [])
    e = repo.file_sync(appeal("төтенше", emergency=True))
    out = repo.outbox
    first = out.next_ready()
    assert first is not None and first.target_client_id == e  # emergencies first
    out.mark_in_flight(first.id or 0)
    second = out.next_ready()
    assert second is not None and second.target_client_id == a and second.kind == ob.CREATE_APPEAL
    # The message waits for its appeal's creation, even when the create waits on backoff.
    out.mark_retry(second.id or 0, at=clock() + timedelta(seconds=5), error="http_503", code="x")
    assert out.next_ready() is None
    assert out.next_wakeup() == clock() + timedelta(seconds=5)
    clock.tick(6)
    again = out.next_ready()
    assert again is not None and again.id == second.id
    SyncSide(repo).complete(second, appeal=server_appeal(a, 1))
    third = out.next_ready()
    assert third is not None and third.entity_client_id == m
    assert out.recover() == 1  # the emergency one was in flight when the app died
    assert out.counts().pending == 2


def test_rejected_create_keeps_everything_and_blocks_its_actions(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    a = repo.file_sync(appeal())
    repo.send_message_sync(a, "күтеді", [])
    create = repo.outbox.next_ready()
    assert create is not None
    SyncSide(repo).reject(create, "Такой категории нет.", "unknown_category")
    assert repo.outbox.next_ready() is None
    item = appeals.queries.list_sync().items[0]
    assert (item.sync_state, item.sync_error) == ("rejected", "Такой категории нет.")
    assert repo.outbox.counts().rejected == 1
    appeals.refused.resubmit_sync(a, "Түзетілген")
    entry = repo.outbox.next_ready()
    assert entry is not None and json.loads(entry.payload_json)["text"] == "Түзетілген"
    assert appeals.queries.list_sync().items[0].sync_state == "pending"


def test_actions_check_the_state_of_the_appeal(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    a = repo.file_sync(appeal())
    with pytest.raises(InvalidAction, match="appeal_not_closed"):
        repo.rate_sync(a, 5, None)
    with pytest.raises(InvalidAction, match="appeal_not_closed"):
        repo.reopen_sync(a, "себебі")
    with pytest.raises(InvalidAction, match="message_empty"):
        repo.send_message_sync(a, "  ", [])
    with pytest.raises(InvalidAction, match="not_found"):
        repo.send_message_sync("nope", "x", [])
    SyncSide(repo).complete(repo.outbox.entries()[0], appeal=server_appeal(a, 3, status="closed"))
    with pytest.raises(InvalidAction, match="score_range"):
        repo.rate_sync(a, 6, None)
    repo.rate_sync(a, 4, "жақсы")
    with pytest.raises(InvalidAction, match="already_rated"):
        repo.rate_sync(a, 5, None)
    with pytest.raises(InvalidAction, match="reason_required"):
        repo.reopen_sync(a, " ")
    repo.reopen_sync(a, "қайта ластанды")
    with pytest.raises(InvalidAction, match="already_reopening"):
        repo.reopen_sync(a, "тағы")
    detail = appeals.queries.detail_sync("3")
    assert detail is not None
    assert [x.kind for x in detail.actions] == [ob.RATE, ob.REOPEN]
    assert detail.rating is None  # the server's field stays the server's until it answers


def test_pull_merge_server_wins_and_reports_changes(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    a = repo.file_sync(appeal())
    SyncSide(repo).complete(repo.outbox.entries()[0], appeal=server_appeal(a, 7))
    newer = server_appeal(a, 7, status="assigned", updated_at="2026-07-12T10:00:00+00:00")
    op_msg = {"id": 50, "appeal_id": 7, "client_id": "op-1", "author_role": "operator",
              "text": "Қарастырудамыз", "created_at": "2026-07-12T10:00:00Z", "read_at": None,
              "media": []}  # fmt: skip
    result = SyncSide(repo).apply_sync_page(
        {"appeal": [newer], "message": [op_msg]}, cursor=5, etag='W/"c5"', quiet=False
    )
    assert [(u.kind, u.status) for u in result.updates] == [
        ("status", "assigned"),
        ("message", None),
    ]
    assert SyncSide(repo).cursor.position().cursor == 5
    # An older answer arriving late does not undo the newer state.
    stale = server_appeal(a, 7, status="created", updated_at="2026-07-12T09:30:00+00:00")
    late = SyncSide(repo).apply_sync_page({"appeal": [stale]}, cursor=6, etag=None, quiet=False)
    assert late.updates == []
    detail = appeals.queries.detail_sync(a)
    assert detail is not None and detail.item.status == "assigned" and detail.item.unread == 1
    # The same message again is not news; a first import is quiet.
    again = SyncSide(repo).apply_sync_page({"message": [op_msg]}, cursor=7, etag=None, quiet=False)
    assert again.updates == []
    other = server_appeal("someone-elses-device", 8, status="closed")
    other_page = {"appeal": [other]}
    assert SyncSide(repo).apply_sync_page(other_page, cursor=8, etag=None, quiet=True).updates == []
    assert appeals.queries.detail_sync("8") is not None
    assert repo.mark_read_sync(a) is True and repo.mark_read_sync(a) is False
    read = repo.outbox.entries()[-1]
    assert read.kind == ob.MARK_READ and json.loads(read.payload_json) == {"up_to_id": 50}


def test_discarding_a_refused_appeal_removes_it_with_its_queue(
    repo: AppealsRepository, appeals: LocalAppeals
) -> None:
    refused = appeals.refused
    a = repo.file_sync(appeal(media=[PreparedMedia("/m.jpg", "image", "image/jpeg", 9)]))
    repo.send_message_sync(a, "x", [PreparedMedia("/n.jpg", "image", "image/jpeg", 9)])
    create = repo.outbox.entries()[0]
    refused.discard_sync(create.id or 0)  # a pending appeal may already be on the server: kept
    assert len(appeals.queries.list_sync().items) == 1
    SyncSide(repo).reject(create, "no", "validation_error")
    refused.discard_sync(create.id or 0)
    assert appeals.queries.list_sync().items == [] and repo.outbox.entries() == []
    assert MediaUploads(repo.outbox.database).to_send("appeal", a) == []
