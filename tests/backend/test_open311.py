"""Open311 GeoReport v2 under /open311/v2: services, filing requests, public request views."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub.config import DEV_OPEN311_KEY
from backend_stub.models import Appeal, User
from tests.backend.support import make_operator
from tests.conftest import next_phone, sign_in

API = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00$")
ASTANA = {"lat": "51.1280", "long": "71.4300"}
KEY = {"api_key": DEV_OPEN311_KEY}  # the city system's key: GETs show every request in full
# Kinds anyone may see (backend_stub.disclosure): road surface damage, a burnt-out street lamp.
ROADS, LAMP = "12.10", "42.06"


def post(
    client: TestClient,
    key: str | None = DEV_OPEN311_KEY,
    headers: Any = None,  # a dict; Any so that `**fields` dicts type-check
    **fields: str,
) -> httpx.Response:
    data = dict(fields) if key is None else {"api_key": key, **fields}
    return client.post(f"{API}/requests.json", data=data, headers=headers)


def services(client: TestClient, **params: str) -> list[dict[str, Any]]:
    r = client.get(f"{API}/services.json", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def a_code(client: TestClient, index: int = 0) -> str:
    return str(services(client)[index]["service_code"])


def file(client: TestClient, **fields: str) -> str:
    fields.setdefault("service_code", a_code(client))
    r = post(client, **fields)
    assert r.status_code == 201, r.text
    body = r.json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["service_notice"] and body[0]["account_id"] is None
    return str(body[0]["service_request_id"])


def get_one(client: TestClient, request_id: str, **params: str) -> dict[str, Any]:
    r = client.get(f"{API}/requests/{request_id}.json", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body) == 1
    return dict(body[0])


def ids_of(client: TestClient, **params: str) -> list[str]:
    r = client.get(f"{API}/requests.json", params=params)
    assert r.status_code == 200, r.text
    return [item["service_request_id"] for item in r.json()]


def assert_open311_error(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert set(body[0]) == {"code", "description"}
    assert body[0]["code"] == status
    assert isinstance(body[0]["description"], str) and body[0]["description"]
    return str(body[0]["description"])


def appeal_id(client: TestClient, number: str) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        appeal = db.exec(select(Appeal).where(Appeal.number == number)).one()
        assert appeal.id is not None
        return appeal.id


def appeal_count(client: TestClient) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return len(db.exec(select(Appeal)).all())


# --- services ---------------------------------------------------------------------------------


def test_services_list_has_every_subclass_with_groups(client: TestClient) -> None:
    items = services(client)
    assert len(items) == 350
    assert len({s["service_code"] for s in items}) == 350
    keys = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    for s in items:
        assert set(s) == keys
        assert s["metadata"] is True and s["type"] == "realtime"
        assert s["group"] and s["service_name"] and s["description"]
        assert isinstance(s["keywords"], str)
    assert len({s["group"] for s in items}) > 1


def test_services_language_follows_locale_and_accept_language(client: TestClient) -> None:
    ru = services(client)
    kk = services(client, locale="kk")
    by_header = client.get(f"{API}/services.json", headers={"Accept-Language": "kk"}).json()
    assert kk == by_header
    assert [s["service_code"] for s in kk] == [s["service_code"] for s in ru]
    assert any(a["service_name"] != b["service_name"] for a, b in zip(ru, kk, strict=True))
    assert services(client, locale="ru") == ru
    # a header naming neither language keeps the Russian default
    assert client.get(f"{API}/services.json", headers={"Accept-Language": "en"}).json() == ru


def test_service_definition_shape(client: TestClient) -> None:
    code = a_code(client)
    r = client.get(f"{API}/services/{code}.json")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["service_code"] == code
    attrs = {a["code"]: a for a in body["attributes"]}
    assert {"appeal_type", "emergency", "district"} <= set(attrs)
    for a in body["attributes"]:
        assert {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        } <= set(a)
        assert a["datatype"] in {
            "string",
            "number",
            "datetime",
            "text",
            "singlevaluelist",
            "multivaluelist",
        }
    assert [a["order"] for a in body["attributes"]] == sorted(
        a["order"] for a in body["attributes"]
    )
    types = {v["key"]: v["name"] for v in attrs["appeal_type"]["values"]}
    assert set(types) == {"consultation", "incident", "proposal", "complaint", "gratitude"}
    assert types["complaint"] == "Жалоба"
    assert attrs["appeal_type"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attrs["emergency"]["values"]} == {"yes", "no"}
    assert "yesil" in {v["key"] for v in attrs["district"]["values"]}
    kk = client.get(f"{API}/services/{code}.json", params={"locale": "kk"}).json()
    assert {v["key"]: v["name"] for v in kk["attributes"][0]["values"]}["complaint"] == "Шағым"


def test_unknown_service_is_open311_404(client: TestClient) -> None:
    ru = assert_open311_error(client.get(f"{API}/services/99.99.99.json"), 404)
    kk = assert_open311_error(
        client.get(f"{API}/services/99.99.99.json", headers={"Accept-Language": "kk"}), 404
    )
    assert ru == "Не найдено." and kk != ru
    assert_open311_error(client.get(f"{API}/services.xml"), 404)
    assert_open311_error(client.get(f"{API}/requests/109-0000-000000.json"), 404)
    assert_open311_error(client.post(f"{API}/nothing.json"), 404)
    wrong_method = client.put(f"{API}/requests.json")
    assert_open311_error(wrong_method, 405)
    assert wrong_method.headers["Allow"] == "GET, POST"


def test_rest_of_api_keeps_its_error_shape(client: TestClient) -> None:
    r = client.get("/api/v1/appeals")
    assert r.status_code == 401
    assert "error" in r.json()


def test_openapi_shows_typed_models(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    names = set(schema["components"]["schemas"])
    assert {
        "Service",
        "ServiceDefinition",
        "ServiceAttribute",
        "ServiceRequest",
        "ServiceRequestCreated",
        "Open311Error",
    } <= names
    get = schema["paths"][f"{API}/requests.json"]["get"]
    ok = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["items"]["$ref"].endswith("/ServiceRequest")
    post_op = schema["paths"][f"{API}/requests.json"]["post"]
    assert "application/x-www-form-urlencoded" in post_op["requestBody"]["content"]


# --- POST /requests.json ----------------------------------------------------------------------


def test_post_without_or_with_wrong_key_is_403(client: TestClient) -> None:
    code = a_code(client)
    assert_open311_error(post(client, key=None, service_code=code, **ASTANA), 403)
    assert_open311_error(post(client, key="wrong", service_code=code, **ASTANA), 403)
    assert_open311_error(post(client, key="", service_code=code, **ASTANA), 403)
    assert_open311_error(post(client, key="ключ", service_code=code, **ASTANA), 403)
    # the key is checked before anything else in the form
    assert_open311_error(post(client, key="wrong", service_code=code, lat="x"), 403)
    assert appeal_count(client) == 0


def test_post_with_lat_long_files_an_appeal_the_resident_sees(client: TestClient) -> None:
    phone = next_phone()  # +7701XXXXXXX
    national = "8 " + phone[2:5] + " " + phone[5:8] + " " + phone[8:10] + " " + phone[10:]
    code = a_code(client, 3)
    number = file(
        client,
        service_code=code,
        phone=national,
        first_name="Айгүл",
        last_name="Серікова",
        description="Подъезд не убран неделю",
        email="a@example.kz",
        **ASTANA,
    )
    item = get_one(client, number, **KEY)
    assert item["service_request_id"] == number
    assert item["service_code"] == code
    assert item["status"] == "open"
    assert item["description"] == "Подъезд не убран неделю"
    assert item["lat"] == 51.128 and item["long"] == 71.43
    assert item["service_name"] and item["agency_responsible"]
    assert "account_id" not in item
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(item[field]), item[field]

    headers = sign_in(client, phone)
    r = client.get("/api/v1/appeals", headers=headers)
    assert r.status_code == 200, r.text
    mine = {a["number"]: a for a in r.json()["items"]}
    assert number in mine
    assert mine[number]["subclass_code"] == code
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        appeal = db.exec(select(Appeal).where(Appeal.number == number)).one()
        assert appeal.channel == "open311"
        assert appeal.applicant_phone == phone
        assert appeal.applicant_name == "Айгүл Серікова"


def test_post_with_address_string_and_no_phone_uses_the_system_user(client: TestClient) -> None:
    first = file(client, address_string="Астана, проспект Мангилик Ел, 55")
    second = file(client, address_string="Астана, улица Кенесары, 40", description="Яма")
    item = get_one(client, first, **KEY)
    assert item["address"] == "Астана, проспект Мангилик Ел, 55"
    assert item["lat"] is None and item["long"] is None
    assert item["description"]  # the service name stands in for a missing description
    assert get_one(client, second, **KEY)["description"] == "Яма"
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        system = db.exec(select(User).where(User.phone == "open311")).all()
        assert len(system) == 1 and system[0].role == "resident"
        owners = {a.user_id for a in db.exec(select(Appeal)).all()}
        assert owners == {system[0].id}
        appeal = db.exec(select(Appeal).where(Appeal.number == first)).one()
        assert appeal.applicant_phone is None


def test_attributes_are_applied(client: TestClient) -> None:
    phone = next_phone()
    number = file(
        client,
        phone=phone,
        description="Искрит провод у школы",
        **{
            "attribute[appeal_type]": "complaint",
            "attribute[emergency]": "yes",
            "attribute[district]": "yesil",
            "attribute[unknown]": "ignored",
        },
        **ASTANA,
    )
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        appeal = db.exec(select(Appeal).where(Appeal.number == number)).one()
        assert appeal.type == "complaint"
        assert appeal.emergency is True and appeal.importance == "high"
        assert appeal.district == "yesil"
    for name, value in (
        ("appeal_type", "spam"),
        ("emergency", "maybe"),
        ("district", "moon"),
        ("client_id", "short"),
    ):
        r = post(client, service_code=a_code(client), **ASTANA, **{f"attribute[{name}]": value})
        assert name in assert_open311_error(r, 400)


def test_retry_with_same_idempotency_key_files_one_appeal(client: TestClient) -> None:
    code = a_code(client)
    headers = {"Idempotency-Key": "5f0c7a52-2d6e-4b5b-9d53-0c1f1c8f7a11"}
    fields = {"service_code": code, "description": "Не работает фонарь", **ASTANA}
    first = post(client, headers=headers, **fields)
    again = post(client, headers=headers, **fields)
    assert first.status_code == again.status_code == 201, again.text
    assert first.json() == again.json()
    assert appeal_count(client) == 1
    # the same key with another body is refused, still in the Open311 shape
    other = post(client, headers=headers, **{**fields, "description": "Другое"})
    assert_open311_error(other, 422)
    assert appeal_count(client) == 1


def test_retry_with_same_client_id_files_one_appeal(client: TestClient) -> None:
    phone = next_phone()
    fields = {
        "service_code": a_code(client),
        "phone": phone,
        "attribute[client_id]": "c0ffee00-1111-2222-3333-444455556666",
        **ASTANA,
    }
    first = post(client, **fields)
    again = post(client, **fields)
    assert first.status_code == again.status_code == 201
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert appeal_count(client) == 1


def test_bad_requests_are_400(client: TestClient) -> None:
    code = a_code(client)
    assert_open311_error(post(client, service_code=code), 400)  # no location
    assert_open311_error(post(client, service_code=code, address_id="42"), 400)
    assert_open311_error(post(client, service_code=code, lat="51.1"), 400)  # lat without long
    assert_open311_error(post(client, service_code=code, lat="north", long="71.4"), 400)
    assert_open311_error(post(client, service_code=code, lat="123", long="71.4"), 400)
    assert_open311_error(post(client, **ASTANA), 400)  # no service_code
    assert_open311_error(post(client, service_code="99.99.99", **ASTANA), 400)
    assert_open311_error(post(client, service_code=code, phone="+7 916 123 45 67", **ASTANA), 400)
    assert_open311_error(post(client, service_code=code, media_url="javascript:x", **ASTANA), 400)
    assert_open311_error(post(client, service_code=code, description="bad\x00text", **ASTANA), 400)
    too_long = post(client, service_code=code, description="а" * 4001, **ASTANA)
    assert "description" in assert_open311_error(too_long, 400)
    names = {"first_name": "А" * 100, "last_name": "Б" * 100}
    assert_open311_error(post(client, service_code=code, **names, **ASTANA), 400)
    assert appeal_count(client) == 0
    file(client, service_code=code, description="а" * 4000, **ASTANA)
    kk = post(client, service_code=code, headers={"Accept-Language": "kk"})
    assert assert_open311_error(kk, 400) != assert_open311_error(
        post(client, service_code=code), 400
    )


def test_media_url_is_shown_to_the_city_system(client: TestClient) -> None:
    number = file(client, media_url="https://example.kz/photo.jpg", **ASTANA)
    assert get_one(client, number, **KEY)["media_url"] == "https://example.kz/photo.jpg"
    assert get_one(client, file(client, **ASTANA), **KEY)["media_url"] is None


# --- GET /requests.json -----------------------------------------------------------------------


def test_status_goes_from_open_to_closed_when_an_operator_closes(client: TestClient) -> None:
    number = file(client, phone=next_phone(), description="Течёт кран во дворе", **ASTANA)
    op = make_operator(client, next_phone())
    aid = appeal_id(client, number)
    r = client.post(
        f"/api/v1/operator/appeals/{aid}/status",
        headers=op,
        json={"to_status": "assigned", "note": "Передано в ТОО «Астана Су Арнасы»"},
    )
    assert r.status_code == 200, r.text
    item = get_one(client, number, **KEY)
    assert item["status"] == "open"
    assert item["status_notes"] == "Передано в ТОО «Астана Су Арнасы»"
    r = client.post(
        f"/api/v1/operator/appeals/{aid}/status", headers=op, json={"to_status": "in_progress"}
    )
    assert r.status_code == 200, r.text
    assert get_one(client, number, **KEY)["status"] == "open"
    r = client.post(
        f"/api/v1/operator/appeals/{aid}/close", headers=op, json={"result_text": "Кран заменён"}
    )
    assert r.status_code == 200, r.text
    item = get_one(client, number, **KEY)
    assert item["status"] == "closed"
    assert item["status_notes"] == "Кран заменён"
    assert W3C.match(item["updated_datetime"])
    assert number in ids_of(client, status="closed", **KEY)
    assert number not in ids_of(client, status="open", **KEY)


def test_filters_by_status_service_code_ids_and_dates(client: TestClient) -> None:
    code_a, code_b = ROADS, LAMP  # public kinds: the anonymous list shows them
    a = file(client, service_code=code_a, **ASTANA)
    b = file(client, service_code=code_b, **ASTANA)
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        row = db.exec(select(Appeal).where(Appeal.number == b)).one()
        row.status = "closed"
        db.add(row)
        db.commit()
    assert set(ids_of(client)) == {a, b}
    assert ids_of(client, status="open") == [a]
    assert ids_of(client, status="closed") == [b]
    assert ids_of(client, service_code=code_a) == [a]
    assert set(ids_of(client, service_code=f"{code_a},{code_b}")) == {a, b}
    assert ids_of(client, service_request_id=b) == [b]
    assert set(ids_of(client, service_request_id=f"{a},{b}")) == {a, b}
    assert (
        ids_of(client, start_date="2000-01-01T00:00:00+05:00", end_date="2000-02-01T00:00:00+05:00")
        == []
    )
    assert set(ids_of(client, start_date="2000-01-01T00:00:00Z")) == {a, b}
    assert ids_of(client, end_date="2000-02-01T00:00:00+05:00") == []
    assert_open311_error(client.get(f"{API}/requests.json", params={"status": "done"}), 400)
    assert_open311_error(client.get(f"{API}/requests.json", params={"start_date": "вчера"}), 400)


def test_default_window_is_ninety_days(client: TestClient) -> None:
    old, new = file(client, service_code=ROADS, **ASTANA), file(client, service_code=LAMP, **ASTANA)
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        row = db.exec(select(Appeal).where(Appeal.number == old)).one()
        row.created_at = row.created_at.replace(year=row.created_at.year - 1)
        db.add(row)
        db.commit()
    assert ids_of(client) == [new]
    assert set(ids_of(client, start_date="2000-01-01")) == {old, new}


def test_without_the_key_a_request_is_coarse_and_textless(client: TestClient) -> None:
    """Filed through Open311 too: anyone sees the category, status and a ~100 m cell only;
    a private kind not at all; a wrong key is refused."""
    road = file(
        client,
        service_code=ROADS,
        description="Яма у подъезда, кв. 12",
        address_string="ул. Кенесары, 40, кв. 12",
        media_url="https://example.kz/photo.jpg",
        lat="51.128437",
        long="71.430912",
    )
    private = file(client, service_code="18.04", description="Врач на дом, кв. 12", **ASTANA)
    item = get_one(client, road)
    assert item["description"] == item["service_name"] and "кв." not in str(item)
    assert (item["lat"], item["long"]) == (51.128, 71.431)
    assert item["media_url"] is None
    assert ids_of(client) == [road]
    assert_open311_error(client.get(f"{API}/requests/{private}.json"), 404)
    full = get_one(client, road, **KEY)
    assert full["description"] == "Яма у подъезда, кв. 12"
    assert (full["lat"], full["long"]) == (51.128437, 71.430912)
    assert set(ids_of(client, **KEY)) == {road, private}
    assert_open311_error(client.get(f"{API}/requests.json", params={"api_key": "x"}), 403)


def test_datetimes_are_w3c_with_almaty_offset(client: TestClient) -> None:
    file(client, service_code=ROADS, **ASTANA)
    r = client.get(f"{API}/requests.json")
    assert r.status_code == 200 and r.json()
    for item in r.json():
        for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert W3C.match(item[field]), item[field]
        assert not item["requested_datetime"].endswith("Z")


def test_no_personal_data_in_any_get(client: TestClient) -> None:
    phone = next_phone()
    number = file(
        client,
        phone=phone,
        first_name="Ерлан",
        last_name="Жақсылықов",
        email="erlan@example.kz",
        account_id="acc-77",
        device_id="dev-1",
        **ASTANA,
    )
    digits = phone[-10:]
    answers = [
        client.get(f"{API}/requests.json").text,
        client.get(f"{API}/requests.json", params={"service_request_id": number}).text,
        client.get(f"{API}/requests/{number}.json").text,
        client.get(f"{API}/requests/{number}.json", params={"locale": "kk"}).text,
        client.get(f"{API}/services.json").text,
        # even the city system's full record carries no applicant (GeoReport v2 has no field)
        client.get(f"{API}/requests.json", params=KEY).text,
        client.get(f"{API}/requests/{number}.json", params=KEY).text,
    ]
    for text in answers:
        compact = re.sub(r"[\s()+-]", "", text)
        assert digits not in compact
        for secret in (
            "Ерлан",
            "Жақсылықов",
            "erlan@example.kz",
            "acc-77",
            "dev-1",
            "applicant",
            "account_id",
            "open311",
        ):
            assert secret not in text
