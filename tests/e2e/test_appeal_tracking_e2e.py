"""Following appeals in a real browser, with the backend going away and coming back.

Online: an appeal reaches the app. Offline (the backend process is stopped): the resident files
another appeal and writes in the first one's chat — both show "waiting to send". Online again
(the backend restarted on the same data): both reach the server exactly once (checked through
the API). Then the operator moves the appeal along and replies (operator API); the resident
sees the new status and the reply, rates the work and reopens the appeal.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Geolocation, Page
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import (
    PHONE_VIEWPORT,
    RestartableBackend,
    Server,
    dev_code,
    free_port,
    fresh_phone,
    open_app,
    settle,
    type_into,
    visible_text,
)

pytestmark = pytest.mark.e2e

HERE: Geolocation = {"latitude": 51.1282, "longitude": 71.4307, "accuracy": 15}
FIRST = "Аулада қоқыс контейнерлері үш күннен бері шығарылмай тұр"
OFFLINE = "Подъездегі лифт жұмыс істемейді, екі күннен бері тұр"
CHAT = "Қашан шығарасыздар?"
REPLY = "Бригада бүгін кешке дейін шығарады."


class Resident:
    def __init__(self, backend: RestartableBackend, data_dir: Path) -> None:
        self.backend = backend
        self.data_dir = data_dir

    def token(self) -> str:
        with sqlite3.connect(self.data_dir / "app.db") as db:
            row = db.execute("SELECT access_token FROM auth_session WHERE id = 1").fetchone()
        assert row, "not signed in"
        return str(row[0])

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.backend.url,
            headers={"Authorization": f"Bearer {self.token()}", "Accept-Language": "kk"},
            timeout=10,
        )

    def appeals(self) -> list[dict[str, Any]]:
        with self.client() as c:
            return list(c.get("/api/v1/appeals", params={"limit": 100}).json()["items"])


def operator(backend_url: str) -> httpx.Client:
    with httpx.Client(base_url=backend_url, follow_redirects=False) as c:
        r = c.post("/console/login", data={"password": "operator"})
        token = r.cookies.get("city109_console")
    assert token, f"operator sign-in failed: {r.status_code}"
    return httpx.Client(
        base_url=backend_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


@pytest.fixture
def app_on_backend(restartable_backend: RestartableBackend, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    server = Server(
        "app",
        ["-m", "app", "--web", "--port", str(port), "--api-url", restartable_backend.url,
         "--data-dir", str(tmp_path / "app-data")],
        f"http://127.0.0.1:{port}",
        tmp_path / "app.log",
    )  # fmt: skip
    server.wait("/")
    yield server.url
    server.stop()


@pytest.fixture
def phone_page(browser: Browser, app_on_backend: str, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="kk-KZ", geolocation=HERE, permissions=["geolocation"]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    open_app(page, app_on_backend)
    yield page
    page.screenshot(path=str(tmp_path / "last.png"))
    context.close()


def wait_until(check: Any, timeout: float = 20, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what or check}")


def sync_now(page: Page) -> None:
    page.get_by_role("button", name="Қазір синхрондау").first.click()


def test_offline_filing_and_chat_then_operator_reply_rating_and_reopening(
    phone_page: Page,
    restartable_backend: RestartableBackend,
    tmp_path: Path,
    shots: Path,
) -> None:
    page, backend = phone_page, restartable_backend
    resident = Resident(backend, tmp_path / "app-data")

    # -- sign in; an appeal filed earlier (from another device) comes to the app ---------------
    phone, typed, _shown = fresh_phone()
    type_into(page, "Телефон нөмірі", typed)
    page.get_by_role("button", name="Код алу").click()
    type_into(page, "SMS-тегі код", dev_code(backend.url, phone), check=False)
    page.get_by_role("tab", name="Өтініштер").wait_for()
    with resident.client() as c:
        r = c.post(
            "/api/v1/appeals",
            json={"client_id": str(uuid.uuid4()), "text": FIRST, "subclass_code": "39.10",
                  "lat": HERE["latitude"], "lon": HERE["longitude"], "language": "kk"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        first = r.json()
    sync_now(page)
    visible_text(page, FIRST)
    visible_text(page, f"№ {first['number']}")

    # -- offline: the backend is gone -----------------------------------------------------------
    backend.stop()
    sync_now(page)
    visible_text(page, "Желі жоқ")

    # A new appeal, filed offline through the new-appeal screen.
    page.get_by_role("button", name="Жаңа өтініш").click()
    page.wait_for_function("location.pathname === '/appeals/new'")
    type_into(page, "Не болды?", OFFLINE)
    page.get_by_role("button", name="Лифт жұмыс істемейді").first.click()  # cached keywords
    page.get_by_role("button", name="Өзгерту").wait_for()
    type_into(page, "Оқиға мекенжайы", "Мәңгілік Ел 55, 2-подъезд")
    page.get_by_role("button", name="Өтінішті жіберу").click()
    page.wait_for_function(
        "location.pathname.startsWith('/appeals/') && location.pathname !== '/appeals/new'"
    )
    visible_text(page, "Өтініш (жіберуді күтуде)")
    settle(page)
    page.screenshot(path=str(shots / "appeal_pending_offline_kk.png"))

    # Back to the list: both appeals, the new one waiting; then the first one's chat.
    page.get_by_role("button", name="Артқа").click()
    page.wait_for_function("location.pathname === '/'")
    visible_text(page, "Жіберуді күтуде")
    visible_text(page, "Жіберуді күтуде: 1")
    settle(page)
    page.screenshot(path=str(shots / "appeals_offline_kk.png"))
    page.get_by_text(FIRST).first.click()
    page.wait_for_function(f"location.pathname === '/appeals/{first['id']}'")
    type_into(page, "Хабарлама", CHAT)
    page.get_by_role("button", name="Хабарламаны жіберу").click()
    visible_text(page, CHAT)
    visible_text(page, "Жіберуді күтуде")
    settle(page)
    page.screenshot(path=str(shots / "appeal_chat_offline_kk.png"))

    # -- online again: everything reaches the server exactly once --------------------------------
    backend.start()
    sync_now(page)
    page.get_by_text("Желі жоқ").first.wait_for(state="detached", timeout=30_000)

    def both_synced() -> bool:
        texts = [a["text"] for a in resident.appeals()]
        return texts.count(OFFLINE) == 1

    def chat_synced() -> bool:  # the queue sends the message on its own turn, maybe later
        with resident.client() as c:
            msgs = c.get(f"/api/v1/appeals/{first['id']}/messages").json()
        return any(m["text"] == CHAT for m in msgs)

    wait_until(both_synced, 30, "the offline appeal on the server")
    wait_until(chat_synced, 30, "the offline message on the server")
    appeals = resident.appeals()
    assert sorted(a["text"] for a in appeals) == sorted([FIRST, OFFLINE])
    with resident.client() as c:
        msgs = c.get(f"/api/v1/appeals/{first['id']}/messages").json()
    assert [m["text"] for m in msgs] == [CHAT]
    page.get_by_text("Жіберуді күтуде").first.wait_for(state="detached", timeout=20_000)

    # -- the operator moves the appeal along and replies ------------------------------------------
    op = operator(backend.url)
    for status in ("assigned", "in_progress"):
        r = op.post(f"/api/v1/operator/appeals/{first['id']}/status", json={"to_status": status})
        assert r.status_code == 200, r.text
    r = op.post(
        f"/api/v1/appeals/{first['id']}/messages",
        json={"client_id": str(uuid.uuid4()), "text": REPLY},
    )
    assert r.status_code == 201, r.text
    r = op.post(f"/api/v1/operator/appeals/{first['id']}/close", json={"result_text": "Шығарылды."})
    assert r.status_code == 200, r.text
    op.close()

    # The event stream (or "sync now") brings it: the status, the reply, a banner.
    sync_now(page)
    visible_text(page, REPLY)
    visible_text(page, "Шығарылды.")
    page.get_by_role("button", name="5-тен 5").wait_for()
    settle(page)
    page.screenshot(path=str(shots / "appeal_closed_kk.png"))

    # -- the resident rates the work and reopens the appeal ---------------------------------------
    page.get_by_role("button", name="5-тен 5").click()
    type_into(page, "Пікір (міндетті емес)", "Рақмет, тез шығарды")
    # A sync landing just then may redraw the form under the click: click again only while the
    # form is still there (once sent, it is replaced by "your rating").
    send = page.get_by_role("button", name="Бағаны жіберу")
    yours = page.get_by_text("Сіздің бағаңыз")
    for _ in range(3):
        if send.count():
            send.first.click()
        with contextlib.suppress(PlaywrightError):
            yours.first.wait_for(state="visible", timeout=8_000)
            break
    visible_text(page, "Сіздің бағаңыз")

    def rated() -> Any:
        with resident.client() as c:
            data = c.get(f"/api/v1/appeals/{first['id']}").json()
        return data if data["rating"] == 5 else None

    data = wait_until(rated, 20, "the rating on the server")
    assert data["rating_comment"] == "Рақмет, тез шығарды"

    page.get_by_role("button", name="Өтінішті қайта ашу").click()
    type_into(page, "Неге қайта ашасыз?", "Контейнерлер қайтадан толып кетті")
    page.get_by_role("button", name="Сұрауды жіберу").click()

    def reopened() -> Any:
        with resident.client() as c:
            data = c.get(f"/api/v1/appeals/{first['id']}").json()
        return data if data["status"] == "in_progress" else None

    data = wait_until(reopened, 20, "the reopening on the server")
    assert data["reopen_count"] == 1
    visible_text(page, "Орындалуда")
    with resident.client() as c:
        events = [h["kind"] for h in c.get(f"/api/v1/appeals/{first['id']}").json()["history"]]
    assert events.count("rating") == 1 and events.count("reopen") == 1

    # The same screen in Russian.
    page.get_by_role("button", name="Артқа").click()
    page.get_by_role("tab", name="Кабинет").click()
    page.get_by_role("button", name="Русский").click()
    page.get_by_role("tab", name="Обращения").click()
    visible_text(page, "Мои обращения")
    visible_text(page, "В работе")
    settle(page)
    page.screenshot(path=str(shots / "appeals_ru.png"))
    page.get_by_text(FIRST).first.click()
    visible_text(page, "Чат с оператором")
    settle(page)
    page.screenshot(path=str(shots / "appeal_detail_ru.png"))
