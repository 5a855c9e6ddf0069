"""Request shapes accept exactly what the OpenAPI document says: JSON types as declared, bounded
ids, RFC 3339 times, text that says something; and each operation documents its refusals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from backend_stub.models import Appeal, Proposal
from backend_stub.schemas.common import MAX_ID
from tests.backend.test_appeals import appeal_body, make_operator
from tests.backend.test_participation import proposal_body


def count(client: TestClient, model: type[Any]) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return db.exec(select(func.count()).select_from(model)).one()


def fields_of(r: Any) -> list[list[str]]:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    return [f["loc"] for f in error["details"]["fields"]]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"emergency": 0}, "emergency"),  # 0 is not false
        ({"share_personal": "true"}, "share_personal"),
        ({"lat": "51.1282"}, "lat"),  # a string is not a number
        ({"lat": True}, "lat"),
        ({"text": 42}, "text"),
        ({"attachment_ids": "abc"}, "attachment_ids"),
        ({"text": "   "}, "text"),  # the schema's pattern: something besides spaces
    ],
)
def test_appeal_body_takes_declared_json_types_only(
    client: TestClient, resident: dict[str, str], over: dict[str, Any], field: str
) -> None:
    r = client.post(
        "/api/v1/appeals", json=appeal_body(**over), headers={**resident, "Accept-Language": "ru"}
    )
    assert ["body", field] in fields_of(r)
    assert r.json()["error"]["message"].startswith("Данные заполнены неверно")
    assert count(client, Appeal) == 0


def test_an_integer_may_be_written_5_0_but_not_5_5_or_a_string(
    client: TestClient, resident: dict[str, str]
) -> None:
    appeal = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    url = f"/api/v1/appeals/{appeal['id']}/messages/read"
    assert client.post(url, json={"up_to_id": 1.0}, headers=resident).status_code == 200
    for bad in (1.5, "1", True):
        assert ["body", "up_to_id"] in fields_of(
            client.post(url, json={"up_to_id": bad}, headers=resident)
        )


@pytest.mark.parametrize("value", [1_700_000_000, "1700000000", "2026-07-12T09:30:00", "soon"])
def test_times_are_rfc3339_strings_with_an_offset(
    client: TestClient, value: object, settings: Any
) -> None:
    operator = make_operator(client)
    body = {
        "kind": "planned",
        "topic": "water",
        "title_kk": "Су болмайды",
        "title_ru": "Не будет воды",
        "body_kk": "Жөндеу жұмыстары.",
        "body_ru": "Ремонтные работы.",
        "starts_at": value,
    }
    r = client.post("/api/v1/operator/notices", json=body, headers=operator)
    assert ["body", "starts_at"] in fields_of(r)
    body["starts_at"] = "2026-07-12T09:30:00+05:00"
    assert client.post("/api/v1/operator/notices", json=body, headers=operator).status_code == 201


@pytest.mark.parametrize("appeal_id", [0, -1, MAX_ID + 1, 10**30])
def test_an_id_no_row_can_have_is_refused_as_input(
    client: TestClient, resident: dict[str, str], appeal_id: int
) -> None:
    r = client.get(f"/api/v1/appeals/{appeal_id}", headers=resident)
    assert ["path", "appeal_id"] in fields_of(r)
    r = client.get("/api/v1/appeals", params={"before_id": appeal_id}, headers=resident)
    assert ["query", "before_id"] in fields_of(r)
    assert client.get(f"/api/v1/appeals/{MAX_ID}", headers=resident).status_code == 404


def test_profile_fields_that_cannot_be_cleared_are_not_nullable_in_the_schema(
    client: TestClient, resident: dict[str, str]
) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ProfilePatch"]
    assert schema["properties"]["notify_topics"]["type"] == "array"
    assert {"type": "null"} in schema["properties"]["full_name"]["anyOf"]
    r = client.patch("/api/v1/profile", json={"notify_topics": None}, headers=resident)
    assert ["body", "notify_topics"] in fields_of(r)
    r = client.patch("/api/v1/profile", json={"full_name": None}, headers=resident)
    assert r.status_code == 200


def test_one_coordinate_of_a_proposal_is_a_business_refusal_in_kk_and_ru(
    client: TestClient, resident: dict[str, str]
) -> None:
    for lang, text in (("kk", "Ендік пен бойлықты"), ("ru", "Укажите широту и долготу")):
        r = client.post(
            "/api/v1/proposals",
            json=proposal_body(lon=None),
            headers={**resident, "Accept-Language": lang},
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "coordinates_incomplete"
        assert r.json()["error"]["message"].startswith(text)
    assert count(client, Proposal) == 0
    ok = client.post("/api/v1/proposals", json=proposal_body(lat=None, lon=None), headers=resident)
    assert ok.status_code == 201, ok.text


def test_every_operation_documents_the_refusals_valid_input_may_get(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def statuses(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"401", "403", "404", "409", "422"} <= statuses(
        "/api/v1/operator/polls/{poll_id}/publish", "post"
    )
    assert {"401", "404"} <= statuses("/api/v1/appeals/{appeal_id}", "get")
    assert "409" not in statuses("/api/v1/appeals/{appeal_id}", "get")
    assert {"401", "409", "422"} <= statuses("/api/v1/appeals", "post")  # Idempotency-Key
    assert {"422", "429"} <= statuses("/api/v1/auth/otp/request", "post")
    assert {"400", "429"} <= statuses("/api/v1/auth/otp/verify", "post")
    assert {"401", "422"} <= statuses("/api/v1/emergency/callback", "post")  # its secret header
    assert {"412", "413"} <= statuses("/api/v1/uploads", "post")
    assert {"413", "415"} <= statuses("/api/v1/media", "post")
    assert "401" not in statuses("/api/v1/proposals/categories", "get")  # public
    error = paths["/api/v1/appeals/{appeal_id}"]["get"]["responses"]["404"]
    assert error["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiError"
    }
