from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.backend.test_appeals import appeal_body, make_operator
from tests.conftest import sign_in


def _msg(text: str = "Когда приедут?") -> dict:
    return {"client_id": str(uuid.uuid4()), "text": text}


def test_chat_both_ways_with_read_marks(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    url = f"/api/v1/appeals/{a['id']}/messages"
    mine = client.post(url, json=_msg(), headers=resident)
    assert mine.status_code == 201 and mine.json()["author_role"] == "resident"
    reply = client.post(url, json=_msg("Бригада выехала"), headers=op).json()
    assert reply["author_role"] == "operator"
    msgs = client.get(url, headers=resident).json()
    assert [m["text"] for m in msgs] == ["Когда приедут?", "Бригада выехала"]
    assert msgs[1]["read_at"] is None
    r = client.post(f"{url}/read", json={"up_to_id": reply["id"]}, headers=resident)
    assert r.json() == {"marked": 1}  # only the operator's message, not the resident's own
    assert client.get(url, headers=resident).json()[1]["read_at"] is not None


def test_message_retry_is_not_duplicated(client: TestClient, resident: dict[str, str]) -> None:
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    url = f"/api/v1/appeals/{a['id']}/messages"
    body = _msg()
    ids = {client.post(url, json=body, headers=resident).json()["id"] for _ in range(3)}
    assert len(ids) == 1 and len(client.get(url, headers=resident).json()) == 1


def test_empty_message_is_refused(client: TestClient, resident: dict[str, str]) -> None:
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    r = client.post(f"/api/v1/appeals/{a['id']}/messages", json=_msg("  "), headers=resident)
    assert r.status_code == 422


def test_sync_feed_cursor_etag_and_isolation(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    other = sign_in(client)
    r = client.get("/api/v1/sync", headers=resident)
    assert r.status_code == 200 and r.json()["changes"] == {}
    start, etag = r.json()["cursor"], r.headers["ETag"]
    # nothing new: 304 with the same ETag
    r = client.get(
        "/api/v1/sync", params={"cursor": start}, headers={**resident, "If-None-Match": etag}
    )
    assert r.status_code == 304
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    client.post("/api/v1/appeals", json=appeal_body(), headers=other)
    client.post(
        f"/api/v1/operator/appeals/{a['id']}/status", json={"to_status": "assigned"}, headers=op
    )
    client.post(f"/api/v1/appeals/{a['id']}/messages", json=_msg("Принято"), headers=op)
    r = client.get(
        "/api/v1/sync", params={"cursor": start}, headers={**resident, "If-None-Match": etag}
    )
    assert r.status_code == 200
    feed = r.json()
    assert [x["id"] for x in feed["changes"]["appeal"]] == [a["id"]]  # only mine, once
    assert feed["changes"]["appeal"][0]["status"] == "assigned"
    assert [m["text"] for m in feed["changes"]["message"]] == ["Принято"]
    # caught up
    r = client.get(
        "/api/v1/sync",
        params={"cursor": feed["cursor"]},
        headers={**resident, "If-None-Match": r.headers["ETag"]},
    )
    assert r.status_code == 304


def test_sync_pages_with_has_more(client: TestClient, resident: dict[str, str]) -> None:
    for _ in range(5):
        client.post("/api/v1/appeals", json=appeal_body(), headers=resident)
    seen: list[int] = []
    cursor, more = 0, True
    while more:
        page = client.get(
            "/api/v1/sync", params={"cursor": cursor, "limit": 2}, headers=resident
        ).json()
        seen += [a["id"] for a in page["changes"].get("appeal", [])]
        cursor, more = page["cursor"], page["has_more"]
    assert len(set(seen)) == 5
