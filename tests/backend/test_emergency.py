"""Forwarding appeals to the emergency services (SPEC 30-1): the resident API, the adapter, the
simulated emergency system over a real socket, confirmation, retries and the operator's alert."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from backend_stub.config import Settings
from backend_stub.history_notes import emergency_note, note_text, notes_of
from backend_stub.main import create_app
from backend_stub.models import AppealEvent, EmergencyForward, utcnow
from backend_stub.services import emergency_adapter as adapter
from backend_stub.services.emergency_worker import step_once
from tests.backend.support import add_staff, production_settings
from tests.backend.test_appeals import appeal_body, make_operator
from tests.conftest import next_phone, sign_in

PASSWORD = "an-operator-password"


def make_settings(tmp_path: Path, **over: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "emergency_worker_interval_s": 0,  # the tests drive the worker with step_once
        "emergency_confirm_delay_s": 0,
        "emergency_confirm_timeout_s": 60,
        "emergency_retry_s": 10,
        **over,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Live:
    """The stub served by uvicorn on a loopback port, and an HTTP client talking to it."""

    url: str
    app: FastAPI
    settings: Settings
    http: httpx.Client

    def step(self, now: datetime | None = None) -> int:
        return step_once(self.app.state.engine, self.settings, now)

    def sim_incidents(self) -> list[dict[str, Any]]:
        r = self.http.get(
            "/sim/emergency/incidents",
            headers={adapter.API_KEY_HEADER: adapter.api_key(self.settings)},
        )
        assert r.status_code == 200, r.text
        result: list[dict[str, Any]] = r.json()
        return result


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., Live]]:
    started: list[tuple[uvicorn.Server, threading.Thread, httpx.Client]] = []

    def start(**over: Any) -> Live:
        settings = make_settings(tmp_path / f"s{len(started)}", **over)
        app = create_app(settings)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        http = httpx.Client(base_url=url, timeout=10)
        started.append((server, thread, http))
        return Live(url=url, app=app, settings=settings, http=http)

    yield start
    for server, thread, http in started:
        http.close()
        server.should_exit = True
        thread.join(timeout=10)


def http_sign_in(http: httpx.Client, phone: str | None = None) -> dict[str, str]:
    phone = phone or next_phone()
    assert http.post("/api/v1/auth/otp/request", json={"phone": phone}).status_code == 200
    code = http.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"]
    r = http.post("/api/v1/auth/otp/verify", json={"phone": phone, "code": code})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


def file_appeal(http: httpx.Client, headers: dict[str, str], **over: Any) -> dict[str, Any]:
    r = http.post("/api/v1/appeals", json=appeal_body(emergency=True, **over), headers=headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def forwards(http: httpx.Client, headers: dict[str, str], appeal_id: int) -> list[dict[str, Any]]:
    r = http.get(f"/api/v1/appeals/{appeal_id}/forwards", headers=headers)
    assert r.status_code == 200, r.text
    result: list[dict[str, Any]] = r.json()
    return result


def emergency_notes(app: FastAPI, appeal_id: int, lang: str = "ru") -> list[str]:
    """The appeal's emergency history lines as a reader in `lang` gets them."""
    with Session(app.state.engine) as db:
        events = db.exec(
            select(AppealEvent).where(
                AppealEvent.appeal_id == appeal_id, AppealEvent.kind == "emergency"
            )
        ).all()
        return [note_text(e.kind, e.note, lang) or "" for e in events]


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# ---------------------------------------------------------------- over a real socket


def test_confirmed_forward_is_accepted_with_id_and_time(
    live_server: Callable[..., Live],
) -> None:
    live = live_server(emergency_confirm_delay_s=0.3)
    phone = next_phone()
    resident = http_sign_in(live.http, phone)
    media = live.http.post(
        "/api/v1/media", headers=resident, files={"file": ("p.jpg", jpeg(), "image/jpeg")}
    )
    assert media.status_code == 201, media.text
    media_id = media.json()["id"]
    appeal = file_appeal(
        live.http,
        resident,
        text="Подъезд задымлён, пахнет гарью",
        applicant_name="Айгүл Сейітова",
        attachment_ids=[media_id],
    )
    cursor = live.http.get("/api/v1/sync", headers=resident).json()["cursor"]

    r = live.http.post(
        f"/api/v1/appeals/{appeal['id']}/forward", json={"service": "101"}, headers=resident
    )
    assert r.status_code == 201, r.text
    fwd = r.json()
    assert fwd["state"] == "pending" and fwd["phone"] == "101"
    assert fwd["service_name"] == {"kk": "Өрт сөндіру қызметі", "ru": "Пожарная служба"}

    assert live.step() == 1  # one POST; the simulator confirms later by calling us back
    wait_for(lambda: forwards(live.http, resident, appeal["id"])[0]["state"] == "accepted")
    [done] = forwards(live.http, resident, appeal["id"])
    assert done["acceptance_id"].startswith("ACC-101-")
    assert done["external_id"].startswith("INC-101-")
    accepted_at = datetime.fromisoformat(done["accepted_at"])
    assert abs((utcnow() - accepted_at).total_seconds()) < 30
    assert done["attempts"] == 1 and done["call_advised"] is False

    # what the emergency system received
    [incident] = live.sim_incidents()
    assert incident["status"] == "accepted" and incident["posts"] == 1
    sent = incident["payload"]
    assert sent["idempotency_key"] == f"{appeal['id']}:101"
    assert sent["appeal_number"] == appeal["number"]
    assert sent["text"] == "Подъезд задымлён, пахнет гарью"
    assert sent["location"] == {"lat": 51.1282, "lon": 71.4307, "accuracy_m": 12.0}
    assert sent["applicant"] == {"name": "Айгүл Сейітова", "phone": phone}
    assert sent["address"] == "пр. Мәңгілік Ел, 8"
    [link] = sent["media"]
    assert link["url"] == f"{live.url}/api/v1/media/{media_id}"
    assert httpx.get(link["url"], headers=resident).status_code == 200

    # the resident's history and sync feed follow every move
    notes = emergency_notes(live.app, appeal["id"])
    assert len(notes) == 3 and "ждём подтверждения приёма" in notes[1]  # requested, sent, ...
    assert any(
        f"Пожарная служба (101) приняла обращение, номер принятия {done['acceptance_id']}" in n
        for n in notes
    )
    changes = live.http.get("/api/v1/sync", params={"cursor": cursor}, headers=resident).json()[
        "changes"
    ]
    assert changes["forward"][0]["state"] == "accepted"
    assert changes["appeal"][0]["emergency"] is True


def test_payload_carries_no_personal_data_the_resident_did_not_share(
    live_server: Callable[..., Live],
) -> None:
    live = live_server()
    phone = next_phone()
    resident = http_sign_in(live.http, phone)
    appeal = file_appeal(live.http, resident, share_personal=False, applicant_name="Ерлан")
    r = live.http.post(
        f"/api/v1/appeals/{appeal['id']}/forward", json={"service": "103"}, headers=resident
    )
    assert r.status_code == 201
    live.step()
    [incident] = live.sim_incidents()
    sent = incident["payload"]
    assert sent["applicant"] is None and sent["media"] == []
    assert sent["text"] and sent["location"]["lat"] == 51.1282 and sent["address"]
    flat = str(sent)
    assert phone not in flat and phone[2:] not in flat and "Ерлан" not in flat


def test_unconfirmed_forward_is_retried_alerts_the_operator_then_fails(
    live_server: Callable[..., Live],
) -> None:
    live = live_server(emergency_sim_fail=True)
    resident = http_sign_in(live.http)
    appeal = file_appeal(live.http, resident)
    path = f"/api/v1/appeals/{appeal['id']}/forward"
    assert live.http.post(path, json={"service": "103"}, headers=resident).status_code == 201
    t0 = utcnow()

    def state() -> dict[str, Any]:
        [fwd] = forwards(live.http, resident, appeal["id"])
        return fwd

    live.step(t0)
    assert state()["state"] == "sent" and state()["attempts"] == 1
    live.step(t0 + timedelta(seconds=30))  # asks the system; still not accepted
    assert state()["state"] == "sent" and state()["attempts"] == 1
    assert emergency_notes(live.app, appeal["id"])[-1].endswith("ждём подтверждения приёма.")

    live.step(t0 + timedelta(seconds=61))  # the deadline passed: alert, and send again
    fwd = state()
    assert fwd["state"] == "not_confirmed" and fwd["call_advised"] is True
    assert fwd["attempts"] == 2
    alert = emergency_notes(live.app, appeal["id"])[-1]
    assert "не подтвердила приём за 60 с" in alert and "оператор оповещён" in alert
    assert "қабылдауды растамады" not in alert  # one language per reader
    assert "қабылдауды растамады" in emergency_notes(live.app, appeal["id"], "kk")[-1]

    live.step(t0 + timedelta(seconds=65))  # backoff: not yet
    assert state()["attempts"] == 2
    attempts = [2]
    for seconds in (82, 122, 202):  # 20 s, 40 s, 80 s after each retry
        live.step(t0 + timedelta(seconds=seconds))
        attempts.append(state()["attempts"])
    assert attempts == [2, 3, 4, 5]
    live.step(t0 + timedelta(seconds=290))
    fwd = state()
    assert fwd["state"] == "failed" and fwd["attempts"] == 5 and fwd["call_advised"] is True
    assert "позвоните по номеру 103" in emergency_notes(live.app, appeal["id"])[-1]

    # every retry reached the same incident at the system, never a second one
    [incident] = live.sim_incidents()
    assert incident["posts"] == 5 and incident["status"] == "received"

    # the operator sees the alert, calls 103 and records the acceptance
    add_staff(live, "op", role="operator", password=PASSWORD)
    with httpx.Client(base_url=live.url, timeout=10) as console:
        login = {"login": "op", "password": PASSWORD}
        assert console.post("/console/login", data=login).status_code == 303
        page = console.get("/console/emergency")
        assert page.status_code == 200
        assert "Без подтверждения службы: 1." in page.text
        assert appeal["number"] in page.text and "Позвонить 103" in page.text
        appeal_page = console.get(f"/console/appeals/{appeal['id']}").text
        assert "не подтвердила приём" in appeal_page  # the alert in the appeal's history
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match is not None
        r = console.post(
            f"/console/emergency/{fwd['id']}/accepted",
            data={"csrf": match.group(1), "acceptance_id": "ДИСП-77"},
        )
        assert r.status_code == 303
        assert "Без подтверждения службы" not in console.get("/console/emergency").text
    fwd = state()
    assert fwd["state"] == "accepted" and fwd["acceptance_id"] == "ДИСП-77"
    assert "по телефону" in emergency_notes(live.app, appeal["id"])[-1]


def test_forwarding_twice_gives_one_forward_and_one_incident(
    live_server: Callable[..., Live],
) -> None:
    live = live_server(emergency_confirm_delay_s=30)
    resident = http_sign_in(live.http)
    appeal = file_appeal(live.http, resident)
    path = f"/api/v1/appeals/{appeal['id']}/forward"
    first = live.http.post(path, json={"service": "102"}, headers=resident)
    again = live.http.post(path, json={"service": "102"}, headers=resident)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    live.step()
    live.step()
    after = live.http.post(path, json={"service": "102"}, headers=resident)
    assert after.status_code == 200 and after.json()["state"] == "sent"
    with Session(live.app.state.engine) as db:
        assert len(db.exec(select(EmergencyForward)).all()) == 1
    [incident] = live.sim_incidents()
    assert incident["posts"] == 1

    # the system itself answers a repeated key with the same incident
    key = {adapter.API_KEY_HEADER: adapter.api_key(live.settings)}
    r = live.http.post("/sim/emergency/incidents", json=incident["payload"], headers=key)
    assert r.status_code == 200 and r.json()["incident_id"] == incident["incident_id"]
    assert len(live.sim_incidents()) == 1
    # another service is another forward and another incident
    assert live.http.post(path, json={"service": "112"}, headers=resident).status_code == 201
    live.step()
    assert len(live.sim_incidents()) == 2
    assert [f["service"] for f in forwards(live.http, resident, appeal["id"])] == ["102", "112"]


def test_the_background_worker_drives_the_whole_path(live_server: Callable[..., Live]) -> None:
    live = live_server(emergency_worker_interval_s=0.2, emergency_confirm_delay_s=0.2)
    resident = http_sign_in(live.http)
    appeal = file_appeal(live.http, resident)
    r = live.http.post(
        f"/api/v1/appeals/{appeal['id']}/forward", json={"service": "104"}, headers=resident
    )
    assert r.status_code == 201
    wait_for(lambda: forwards(live.http, resident, appeal["id"])[0]["state"] == "accepted")
    assert forwards(live.http, resident, appeal["id"])[0]["acceptance_id"].startswith("ACC-104-")


# ---------------------------------------------------------------- in process


@pytest.fixture
def eclient(tmp_path: Path) -> Iterator[TestClient]:
    with socket.socket() as s:  # a loopback port nobody listens on: the system is down
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}"
    settings = make_settings(tmp_path, emergency_system_url=down)
    with TestClient(create_app(settings)) as c:
        yield c


def test_acceptance_is_found_by_polling_when_no_callback_arrives(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, emergency_confirm_delay_s=0.3)
    with TestClient(create_app(settings)) as c:  # its callbacks to http://testserver get lost
        owner = sign_in(c)
        appeal_id = c.post("/api/v1/appeals", json=appeal_body(), headers=owner).json()["id"]
        c.post(f"/api/v1/appeals/{appeal_id}/forward", json={"service": "103"}, headers=owner)
        engine = c.app.state.engine  # type: ignore[attr-defined]
        step_once(engine, settings, client=c)  # the simulator reached in process
        [fwd] = c.get(f"/api/v1/appeals/{appeal_id}/forwards", headers=owner).json()
        assert fwd["state"] == "sent"
        time.sleep(0.35)
        step_once(engine, settings, client=c)
        [fwd] = c.get(f"/api/v1/appeals/{appeal_id}/forwards", headers=owner).json()
        assert fwd["state"] == "accepted" and fwd["acceptance_id"].startswith("ACC-103-")


def test_others_appeals_404_unknown_service_422_nothing_stored(eclient: TestClient) -> None:
    owner = sign_in(eclient)
    stranger = sign_in(eclient)
    appeal_id = eclient.post("/api/v1/appeals", json=appeal_body(), headers=owner).json()["id"]
    path = f"/api/v1/appeals/{appeal_id}/forward"

    r = eclient.post(path, json={"service": "103"}, headers=stranger)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = eclient.get(f"/api/v1/appeals/{appeal_id}/forwards", headers=stranger)
    assert r.status_code == 404
    r = eclient.post(path, json={"service": "109"}, headers={**owner, "Accept-Language": "ru"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert r.json()["error"]["message"].startswith("Данные заполнены неверно")
    assert eclient.post(path, json={}, headers=owner).status_code == 422
    assert eclient.post(path, json={"service": "103"}).status_code == 401
    r = eclient.post("/api/v1/appeals/999999/forward", json={"service": "103"}, headers=owner)
    assert r.status_code == 404
    with Session(eclient.app.state.engine) as db:  # type: ignore[attr-defined]
        assert db.exec(select(EmergencyForward)).all() == []
    assert eclient.get(f"/api/v1/appeals/{appeal_id}/forwards", headers=owner).json() == []


def test_system_down_keeps_trying_and_alerts_after_the_deadline(eclient: TestClient) -> None:
    owner = sign_in(eclient)
    appeal_id = eclient.post("/api/v1/appeals", json=appeal_body(), headers=owner).json()["id"]
    eclient.post(f"/api/v1/appeals/{appeal_id}/forward", json={"service": "112"}, headers=owner)
    engine = eclient.app.state.engine  # type: ignore[attr-defined]
    app_settings: Settings = eclient.app.state.settings  # type: ignore[attr-defined]
    t0 = utcnow()
    step_once(engine, app_settings, t0)
    with Session(engine) as db:
        fwd = db.exec(select(EmergencyForward)).one()
        assert fwd.state == "pending" and fwd.attempts == 1
        assert fwd.last_error and "ConnectError" in fwd.last_error
    step_once(engine, app_settings, t0 + timedelta(seconds=11))
    step_once(engine, app_settings, t0 + timedelta(seconds=61))
    [fwd_out] = eclient.get(f"/api/v1/appeals/{appeal_id}/forwards", headers=owner).json()
    assert fwd_out["state"] == "not_confirmed" and fwd_out["attempts"] == 3
    history = eclient.get(f"/api/v1/appeals/{appeal_id}", headers=owner).json()["history"]
    assert history[-1]["kind"] == "emergency"
    assert "Бірыңғай құтқару қызметі" in history[-1]["note"]


def test_history_line_of_a_forward_is_in_the_readers_language(eclient: TestClient) -> None:
    owner = sign_in(eclient)
    appeal_id = eclient.post("/api/v1/appeals", json=appeal_body(), headers=owner).json()["id"]
    forward = f"/api/v1/appeals/{appeal_id}/forward"
    assert eclient.post(forward, json={"service": "101"}, headers=owner).status_code == 201
    kk_text = "Өтініш жедел қызметке жіберілуде: Өрт сөндіру қызметі (101)."
    ru_text = "Обращение передаётся в экстренную службу: Пожарная служба (101)."

    def emergency_line(history: list[dict[str, Any]]) -> dict[str, Any]:
        [line] = [h for h in history if h["kind"] == "emergency"]
        return line

    def detail(lang: str | None) -> dict[str, Any]:
        headers = {**owner, **({"Accept-Language": lang} if lang else {})}
        r = eclient.get(f"/api/v1/appeals/{appeal_id}", headers=headers)
        assert r.status_code == 200, r.text
        return emergency_line(r.json()["history"])

    # `note` follows Accept-Language (kk when none is named); `notes` carries both, one each
    for lang, text in (("kk", kk_text), ("ru-RU,ru;q=0.9,kk;q=0.5", ru_text), (None, kk_text)):
        line = detail(lang)
        assert line["note"] == text
        assert line["notes"] == {"kk": kk_text, "ru": ru_text}
    assert " / " not in kk_text + ru_text
    # ...in every place the history is read: the list, the sync feed, the operator API
    ru = {**owner, "Accept-Language": "ru"}
    [listed] = eclient.get("/api/v1/appeals", headers=ru).json()["items"]
    assert emergency_line(listed["history"])["note"] == ru_text
    [synced] = eclient.get("/api/v1/sync", headers=ru).json()["changes"]["appeal"]
    assert emergency_line(synced["history"]) == {**detail("ru"), "note": ru_text}
    op = make_operator(eclient)
    r = eclient.get(
        f"/api/v1/operator/appeals/{appeal_id}", headers={**op, "Accept-Language": "ru"}
    )
    assert emergency_line(r.json()["history"])["note"] == ru_text
    # typed text is never taken for a code, even when it is one; an old two-language row as is
    typed = emergency_note("failed", "112", attempts=5)
    complaint = eclient.post(
        f"/api/v1/appeals/{appeal_id}/complaints", json={"reason": typed}, headers=owner
    )
    assert complaint.status_code == 200, complaint.text
    legacy = "Өрт сөндіру қызметі (101) өтінішті қабылдады / Пожарная служба (101) приняла"
    with Session(eclient.app.state.engine) as db:  # type: ignore[attr-defined]
        db.add(AppealEvent(appeal_id=appeal_id, actor_role="system", kind="emergency", note=legacy))
        db.commit()
    history = eclient.get(f"/api/v1/appeals/{appeal_id}", headers=ru).json()["history"]
    assert [(h["note"], h["notes"]) for h in history[-2:]] == [(typed, None), (legacy, None)]
    assert all(h["notes"] is None for h in history if h["kind"] != "emergency")
    # the operator's console reads Russian only
    add_staff(eclient, "op", role="operator", password=PASSWORD)
    login = {"login": "op", "password": PASSWORD}
    assert eclient.post("/console/login", data=login).status_code in (200, 303)
    page = eclient.get(f"/console/appeals/{appeal_id}").text
    assert ru_text in page and kk_text not in page


def test_stored_notes_that_do_not_decode_are_shown_as_stored() -> None:
    good = emergency_note("accepted", "103", acceptance_id="A-9")
    assert note_text("emergency", good, "ru") == (
        "Скорая медицинская помощь (103) приняла обращение, номер принятия A-9."
    )
    assert note_text("complaint", good, "ru") == good  # only server-written kinds decode
    for stored in (
        "{not json",
        '{"code": "teleport", "service": "101", "params": {}}',
        '{"code": "accepted", "service": "999", "params": {}}',
        '{"code": "accepted", "service": "101", "params": {}}',  # a parameter is missing
        '["accepted"]',
    ):
        assert notes_of("emergency", stored) is None
        assert note_text("emergency", stored, "kk") == stored
    assert note_text("emergency", None, "kk") is None


def test_callback_needs_the_secret_and_is_idempotent(eclient: TestClient) -> None:
    owner = sign_in(eclient)
    appeal_id = eclient.post("/api/v1/appeals", json=appeal_body(), headers=owner).json()["id"]
    eclient.post(f"/api/v1/appeals/{appeal_id}/forward", json={"service": "102"}, headers=owner)
    app_settings: Settings = eclient.app.state.settings  # type: ignore[attr-defined]
    body = {
        "idempotency_key": f"{appeal_id}:102",
        "incident_id": "INC-1",
        "acceptance_id": "ACC-1",
        "accepted_at": "2026-07-12T09:30:00+05:00",
    }
    good = {adapter.CALLBACK_HEADER: adapter.callback_secret(app_settings, f"{appeal_id}:102")}
    url = "/api/v1/emergency/callback"
    assert eclient.post(url, json=body).status_code == 401
    assert eclient.post(url, json=body, headers={adapter.CALLBACK_HEADER: "x"}).status_code == 401
    non_ascii = {adapter.CALLBACK_HEADER: "é".encode("latin-1")}  # a wrong secret, not a 500
    assert eclient.post(url, json=body, headers=non_ascii).status_code == 401  # type: ignore[dict-item]
    missing = {**body, "idempotency_key": f"{appeal_id}:103"}
    assert eclient.post(url, json=missing, headers=good).status_code == 401  # 102's secret
    own = {adapter.CALLBACK_HEADER: adapter.callback_secret(app_settings, f"{appeal_id}:103")}
    assert eclient.post(url, json=missing, headers=own).status_code == 404
    naive = {**body, "accepted_at": "2026-07-12T09:30:00"}
    assert eclient.post(url, json=naive, headers=good).status_code == 422
    for _ in range(2):
        r = eclient.post(url, json=body, headers=good)
        assert r.status_code == 200 and r.json() == {"state": "accepted"}
    [fwd] = eclient.get(f"/api/v1/appeals/{appeal_id}/forwards", headers=owner).json()
    assert fwd["acceptance_id"] == "ACC-1" and fwd["external_id"] == "INC-1"
    assert datetime.fromisoformat(fwd["accepted_at"]) == datetime.fromisoformat(body["accepted_at"])
    history = eclient.get(f"/api/v1/appeals/{appeal_id}", headers=owner).json()["history"]
    assert sum("ACC-1" in (h["note"] or "") for h in history) == 1


def test_simulator_is_absent_in_production(tmp_path: Path) -> None:
    settings = production_settings(tmp_path, emergency_worker_interval_s=0)
    with TestClient(create_app(settings)) as c:
        r = c.get("/sim/emergency/incidents", headers={adapter.API_KEY_HEADER: "k"})
        assert r.status_code == 404
        assert c.post("/api/v1/emergency/callback", json={}).status_code == 422
