"""The emergency map: places by distance, refused input, the offline bundle with ETag/304,
contacts, operator-only writes, the sync feed and the demo points."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from backend_stub.demo.places import seed_places
from backend_stub.geo import distance_m, district_for
from backend_stub.models import FeedEvent, Place
from tests.backend.test_appeals import make_operator

KK_ONLY = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
HERE = (51.1282, 71.4307)  # Baiterek


def place_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "accommodation",
        "name_kk": "№ 65 мектеп-гимназия",
        "name_ru": "Школа-гимназия № 65",
        "address_kk": "Астана, Сығанақ көшесі, 23",
        "address_ru": "Астана, ул. Сыганак, 23",
        "lat": 51.1223,
        "lon": 71.4262,
        "capacity": 300,
        "phone": "+7 7172 00 00 00",
        "hours_kk": "Тәулік бойы",
        "hours_ru": "Круглосуточно",
    }
    body.update(over)
    return body


def add(client: TestClient, op: dict[str, str], **over: Any) -> dict[str, Any]:
    r = client.post("/api/v1/operator/places", json=place_body(**over), headers=op)
    assert r.status_code == 201, r.text
    return r.json()


def count(client: TestClient, model: Any) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return int(db.exec(select(func.count()).select_from(model)).one())


def test_places_ordered_by_distance(client: TestClient) -> None:
    op = make_operator(client)
    far = add(client, op, lat=51.1800, lon=71.4150, kind="medical")
    near = add(client, op, lat=51.1290, lon=71.4300, kind="shelter")
    middle = add(client, op, lat=51.1090, lon=71.4040, kind="medical")
    # public: the map works before sign-in
    r = client.get("/api/v1/places", params={"near": f"{HERE[0]},{HERE[1]}"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert [p["id"] for p in got] == [near["id"], middle["id"], far["id"]]
    for item, spot in zip(got, (near, middle, far), strict=True):
        assert item["distance_m"] == pytest.approx(
            distance_m(HERE[0], HERE[1], spot["lat"], spot["lon"]), abs=0.1
        )
    assert got[0]["distance_m"] < got[1]["distance_m"] < got[2]["distance_m"]

    medical = client.get(
        "/api/v1/places", params={"near": " 51.1282 , 71.4307 ", "kind": "medical", "limit": 1}
    ).json()
    assert [p["id"] for p in medical] == [middle["id"]]
    plain = client.get("/api/v1/places").json()  # no point: id order, no distance
    assert [p["id"] for p in plain] == [far["id"], near["id"], middle["id"]]
    assert all(p["distance_m"] is None for p in plain)


@pytest.mark.parametrize("near", ["abc", "51.1", "51.1,71.4,3", "91,71", "51,181", "nan,71", ""])
def test_bad_near_is_422_in_kk_and_ru(client: TestClient, near: str) -> None:
    texts = {}
    for lang in ("kk", "ru"):
        r = client.get("/api/v1/places", params={"near": near}, headers={"Accept-Language": lang})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_near"
        texts[lang] = r.json()["error"]["message"]
    assert KK_ONLY.search(texts["kk"]) and "широта" in texts["ru"]


def test_bundle_version_etag_304_and_feed(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    place = add(client, op)
    r = client.get("/api/v1/places/bundle")
    assert r.status_code == 200
    bundle = r.json()
    assert r.headers["ETag"] == f'"{bundle["version"]}"'
    assert [p["id"] for p in bundle["places"]] == [place["id"]]
    assert {c["number"] for c in bundle["contacts"]} >= {"112", "101", "102", "103", "104", "109"}
    # unchanged: 304, also for a weak or listed validator
    for header in (r.headers["ETag"], f"W/{r.headers['ETag']}", f'"other", {r.headers["ETag"]}'):
        again = client.get("/api/v1/places/bundle", headers={"If-None-Match": header})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == r.headers["ETag"]
    assert client.get("/api/v1/places/bundle").json()["version"] == bundle["version"]

    cursor = client.get("/api/v1/sync", headers=resident).json()["cursor"]
    r = client.post(
        f"/api/v1/operator/places/{place['id']}/state",
        json={"state": "full", "hours_ru": "Мест нет"},
        headers=op,
    )
    assert r.status_code == 200 and r.json()["state"] == "full"
    assert r.json()["hours_ru"] == "Мест нет" and r.json()["hours_kk"] == "Тәулік бойы"
    fresh = client.get("/api/v1/places/bundle", headers={"If-None-Match": f'"{bundle["version"]}"'})
    assert fresh.status_code == 200 and fresh.json()["version"] != bundle["version"]
    assert fresh.json()["places"][0]["state"] == "full"
    feed = client.get("/api/v1/sync", params={"cursor": cursor}, headers=resident).json()
    assert feed["changes"]["places_bundle"] == [{"version": fresh.json()["version"]}]

    # an edit changes the version again
    r = client.put(
        f"/api/v1/operator/places/{place['id']}", json=place_body(capacity=350), headers=op
    )
    assert r.status_code == 200 and r.json()["capacity"] == 350
    assert client.get("/api/v1/places/bundle").json()["version"] != fresh.json()["version"]


def test_contacts_in_kk_and_ru(client: TestClient) -> None:
    contacts = client.get("/api/v1/contacts").json()
    by_number = {c["number"]: c for c in contacts}
    for number in ("112", "101", "102", "103", "104", "109"):
        c = by_number[number]
        assert c["name_kk"] and c["name_ru"] and c["description_kk"] and c["description_ru"]
    assert by_number["103"]["name_ru"] == "Скорая медицинская помощь"
    assert KK_ONLY.search(by_number["103"]["name_kk"])
    assert {c["group"] for c in contacts} == {"emergency", "city"}
    assert any("Астана Су Арнасы" in c["name_ru"] for c in contacts)
    assert len({c["id"] for c in contacts}) == len(contacts)


def test_only_operators_write(client: TestClient, resident: dict[str, str]) -> None:
    op = make_operator(client)
    place = add(client, op)
    attempts = [
        client.post("/api/v1/operator/places", json=place_body(), headers=resident),
        client.put(f"/api/v1/operator/places/{place['id']}", json=place_body(), headers=resident),
        client.post(
            f"/api/v1/operator/places/{place['id']}/state",
            json={"state": "closed"},
            headers=resident,
        ),
    ]
    assert [r.status_code for r in attempts] == [403, 403, 403]
    assert client.post("/api/v1/operator/places", json=place_body()).status_code == 401
    assert count(client, Place) == 1
    assert client.get("/api/v1/places").json()[0]["state"] == "open"
    r = client.post("/api/v1/operator/places/999/state", json={"state": "closed"}, headers=op)
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"lat": 43.2389, "lon": 76.8897}, "outside_city"),  # Almaty city
        ({"name_kk": ""}, "validation_error"),
        ({"address_ru": "  "}, "validation_error"),
        ({"kind": "hotel"}, "validation_error"),
        ({"state": "maybe"}, "validation_error"),
        ({"phone": "call me"}, "validation_error"),
        ({"capacity": -1}, "validation_error"),
        ({"lat": 120}, "validation_error"),
    ],
)
def test_bad_place_is_422_and_stores_nothing(
    client: TestClient, over: dict[str, Any], code: str
) -> None:
    op = make_operator(client)
    events = count(client, FeedEvent)
    for lang in ("kk", "ru"):
        r = client.post(
            "/api/v1/operator/places",
            json=place_body(**over),
            headers={**op, "Accept-Language": lang},
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
        assert bool(KK_ONLY.search(r.json()["error"]["message"])) == (lang == "kk")
    assert count(client, Place) == 0 and count(client, FeedEvent) == events


def test_create_retry_with_idempotency_key(client: TestClient) -> None:
    op = make_operator(client)
    key = {**op, "Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/v1/operator/places", json=place_body(), headers=key)
    again = client.post("/api/v1/operator/places", json=place_body(), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and count(client, Place) == 1


def test_demo_places_seeded_once_inside_the_city(client: TestClient) -> None:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        added = seed_places(db)
        assert 12 <= added <= 20
        db.commit()
        assert seed_places(db) == 0
        events = db.exec(select(FeedEvent).where(FeedEvent.entity == "places_bundle")).all()
        assert len(events) == 1
    places = client.get("/api/v1/places", params={"limit": 200}).json()
    assert len(places) == added
    assert {p["kind"] for p in places} == {"shelter", "accommodation", "medical"}
    assert all(district_for(p["lat"], p["lon"]) is not None for p in places)
    assert all(KK_ONLY.search(p["name_kk"] + p["address_kk"]) for p in places)
    assert len({district_for(p["lat"], p["lon"]) for p in places}) >= 5
