"""A chat message says the language its text was written in (`text_language.written_in`), in
the API's answers and in the sync feed, so the app can mark an operator's answer written in the
other language."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from backend_stub.text_language import written_in
from tests.backend.test_appeals import appeal_body, make_operator


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Бригада выехала, работы начнутся завтра утром.", "ru"),
        ("Бригада жолға шықты, жұмыс ертең басталады.", "kk"),
        ("Рахмет! Сіздің өтінішіңіз қабылданды.", "kk"),
        ("ІІБ хабардар етілді", "kk"),  # a capital Kazakh letter counts too
        ("Принято", None),  # too short to tell Russian from Kazakh without its own letters
        ("OK, 12:30", None),
        ("", None),
    ],
)
def test_written_in(text: str, language: str | None) -> None:
    assert written_in(text) == language


def test_messages_carry_their_language_in_answers_and_the_feed(
    client: TestClient, resident: dict[str, str]
) -> None:
    op = make_operator(client)
    start = client.get("/api/v1/sync", headers=resident).json()["cursor"]
    a = client.post("/api/v1/appeals", json=appeal_body(), headers=resident).json()
    url = f"/api/v1/appeals/{a['id']}/messages"
    ru = "Бригада выехала, работы начнутся завтра утром."
    kk = "Бригада жолға шықты, жұмыс ертең басталады."
    posted = client.post(url, json={"client_id": str(uuid.uuid4()), "text": ru}, headers=op)
    assert posted.status_code == 201 and posted.json()["language"] == "ru"
    client.post(url, json={"client_id": str(uuid.uuid4()), "text": kk}, headers=op)
    listed = client.get(url, headers=resident).json()
    assert [(m["text"], m["language"]) for m in listed] == [(ru, "ru"), (kk, "kk")]
    feed = client.get("/api/v1/sync", params={"cursor": start}, headers=resident).json()
    assert [m["language"] for m in feed["changes"]["message"]] == ["ru", "kk"]
