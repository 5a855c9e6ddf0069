"""Emergency alerts (CAP 1.2): area maths, validation in kk/ru, targeting, update/cancel chains,
CAP XML valid against the official schema, the Atom feed, the sync feed, console pages, demo."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from sqlmodel import Session, func, select

from backend_stub.config import Settings
from backend_stub.demo.alerts import BLIZZARD_ID, FLOOD_DRILL_ID, seed_alerts
from backend_stub.geo import (
    Circle,
    GeometryError,
    parse_circle,
    parse_polygon,
    point_in_circle,
    point_in_polygon,
)
from backend_stub.models import Alert, FeedEvent
from tests.backend.support import console_client, console_publish_once
from tests.backend.test_appeals import make_operator
from tests.conftest import sign_in

SCHEMA = etree.XMLSchema(
    etree.parse(str(Path(__file__).parents[2] / "backend_stub" / "data" / "CAP-v1.2.xsd"))
)
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
NOW = datetime.now(UTC)
# A box around the Baiterek area of Astana: (51.12…51.136, 71.42…71.44).
BOX = "51.12,71.42 51.12,71.44 51.136,71.44 51.136,71.42 51.12,71.42"
INSIDE = (51.128, 71.43)
FAR = (51.19, 71.39)  # Saryarka district, far from the box


def alert_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "Actual",
        "category": ["Met"],
        "response_type": ["Evacuate"],
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "expires": (NOW + timedelta(hours=6)).isoformat(),
        "texts": {
            "kk": {
                "event": "Су тасқыны",
                "headline": "Су тасқыны қаупі",
                "description": "Есіл өзенінің деңгейі көтерілді.",
                "instruction": "Құжаттарды алып, биік жерге шығыңыз.",
            },
            "ru": {
                "event": "Паводок",
                "headline": "Угроза паводка",
                "description": "Уровень воды в реке Есиль поднялся.",
                "instruction": "Возьмите документы и поднимитесь на возвышенность.",
            },
        },
        "areas": [
            {"desc": {"kk": "Бәйтерек маңы", "ru": "Район Байтерека"}, "polygons": [BOX]},
        ],
    }
    body.update(over)
    return body


def area(**over: Any) -> dict[str, Any]:
    return {"desc": {"kk": "Аумақ", "ru": "Зона"}, **over}


def publish(client: TestClient, op: dict[str, str], **over: Any) -> dict[str, Any]:
    r = client.post("/api/v1/operator/alerts", json=alert_body(**over), headers=op)
    assert r.status_code == 201, r.text
    return r.json()


def current(client: TestClient, headers: dict[str, str]) -> list[str]:
    r = client.get("/api/v1/alerts", headers=headers)
    assert r.status_code == 200, r.text
    return [a["identifier"] for a in r.json()["items"]]


def add_address(client: TestClient, headers: dict[str, str], lat: float, lon: float) -> int:
    r = client.post(
        "/api/v1/profile/addresses",
        json={"label": "home", "text": "Астана", "lat": lat, "lon": lon},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def count_alerts(client: TestClient) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return int(db.exec(select(func.count()).select_from(Alert)).one())


def cap_xml(client: TestClient, identifier: str) -> etree._Element:
    r = client.get(f"/cap/alerts/{identifier}.xml")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/cap+xml")
    doc = etree.fromstring(r.content)
    SCHEMA.assertValid(doc)  # the official OASIS CAP 1.2 schema
    return doc


# ---------------------------------------------------------------- area maths


# (lat, lon): a 4×4 square whose lon-0 side is cut by a triangular notch reaching (2, 2).
CONCAVE = [(0.0, 0.0), (0.0, 4.0), (4.0, 4.0), (4.0, 0.0), (2.0, 2.0), (0.0, 0.0)]


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        (1.0, 2.0, True),  # inside
        (5.0, 1.0, False),  # beyond the top
        (0.0, 0.0, True),  # a vertex
        (0.0, 2.0, True),  # on the bottom edge (parallel to the ray)
        (2.0, 4.0, True),  # on the right edge
        (4.0, 2.0, True),  # on the top edge
        (1.0, 1.0, True),  # on the notch's edge
        (2.0, 0.0, False),  # in the notch; the ray passes exactly through the vertex (2, 2)
        (2.0, 1.0, False),  # in the notch, level with its vertex
        (2.0, 3.0, True),  # level with the notch vertex, beyond it: inside
        (3.0, 0.5, False),  # in the notch, upper half
        (1.0, 0.5, False),  # in the notch, lower half
        (4.0, 0.0, True),  # the vertex where the notch starts
        (-0.000001, 2.0, False),  # just below the bottom edge
    ],
)
def test_point_in_polygon_edge_cases(lat: float, lon: float, inside: bool) -> None:
    assert point_in_polygon(lat, lon, CONCAVE) is inside
    assert point_in_polygon(lat, lon, CONCAVE[:-1]) is inside  # an open ring is closed implicitly


@given(
    lat0=st.floats(-60, 60),
    lon0=st.floats(-170, 170),
    h=st.floats(0.001, 5),
    w=st.floats(0.001, 5),
    fy=st.floats(-0.5, 1.5),
    fx=st.floats(-0.5, 1.5),
)
def test_point_in_rectangle_matches_the_box(
    lat0: float, lon0: float, h: float, w: float, fy: float, fx: float
) -> None:
    ring = [(lat0, lon0), (lat0, lon0 + w), (lat0 + h, lon0 + w), (lat0 + h, lon0), (lat0, lon0)]
    lat, lon = lat0 + fy * h, lon0 + fx * w
    if min(abs(fy), abs(fy - 1), abs(fx), abs(fx - 1)) < 1e-3:
        return  # on the rim, where float rounding decides
    assert point_in_polygon(lat, lon, ring) is (0 < fy < 1 and 0 < fx < 1)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("51.1,71.4 51.2,71.4 51.2,71.5 51.1,71.5", "alert_polygon_not_closed"),
        ("51.1,71.4 51.2,71.4 51.1,71.4", "alert_polygon_too_few_points"),
        ("51.1,71.4 51.2,71.4 51.2,71.4 51.1,71.4", "alert_polygon_too_few_points"),
        # a bow tie: the edges cross in the middle
        ("51.1,71.4 51.2,71.5 51.2,71.4 51.1,71.5 51.1,71.4", "alert_polygon_self_intersecting"),
        # folded back along a line: no area
        ("51.1,71.4 51.2,71.5 51.3,71.6 51.1,71.4", "alert_polygon_self_intersecting"),
        # two loops touching at one vertex (a figure eight)
        ("0,0 0,4 2,2 4,4 4,0 2,2 0,0", "alert_polygon_self_intersecting"),
        # an edge doubling back over its neighbour
        ("0,0 0,4 4,4 4,0 0,0 0,2 0,0", "alert_polygon_self_intersecting"),
        ("51.1;71.4 51.2,71.4 51.2,71.5 51.1;71.4", "alert_polygon_format"),
        ("51.1,71.4,3 51.2,71.4 51.2,71.5 51.1,71.4,3", "alert_polygon_format"),
        ("nan,71.4 51.2,71.4 51.2,71.5 nan,71.4", "alert_polygon_format"),
        ("", "alert_polygon_format"),
        ("91,71.4 51.2,71.4 51.2,71.5 91,71.4", "alert_coordinates_out_of_range"),
        ("51.1,181 51.2,71.4 51.2,71.5 51.1,181", "alert_coordinates_out_of_range"),
    ],
)
def test_bad_polygons(text: str, code: str) -> None:
    with pytest.raises(GeometryError) as caught:
        parse_polygon(text)
    assert caught.value.code == code


def test_good_polygon_and_circles() -> None:
    assert parse_polygon(BOX)[0] == (51.12, 71.42)
    assert parse_polygon(" 0,0  0,1\n1,1 1,0 0,0 ")[-1] == (0.0, 0.0)  # any whitespace
    assert parse_circle("51.128,71.43 2.5") == Circle(51.128, 71.43, 2.5)
    for bad, code in [
        ("51.128,71.43 0", "alert_circle_radius"),
        ("51.128,71.43 -1", "alert_circle_radius"),
        ("51.128,71.43 1000", "alert_circle_radius"),
        ("51.128,71.43", "alert_circle_format"),
        ("51.128 71.43 2", "alert_circle_format"),
        ("95,71.43 2", "alert_coordinates_out_of_range"),
    ]:
        with pytest.raises(GeometryError) as caught:
            parse_circle(bad)
        assert caught.value.code == code, bad


def test_point_in_circle_uses_great_circle_distance() -> None:
    centre = Circle(51.128, 71.43, 1.0)
    north_1km = 51.128 + 1.0 / 111.195  # one kilometre of latitude
    assert point_in_circle(51.128, 71.43, centre)
    assert point_in_circle(north_1km - 0.00001, 71.43, centre)
    assert not point_in_circle(north_1km + 0.00005, 71.43, centre)
    # a degree of longitude is only ~70 km at Astana's latitude, not 111
    east_1km = 71.43 + 1.0 / (111.195 * 0.6274)
    assert point_in_circle(51.128, east_1km - 0.0001, centre)
    assert not point_in_circle(51.128, east_1km + 0.0002, centre)


# ---------------------------------------------------------------- publishing and CAP XML


def test_publish_serves_valid_cap_xml_with_both_languages(client: TestClient) -> None:
    op = make_operator(client)
    a = publish(client, op, web="https://astana.gov.kz/alerts")
    assert re.fullmatch(r"kz\.astana\.109\.\d{4}-\d{6}", a["identifier"])
    assert a["msg_type"] == "Alert" and a["scope"] == "Public" and a["state"] == "active"
    assert a["exercise"] is False and a["references"] == []
    assert a["areas"][0]["polygons"][0][0] == [51.12, 71.42]

    doc = cap_xml(client, a["identifier"])
    assert doc.findtext(f"{CAP}identifier") == a["identifier"]
    assert doc.findtext(f"{CAP}sender") == a["sender"]
    sent = doc.findtext(f"{CAP}sent")
    assert sent is not None and sent.endswith("+05:00") and "Z" not in sent
    infos = doc.findall(f"{CAP}info")
    assert [i.findtext(f"{CAP}language") for i in infos] == ["kk-KZ", "ru-RU"]
    kk, ru = infos
    assert kk.findtext(f"{CAP}instruction") == "Құжаттарды алып, биік жерге шығыңыз."
    assert ru.findtext(f"{CAP}headline") == "Угроза паводка"
    assert ru.findtext(f"{CAP}senderName") == "Контакт-центр 109 города Астаны"
    assert ru.findtext(f"{CAP}expires", "").endswith("+05:00")
    assert ru.findtext(f"{CAP}area/{CAP}polygon") == BOX
    assert [r.text for r in ru.findall(f"{CAP}responseType")] == ["Evacuate"]
    # the stored times are whole seconds and agree with the XML
    assert datetime.fromisoformat(sent) == datetime.fromisoformat(a["sent"])


def test_a_bare_z_fails_the_schema(client: TestClient) -> None:
    """The check the server relies on: the official schema refuses UTC written as Z."""
    op = make_operator(client)
    doc = cap_xml(client, publish(client, op)["identifier"])
    sent = doc.find(f"{CAP}sent")
    assert sent is not None
    sent.text = "2026-07-12T04:30:00Z"
    assert not SCHEMA.validate(doc)


def test_circles_and_districts_in_xml(client: TestClient) -> None:
    op = make_operator(client)
    a = publish(
        client,
        op,
        areas=[area(circles=["51.128,71.43 2.5"], districts=["nura", "Yesil", "nura"])],
    )
    assert a["areas"][0]["districts"] == ["nura", "yesil"]
    assert a["areas"][0]["circles"] == [{"lat": 51.128, "lon": 71.43, "radius_km": 2.5}]
    doc = cap_xml(client, a["identifier"])
    area_el = doc.find(f"{CAP}info/{CAP}area")
    assert area_el is not None
    assert area_el.findtext(f"{CAP}circle") == "51.128,71.43 2.5"
    codes = [
        (g.findtext(f"{CAP}valueName"), g.findtext(f"{CAP}value"))
        for g in area_el.findall(f"{CAP}geocode")
    ]
    assert codes == [("district", "nura"), ("district", "yesil")]


BAD_INPUT: list[tuple[dict[str, Any], str, str]] = [
    (
        {"areas": [area(polygons=["51.1,71.4 51.2,71.4 51.2,71.5 51.1,71.5"])]},
        "alert_polygon_not_closed",
        "Полигон не замкнут",
    ),
    (
        {"areas": [area(polygons=["51.1,71.4 51.2,71.4 51.1,71.4"])]},
        "alert_polygon_too_few_points",
        "не меньше 4 точек",
    ),
    (
        {"areas": [area(polygons=["51.1,71.4 51.2,71.5 51.2,71.4 51.1,71.5 51.1,71.4"])]},
        "alert_polygon_self_intersecting",
        "не должны пересекаться",
    ),
    (
        {"areas": [area(polygons=["51.1,200 51.2,71.4 51.2,71.5 51.1,200"])]},
        "alert_coordinates_out_of_range",
        "вне допустимых пределов",
    ),
    ({"areas": [area(circles=["51.1,71.4 0"])]}, "alert_circle_radius", "больше нуля"),
    ({"areas": [area(districts=["atlantis"])]}, "unknown_district", "atlantis"),
    ({"areas": [area()]}, "alert_area_empty", "Укажите зону"),
    (
        {"areas": [{"desc": {"kk": "Аумақ"}, "districts": ["nura"]}]},
        "alert_language_missing",
        "на казахском и русском",
    ),
    (
        {"texts": {"kk": alert_body()["texts"]["kk"]}},
        "alert_language_missing",
        "на казахском и русском",
    ),
    (
        {"expires": (NOW - timedelta(minutes=1)).isoformat()},
        "alert_expires_before_sent",
        "позже времени отправки",
    ),
    (
        {"onset": (NOW + timedelta(hours=8)).isoformat()},
        "alert_expires_before_sent",
        "позже времени отправки",
    ),
]


def test_bad_alerts_are_422_in_kk_and_ru_and_store_nothing(client: TestClient) -> None:
    op = make_operator(client)
    for over, code, ru_text in BAD_INPUT:
        r = client.post(
            "/api/v1/operator/alerts",
            json=alert_body(**over),
            headers={**op, "Accept-Language": "ru"},
        )
        assert r.status_code == 422, (code, r.text)
        assert r.json()["error"]["code"] == code
        assert ru_text in r.json()["error"]["message"], code
        assert r.json()["error"]["details"]["field"], code  # names the field at fault
        kk = client.post(
            "/api/v1/operator/alerts",
            json=alert_body(**over),
            headers={**op, "Accept-Language": "kk"},
        ).json()["error"]["message"]
        assert kk != r.json()["error"]["message"] and re.search(r"[ӘәҒғҚқҢңӨөҰұҮүІі]", kk), code
    assert count_alerts(client) == 0
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        assert db.exec(select(FeedEvent).where(FeedEvent.entity == "alert")).first() is None


def test_schema_level_bad_input_is_422(client: TestClient) -> None:
    op = make_operator(client)
    for over in (
        {"severity": "Catastrophic"},
        {"expires": "2030-07-12T09:00:00"},  # no offset
        {"areas": []},
        {"category": []},
    ):
        r = client.post("/api/v1/operator/alerts", json=alert_body(**over), headers=op)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", over
    assert count_alerts(client) == 0


def test_only_operators_publish(client: TestClient, resident: dict[str, str]) -> None:
    r = client.post("/api/v1/operator/alerts", json=alert_body(), headers=resident)
    assert r.status_code == 403
    assert client.post("/api/v1/operator/alerts", json=alert_body()).status_code == 401
    assert client.get("/api/v1/alerts").status_code == 401


def test_publish_retry_with_idempotency_key_is_not_duplicated(client: TestClient) -> None:
    op = make_operator(client)
    headers = {**op, "Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/v1/operator/alerts", json=alert_body(), headers=headers)
    again = client.post("/api/v1/operator/alerts", json=alert_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["identifier"] == again.json()["identifier"]
    assert count_alerts(client) == 1


# ---------------------------------------------------------------- targeting


def test_targeting_by_address_position_district_and_not_targeted(client: TestClient) -> None:
    op = make_operator(client)
    by_address, by_position, by_district, elsewhere, nowhere = (sign_in(client) for _ in range(5))
    home = add_address(client, by_address, *INSIDE)
    add_address(client, by_position, *FAR)
    r = client.post(
        "/api/v1/profile/position", json={"lat": 51.0570, "lon": 71.3740}, headers=by_position
    )
    assert r.status_code == 200 and r.json()["district"] == "nura"
    assert client.patch(
        "/api/v1/profile", json={"notify_districts": ["saraishyq"]}, headers=by_district
    ).is_success
    add_address(client, elsewhere, *FAR)

    polygon = publish(client, op)
    circle = publish(client, op, areas=[area(circles=["51.056,71.373 1.5"])])
    district = publish(client, op, areas=[area(districts=["saraishyq"])])

    assert current(client, by_address) == [polygon["identifier"]]
    assert current(client, by_position) == [circle["identifier"]]
    assert current(client, by_district) == [district["identifier"]]
    assert current(client, elsewhere) == []
    assert current(client, nowhere) == []
    items = client.get("/api/v1/alerts", headers=by_address).json()["items"]
    assert items[0]["reasons"] == [f"address:{home}"]
    items = client.get("/api/v1/alerts", headers=by_position).json()["items"]
    assert items[0]["reasons"] == ["position"]

    # an alert over every district of the city reaches everyone, even those who told us nothing
    city = publish(
        client,
        op,
        areas=[area(districts=["almaty", "baikonur", "yesil", "saryarka", "nura", "saraishyq"])],
    )
    assert current(client, nowhere) == [city["identifier"]]
    assert current(client, elsewhere) == [city["identifier"]]  # and newest first:
    assert current(client, by_address) == [city["identifier"], polygon["identifier"]]


def test_address_district_counts_for_district_alerts(client: TestClient) -> None:
    op = make_operator(client)
    resident = sign_in(client)
    add_address(client, resident, *FAR)  # no district given: it is worked out from the point
    alert = publish(client, op, areas=[area(districts=["saryarka"])])
    items = client.get("/api/v1/alerts", headers=resident).json()["items"]
    assert [a["identifier"] for a in items] == [alert["identifier"]]
    assert items[0]["reasons"] == ["district:saryarka"]


def test_exercises_are_flagged_and_tests_and_drafts_are_not_shown(client: TestClient) -> None:
    op = make_operator(client)
    resident = sign_in(client)
    add_address(client, resident, *INSIDE)
    drill = publish(client, op, status="Exercise")
    test_msg = publish(client, op, status="Test")
    draft = publish(client, op, status="Draft")
    items = client.get("/api/v1/alerts", headers=resident).json()["items"]
    assert [(a["identifier"], a["exercise"]) for a in items] == [(drill["identifier"], True)]
    assert client.get(f"/cap/alerts/{draft['identifier']}.xml").status_code == 404
    assert client.get(f"/api/v1/alerts/{test_msg['identifier']}", headers=resident).status_code == (
        404
    )
    doc = cap_xml(client, drill["identifier"])
    assert doc.findtext(f"{CAP}status") == "Exercise"


def test_expired_alerts_are_not_current(client: TestClient) -> None:
    op = make_operator(client)
    resident = sign_in(client)
    add_address(client, resident, *INSIDE)
    a = publish(client, op)
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        row = db.exec(select(Alert).where(Alert.identifier == a["identifier"])).one()
        row.expires = datetime.now(UTC) - timedelta(seconds=1)
        db.add(row)
        db.commit()
    assert current(client, resident) == []
    detail = client.get(f"/api/v1/alerts/{a['identifier']}", headers=resident).json()
    assert detail["state"] == "expired"


def test_position_entering_an_area_reaches_the_feed(client: TestClient) -> None:
    op = make_operator(client)
    resident = sign_in(client)
    a = publish(client, op)
    start = client.get("/api/v1/sync", headers=resident).json()
    assert start["changes"].get("alert") == []  # public row, but not for this resident
    r = client.post(
        "/api/v1/profile/position", json={"lat": INSIDE[0], "lon": INSIDE[1]}, headers=resident
    )
    assert r.status_code == 200 and r.json()["alerts"] == [a["identifier"]]
    feed = client.get("/api/v1/sync", params={"cursor": start["cursor"]}, headers=resident).json()
    assert [x["identifier"] for x in feed["changes"]["alert"]] == [a["identifier"]]
    assert feed["changes"]["alert"][0]["reasons"] == ["position"]
    # moving within the area adds nothing new; forgetting the position stops the alert
    cursor = feed["cursor"]
    client.post("/api/v1/profile/position", json={"lat": 51.129, "lon": 71.431}, headers=resident)
    assert (
        client.get("/api/v1/sync", params={"cursor": cursor}, headers=resident).json()["changes"]
        == {}
    )
    assert client.delete("/api/v1/profile/position", headers=resident).status_code == 204
    assert current(client, resident) == []
    bad = client.post("/api/v1/profile/position", json={"lat": 95, "lon": 71}, headers=resident)
    assert bad.status_code == 422


# ---------------------------------------------------------------- update and cancel


def test_update_and_cancel_make_referencing_messages(client: TestClient) -> None:
    op = make_operator(client)
    resident = sign_in(client)
    add_address(client, resident, *INSIDE)
    other = sign_in(client)
    add_address(client, other, *FAR)
    first = publish(client, op)
    cursor = client.get("/api/v1/sync", headers=resident).json()["cursor"]

    body = alert_body(severity="Extreme")
    body["texts"]["ru"]["headline"] = "Паводок: эвакуация"
    r = client.post(f"/api/v1/operator/alerts/{first['identifier']}/update", json=body, headers=op)
    assert r.status_code == 201, r.text
    update = r.json()
    assert update["msg_type"] == "Update" and update["identifier"] != first["identifier"]
    first_ref = f"{first['sender']},{first['identifier']},"
    assert len(update["references"]) == 1 and update["references"][0].startswith(first_ref)
    assert update["references"][0].endswith("+05:00")
    assert current(client, resident) == [update["identifier"]]
    old = client.get(f"/api/v1/alerts/{first['identifier']}", headers=resident).json()
    assert old["state"] == "superseded" and old["superseded_by"] == update["identifier"]
    doc = cap_xml(client, update["identifier"])
    assert doc.findtext(f"{CAP}msgType") == "Update"
    assert doc.findtext(f"{CAP}references") == update["references"][0]

    # the old message can no longer be changed
    again = client.post(
        f"/api/v1/operator/alerts/{first['identifier']}/update",
        json=alert_body(),
        headers={**op, "Accept-Language": "ru"},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "alert_not_current"

    r = client.post(
        f"/api/v1/operator/alerts/{update['identifier']}/cancel",
        json={"note": "Уровень воды снизился"},
        headers=op,
    )
    assert r.status_code == 201, r.text
    cancel = r.json()
    assert cancel["msg_type"] == "Cancel" and cancel["state"] == "cancelled"
    assert [ref.split(",")[1] for ref in cancel["references"]] == [
        first["identifier"],
        update["identifier"],
    ]
    doc = cap_xml(client, cancel["identifier"])
    assert doc.findtext(f"{CAP}msgType") == "Cancel"
    assert doc.findtext(f"{CAP}note") == "Уровень воды снизился"
    assert len(doc.findall(f"{CAP}info")) == 2
    assert current(client, resident) == []
    r = client.post(f"/api/v1/operator/alerts/{cancel['identifier']}/cancel", headers=op)
    assert r.status_code == 409
    assert client.post("/api/v1/operator/alerts/nope/cancel", headers=op).status_code == 404

    # the resident's sync feed tells of every step; the other resident's carries none of it
    feed = client.get("/api/v1/sync", params={"cursor": cursor}, headers=resident).json()
    states = {a["identifier"]: a["state"] for a in feed["changes"]["alert"]}
    assert states == {
        first["identifier"]: "cancelled",
        update["identifier"]: "cancelled",
        cancel["identifier"]: "cancelled",
    }
    assert client.get("/api/v1/sync", headers=other).json()["changes"]["alert"] == []

    listing = client.get("/api/v1/operator/alerts", headers=op).json()["items"]
    assert [a["msg_type"] for a in listing] == ["Cancel", "Update", "Alert"]


# ---------------------------------------------------------------- Atom


def test_atom_feed_lists_current_alerts_linking_to_cap(client: TestClient) -> None:
    op = make_operator(client)
    live = publish(client, op)
    gone = publish(client, op)
    client.post(f"/api/v1/operator/alerts/{gone['identifier']}/cancel", headers=op)
    publish(client, op, status="Test")
    r = client.get("/cap/feed.atom", params={"lang": "ru"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = etree.fromstring(r.content)
    assert feed.tag == f"{atom}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"
    entries = feed.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}title") for e in entries] == ["Угроза паводка"]
    link = entries[0].find(f"{atom}link")
    assert link is not None and link.get("type") == "application/cap+xml"
    href = link.get("href", "")
    assert href.endswith(f"/cap/alerts/{live['identifier']}.xml")
    SCHEMA.assertValid(etree.fromstring(client.get(href).content))
    kk = etree.fromstring(client.get("/cap/feed.atom").content)
    assert kk.findtext(f"{atom}entry/{atom}title") == "Су тасқыны қаупі"


# ---------------------------------------------------------------- demo


def test_demo_alerts_are_seeded_once(client: TestClient) -> None:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        assert seed_alerts(db) == 2
        assert seed_alerts(db) == 0
    op = make_operator(client)
    states = {
        a["identifier"]: (a["status"], a["state"])
        for a in client.get("/api/v1/operator/alerts", headers=op).json()["items"]
    }
    assert states == {FLOOD_DRILL_ID: ("Exercise", "active"), BLIZZARD_ID: ("Actual", "expired")}
    drill = cap_xml(client, FLOOD_DRILL_ID)
    assert drill.findtext(f"{CAP}status") == "Exercise"
    assert drill.find(f"{CAP}info/{CAP}instruction") is not None
    cap_xml(client, BLIZZARD_ID)
    # a resident on the embankment gets the drill (polygon), flagged as an exercise
    resident = sign_in(client)
    add_address(client, resident, 51.158, 71.42)
    items = client.get("/api/v1/alerts", headers=resident).json()["items"]
    assert [(a["identifier"], a["exercise"]) for a in items] == [(FLOOD_DRILL_ID, True)]


# ---------------------------------------------------------------- console


@pytest.fixture
def cclient(settings: Settings) -> Iterator[TestClient]:
    with console_client(settings) as c:
        yield c


def form_data(page: str, **over: Any) -> dict[str, Any]:
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    client_id = re.search(r'name="client_id" value="([^"]+)"', page)
    assert csrf and client_id
    data: dict[str, Any] = {
        "csrf": csrf.group(1),
        "client_id": client_id.group(1),
        "status": "Exercise",
        "category": "Met",
        "response_type": "Prepare",
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "event_kk": "Су тасқыны",
        "event_ru": "Паводок",
        "headline_kk": "Жаттығу",
        "headline_ru": "Учения <script>",
        "description_kk": "Сипаттама",
        "description_ru": "Описание",
        "instruction_kk": "Сабыр сақтаңыз",
        "instruction_ru": "Сохраняйте спокойствие",
        "area_kk": "Жағалау",
        "area_ru": "Набережная",
        "circle_lat": "51,128",
        "circle_lon": "71.43",
        "circle_km": "1.5",
        "polygons": "",
        "districts": ["yesil"],
        "expires": "2030-07-12T18:00",
        "confirmed": "yes",  # the confirmation page's red button (test_console_floor asks first)
    }
    data.update(over)
    return data


def test_console_publish_update_cancel(cclient: TestClient) -> None:
    location = console_publish_once(cclient, "alerts", form_data)
    identifier = location.rsplit("/", 1)[1]
    assert count_alerts(cclient) == 1
    listing = cclient.get("/console/alerts").text
    assert "Учения &lt;script&gt;" in listing and "<script>" not in listing

    with Session(cclient.app.state.engine) as db:  # type: ignore[attr-defined]
        alert = db.exec(select(Alert).where(Alert.identifier == identifier)).one()
        assert alert.status == "Exercise" and alert.areas[0]["circles"] == [[51.128, 71.43, 1.5]]
        assert alert.expires == datetime(2030, 7, 12, 13, 0, tzinfo=UTC)  # 18:00 at UTC+5
    SCHEMA.assertValid(etree.fromstring(cclient.get(f"/cap/alerts/{identifier}.xml").content))

    detail = cclient.get(location)
    assert detail.status_code == 200 and "Отменить" in detail.text
    assert 'value="2030-07-12T18:00"' in detail.text
    bad = cclient.post(
        f"{location}/update",
        data=form_data(detail.text, polygons="51.1,71.4 51.2,71.4 51.2,71.5 51.1,71.5"),
    )
    assert bad.status_code == 422 and "Полигон не замкнут" in bad.text
    assert "51.1,71.4 51.2,71.4 51.2,71.5 51.1,71.5" in bad.text  # the form comes back as typed
    bad = cclient.post(f"{location}/update", data=form_data(detail.text, headline_ru=""))
    assert bad.status_code == 422 and "Заголовок (на русском)" in bad.text
    r = cclient.post(
        f"{location}/update", data=form_data(detail.text, headline_ru="Учения перенесены")
    )
    assert r.status_code == 303
    updated = r.headers["location"]
    page = cclient.get(updated).text
    assert "Обновление" in page and "Учения перенесены" in page

    r = cclient.post(f"{updated}/cancel", data=form_data(page, note="Отбой"))
    assert r.status_code == 303
    cancelled = cclient.get(r.headers["location"]).text
    assert "Отменено" in cancelled and "Отбой" in cancelled
    assert "Отменить · Күшін жою" not in cancelled  # nothing left to change
    assert count_alerts(cclient) == 3

    r = cclient.post("/console/alerts", data=form_data(page, csrf="forged"))
    assert r.status_code == 403
    assert cclient.get("/console/alerts/nope").status_code == 404
    cclient.cookies.clear()
    r = cclient.get("/console/alerts")
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
