"""Public participation through the HTTP API: polls (one vote, scope, results), initiatives
(support once), proposals (idempotent, moderated, photos), operator rights and the sync feed."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, func, select

from backend_stub.config import Settings
from backend_stub.demo.participation import seed_participation
from backend_stub.demo.seed import seed_demo
from backend_stub.main import create_app
from backend_stub.models import InitiativeSupport, PollBallot, PollChoice, Proposal
from tests.backend.support import add_staff
from tests.backend.test_appeals import make_operator
from tests.backend.test_console import PASSWORD, csrf_of, login
from tests.conftest import sign_in

RU = {"Accept-Language": "ru"}


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def poll_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "question_kk": "Қай саябақты бірінші кезекте абаттандыру керек?",
        "question_ru": "Какой парк благоустроить первым?",
        "options": [
            {"text_kk": "Орталық саябақ", "text_ru": "Центральный парк"},
            {"text_kk": "Жеңіс саябағы", "text_ru": "Парк Победы"},
            {"text_kk": "Студенттер саябағы", "text_ru": "Студенческий парк"},
        ],
        "opens_at": _iso(-timedelta(hours=1)),
        "closes_at": _iso(timedelta(days=3)),
    }
    body.update(over)
    return body


def publish_poll(client: TestClient, op: dict[str, str], **over: Any) -> dict[str, Any]:
    r = client.post("/api/v1/operator/polls", json=poll_body(**over), headers=op)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft"
    r = client.post(f"/api/v1/operator/polls/{r.json()['id']}/publish", headers=op)
    assert r.status_code == 200, r.text
    return r.json()


def vote(
    client: TestClient, headers: dict[str, str], poll_id: int, option_ids: list[int], **extra: Any
) -> Any:
    body = {"option_ids": option_ids, "client_id": str(uuid.uuid4())}
    return client.post(f"/api/v1/polls/{poll_id}/vote", json=body, headers={**headers, **extra})


def count(client: TestClient, model: Any) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return int(db.exec(select(func.count()).select_from(model)).one())


def proposal_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "text": "Аулаға орындықтар мен қоқыс жәшіктерін орнату керек.",
        "category": "landscaping",
        "lat": 51.0935,
        "lon": 71.4170,
        "address": "Қабанбай батыр даңғылы, 11",
    }
    body.update(over)
    return body


def sync_changes(client: TestClient, headers: dict[str, str], cursor: int) -> dict[str, Any]:
    r = client.get("/api/v1/sync", params={"cursor": cursor}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def head(client: TestClient, headers: dict[str, str]) -> int:
    cursor = 0
    while True:
        page = sync_changes(client, headers, cursor)
        cursor = page["cursor"]
        if not page["has_more"]:
            return cursor


# ---------------------------------------------------------------- polls


def test_one_vote_per_resident_retry_is_same_answer_other_choice_conflicts(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    poll = publish_poll(client, op)
    a, b = poll["options"][0]["id"], poll["options"][1]["id"]

    before = client.get(f"/api/v1/polls/{poll['id']}", headers=resident).json()
    assert before["status"] == "open" and before["can_vote"] is True
    assert before["my_vote"] is None and before["results"] is None  # hidden before voting

    first = vote(client, resident, poll["id"], [a])
    assert first.status_code == 200, first.text
    assert first.json()["my_vote"] == [a] and first.json()["can_vote"] is False
    res = first.json()["results"]
    assert res["total"] == 1
    assert [(o["count"], o["share"]) for o in res["options"]] == [(1, 1.0), (0, 0.0), (0, 0.0)]

    again = vote(client, resident, poll["id"], [a])
    assert again.status_code == 200 and again.json() == first.json()

    other = vote(client, resident, poll["id"], [b], **RU)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "already_voted"
    assert "уже проголосовали" in other.json()["error"]["message"]
    kk = vote(client, resident, poll["id"], [b])
    assert "дауыс бердіңіз" in kk.json()["error"]["message"]

    assert count(client, PollBallot) == 1 and count(client, PollChoice) == 1
    mine = client.get(f"/api/v1/polls/{poll['id']}", headers=resident).json()
    assert mine["my_vote"] == [a] and mine["results"]["options"][0]["count"] == 1


def test_results_show_to_voters_and_to_everyone_once_closed(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    other = sign_in(client)
    poll = publish_poll(client, op)
    options = [o["id"] for o in poll["options"]]
    assert vote(client, resident, poll["id"], [options[1]]).status_code == 200
    seen = client.get(f"/api/v1/polls/{poll['id']}", headers=other).json()
    assert seen["results"] is None and seen["can_vote"] is True

    closed = client.post(f"/api/v1/operator/polls/{poll['id']}/close", headers=op)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    after = client.get(f"/api/v1/polls/{poll['id']}", headers=other).json()
    assert after["status"] == "closed" and after["can_vote"] is False and after["my_vote"] is None
    assert after["results"]["total"] == 1
    assert [o["count"] for o in after["results"]["options"]] == [0, 1, 0]

    late = vote(client, other, poll["id"], [options[0]], **RU)
    assert late.status_code == 409 and late.json()["error"]["code"] == "poll_closed"
    assert count(client, PollBallot) == 1
    open_ids = [p["id"] for p in client.get("/api/v1/polls", headers=other).json()]
    closed_ids = [p["id"] for p in client.get("/api/v1/polls?scope=closed", headers=other).json()]
    assert poll["id"] not in open_ids and poll["id"] in closed_ids


def test_not_yet_open_poll_refuses_votes(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    poll = publish_poll(
        client, op, opens_at=_iso(timedelta(days=1)), closes_at=_iso(timedelta(days=2))
    )
    assert poll["status"] == "upcoming"
    r = vote(client, resident, poll["id"], [poll["options"][0]["id"]])
    assert r.status_code == 409 and r.json()["error"]["code"] == "poll_closed"
    assert [p["id"] for p in client.get("/api/v1/polls?scope=upcoming", headers=resident).json()]
    assert client.get("/api/v1/polls", headers=resident).json() == []


def test_foreign_option_and_choice_limits_are_422_with_nothing_stored(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    single = publish_poll(client, op)
    multi = publish_poll(
        client,
        op,
        multiple=True,
        max_choices=2,
        question_ru="Что развивать в первую очередь?",
        options=[{"text_kk": f"Нұсқа {i}", "text_ru": f"Вариант {i}"} for i in range(4)],
    )
    assert multi["max_choices"] == 2 and multi["multiple"] is True
    foreign = vote(client, resident, single["id"], [multi["options"][0]["id"]], **RU)
    assert foreign.status_code == 422
    assert foreign.json()["error"]["code"] == "poll_option_invalid"
    two = [o["id"] for o in single["options"][:2]]
    too_many = vote(client, resident, single["id"], two)
    assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "too_many_choices"
    three = [o["id"] for o in multi["options"][:3]]
    r = vote(client, resident, multi["id"], three, **RU)
    assert r.status_code == 422 and "не более 2" in r.json()["error"]["message"]
    empty = vote(client, resident, multi["id"], [])
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "validation_error"
    assert count(client, PollBallot) == 0 and count(client, PollChoice) == 0

    ok = vote(client, resident, multi["id"], [three[2], three[0]])
    assert ok.status_code == 200 and ok.json()["my_vote"] == [three[0], three[2]]
    other = sign_in(client)
    assert vote(client, other, multi["id"], [three[0]]).status_code == 200
    res = {o["option_id"]: o for o in ok.json()["results"]["options"]}
    assert res[three[0]]["count"] == 1
    res = vote(client, other, multi["id"], [three[0]]).json()["results"]
    assert res["total"] == 2
    shares = {o["option_id"]: (o["count"], o["share"]) for o in res["options"]}
    assert shares[three[0]] == (2, 1.0) and shares[three[2]] == (1, 0.5)
    assert shares[three[1]] == (0, 0.0)


def test_district_polls_reach_only_their_residents(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    city = publish_poll(client, op)
    nura = publish_poll(client, op, districts=["nura"], question_ru="Нұра: новая школа?")

    ids = [p["id"] for p in client.get("/api/v1/polls", headers=resident).json()]
    assert city["id"] in ids and nura["id"] not in ids
    refused = vote(client, resident, nura["id"], [nura["options"][0]["id"]], **RU)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "poll_not_in_district"
    assert client.get(f"/api/v1/polls/{nura['id']}", headers=resident).json()["can_vote"] is False

    r = client.patch("/api/v1/profile", json={"notify_districts": ["nura"]}, headers=resident)
    assert r.status_code == 200
    ids = [p["id"] for p in client.get("/api/v1/polls", headers=resident).json()]
    assert city["id"] in ids and nura["id"] in ids
    assert vote(client, resident, nura["id"], [nura["options"][0]["id"]]).status_code == 200

    by_address = sign_in(client)
    r = client.post(
        "/api/v1/profile/addresses",
        json={"label": "home", "text": "Тұран даңғылы", "lat": 51.0565, "lon": 71.3735},
        headers=by_address,
    )
    assert r.status_code == 201, r.text
    ids = [p["id"] for p in client.get("/api/v1/polls", headers=by_address).json()]
    assert nura["id"] in ids


def test_drafts_are_hidden_and_poll_input_is_checked(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    draft = client.post("/api/v1/operator/polls", json=poll_body(), headers=op).json()
    assert client.get(f"/api/v1/polls/{draft['id']}", headers=resident).status_code == 404
    assert client.get("/api/v1/polls", headers=resident).json() == []
    r = vote(client, resident, draft["id"], [draft["options"][0]["id"]])
    assert r.status_code == 404

    bad = [
        (poll_body(closes_at=_iso(-timedelta(hours=2))), "poll_dates_invalid"),
        (poll_body(districts=["atlantis"]), "unknown_district"),
        (poll_body(max_choices=2), "poll_max_choices_invalid"),
        (poll_body(multiple=True, max_choices=5), "poll_max_choices_invalid"),
        (poll_body(options=poll_body()["options"][:1]), "validation_error"),
        (poll_body(opens_at="2026-07-12T09:00:00"), "validation_error"),  # no offset
    ]
    for body, code in bad:
        r = client.post("/api/v1/operator/polls", json=body, headers={**op, **RU})
        assert r.status_code == 422, (code, r.text)
        assert r.json()["error"]["code"] == code
    assert len(client.get("/api/v1/operator/polls", headers=op).json()) == 1

    edited = client.put(
        f"/api/v1/operator/polls/{draft['id']}",
        json=poll_body(question_ru="Новый вопрос"),
        headers=op,
    )
    assert edited.status_code == 200 and edited.json()["question_ru"] == "Новый вопрос"
    client.post(f"/api/v1/operator/polls/{draft['id']}/publish", headers=op)
    again = client.put(f"/api/v1/operator/polls/{draft['id']}", json=poll_body(), headers=op)
    assert again.status_code == 409 and again.json()["error"]["code"] == "poll_not_draft"
    gone = client.delete(f"/api/v1/operator/polls/{draft['id']}", headers=op)
    assert gone.status_code == 409


def test_concurrent_identical_votes_and_supports_count_once(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    poll = publish_poll(client, op)
    option = poll["options"][0]["id"]
    with ThreadPoolExecutor(8) as pool:
        codes = set(
            pool.map(lambda _: vote(client, resident, poll["id"], [option]).status_code, range(16))
        )
    assert codes == {200} and count(client, PollBallot) == 1
    iid = client.post("/api/v1/operator/initiatives", json=initiative_body(), headers=op).json()[
        "id"
    ]
    url = f"/api/v1/initiatives/{iid}/support"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: client.post(url, headers=resident), range(16)))
    assert {(r.status_code, r.json()["supported"]) for r in answers} == {(200, True)}
    assert count(client, InitiativeSupport) == 1
    assert client.get(f"/api/v1/initiatives/{iid}", headers=resident).json()["support_count"] == 1


# ---------------------------------------------------------------- initiatives


def initiative_body(**over: Any) -> dict[str, Any]:
    body = {
        "title_kk": "Есіл жағалауын көгалдандыру",
        "title_ru": "Озеленение набережной Есиля",
        "description_kk": "Жағалау бойына 500 ағаш отырғызу.",
        "description_ru": "Высадка 500 деревьев вдоль набережной.",
    }
    body.update(over)
    return body


def test_initiative_support_once(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    created = client.post("/api/v1/operator/initiatives", json=initiative_body(), headers=op)
    assert created.status_code == 201 and created.json()["state"] == "proposed"
    iid = created.json()["id"]

    for _ in range(2):
        r = client.post(f"/api/v1/initiatives/{iid}/support", headers=resident)
        assert r.status_code == 200
        assert r.json()["supported"] is True and r.json()["support_count"] == 1
    listed = client.get("/api/v1/initiatives", headers=resident).json()
    assert [(i["id"], i["supported"], i["support_count"]) for i in listed] == [(iid, True, 1)]
    other = sign_in(client)
    seen = client.get(f"/api/v1/initiatives/{iid}", headers=other).json()
    assert seen["supported"] is False and seen["support_count"] == 1

    for _ in range(2):
        r = client.delete(f"/api/v1/initiatives/{iid}/support", headers=resident)
        assert r.status_code == 200
        assert r.json()["supported"] is False and r.json()["support_count"] == 0

    moved = client.patch(f"/api/v1/operator/initiatives/{iid}", json={"state": "done"}, headers=op)
    assert moved.status_code == 200 and moved.json()["state"] == "done"
    assert moved.json()["title_ru"] == "Озеленение набережной Есиля"
    late = client.post(f"/api/v1/initiatives/{iid}/support", headers={**other, **RU})
    assert late.status_code == 409 and late.json()["error"]["code"] == "initiative_closed"
    done = client.get("/api/v1/initiatives?state=done", headers=other).json()
    assert [i["id"] for i in done] == [iid]
    assert client.get("/api/v1/initiatives?state=proposed", headers=other).json() == []
    assert client.post("/api/v1/initiatives/999/support", headers=other).status_code == 404


# ---------------------------------------------------------------- proposals


def test_categories_are_served_in_both_languages(
    client: TestClient, resident: dict[str, str]
) -> None:
    cats = client.get("/api/v1/proposals/categories", headers=resident).json()
    assert [c["code"] for c in cats] == [
        "landscaping",
        "urban_infrastructure",
        "transport",
        "ecology",
        "social",
        "other",
    ]
    assert cats[0]["name_kk"] == "Абаттандыру" and cats[0]["name_ru"] == "Благоустройство"


def test_proposal_creation_is_idempotent_by_client_id(
    client: TestClient, resident: dict[str, str]
) -> None:
    body = proposal_body()
    first = client.post("/api/v1/proposals", json=body, headers=resident)
    again = client.post("/api/v1/proposals", json=body, headers=resident)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    p = first.json()
    assert p["state"] == "pending" and p["mine"] is True and p["client_id"] == body["client_id"]
    assert p["district"] == "yesil" and p["support_count"] == 0
    mine = client.get("/api/v1/proposals?mine=true", headers=resident).json()["items"]
    assert [x["id"] for x in mine] == [p["id"]]
    changed = client.post(
        "/api/v1/proposals", json={**body, "text": "Басқа мәтін"}, headers=resident
    )
    assert changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency_mismatch"
    assert count(client, Proposal) == 1


def test_too_long_or_bad_proposal_is_422_in_kk_and_ru_with_nothing_stored(
    client: TestClient, resident: dict[str, str]
) -> None:
    long = proposal_body(text="а" * 2001)
    kk = client.post("/api/v1/proposals", json=long, headers=resident)
    ru = client.post("/api/v1/proposals", json=long, headers={**resident, **RU})
    assert kk.status_code == ru.status_code == 422
    assert kk.json()["error"]["code"] == "validation_error"
    assert kk.json()["error"]["message"].startswith("Деректер дұрыс толтырылмаған")
    assert ru.json()["error"]["message"].startswith("Данные заполнены неверно")
    assert ["body", "text"] in [f["loc"] for f in kk.json()["error"]["details"]["fields"]]
    assert (
        client.post(
            "/api/v1/proposals", json=proposal_body(text="а" * 2000), headers=resident
        ).status_code
        == 201
    )

    for bad in (
        proposal_body(text="бұзық\x00мәтін"),
        proposal_body(category="parking"),
        proposal_body(lon=None),
        proposal_body(photo_ids=["0" * 32]),
    ):
        r = client.post("/api/v1/proposals", json=bad, headers=resident)
        assert r.status_code == 422, r.text
    assert count(client, Proposal) == 1


def test_moderation_flow_and_who_sees_what(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    other = sign_in(client)
    pid = client.post("/api/v1/proposals", json=proposal_body(), headers=resident).json()["id"]

    assert client.get("/api/v1/proposals", headers=other).json()["items"] == []
    assert client.get(f"/api/v1/proposals/{pid}", headers=other).status_code == 404
    assert client.post(f"/api/v1/proposals/{pid}/support", headers=other).status_code == 404
    own = client.post(f"/api/v1/proposals/{pid}/support", headers={**resident, **RU})
    assert own.status_code == 409 and own.json()["error"]["code"] == "proposal_not_published"
    assert client.get(f"/api/v1/proposals/{pid}", headers=resident).json()["state"] == "pending"

    pending = client.get("/api/v1/operator/proposals?state=pending", headers=op).json()["items"]
    assert [p["id"] for p in pending] == [pid] and pending[0]["author_phone"].startswith("+7")
    no_note = client.post(
        f"/api/v1/operator/proposals/{pid}/moderate",
        json={"state": "rejected", "note": "  "},
        headers={**op, **RU},
    )
    assert no_note.status_code == 422
    assert no_note.json()["error"]["code"] == "moderation_note_required"

    published = client.post(
        f"/api/v1/operator/proposals/{pid}/moderate", json={"state": "published"}, headers=op
    )
    assert published.status_code == 200 and published.json()["state"] == "published"
    seen = client.get(f"/api/v1/proposals/{pid}", headers=other).json()
    assert seen["state"] == "published" and seen["mine"] is False and seen["client_id"] is None
    for _ in range(2):
        r = client.post(f"/api/v1/proposals/{pid}/support", headers=other)
        assert r.status_code == 200 and r.json()["support_count"] == 1 and r.json()["supported"]
    listed = client.get("/api/v1/proposals?category=landscaping", headers=other).json()["items"]
    assert [(p["id"], p["supported"]) for p in listed] == [(pid, True)]
    assert client.get("/api/v1/proposals?category=ecology", headers=other).json()["items"] == []

    rejected = client.post(
        f"/api/v1/operator/proposals/{pid}/moderate",
        json={"state": "rejected", "note": "Аула ОСИ балансында."},
        headers=op,
    )
    assert rejected.status_code == 200
    assert client.get(f"/api/v1/proposals/{pid}", headers=other).status_code == 404
    mine = client.get(f"/api/v1/proposals/{pid}", headers=resident).json()
    assert mine["state"] == "rejected" and mine["moderator_note"] == "Аула ОСИ балансында."


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 60)).save(out, "JPEG")
    return out.getvalue()


def upload(client: TestClient, headers: dict[str, str]) -> str:
    files = {"file": ("park.jpg", jpeg(), "image/jpeg")}
    r = client.post("/api/v1/media", files=files, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_proposal_photos_are_shown_once_published(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    other = sign_in(client)
    photo = upload(client, resident)
    foreign = upload(client, other)
    r = client.post(
        "/api/v1/proposals", json=proposal_body(photo_ids=[photo, foreign]), headers=resident
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "media_not_yours"
    assert count(client, Proposal) == 0

    p = client.post("/api/v1/proposals", json=proposal_body(photo_ids=[photo]), headers=resident)
    assert p.status_code == 201, p.text
    url = p.json()["photos"][0]["url"]
    assert url == f"/api/v1/proposals/{p.json()['id']}/photos/{photo}"
    assert client.get(url, headers=resident).status_code == 200
    assert client.get(url, headers=other).status_code == 404
    reused = client.post(
        "/api/v1/proposals", json=proposal_body(photo_ids=[photo]), headers=resident
    )
    assert reused.status_code == 422

    client.post(
        f"/api/v1/operator/proposals/{p.json()['id']}/moderate",
        json={"state": "published"},
        headers=op,
    )
    got = client.get(url, headers=other)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"


# ---------------------------------------------------------------- rights and the sync feed


def test_operator_endpoints_refuse_residents(client: TestClient, resident: dict[str, str]) -> None:
    calls = [
        ("get", "/api/v1/operator/polls", None),
        ("post", "/api/v1/operator/polls", poll_body()),
        ("post", "/api/v1/operator/polls/1/publish", None),
        ("post", "/api/v1/operator/polls/1/close", None),
        ("put", "/api/v1/operator/polls/1", poll_body()),
        ("delete", "/api/v1/operator/polls/1", None),
        ("post", "/api/v1/operator/initiatives", initiative_body()),
        ("patch", "/api/v1/operator/initiatives/1", {"state": "done"}),
        ("get", "/api/v1/operator/proposals", None),
        ("post", "/api/v1/operator/proposals/1/moderate", {"state": "published"}),
    ]
    for method, url, body in calls:
        r = client.request(method, url, json=body, headers={**resident, **RU})
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["error"]["message"] == "Нет прав на это действие."
    assert client.get("/api/v1/polls").status_code == 401


def test_sync_feed_carries_participation_changes(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    other = sign_in(client)
    start, other_start = head(client, resident), head(client, other)

    poll = publish_poll(client, op)
    district_poll = publish_poll(client, op, districts=["nura"])
    iid = client.post("/api/v1/operator/initiatives", json=initiative_body(), headers=op).json()[
        "id"
    ]
    vote(client, resident, poll["id"], [poll["options"][0]["id"]])
    client.post(f"/api/v1/initiatives/{iid}/support", headers=resident)
    pid = client.post("/api/v1/proposals", json=proposal_body(), headers=resident).json()["id"]

    mine = sync_changes(client, resident, start)["changes"]
    assert [(p["id"], p["my_vote"]) for p in mine["poll"]] == [
        (poll["id"], [poll["options"][0]["id"]])
    ]
    assert mine["poll"][0]["results"]["total"] == 1
    assert [(i["id"], i["supported"], i["support_count"]) for i in mine["initiative"]] == [
        (iid, True, 1)
    ]
    assert [(p["id"], p["state"]) for p in mine["proposal"]] == [(pid, "pending")]

    theirs = sync_changes(client, other, other_start)
    changes = theirs["changes"]
    assert [(p["id"], p["my_vote"], p["results"]) for p in changes["poll"]] == [
        (poll["id"], None, None)
    ]
    assert district_poll["id"] not in [p["id"] for p in changes["poll"]]
    assert [(i["id"], i["supported"]) for i in changes["initiative"]] == [(iid, False)]
    assert "proposal" not in changes  # someone else's pending proposal

    cursor = theirs["cursor"]
    client.post(
        f"/api/v1/operator/proposals/{pid}/moderate", json={"state": "published"}, headers=op
    )
    later = sync_changes(client, other, cursor)
    assert [(p["id"], p["state"]) for p in later["changes"]["proposal"]] == [(pid, "published")]
    client.post(
        f"/api/v1/operator/proposals/{pid}/moderate",
        json={"state": "rejected", "note": "Қайталанады"},
        headers=op,
    )
    gone = sync_changes(client, other, later["cursor"])["changes"]["proposal"]
    assert gone == [{"id": pid, "removed": True}]
    own = sync_changes(client, resident, start)["changes"]["proposal"]
    assert [(p["id"], p["state"], p["moderator_note"]) for p in own] == [
        (pid, "rejected", "Қайталанады")
    ]


# ---------------------------------------------------------------- demo data


def test_demo_participation_is_seeded_once(client: TestClient, settings: Settings) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    seed_demo(engine, settings)
    with Session(engine) as db:
        assert seed_participation(db) == 0  # everything is there already
    dmitry = sign_in(client, "+77010000002")

    open_polls = client.get("/api/v1/polls", headers=dmitry).json()
    assert len(open_polls) == 2
    assert sorted(p["multiple"] for p in open_polls) == [False, True]
    assert all(p["can_vote"] and p["results"] is None for p in open_polls)
    closed = client.get("/api/v1/polls?scope=closed", headers=dmitry).json()
    assert len(closed) == 1 and closed[0]["districts"] == ["yesil"]
    assert closed[0]["my_vote"] is not None and closed[0]["results"]["total"] == 20

    initiatives = client.get("/api/v1/initiatives", headers=dmitry).json()
    assert sorted(i["state"] for i in initiatives) == ["done", "in_progress", "proposed"]
    assert all(i["support_count"] > 0 for i in initiatives)
    proposals = client.get("/api/v1/proposals", headers=dmitry).json()["items"]
    assert sorted(p["state"] for p in proposals) == ["published"] * 3
    aigul = sign_in(client, "+77010000001")
    own = client.get("/api/v1/proposals?mine=true", headers=aigul).json()["items"]
    assert sorted(p["state"] for p in own) == ["pending", "published"]
    op = make_operator(client)
    pending = client.get("/api/v1/operator/proposals?state=pending", headers=op).json()
    assert len(pending["items"]) == 1

    seed_demo(engine, settings)
    assert len(client.get("/api/v1/operator/polls", headers=op).json()) == 3
    assert len(client.get("/api/v1/initiatives", headers=dmitry).json()) == 3
    assert len(client.get("/api/v1/operator/proposals", headers=op).json()["items"]) == 4


# ---------------------------------------------------------------- the operator console


@pytest.fixture
def cclient(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as c:
        add_staff(c, "op", role="supervisor", password=PASSWORD)  # polls are a supervisor's
        login(c)
        yield c


def test_console_creates_publishes_and_closes_a_poll(cclient: TestClient) -> None:
    page = cclient.get("/console/participation")
    assert page.status_code == 200 and "Опросы" in page.text
    csrf = csrf_of(page.text)
    form = {
        "csrf": csrf,
        "question_kk": "Аулада не салу керек?",
        "question_ru": "Что построить во дворе?",
        "options_kk": "Балалар алаңы\nСпорт алаңы\n",
        "options_ru": "Детскую площадку\nСпортплощадку\n",
        "opens_at": "2020-01-01T09:00",
        "closes_at": "2099-01-01T09:00",
        "districts": ["yesil"],
    }
    mismatch = cclient.post(
        "/console/participation/polls", data={**form, "options_ru": "Только один"}
    )
    assert mismatch.status_code == 422 and "должно совпадать" in mismatch.text
    assert "Аулада не салу керек?" in mismatch.text  # the form keeps what was typed
    stale = cclient.post("/console/participation/polls", data={**form, "csrf": "forged"})
    assert stale.status_code == 403

    created = cclient.post("/console/participation/polls", data=form)
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    poll_id = int(url.rsplit("/", 1)[1])
    assert "Черновик" in cclient.get(url).text
    assert cclient.post(f"{url}/publish", data={"csrf": csrf}).status_code == 303

    resident = sign_in(cclient)
    cclient.patch("/api/v1/profile", json={"notify_districts": ["yesil"]}, headers=resident)
    poll = cclient.get(f"/api/v1/polls/{poll_id}", headers=resident).json()
    assert poll["districts"] == ["yesil"] and poll["status"] == "open"
    assert vote(cclient, resident, poll_id, [poll["options"][1]["id"]]).status_code == 200

    detail = cclient.get(url).text
    assert "Идёт голосование" in detail and "100,0 %" in detail  # Babel, ru
    asked = cclient.post(f"{url}/close", data={"csrf": csrf})
    assert asked.status_code == 200 and 'value="yes"' in asked.text  # not closed before confirmed
    assert cclient.post(f"{url}/close", data={"csrf": csrf, "confirmed": "yes"}).status_code == 303
    assert "Завершён" in cclient.get(url).text
    again = cclient.post(f"{url}/delete", data={"csrf": csrf})
    assert again.status_code == 409 and "нельзя изменить или удалить" in again.text


def test_console_initiatives_and_proposal_moderation(cclient: TestClient) -> None:
    page = cclient.get("/console/participation/initiatives")
    csrf = csrf_of(page.text)
    fields = {
        "title_kk": "Саябақта <жарық>",
        "title_ru": "Освещение в парке",
        "description_kk": "Шамдар орнату.",
        "description_ru": "Установка фонарей.",
    }
    r = cclient.post("/console/participation/initiatives", data={"csrf": csrf, **fields})
    assert r.status_code == 303
    cclient.cookies.set("console_lang", "kk")  # the Kazakh title is shown on the Kazakh page
    listing = cclient.get("/console/participation/initiatives").text
    cclient.cookies.delete("console_lang")
    assert "Саябақта &lt;жарық&gt;" in listing and "<жарық>" not in listing
    resident = sign_in(cclient)
    iid = cclient.get("/api/v1/initiatives", headers=resident).json()[0]["id"]
    moved = cclient.post(
        f"/console/participation/initiatives/{iid}",
        data={"csrf": csrf, **fields, "state": "in_progress"},
    )
    assert moved.status_code == 303
    got = cclient.get(f"/api/v1/initiatives/{iid}", headers=resident).json()
    assert got["state"] == "in_progress"
    empty = cclient.post(
        f"/console/participation/initiatives/{iid}",
        data={"csrf": csrf, **fields, "title_ru": "   "},
    )
    assert empty.status_code == 422

    pid = cclient.post("/api/v1/proposals", json=proposal_body(), headers=resident).json()["id"]
    queue = cclient.get("/console/participation/proposals").text
    assert (
        "Аулаға орындықтар" in queue and f'action="/console/participation/proposals/{pid}' in queue
    )
    url = f"/console/participation/proposals/{pid}/moderate"
    no_note = cclient.post(url, data={"csrf": csrf, "state": "rejected", "note": ""})
    assert no_note.status_code == 422 and "причину отклонения" in no_note.text
    ok = cclient.post(url, data={"csrf": csrf, "state": "published", "note": ""})
    assert ok.status_code == 303
    assert cclient.get(f"/api/v1/proposals/{pid}", headers=sign_in(cclient)).status_code == 200


def test_console_participation_needs_sign_in(settings: Settings) -> None:
    with TestClient(create_app(settings), follow_redirects=False) as c:
        for url in (
            "/console/participation",
            "/console/participation/initiatives",
            "/console/participation/proposals",
        ):
            r = c.get(url)
            assert r.status_code == 303 and r.headers["location"] == "/console/login"
        assert c.post("/console/participation/polls", data={}).status_code == 303
