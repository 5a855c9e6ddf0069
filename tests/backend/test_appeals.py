from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from backend_stub.classifier import load_classifier
from backend_stub.models import Appeal
from tests.backend.support import make_operator
from tests.backend.test_media import plain_jpeg
from tests.conftest import sign_in


def first_subclass(importance: str = "standard") -> str:
    for cls in load_classifier().classes:
        for sub in cls.subclasses:
            if sub.importance == importance:
                return sub.code
    raise AssertionError(importance)


def appeal_body(**over: object) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "text": "Подъезд не убирают вторую неделю",
        "type": "incident",
        "subclass_code": first_subclass(),
        "lat": 51.1282,
        "lon": 71.4307,
        "accuracy_m": 12.0,
        "address": "пр. Мәңгілік Ел, 8",
        "language": "ru",
    }
    body.update(over)
    return body


def test_create_assigns_number_routing_deadline_and_history(
    client: TestClient, resident: dict[str, str]
) -> None:
    before = datetime.now(UTC)
    r = client.post("/api/v1/appeals", json=appeal_body(), headers=resident)
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["number"].startswith("109-") and a["status"] == "created"
    sub = load_classifier().subclass(a["subclass_code"])
    assert a["service_code"] == load_classifier().service_for(sub.code).code
    assert a["class_code"] == load_classifier().class_of(sub.code).code
    due = datetime.fromisoformat(a["due_at"])
    expected = before + timedelta(hours=sub.deadline_hours)
    assert abs((due - expected).total_seconds()) < 60
    assert a["district"] == "baikonur" or a["district"] is not None
    assert [h["to_status"] for h in a["history"]] == ["created"]
    assert a["overdue"] is False


def test_retry_with_same_client_id_returns_first_result(
    client: TestClient, resident: dict[str, str]
) -> None:
    body = appeal_body()
    first = client.post("/api/v1/appeals", json=body, headers=resident)
    again = client.post("/api/v1/appeals", json=body, headers=resident)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert len(client.get("/api/v1/appeals", headers=resident).json()["items"]) == 1


def test_same_key_different_body_is_422(client: TestClient, resident: dict[str, str]) -> None:
    body = appeal_body()
    assert client.post("/api/v1/appeals", json=body, headers=resident).status_code == 201
    body["text"] = "Совсем другой текст обращения"
    r = client.post("/api/v1/appeals", json=body, headers=resident)
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_mismatch"


def test_threat_in_text_raises_importance_to_high(
    client: TestClient, resident: dict[str, str]
) -> None:
    body = appeal_body(text="Оборван провод под напряжением, угроза жизни детям")
    a = client.post("/api/v1/appeals", json=body, headers=resident).json()
    assert a["importance"] == "high" and a["importance_raised"] is True
    due = datetime.fromisoformat(a["due_at"])
    assert due - datetime.fromisoformat(a["created_at"]) <= timedelta(hours=24)


def test_emergency_flag_makes_it_high(client: TestClient, resident: dict[str, str]) -> None:
    a = client.post("/api/v1/appeals", json=appeal_body(emergency=True), headers=resident).json()
    assert a["importance"] == "high" and a["emergency"] is True


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"subclass_code": "99.99"}, "unknown_category"),
        ({"lat": None, "lon": None, "address": None}, "location_required"),
        ({"text": "bad\x00text"}, "text_invalid"),
        ({"text": "x" * 4001}, "validation_error"),
        ({"text": "   "}, "validation_error"),
        ({"type": "wish"}, "validation_error"),
        ({"lat": 123.0}, "validation_error"),
    ],
)
def test_bad_input_is_clear_4xx_and_stores_nothing(
    client: TestClient, resident: dict[str, str], over: dict, code: str
) -> None:
    r = client.post(
        "/api/v1/appeals", json=appeal_body(**over), headers={**resident, "Accept-Language": "ru"}
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["message"]
    assert client.get("/api/v1/appeals", headers=resident).json()["items"] == []


def test_address_alone_is_enough(client: TestClient, resident: dict[str, str]) -> None:
    r = client.post("/api/v1/appeals", json=appeal_body(lat=None, lon=None), headers=resident)
    assert r.status_code == 201 and r.json()["address"] == "пр. Мәңгілік Ел, 8"


def test_someone_elses_appeal_is_404(client: TestClient, resident: dict[str, str]) -> None:
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    other = sign_in(client)
    for method, path, body in [
        ("GET", f"/api/v1/appeals/{a['id']}", None),
        ("GET", f"/api/v1/appeals/{a['id']}/messages", None),
        ("POST", f"/api/v1/appeals/{a['id']}/messages", {"client_id": "x" * 10, "text": "hi"}),
        ("POST", f"/api/v1/appeals/{a['id']}/reopen", {"reason": "нет"}),
        ("POST", f"/api/v1/appeals/{a['id']}/rating", {"score": 5}),
        ("POST", f"/api/v1/appeals/{a['id']}/complaints", {"reason": "плохо"}),
    ]:
        r = client.request(method, path, json=body, headers=other)
        assert r.status_code == 404, (method, path, r.text)
    assert client.get("/api/v1/appeals", headers=other).json()["items"] == []


def test_list_is_paged_newest_first_and_filters_by_status(
    client: TestClient, resident: dict[str, str]
) -> None:
    ids = [
        client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()["id"]
        for _ in range(5)
    ]
    page = client.get("/api/v1/appeals", params={"limit": 2}, headers=resident).json()
    assert [a["id"] for a in page["items"]] == ids[::-1][:2]
    page2 = client.get(
        "/api/v1/appeals",
        params={"limit": 2, "before_id": page["next_before_id"]},
        headers=resident,
    ).json()
    assert [a["id"] for a in page2["items"]] == ids[::-1][2:4]
    closed = client.get("/api/v1/appeals", params={"status": "closed"}, headers=resident).json()
    assert closed["items"] == []


def test_similar_nearby_and_repeats_counted(client: TestClient, resident: dict[str, str]) -> None:
    # a kind another resident may be shown (road damage; see backend_stub.disclosure)
    road = appeal_body(subclass_code="12.10")
    first = client.post("/api/v1/appeals", json=road, headers=resident).json()
    neighbour = sign_in(client)
    params = {"subclass_code": first["subclass_code"], "lat": 51.1290, "lon": 71.4307}  # ~90 m
    found = client.get("/api/v1/appeals/similar", params=params, headers=neighbour).json()
    assert [s["id"] for s in found] == [first["id"]]
    assert 50 < found[0]["distance_m"] < 150
    assert found[0]["address"] is None  # another resident's address is not shown
    far = {**params, "lat": 51.1400}  # ~1.3 km
    assert client.get("/api/v1/appeals/similar", params=far, headers=neighbour).json() == []
    client.post(
        "/api/v1/appeals",
        json={**road, "client_id": str(uuid.uuid4()), "lat": 51.1290},
        headers=neighbour,
    )
    again = client.get(f"/api/v1/appeals/{first['id']}", headers=resident).json()
    assert again["repeat_count"] == 1


def test_a_burst_of_reports_at_one_spot_each_load_one_earlier_appeal(
    client: TestClient, resident: dict[str, str]
) -> None:
    """Hundreds report one flood at one spot: each new report is counted as a repeat of the
    first, and filing it loads no earlier appeal (it used to load them all, so each report cost
    more than the one before; then the first alone, to count it)."""
    spot = appeal_body(subclass_code="12.10")
    first = client.post("/api/v1/appeals", json=spot, headers=resident).json()
    loaded: list[int] = []

    def note(target: Appeal, _context: object) -> None:
        loaded.append(target.id or 0)

    event.listen(Appeal, "load", note)
    try:
        for n in range(40):
            loaded.clear()
            body = {**spot, "client_id": str(uuid.uuid4()), "lon": 71.4307 + n * 0.00001}
            assert client.post("/api/v1/appeals", json=body, headers=resident).status_code == 201
            assert loaded == [], f"report {n + 2} loaded {len(loaded)} appeals"
    finally:
        event.remove(Appeal, "load", note)
    again = client.get(f"/api/v1/appeals/{first['id']}", headers=resident).json()
    assert again["repeat_count"] == 40


def test_a_new_appeals_answer_is_what_reading_it_back_gives_without_reading_back(
    client: TestClient, resident: dict[str, str]
) -> None:
    """The answer to filing shows the history line and the attached files (in the order the
    appeal's page shows them) that filing made, known without a query for either: the same as
    the appeal read back afterwards."""
    photos = []
    for color in ((200, 0, 0), (0, 200, 0), (0, 0, 200)):
        r = client.post(
            "/api/v1/media",
            headers=resident,
            files={"file": ("p.jpg", plain_jpeg(color=color), "image/jpeg")},
        )
        assert r.status_code == 201, r.text
        photos.append(r.json()["id"])
    engine = client.app.state.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: object) -> None:
        seen.append(statement)

    body = appeal_body(attachment_ids=list(reversed(photos)), text="Угроза жизни: оголён провод")
    event.listen(engine, "before_cursor_execute", note)
    try:
        r = client.post("/api/v1/appeals", json=body, headers=resident)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert r.status_code == 201, r.text
    filed = r.json()
    read_back = client.get(f"/api/v1/appeals/{filed['id']}", headers=resident).json()
    assert filed["history"] == read_back["history"]
    assert [h["note"] for h in filed["history"]] == [read_back["history"][0]["note"]]
    assert filed["history"][0]["note"]  # the server's note: importance raised by content
    assert filed["media"] == read_back["media"]
    assert sorted(m["id"] for m in filed["media"]) == sorted(photos)
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert not [s for s in reads if "FROM appealevent" in s], reads
    assert not [s for s in reads if "FROM mediafile" in s and "mediafile.appeal_id =" in s], reads


def test_what_a_new_appeal_repeats_is_found_in_the_nearby_index(
    client: TestClient, resident: dict[str, str]
) -> None:
    """Finding the appeal a new one repeats reads the subclass's band of latitude from the
    index `ix_appeal_nearby` alone, not every appeal of the subclass in id order (a wrk burst
    of one subclass made each create scan all the earlier ones)."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL plans by its table statistics")
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, params: Any, *_: object) -> None:
        if statement.startswith("SELECT appeal.id, appeal.lat, appeal.lon"):
            rows = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", params)
            plans.append(" / ".join(row[-1] for row in rows))

    for n in range(5):
        body = appeal_body(subclass_code="12.10", lat=51.10 + n * 0.01)
        assert client.post("/api/v1/appeals", json=body, headers=resident).status_code == 201
    event.listen(engine, "before_cursor_execute", explain)
    try:
        body = appeal_body(subclass_code="12.10", lat=51.1301)
        assert client.post("/api/v1/appeals", json=body, headers=resident).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    assert plans, "the nearby query did not run"
    assert all(
        "COVERING INDEX ix_appeal_nearby (subclass_code=? AND lat>? AND lat<?)" in plan
        for plan in plans
    ), plans


def test_operator_lifecycle_rating_and_reopen(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    base = f"/api/v1/operator/appeals/{a['id']}"
    # rating an open appeal is refused
    r = client.post(f"/api/v1/appeals/{a['id']}/rating", json={"score": 5}, headers=resident)
    assert r.status_code == 409 and r.json()["error"]["code"] == "appeal_not_closed"
    # invalid jump created -> in_progress
    r = client.post(f"{base}/status", json={"to_status": "in_progress"}, headers=op)
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"
    for step in ["assigned", "returned", "reassigned", "in_progress"]:
        r = client.post(f"{base}/status", json={"to_status": step, "note": step}, headers=op)
        assert r.status_code == 200, r.text
    r = client.post(f"{base}/close", json={"result_text": "Убрано"}, headers=op)
    assert r.json()["status"] == "closed"
    detail = client.get(f"/api/v1/appeals/{a['id']}", headers=resident).json()
    assert [h["to_status"] for h in detail["history"] if h["kind"] == "status"] == [
        "created",
        "assigned",
        "returned",
        "reassigned",
        "in_progress",
        "closed",
    ]
    assert detail["result_text"] == "Убрано"
    r = client.post(
        f"/api/v1/appeals/{a['id']}/rating", json={"score": 4, "comment": "ok"}, headers=resident
    )
    assert r.status_code == 200 and r.json()["rating"] == 4
    r = client.post(f"/api/v1/appeals/{a['id']}/rating", json={"score": 5}, headers=resident)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_rated"
    r = client.post(f"/api/v1/appeals/{a['id']}/rating", json={"score": 6}, headers=resident)
    assert r.status_code == 422
    r = client.post(
        f"/api/v1/appeals/{a['id']}/reopen", json={"reason": "Снова грязно"}, headers=resident
    )
    assert r.status_code == 200
    reopened = r.json()
    assert reopened["status"] == "in_progress" and reopened["reopen_count"] == 1
    assert reopened["rating"] is None
    r = client.post(
        f"/api/v1/appeals/{a['id']}/complaints", json={"reason": "Долго"}, headers=resident
    )
    assert r.json()["history"][-1]["kind"] == "complaint"


def test_reopen_retry_with_same_key_reopens_once(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    base = f"/api/v1/operator/appeals/{a['id']}"
    client.post(f"{base}/status", json={"to_status": "assigned"}, headers=op)
    client.post(f"{base}/close", json={"result_text": "Готово"}, headers=op)
    h = {**resident, "Idempotency-Key": str(uuid.uuid4())}
    for _ in range(3):
        r = client.post(f"/api/v1/appeals/{a['id']}/reopen", json={"reason": "нет"}, headers=h)
        assert r.status_code == 200
    assert client.get(f"/api/v1/appeals/{a['id']}", headers=resident).json()["reopen_count"] == 1


def test_operator_endpoints_refuse_residents(client: TestClient, resident: dict[str, str]) -> None:
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    assert client.get("/api/v1/operator/appeals", headers=resident).status_code == 403
    r = client.post(
        f"/api/v1/operator/appeals/{a['id']}/status",
        json={"to_status": "assigned"},
        headers=resident,
    )
    assert r.status_code == 403


def test_overdue_is_marked(client: TestClient, resident: dict[str, str]) -> None:
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        row = db.get(Appeal, a["id"])
        assert row is not None
        row.due_at = datetime.now(UTC) - timedelta(hours=1)
        db.add(row)
        db.commit()
    assert client.get(f"/api/v1/appeals/{a['id']}", headers=resident).json()["overdue"] is True
