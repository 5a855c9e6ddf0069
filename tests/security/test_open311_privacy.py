"""Appeals are private by default (order item 33): what Open311 and "similar appeals nearby" let
an outsider learn about a resident's appeal, over a real socket.

Resident A files through the app: a pothole report (a public kind) whose text carries a phone
number and a flat, with `share_personal=false`; an emergency about bare wires (a public kind,
but an emergency); a doctor's home visit (a private kind). Then:

- anonymous Open311 (`requests.json`, its `service_request_id` filter, `requests/{id}.json`)
  shows the pothole only as category, status, dates, district and a ~100 m cell — no text,
  address, exact point, name or phone — and nothing at all of the other two;
- the request number does not open A's record in the app API;
- resident B's `/similar` shows the pothole without address, measured to its cell only, and
  neither the emergency nor the private kind;
- the city system, with the `api_key`, gets all three in full.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub import classifier, disclosure
from backend_stub.config import Settings
from backend_stub.crud import appeals as crud
from backend_stub.geo import DISTRICT_NAMES, distance_m
from backend_stub.main import create_app
from backend_stub.models import Appeal, User
from backend_stub.schemas.appeals import AppealCreate
from backend_stub.statuses import STATUS_NAMES, AppealType, Status
from tests.conftest import next_phone
from tests.live import backend_process, live_app, sign_in_http

API = "/open311/v2"
KEY = "open311-privacy-test-key"
EXACT = (51.128437, 71.430912)  # A's doorstep: digits no coarsened point has
CELL = (51.128, 71.431)
TYPED_PHONE = "8 701 555 12 34"  # typed into the text: not A's account phone
FLAT = "кв. 117"
ROADS, WIRES, DOCTOR = "12.10", "46.16", "18.04"


@dataclass
class Filed:
    number: str
    id: int
    text: str
    address: str


@dataclass
class World:
    http: httpx.Client
    a: dict[str, str]
    b: dict[str, str]
    a_phone: str
    a_name: str
    pothole: Filed
    emergency: Filed
    doctor: Filed

    @property
    def all(self) -> list[Filed]:
        return [self.pothole, self.emergency, self.doctor]

    def secrets(self) -> list[str]:
        """What no outsider may read: the texts, addresses, exact point, A's name and phone."""
        out = [self.a_name, self.a_phone, self.a_phone.removeprefix("+"), FLAT]
        out += [f.text for f in self.all] + [f.address for f in self.all]
        out += [str(EXACT[0]), str(EXACT[1]), "128437", "430912"]
        return out


def _file(http: httpx.Client, who: dict[str, str], subclass: str, mark: str, **over: Any) -> Filed:
    text = f"{mark}: яма у подъезда, {FLAT}, звоните {TYPED_PHONE}"
    address = f"ул. Кенесары, 40, {FLAT} ({mark})"
    body = {
        "client_id": str(uuid.uuid4()),
        "text": text,
        "type": "incident",
        "subclass_code": subclass,
        "lat": EXACT[0],
        "lon": EXACT[1],
        "accuracy_m": 5.0,
        "address": address,
        "language": "ru",
        **over,
    }
    r = http.post("/api/v1/appeals", json=body, headers=who)
    assert r.status_code == 201, r.text
    return Filed(number=r.json()["number"], id=r.json()["id"], text=text, address=address)


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    settings.open311_api_key = KEY
    settings.emergency_worker_interval_s = 0
    with live_app(create_app(settings)) as url, httpx.Client(base_url=url, timeout=30) as http:
        a_phone = next_phone()
        a, b = sign_in_http(url, a_phone), sign_in_http(url, next_phone())
        a_name = f"Айгүл Серікова {uuid.uuid4().hex[:6]}"
        r = http.patch("/api/v1/profile", json={"full_name": a_name}, headers=a)
        assert r.status_code == 200, r.text
        yield World(
            http=http,
            a=a,
            b=b,
            a_phone=a_phone,
            a_name=a_name,
            pothole=_file(http, a, ROADS, "Pothole", share_personal=False),
            emergency=_file(http, a, WIRES, "Emergency", emergency=True, share_personal=True),
            doctor=_file(http, a, DOCTOR, "Doctor", share_personal=True),
        )


def _compact(body: str) -> str:
    return re.sub(r"[\s()+\-]", "", body)


def assert_reveals_nothing(w: World, body: str) -> None:
    leaked = [s for s in w.secrets() if s in body]
    assert not leaked, f"leaks {leaked}: {body[:500]}"
    for phone in (TYPED_PHONE, w.a_phone[-10:]):
        assert _compact(phone)[-10:] not in _compact(body), body[:500]


def _anonymous_reads(w: World) -> dict[str, httpx.Response]:
    numbers = ",".join(f.number for f in w.all)
    reads = {
        "list": w.http.get(f"{API}/requests.json"),
        "list kk": w.http.get(f"{API}/requests.json", params={"locale": "kk"}),
        "by ids": w.http.get(f"{API}/requests.json", params={"service_request_id": numbers}),
        "by code": w.http.get(f"{API}/requests.json", params={"service_code": WIRES}),
    }
    for f in w.all:
        reads[f.number] = w.http.get(f"{API}/requests/{f.number}.json")
    return reads


def test_anonymous_open311_shows_only_a_coarse_public_view(world: World) -> None:
    w = world
    reads = _anonymous_reads(w)
    for name, r in reads.items():
        assert r.status_code in (200, 404), (name, r.text)
        assert_reveals_nothing(w, r.text)

    listed = reads["list"].json()
    assert [item["service_request_id"] for item in listed] == [w.pothole.number]
    assert [i["service_request_id"] for i in reads["by ids"].json()] == [w.pothole.number]
    assert reads["by code"].json() == []  # the emergency is not there at all
    [item] = reads[w.pothole.number].json()
    assert item == listed[0]
    roads = classifier.load_classifier().subclass(ROADS)
    assert item["description"] == roads.name_ru  # the category stands in for the text
    assert item["status_notes"] == STATUS_NAMES[Status.CREATED]["ru"]
    assert item["media_url"] is None
    assert item["address"] in {None, *(n["ru"] for n in DISTRICT_NAMES.values())}
    assert (item["lat"], item["long"]) == CELL
    assert distance_m(*EXACT, item["lat"], item["long"]) < 80

    # what is not public is not found, exactly as a number that does not exist
    for hidden in (w.emergency, w.doctor):
        r = reads[hidden.number]
        assert r.status_code == 404
        assert r.json() == w.http.get(f"{API}/requests/109-0000-999999.json").json()


def test_the_request_number_does_not_open_the_residents_record(world: World) -> None:
    w = world
    for f in w.all:
        assert int(f.number.rsplit("-", 1)[1]) == f.id  # the number gives the id away...
        for path in (f"/api/v1/appeals/{f.id}", f"/api/v1/appeals/{f.id}/messages"):
            nobody = w.http.get(path)  # ...but the record stays its owner's
            assert nobody.status_code == 401, nobody.text
            other = w.http.get(path, headers=w.b)
            assert other.status_code == 404, other.text
            assert_reveals_nothing(w, nobody.text + other.text)
        assert w.http.get(f"/api/v1/appeals/{f.id}", headers=w.a).json()["text"] == f.text


def test_similar_shows_another_resident_nothing_identifying(world: World) -> None:
    w = world
    near = {"lat": 51.1291, "lon": 71.4309}  # ~75 m from A's doorstep

    def similar(who: dict[str, str], subclass: str, **at: float) -> list[dict[str, Any]]:
        params: dict[str, str | float] = {"subclass_code": subclass, **near, **at}
        r = w.http.get("/api/v1/appeals/similar", params=params, headers=who)
        assert r.status_code == 200, r.text
        if who is w.b:
            assert_reveals_nothing(w, r.text)
        return list(r.json())

    [seen] = similar(w.b, ROADS)
    assert seen["id"] == w.pothole.id and seen["number"] == w.pothole.number
    assert seen["address"] is None
    assert seen["subclass_code"] == ROADS and seen["status"] == "created"
    assert seen["distance_m"] == round(distance_m(near["lat"], near["lon"], *CELL) / 10) * 10
    assert similar(w.b, WIRES) == []  # an emergency: not shown to anyone else
    assert similar(w.b, DOCTOR) == []  # a private kind: not shown to anyone else

    # A sees their own as they are (the app offers "open my appeal")
    assert [s["address"] for s in similar(w.a, ROADS)] == [w.pothole.address]
    assert [s["id"] for s in similar(w.a, WIRES)] == [w.emergency.id]
    assert [s["id"] for s in similar(w.a, DOCTOR)] == [w.doctor.id]

    # Probing from a ring of points learns the ~100 m cell, never the doorstep: whether it is
    # listed, and how far, depend on the distance to the cell's point only.
    for bearing in range(0, 360, 15):
        for radius in (120.0, 140.0, 160.0, 180.0, 200.0):
            dlat = radius * math.cos(math.radians(bearing)) / 111_195
            dlon = (
                radius
                * math.sin(math.radians(bearing))
                / (111_195 * math.cos(math.radians(EXACT[0])))
            )
            at = {"lat": EXACT[0] + dlat, "lon": EXACT[1] + dlon}
            found = similar(w.b, ROADS, **at)
            to_cell = distance_m(at["lat"], at["lon"], *CELL)
            assert bool(found) == (to_cell <= crud.SIMILAR_RADIUS_M), (at, to_cell, found)
            if found:
                assert found[0]["distance_m"] == round(to_cell / 10) * 10


def test_the_city_system_key_gets_the_full_record(world: World) -> None:
    w = world
    params = {"api_key": KEY, "service_request_id": ",".join(f.number for f in w.all)}
    r = w.http.get(f"{API}/requests.json", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    items = {item["service_request_id"]: item for item in r.json()}
    assert set(items) == {f.number for f in w.all}
    listed = w.http.get(f"{API}/requests.json", params={"api_key": KEY}).json()
    assert {item["service_request_id"] for item in listed} == set(items)
    for f in w.all:
        one = w.http.get(f"{API}/requests/{f.number}.json", params={"api_key": KEY})
        assert one.status_code == 200, one.text
        [item] = one.json()
        assert item == items[f.number]
        assert item["description"] == f.text
        assert item["address"] == f.address
        assert (item["lat"], item["long"]) == EXACT
        # GeoReport v2 has no applicant fields: the name and phone are the operators' to see
        assert w.a_name not in one.text and w.a_phone[-10:] not in _compact(one.text)

    # a wrong key is refused, not quietly answered with the public view
    for wrong in ("wrong", "", KEY + "x", "ключ"):
        bad = w.http.get(f"{API}/requests.json", params={"api_key": wrong})
        assert bad.status_code == 403, bad.text
        assert bad.json()[0]["code"] == 403
        assert_reveals_nothing(w, bad.text)
        bad = w.http.get(f"{API}/requests/{w.doctor.number}.json", params={"api_key": wrong})
        assert bad.status_code == 403, bad.text


def test_publishable_kinds_are_the_same_in_sql_and_python(client: TestClient) -> None:
    """Every subclass × type × emergency: the public list holds exactly the publishable ones."""
    data = classifier.load_classifier()
    known = {sub.code for cls in data.classes for sub in cls.subclasses}
    assert {cls.code for cls in data.classes} >= disclosure.PUBLIC_CLASSES
    assert known >= disclosure.PRIVATE_SUBCLASSES
    assert all(code[:2] in disclosure.PUBLIC_CLASSES for code in disclosure.PRIVATE_SUBCLASSES)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as db:
        user = User(phone=next_phone())
        db.add(user)
        db.commit()
        kinds = [(code, AppealType.INCIDENT.value, False) for code in sorted(known)]
        kinds += [(ROADS, t.value, False) for t in AppealType if t != AppealType.INCIDENT]
        kinds += [(ROADS, AppealType.INCIDENT.value, True), (DOCTOR, "incident", True)]
        for code, kind, emergency in kinds:
            body = AppealCreate(
                client_id=str(uuid.uuid4()),
                text="x",
                subclass_code=code,
                type=kind,  # type: ignore[arg-type]
                address="x",
                emergency=emergency,
            )
            crud.create_appeal(db, user=user, data=body)
        db.commit()
        rows = db.exec(select(Appeal)).all()
        expected = {a.number for a in rows if disclosure.publishable(a)}
    assert 100 < len(expected) < len(known)  # plenty public, plenty not
    r = client.get(f"{API}/requests.json")
    assert r.status_code == 200, r.text
    assert {item["service_request_id"] for item in r.json()} == expected
    with_key = client.get(f"{API}/requests.json", params={"api_key": "dev-open311-key"})
    assert len(with_key.json()) == len(kinds)


def test_the_access_log_keeps_no_api_key(tmp_path: Path) -> None:
    """uvicorn logs every request's full path: the city system's key must not land there."""
    secret = "city-system-key-" + uuid.uuid4().hex
    env = {"OPEN311_API_KEY": secret}
    with backend_process(tmp_path / "data", env=env) as server:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            answer = http.get(f"{API}/requests.json", params={"api_key": secret})
            assert answer.status_code == 200
            link = http.get(f"{API}/requests.json", params={"sig": "a-signature", "x": "1"})
            assert link.status_code == 200
        server.proc.terminate()
        server.proc.wait(10)
        log = server.output()
    assert "GET /open311/v2/requests.json?api_key=***" in log, log[-2000:]
    assert secret not in log
    assert "a-signature" not in log
