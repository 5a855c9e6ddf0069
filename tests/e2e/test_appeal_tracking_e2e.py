"""Following appeals in a real browser, with the backend going away and coming back.

Online: an appeal reaches the app. Offline (the backend process is stopped): the resident files
another appeal and writes in the first one's chat — both show "waiting to send". Online again
(the backend restarted on the same data): both reach the server exactly once (checked through
the API). Then the operator moves the appeal along and replies (operator API); the resident
sees the new status and the reply, rates the work and reopens the appeal.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.backend import App, operator, wait_until
from tests.e2e.conftest import RestartableBackend
from tests.e2e.resident import (
    HERE,
    ON_APPEAL,
    go,
    settle,
    sign_in,
    tap_until,
    type_into,
    visible_text,
)

pytestmark = pytest.mark.e2e

FIRST = "Аулада қоқыс контейнерлері үш күннен бері шығарылмай тұр"
OFFLINE = "Подъездегі лифт жұмыс істемейді, екі күннен бері тұр"
CHAT = "Қашан шығарасыздар?"
REPLY = "Бригада бүгін кешке дейін шығарады."


@pytest.fixture
def backend_url(restartable_backend: RestartableBackend) -> str:
    """This test's own backend, which it stops and starts again."""
    return restartable_backend.url


def sync_now(page: Page, until: str) -> None:
    """Tap "sync now" until `until` shows."""
    button = page.get_by_role("button", name="Қазір синхрондау")
    tap_until(page, button, page.get_by_text(until, exact=False), what="Қазір синхрондау")


def rate(page: Page, stars: str, comment: str) -> None:
    """Tap the stars, write the comment and send the rating. A sync landing just then may
    redraw the form under a tap: the send is tapped again only while the form is there (once
    sent, it is replaced by "your rating"). When the app answers "choose a score", the star
    tap did not reach it, and maybe the comment's keys did not either (once, in a quiet CI
    run, the rating arrived without its comment though the field showed it: the cause is not
    found, see the note of 2026-12-07): the resident enters the rating again, star and
    comment, and sends again."""
    star = page.get_by_role("button", name=stars)
    send = page.get_by_role("button", name="Бағаны жіберу")
    yours = page.get_by_text("Сіздің бағаңыз")
    choose = page.get_by_text("1-ден 5-ке дейін баға таңдаңыз.")
    star.click()
    type_into(page, "Пікір (міндетті емес)", comment)
    for _ in range(3):
        tap_until(page, send, yours.or_(choose), what="Бағаны жіберу")
        if not choose.count():
            return
        print("the app did not take the score: the rating is entered again", flush=True)
        tap_until(page, star, choose, gone=True, what=stars)
        type_into(page, "Пікір (міндетті емес)", comment)
    raise AssertionError("the rating was not taken")


def test_offline_filing_and_chat_then_operator_reply_rating_and_reopening(
    page: Page, app: App, restartable_backend: RestartableBackend, shots: Path
) -> None:
    backend = restartable_backend

    # -- sign in; an appeal filed earlier (from another device) comes to the app ---------------
    sign_in(page, app.backend_url)
    with app.client("kk") as c:
        r = c.post(
            "/api/v1/appeals",
            json={"client_id": str(uuid.uuid4()), "text": FIRST, "subclass_code": "39.10",
                  "lat": HERE["latitude"], "lon": HERE["longitude"], "language": "kk"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        first = r.json()
    sync_now(page, FIRST)
    visible_text(page, FIRST)
    visible_text(page, f"№ {first['number']}")

    # -- offline: the backend is gone -----------------------------------------------------------
    backend.stop()
    sync_now(page, "Желі жоқ")
    visible_text(page, "Желі жоқ")

    # A new appeal, filed offline through the new-appeal screen.
    go(page, page.get_by_role("button", name="Жаңа өтініш"), "/appeals/new")
    type_into(page, "Не болды?", OFFLINE)
    change = page.get_by_role("button", name="Өзгерту")
    tap_until(page, page.get_by_role("button", name="Лифт жұмыс істемейді"), change)  # cached
    type_into(page, "Оқиға мекенжайы", "Мәңгілік Ел 55, 2-подъезд")
    go(page, page.get_by_role("button", name="Өтінішті жіберу"), ON_APPEAL)
    visible_text(page, "Өтініш (жіберуді күтуде)")
    settle(page)
    page.screenshot(path=str(shots / "appeal_pending_offline_kk.png"))

    # Back to the list: both appeals, the new one waiting; then the first one's chat.
    go(page, page.get_by_role("button", name="Артқа"), "/")
    visible_text(page, "Жіберуді күтуде")
    visible_text(page, "Жіберуді күтуде: 1")
    settle(page)
    page.screenshot(path=str(shots / "appeals_offline_kk.png"))
    go(page, page.get_by_text(FIRST), f"/appeals/{first['id']}")
    type_into(page, "Хабарлама", CHAT, exact=True)
    tap_until(page, page.get_by_role("button", name="Хабарламаны жіберу"), page.get_by_text(CHAT))
    visible_text(page, CHAT)
    visible_text(page, "Жіберуді күтуде")
    settle(page)
    page.screenshot(path=str(shots / "appeal_chat_offline_kk.png"))

    # -- online again: everything reaches the server exactly once --------------------------------
    backend.start()
    sync_button = page.get_by_role("button", name="Қазір синхрондау")
    tap_until(page, sync_button, page.get_by_text("Желі жоқ"), gone=True, what="sync now")

    def both_synced() -> bool:
        texts = [a["text"] for a in app.api("/api/v1/appeals", {"limit": 100})["items"]]
        return texts.count(OFFLINE) == 1

    def chat_synced() -> bool:  # the queue sends the message on its own turn, maybe later
        msgs = app.api(f"/api/v1/appeals/{first['id']}/messages")
        return any(m["text"] == CHAT for m in msgs)

    wait_until(both_synced, what="the offline appeal on the server")
    wait_until(chat_synced, what="the offline message on the server")
    appeals = app.api("/api/v1/appeals", {"limit": 100})["items"]
    assert sorted(a["text"] for a in appeals) == sorted([FIRST, OFFLINE])
    msgs = app.api(f"/api/v1/appeals/{first['id']}/messages")
    assert [m["text"] for m in msgs] == [CHAT]
    page.get_by_text("Жіберуді күтуде").first.wait_for(state="detached")

    # -- the operator moves the appeal along and replies ------------------------------------------
    with operator(backend.url) as op:
        for status in ("assigned", "in_progress"):
            r = op.post(
                f"/api/v1/operator/appeals/{first['id']}/status", json={"to_status": status}
            )
            assert r.status_code == 200, r.text
        r = op.post(
            f"/api/v1/appeals/{first['id']}/messages",
            json={"client_id": str(uuid.uuid4()), "text": REPLY},
        )
        assert r.status_code == 201, r.text
        r = op.post(
            f"/api/v1/operator/appeals/{first['id']}/close", json={"result_text": "Шығарылды."}
        )
        assert r.status_code == 200, r.text

    # The event stream (or "sync now") brings it: the status, the reply, a banner.
    sync_now(page, REPLY)
    visible_text(page, REPLY)
    visible_text(page, "Шығарылды.")
    page.get_by_role("button", name="5-тен 5").wait_for()
    settle(page)
    page.screenshot(path=str(shots / "appeal_closed_kk.png"))

    # -- the resident rates the work and reopens the appeal ---------------------------------------
    rate(page, "5-тен 5", "Рақмет, тез шығарды")
    visible_text(page, "Сіздің бағаңыз")

    def rated() -> Any:
        data = app.api(f"/api/v1/appeals/{first['id']}")
        return data if data["rating"] == 5 else None

    data = wait_until(rated, what="the rating on the server")
    assert data["rating_comment"] == "Рақмет, тез шығарды"

    why = page.get_by_label("Неге қайта ашасыз?")
    tap_until(page, page.get_by_role("button", name="Өтінішті қайта ашу"), why)
    type_into(page, "Неге қайта ашасыз?", "Контейнерлер қайтадан толып кетті")
    tap_until(page, page.get_by_role("button", name="Сұрауды жіберу"), why, gone=True)

    def reopened() -> Any:
        data = app.api(f"/api/v1/appeals/{first['id']}")
        return data if data["status"] == "in_progress" else None

    data = wait_until(reopened, what="the reopening on the server")
    assert data["reopen_count"] == 1
    visible_text(page, "Орындалуда")
    events = [h["kind"] for h in app.api(f"/api/v1/appeals/{first['id']}")["history"]]
    assert events.count("rating") == 1 and events.count("reopen") == 1

    # The same screen in Russian.
    go(page, page.get_by_role("button", name="Артқа"), "/")
    go(page, page.get_by_role("tab", name="Кабинет"), "/cabinet")
    ru_tab = page.get_by_role("tab", name="Обращения")
    tap_until(page, page.get_by_role("button", name="Русский"), ru_tab)
    go(page, ru_tab, "/")
    visible_text(page, "Мои обращения")
    visible_text(page, "В работе")
    settle(page)
    page.screenshot(path=str(shots / "appeals_ru.png"))
    tap_until(page, page.get_by_text(FIRST), page.get_by_text("Чат с оператором"))
    visible_text(page, "Чат с оператором")
    settle(page)
    page.screenshot(path=str(shots / "appeal_detail_ru.png"))
