"""Notices (advance notification): active vs archive, withdrawal, filters, the resident's own
preferences, operator-only writes, refused input in kk/ru, sync feed, console pages, demo."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from backend_stub.config import Settings
from backend_stub.demo.notices import seed_notices
from backend_stub.models import FeedEvent, Notice, NoticeDistrict
from backend_stub.notice_topics import TOPICS
from tests.backend.support import console_client, console_publish_once
from tests.backend.test_appeals import make_operator

NOW = datetime.now(UTC)
KK_ONLY = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")


def notice_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "emergency",
        "topic": "water",
        "title_kk": "Су берілмейді",
        "title_ru": "Нет воды",
        "body_kk": "Су құбыры жарылды, жөндеу жүріп жатыр.",
        "body_ru": "Порыв водовода, идёт ремонт.",
        "districts": ["yesil"],
        "starts_at": (NOW - timedelta(hours=1)).isoformat(),
        "ends_at": (NOW + timedelta(days=1)).isoformat(),
    }
    body.update(over)
    return body


def publish(client: TestClient, op: dict[str, str], **over: Any) -> dict[str, Any]:
    r = client.post("/api/v1/operator/notices", json=notice_body(**over), headers=op)
    assert r.status_code == 201, r.text
    return r.json()


def ids(client: TestClient, headers: dict[str, str], **params: Any) -> list[int]:
    r = client.get("/api/v1/notices", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [n["id"] for n in r.json()["items"]]


def count(client: TestClient, model: Any) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return int(db.exec(select(func.count()).select_from(model)).one())


def test_active_and_archive(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    current = publish(client, op)
    upcoming = publish(
        client,
        op,
        kind="planned",
        starts_at=(NOW + timedelta(days=2)).isoformat(),
        ends_at=(NOW + timedelta(days=3)).isoformat(),
    )
    open_ended = publish(client, op, ends_at=None)
    ended = publish(
        client,
        op,
        starts_at=(NOW - timedelta(days=3)).isoformat(),
        ends_at=(NOW - timedelta(days=2)).isoformat(),
    )
    assert current["active"] and not ended["active"]
    assert current["title_kk"] == "Су берілмейді" and current["title_ru"] == "Нет воды"
    assert ids(client, resident) == [open_ended["id"], upcoming["id"], current["id"]]
    assert ids(client, resident, scope="archive") == [ended["id"]]
    r = client.get(f"/api/v1/notices/{ended['id']}", headers=resident)
    assert r.status_code == 200 and r.json()["state"] == "published" and not r.json()["active"]
    assert client.get("/api/v1/notices").status_code == 401


def test_withdraw_moves_to_archive_and_reaches_the_feed(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    start = client.get("/api/v1/sync", headers=resident).json()["cursor"]
    notice = publish(client, op)
    feed = client.get("/api/v1/sync", params={"cursor": start}, headers=resident).json()
    assert [n["id"] for n in feed["changes"]["notice"]] == [notice["id"]]
    cursor = feed["cursor"]

    r = client.post(f"/api/v1/operator/notices/{notice['id']}/withdraw", headers=op)
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    assert r.json()["withdrawn_at"] is not None and not r.json()["active"]
    assert ids(client, resident) == []
    assert ids(client, resident, scope="archive") == [notice["id"]]
    feed = client.get("/api/v1/sync", params={"cursor": cursor}, headers=resident).json()
    assert [(n["id"], n["state"]) for n in feed["changes"]["notice"]] == [
        (notice["id"], "withdrawn")
    ]
    # withdrawing again changes nothing and adds no feed event
    events = count(client, FeedEvent)
    r = client.post(f"/api/v1/operator/notices/{notice['id']}/withdraw", headers=op)
    assert (
        r.status_code == 200
        and r.json()["withdrawn_at"] == feed["changes"]["notice"][0]["withdrawn_at"]
    )
    assert count(client, FeedEvent) == events
    # a withdrawn notice cannot be edited
    r = client.put(
        f"/api/v1/operator/notices/{notice['id']}",
        json=notice_body(title_ru="Новое"),
        headers={**op, "Accept-Language": "ru"},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "notice_withdrawn"
    assert "отозвано" in r.json()["error"]["message"]


def test_edit_replaces_content_keeps_start_and_reaches_feed(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    notice = publish(client, op)
    cursor = client.get("/api/v1/sync", headers=resident).json()["cursor"]
    body = notice_body(
        title_ru="Воду дадут к вечеру", districts=["yesil", "nura", "yesil"], topic="sewerage"
    )
    del body["starts_at"]
    r = client.put(f"/api/v1/operator/notices/{notice['id']}", json=body, headers=op)
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["title_ru"] == "Воду дадут к вечеру" and edited["topic"] == "sewerage"
    assert edited["districts"] == ["yesil", "nura"]
    assert edited["starts_at"] == notice["starts_at"]
    assert edited["updated_at"] > notice["updated_at"]
    assert ids(client, resident, district="nura") == [notice["id"]]
    feed = client.get("/api/v1/sync", params={"cursor": cursor}, headers=resident).json()
    assert feed["changes"]["notice"][0]["title_ru"] == "Воду дадут к вечеру"
    assert client.put("/api/v1/operator/notices/999", json=body, headers=op).status_code == 404


def test_filters_by_district_topic_and_kind(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    yesil = publish(client, op)
    almaty = publish(client, op, topic="power", districts=["almaty"], kind="planned")
    city = publish(client, op, topic="events", districts=[], kind="event")
    # an area only (a circle near the Nura district centre): it touches Nura
    area = publish(
        client,
        op,
        districts=[],
        topic="roads",
        area={"lat": 51.056, "lon": 71.373, "radius_m": 300},
    )
    assert not area["city_wide"] and city["city_wide"]
    assert area["area"] == {"lat": 51.056, "lon": 71.373, "radius_m": 300}
    assert ids(client, resident, district="yesil") == [city["id"], yesil["id"]]
    assert ids(client, resident, district="nura") == [area["id"], city["id"]]
    assert ids(client, resident, topic="power") == [almaty["id"]]
    assert ids(client, resident, topic=["power", "water"]) == [almaty["id"], yesil["id"]]
    assert ids(client, resident, kind="event") == [city["id"]]
    assert ids(client, resident, district="almaty", topic="water") == []

    for params, code, word in (
        ({"district": "mars"}, "unknown_district", "mars"),
        ({"topic": "weather"}, "unknown_topic", "weather"),
    ):
        for lang in ("kk", "ru"):
            r = client.get(
                "/api/v1/notices", params=params, headers={**resident, "Accept-Language": lang}
            )
            assert r.status_code == 422 and r.json()["error"]["code"] == code
            assert word in r.json()["error"]["message"]


def test_mine_uses_addresses_profile_districts_and_topics(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    a = publish(client, op)  # yesil, water
    b = publish(client, op, topic="power", districts=["almaty"])
    c = publish(client, op, districts=["saryarka"])  # water
    d = publish(client, op, topic="events", districts=[], kind="event")  # city-wide
    e = publish(client, op, topic="heating", districts=["saryarka"])

    # a newcomer with no addresses and no preferences gets everything
    assert ids(client, resident, mine="true") == [e["id"], d["id"], c["id"], b["id"], a["id"]]

    # an address in Saryarka given by its point only, Almaty chosen in the profile
    r = client.post(
        "/api/v1/profile/addresses",
        json={"label": "home", "text": "пр. Сарыарка, 31", "lat": 51.1720, "lon": 71.4020},
        headers=resident,
    )
    assert r.status_code == 201, r.text
    r = client.patch(
        "/api/v1/profile",
        json={"notify_districts": ["almaty"], "notify_topics": ["power", "water"]},
        headers=resident,
    )
    assert r.status_code == 200, r.text
    assert ids(client, resident, mine="true") == [c["id"], b["id"]]
    # no topics chosen = every topic (city-wide notices match any district)
    client.patch("/api/v1/profile", json={"notify_topics": []}, headers=resident)
    assert ids(client, resident, mine="true") == [e["id"], d["id"], c["id"], b["id"]]
    # explicit filters narrow "mine" further
    assert ids(client, resident, mine="true", topic="heating") == [e["id"]]
    assert ids(client, resident, mine="true", district="yesil") == [d["id"]]


def test_paging_with_before_id(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    made = [publish(client, op)["id"] for _ in range(5)]
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = client.get("/api/v1/notices", params=params, headers=resident).json()
        seen += [n["id"] for n in page["items"]]
        if page["next_before_id"] is None:
            break
        params["before_id"] = page["next_before_id"]
    assert seen == sorted(made, reverse=True)


def test_only_operators_write(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    notice = publish(client, op)
    attempts = [
        client.post("/api/v1/operator/notices", json=notice_body(), headers=resident),
        client.put(
            f"/api/v1/operator/notices/{notice['id']}",
            json=notice_body(title_ru="Взлом"),
            headers=resident,
        ),
        client.post(f"/api/v1/operator/notices/{notice['id']}/withdraw", headers=resident),
        client.get("/api/v1/operator/notices", headers=resident),
    ]
    assert [r.status_code for r in attempts] == [403, 403, 403, 403]
    assert client.post("/api/v1/operator/notices", json=notice_body()).status_code == 401
    assert count(client, Notice) == 1
    r = client.get(f"/api/v1/operator/notices/{notice['id']}", headers=op)
    assert r.json()["title_ru"] == "Нет воды" and r.json()["state"] == "published"
    listed = client.get("/api/v1/operator/notices", headers=op).json()["items"]
    assert [n["id"] for n in listed] == [notice["id"]]


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"ends_at": (NOW - timedelta(hours=2)).isoformat()}, "notice_bad_period"),
        ({"ends_at": (NOW - timedelta(hours=1)).isoformat()}, "notice_bad_period"),  # = start
        ({"topic": "weather"}, "unknown_topic"),
        ({"districts": ["yesil", "moscow"]}, "unknown_district"),
        ({"title_kk": ""}, "validation_error"),
        ({"title_ru": "   "}, "validation_error"),
        ({"body_ru": "я" * 4001}, "validation_error"),
        ({"body_kk": "ok\x00"}, "text_invalid"),
        ({"kind": "rumour"}, "validation_error"),
        ({"starts_at": "2026-07-12T09:00:00"}, "validation_error"),  # no offset
        ({"area": {"lat": 43.24, "lon": 76.89, "radius_m": 500}}, "outside_city"),
        ({"area": {"lat": 51.1, "lon": 71.4, "radius_m": 5}}, "validation_error"),
    ],
)
def test_bad_input_is_422_in_kk_and_ru_and_stores_nothing(
    client: TestClient, over: dict[str, Any], code: str
) -> None:
    op = make_operator(client)
    events = count(client, FeedEvent)
    messages = {}
    for lang in ("kk", "ru"):
        r = client.post(
            "/api/v1/operator/notices",
            json=notice_body(**over),
            headers={**op, "Accept-Language": lang},
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == code
        messages[lang] = r.json()["error"]["message"]
    assert messages["kk"] != messages["ru"]
    assert KK_ONLY.search(messages["kk"]) and not KK_ONLY.search(messages["ru"])
    assert count(client, Notice) == 0 and count(client, NoticeDistrict) == 0
    assert count(client, FeedEvent) == events

    # the same refusal on edit leaves the notice as it was
    notice = publish(client, op)
    r = client.put(f"/api/v1/operator/notices/{notice['id']}", json=notice_body(**over), headers=op)
    assert r.status_code == 422 and r.json()["error"]["code"] == code
    assert client.get(f"/api/v1/operator/notices/{notice['id']}", headers=op).json() == notice


def test_publish_retry_with_idempotency_key_is_not_duplicated(client: TestClient) -> None:
    op = make_operator(client)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/v1/operator/notices", json=notice_body(), headers={**op, **key})
    again = client.post("/api/v1/operator/notices", json=notice_body(), headers={**op, **key})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and count(client, Notice) == 1
    other = client.post(
        "/api/v1/operator/notices", json=notice_body(title_ru="Другое"), headers={**op, **key}
    )
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_mismatch"


def test_topics_and_districts_are_served_in_kk_and_ru(client: TestClient) -> None:
    topics = client.get("/api/v1/notices/topics").json()
    assert [t["code"] for t in topics] == list(TOPICS)
    assert {"water", "heating", "power", "gas", "roads", "sewerage", "transport", "events"} <= {
        t["code"] for t in topics
    }
    assert all(t["name_kk"] and t["name_ru"] and t["name_kk"] != t["name_ru"] for t in topics)
    districts = client.get("/api/v1/notices/districts").json()
    assert {d["code"] for d in districts} >= {"yesil", "almaty", "saryarka", "baikonur", "nura"}
    assert all(KK_ONLY.search(d["name_kk"]) or "Алматы" in d["name_kk"] for d in districts)


def test_demo_notices_are_seeded_once(client: TestClient, resident: dict[str, str]) -> None:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        assert seed_notices(db) == 5
        db.commit()
        assert seed_notices(db) == 0
    active = client.get("/api/v1/notices", headers=resident).json()["items"]
    archive = client.get("/api/v1/notices", params={"scope": "archive"}, headers=resident).json()
    assert {n["kind"] for n in active} == {"planned", "emergency", "event"}
    water = next(n for n in active if n["kind"] == "emergency")
    assert water["topic"] == "water" and water["districts"] == ["yesil"]
    assert len(archive["items"]) == 2
    assert {n["state"] for n in archive["items"]} == {"published", "withdrawn"}
    feed = client.get("/api/v1/sync", headers=resident).json()
    assert len(feed["changes"]["notice"]) == 5


# ---------------------------------------------------------------- console pages


@pytest.fixture
def cclient(settings: Settings) -> Iterator[TestClient]:
    with console_client(settings) as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def form_data(page: str, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf": csrf_of(page),
        "kind": "planned",
        "topic": "heating",
        "title_kk": "Жылу желісін жөндеу",
        "title_ru": "Ремонт теплосети <b>",
        "body_kk": "Ыстық су болмайды.",
        "body_ru": "Не будет горячей воды.",
        "districts": ["saryarka", "baikonur"],
        "starts_at": "2030-07-12T09:00",
        "ends_at": "2030-07-13T18:00",
    }
    found = re.search(r'name="client_id" value="([^"]+)"', page)
    if found:
        data["client_id"] = found.group(1)
    data.update(over)
    return data


def test_console_publish_edit_withdraw(cclient: TestClient) -> None:
    location = console_publish_once(cclient, "notices", form_data)  # once, sent twice
    notice_id = int(location.rsplit("/", 1)[1])
    listing = cclient.get("/console/notices").text
    assert "Ремонт теплосети &lt;b&gt;" in listing and "<b>" + "Ремонт" not in listing

    with Session(cclient.app.state.engine) as db:  # type: ignore[attr-defined]
        notice = db.get(Notice, notice_id)
        assert notice is not None and notice.districts == ["saryarka", "baikonur"]
        assert notice.starts_at == datetime(2030, 7, 12, 4, 0, tzinfo=UTC)  # 09:00 UTC+5
        assert count(cclient, Notice) == 1

    edit = cclient.get(location)
    assert edit.status_code == 200 and "Отозвать" in edit.text
    assert 'value="2030-07-12T09:00"' in edit.text
    r = cclient.post(location, data=form_data(edit.text, title_ru="Ремонт перенесён"))
    assert r.status_code == 303
    r = cclient.post(location, data=form_data(edit.text, ends_at="2030-07-11T09:00"))
    assert r.status_code == 422 and "позже времени начала" in r.text
    assert 'value="2030-07-11T09:00"' in r.text  # the form comes back as typed
    r = cclient.post(location, data=form_data(edit.text, title_kk=""))
    assert r.status_code == 422 and "Заголовок на казахском" in r.text
    r = cclient.post(location, data=form_data(edit.text, area_lat="51.1"))
    assert r.status_code == 422 and "радиус" in r.text

    r = cclient.post(f"{location}/withdraw", data={"csrf": csrf_of(edit.text)})
    assert r.status_code == 303
    withdrawn = cclient.get(location).text
    assert "Объявление отозвано" in withdrawn and "Ремонт перенесён" in withdrawn
    assert "Ремонт перенесён" in cclient.get("/console/notices?scope=archive").text
    assert "Ремонт перенесён" not in cclient.get("/console/notices").text


def test_console_refuses_bad_forms_and_stale_csrf(cclient: TestClient) -> None:
    page = cclient.get("/console/notices/new").text
    r = cclient.post("/console/notices", data=form_data(page, topic="weather"))
    assert r.status_code == 422 and "Такой темы нет" in r.text
    r = cclient.post("/console/notices", data=form_data(page, starts_at="завтра"))
    assert r.status_code == 422 and "неверная дата" in r.text
    r = cclient.post("/console/notices", data=form_data(page, csrf="forged"))
    assert r.status_code == 403
    assert count(cclient, Notice) == 0
    assert cclient.get("/console/notices/999").status_code == 404
    cclient.cookies.clear()
    r = cclient.get("/console/notices")
    assert r.status_code == 303 and r.headers["location"] == "/console/login"


def test_console_operator_token_works_for_the_api(cclient: TestClient) -> None:
    """The API and console share one crud: a notice from the API shows in the console."""
    op = make_operator(cclient)
    publish(cclient, op, title_ru="Из API")
    assert "Из API" in cclient.get("/console/notices").text
