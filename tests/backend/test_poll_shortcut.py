"""The unchanged feed poll answered from memory (`services.poll_shortcut`): what it knows, when it
forgets, and that through the API it never says "nothing new" when something is, nor answers a
token that was signed out. The same checks across two processes: tests/multiprocess."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from backend_stub.crud import feed
from backend_stub.crud import sessions as sessions_crud
from backend_stub.models import utcnow
from backend_stub.services import poll_shortcut
from backend_stub.services.poll_shortcut import PollShortcut
from backend_stub.services.push import PushEvent
from tests.backend.support import make_operator
from tests.backend.test_appeals import appeal_body
from tests.backend.test_notices import notice_body
from tests.conftest import sign_in

HOUR = timedelta(hours=1)


def _learn(cut: PollShortcut, generation: int | None = None, **over: Any) -> None:
    values: dict[str, Any] = {
        "digest": "d1",
        "user_id": 7,
        "session_id": 70,
        "expires_at": utcnow() + HOUR,
        "own_head": 5,
        "public_head": 3,
        **over,
    }
    cut.learn(cut.generation if generation is None else generation, **values)


def test_knows_a_learned_token_and_the_higher_of_its_heads() -> None:
    cut = PollShortcut(trusted=True)
    assert cut.head("d1") is None
    _learn(cut)
    assert cut.head("d1") == (7, 5)
    assert cut.head("other") is None


def test_heard_rows_raise_the_heads() -> None:
    cut = PollShortcut(trusted=True)
    _learn(cut)
    cut.seen([PushEvent(9, None, "alert", "1")])  # for everyone
    assert cut.head("d1") == (7, 9)
    cut.seen([PushEvent(12, 7, "appeal", "3"), PushEvent(10, 8, "appeal", "4")])
    assert cut.head("d1") == (7, 12)
    _learn(cut, own_head=6, public_head=4)  # an older read never lowers what was heard
    assert cut.head("d1") == (7, 12)


def test_untrusted_learns_and_answers_nothing() -> None:
    cut = PollShortcut(trusted=False)
    _learn(cut)
    cut.seen([PushEvent(9, 7, "appeal", "1")])
    assert cut.head("d1") is None
    cut.trust()
    assert cut.head("d1") is None  # nothing from before
    _learn(cut)
    assert cut.head("d1") == (7, 5)


def test_a_read_from_before_a_lost_connection_is_not_taken() -> None:
    cut = PollShortcut(trusted=True)
    before = cut.generation
    cut.distrust()  # the bus connection was lost: rows may have gone unheard
    cut.trust()
    _learn(cut, generation=before)
    assert cut.head("d1") is None
    _learn(cut)
    assert cut.head("d1") == (7, 5)


def test_a_lost_connection_forgets_everything() -> None:
    cut = PollShortcut(trusted=True)
    _learn(cut)
    cut.distrust()
    assert cut.head("d1") is None
    cut.seen([PushEvent(20, 7, "appeal", "1")])
    cut.trust()
    assert cut.head("d1") is None


def test_signed_out_tokens_are_dropped() -> None:
    cut = PollShortcut(trusted=True)
    _learn(cut)
    _learn(cut, digest="d2", session_id=71)
    _learn(cut, digest="d3", user_id=8, session_id=80, own_head=2)
    cut.signed_out(sessions=[70])
    assert (cut.head("d1"), cut.head("d2")) == (None, (7, 5))
    cut.signed_out(users=[7])
    assert cut.head("d2") is None
    assert cut.head("d3") == (8, 3)


def test_a_token_is_known_for_a_short_while_and_never_past_its_expiry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(poll_shortcut.time, "monotonic", lambda: clock[0])
    cut = PollShortcut(trusted=True)
    _learn(cut)
    _learn(cut, digest="soon", expires_at=utcnow() + timedelta(seconds=5))
    _learn(cut, digest="gone", expires_at=utcnow() - timedelta(seconds=1))
    assert cut.head("gone") is None
    clock[0] += 6
    assert cut.head("soon") is None and cut.head("d1") == (7, 5)
    clock[0] += poll_shortcut.TOKEN_TTL_S
    assert cut.head("d1") is None


# Through the API (SQLite here; scripts/pg-test.sh runs it on PostgreSQL too, with the push bus).


@contextmanager
def statements(client: TestClient) -> Iterator[list[str]]:
    """The SQL statements the server runs meanwhile."""
    seen: list[str] = []
    engine = client.app.state.engine  # type: ignore[attr-defined]

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _at_head(client: TestClient, who: dict[str, str]) -> tuple[int, str]:
    r = client.get("/api/v1/sync", headers=who)
    assert r.status_code == 200
    return r.json()["cursor"], r.headers["ETag"]


def _poll(client: TestClient, who: dict[str, str], cursor: int, etag: str) -> Any:
    return client.get(
        "/api/v1/sync", params={"cursor": cursor}, headers={**who, "If-None-Match": etag}
    )


def test_an_unchanged_poll_is_answered_without_the_database(client: TestClient) -> None:
    resident = sign_in(client)
    cursor, etag = _at_head(client, resident)
    assert _poll(client, resident, cursor, etag).status_code == 304  # learns
    with statements(client) as sql:
        r = _poll(client, resident, cursor, etag)
    assert (r.status_code, r.headers["ETag"]) == (304, etag)
    assert sql == []


def test_a_change_made_anywhere_in_the_process_is_never_hidden(client: TestClient) -> None:
    resident, other = sign_in(client), sign_in(client)
    op = make_operator(client)
    cursor, etag = _at_head(client, resident)
    assert _poll(client, resident, cursor, etag).status_code == 304
    # another resident's appeal is not the resident's change
    client.post("/api/v1/appeals", json=appeal_body(), headers=other)
    assert _poll(client, resident, cursor, etag).status_code == 304
    # a row written straight through the engine (as the emergency worker and the autopilot do)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    user_id = client.get("/api/v1/profile", headers=resident).json()["id"]
    with Session(engine) as db:
        feed.record(db, user_id=user_id, entity="profile", entity_id=user_id)
        db.commit()
    r = _poll(client, resident, cursor, etag)
    assert r.status_code == 200 and r.json()["cursor"] > cursor
    cursor, etag = r.json()["cursor"], r.headers["ETag"]
    assert _poll(client, resident, cursor, etag).status_code == 304
    # a public row (an alert, a notice) reaches everyone's head
    r = client.post("/api/v1/operator/notices", json=notice_body(), headers=op)
    assert r.status_code == 201, r.text
    r = _poll(client, resident, cursor, etag)
    assert r.status_code == 200 and r.json()["cursor"] > cursor


def test_a_signed_out_token_gets_no_304(client: TestClient) -> None:
    resident = sign_in(client)
    cursor, etag = _at_head(client, resident)
    assert _poll(client, resident, cursor, etag).status_code == 304
    assert client.post("/api/v1/auth/logout", headers=resident).status_code == 204
    assert _poll(client, resident, cursor, etag).status_code == 401


def test_other_sign_ins_ended_by_a_phone_change_get_no_304(client: TestClient) -> None:
    """Every sign-in of a resident but the caller's ends (here: through the same call the phone
    change makes), and none of them is answered from memory afterwards."""
    resident = sign_in(client)
    cursor, etag = _at_head(client, resident)
    assert _poll(client, resident, cursor, etag).status_code == 304
    engine = client.app.state.engine  # type: ignore[attr-defined]
    user_id = client.get("/api/v1/profile", headers=resident).json()["id"]
    with Session(engine) as db:
        sessions_crud.revoke_others(db, user_id=user_id, keep=None)
        db.commit()
    assert _poll(client, resident, cursor, etag).status_code == 401
