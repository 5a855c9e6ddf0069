"""An emergency appeal in a real browser, forwarded to the (simulated) emergency services:

- the resident files it on the emergency path (a service, what will be sent), the backend
  forwards it to the dev backend's simulated emergency system, which confirms after
  `EMERGENCY_CONFIRM_DELAY_S` (2 s by default): the appeal shows "accepted by the service at
  hh:mm" — the time the service gave, in the city's time — in Kazakh and in Russian;
- a service that never confirms (a backend of its own with `EMERGENCY_SIM_FAIL`, and a short
  confirmation deadline): the forward shows "sent, waiting for confirmation", then "not
  confirmed — call the number", with the call button.

Screenshots in Kazakh and Russian go to `$E2E_SCREENSHOTS` (see conftest).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.backend import App, fresh_phone, wait_until
from tests.e2e.conftest import start_backend
from tests.e2e.resident import (
    ON_APPEAL,
    ask,
    dismiss_alert,
    go,
    on_screen,
    open_app,
    resize,
    scroll,
    settle,
    shown,
    sign_in,
    tall,
    tap_until,
    type_into,
)

pytestmark = pytest.mark.e2e

CITY_TZ = timezone(timedelta(hours=5))
NEW_APPEAL = "location.pathname === '/appeals/new'"
CONFIRM_TIMEOUT_S = 4  # the never-confirming backend's deadline for a confirmation
FIRE_SERVICE = re.compile(r"^101 — ")  # its radio on the emergency path (kk and ru)


def server_forward(app: App, text: str) -> dict[str, Any] | None:
    """The forward of the resident's appeal with this text, as the backend holds it."""
    for item in app.api("/api/v1/appeals", {"limit": 20})["items"]:
        if item["text"] == text:
            forwards = app.api(f"/api/v1/appeals/{item['id']}/forwards")
            return dict(forwards[0]) if forwards else None
    return None


def to_language(page: Page, app: App, button: str, appeals_tab: str) -> None:
    """Switch the app's language in the cabinet (opened by its link)."""
    open_app(page, app.url + "/cabinet")
    tap_until(
        page, page.get_by_role("button", name=button), page.get_by_role("tab", name=appeals_tab)
    )


def emergency_step(page: Page, *, new: str, what: str, emergency: str, text: str) -> None:
    """From the appeals tab: a new appeal, its text, the emergency path."""
    go(page, page.get_by_role("button", name=new), NEW_APPEAL)
    type_into(page, what, text)
    services = page.get_by_role("radio", name=FIRE_SERVICE)  # the emergency path is open
    tap_until(page, page.get_by_role("button", name=emergency), services, what=emergency)


def emergency_screenshot(page: Page, path: Path) -> None:
    tall(page, 1500)
    scroll(page, -5000, at=(200, 300))
    settle(page, 1.0)
    page.screenshot(path=str(path))


def on_page(page: Page, text: str) -> bool:
    """Whether `text` is anywhere on screen (own text or a card's merged label)."""
    found = on_screen(page, text)
    return found.count() > 0


def send(page: Page, name: str) -> str:
    scroll(page, 3000)
    go(page, page.get_by_role("button", name=name), ON_APPEAL)
    return str(ask(page, "location.pathname"))


def test_an_emergency_appeal_is_forwarded_and_shows_accepted(
    page: Page, app: App, shots: Path
) -> None:
    phone, typed, as_shown = fresh_phone()
    sign_in(page, app.backend_url, phone, typed, as_shown)
    dismiss_alert(page)  # the demo city has an alert in force
    text = "Көрші пәтерден түтін шығып жатыр, 3-қабат"
    emergency_step(
        page, new="Жаңа өтініш", what="Не болды?", emergency="Бұл төтенше жағдай", text=text
    )
    shown(page, "Өмірге қауіп төнсе, бірден 112 нөміріне қоңырау шалыңыз.")
    tap_until(
        page,
        page.get_by_role("radio", name="101 — Өрт сөндіру қызметі"),
        page.get_by_role("button", name="101 нөміріне қоңырау шалу"),
    )
    shown(page, "Не жіберіледі")
    shown(page, text)  # what will be sent
    emergency_screenshot(page, shots / "emergency_step_kk.png")
    path = send(page, "Жіберу: Өрт сөндіру қызметі (101)")

    # The service accepts it (the simulator, 2 s after receipt): the time it gave, city time.
    accepted = re.compile(r"«Өрт сөндіру қызметі» қызметі \d\d:\d\d уақытында қабылдады")
    page.get_by_text(accepted).first.wait_for(state="visible")
    fwd = wait_until(
        lambda: (f := server_forward(app, text)) and f["state"] == "accepted" and f,
        what="the forward accepted on the server",
    )
    assert fwd["service"] == "101" and fwd["acceptance_id"]
    at = datetime.fromisoformat(fwd["accepted_at"].replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    hhmm = at.astimezone(CITY_TZ).strftime("%H:%M")
    shown(page, f"«Өрт сөндіру қызметі» қызметі {hhmm} уақытында қабылдады")
    assert page.get_by_role("button", name="101 нөміріне қоңырау шалу").count() == 0
    shown(page, "Шұғыл қызметтер")
    tall(page, 1400)
    # The history says it in the reader's language only (the server gives both).
    acceptance = fwd["acceptance_id"]
    shown(page, f"Өрт сөндіру қызметі (101) өтінішті қабылдады, қабылдау нөмірі {acceptance}.")
    assert not on_page(page, "приняла обращение") and not on_page(page, "Пожарная служба")
    settle(page, 1.0)
    page.screenshot(path=str(shots / "emergency_accepted_kk.png"))

    # In Russian (the appeal opened again by its link: read from the phone's store).
    resize(page, {"width": 412, "height": 915})
    to_language(page, app, "Русский", "Обращения")
    open_app(page, app.url + path)
    shown(page, f"Принято службой «Пожарная служба» в {hhmm}")
    shown(page, "Экстренные службы")
    dismiss_alert(page)
    tall(page, 1400)
    shown(page, f"Пожарная служба (101) приняла обращение, номер принятия {acceptance}.")
    assert not on_page(page, "өтінішті қабылдады") and not on_page(page, "Өрт сөндіру")
    settle(page, 1.0)
    page.screenshot(path=str(shots / "emergency_accepted_ru.png"))


class TestWhenTheServiceNeverConfirms:
    """A backend of its own whose simulated emergency system receives but never confirms."""

    @pytest.fixture(scope="class")
    @classmethod
    def backend_url(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
        data = tmp_path_factory.mktemp("backend-unconfirmed")
        with pytest.MonkeyPatch.context() as env:  # read by the backend's settings
            env.setenv("EMERGENCY_SIM_FAIL", "true")
            env.setenv("EMERGENCY_CONFIRM_TIMEOUT_S", str(CONFIRM_TIMEOUT_S))
            env.setenv("EMERGENCY_RETRY_S", "60")  # no resend within the test
            server = start_backend(data)
        yield server.url
        server.stop()

    def test_not_confirmed_shows_the_number_to_call(
        self, page: Page, app: App, shots: Path
    ) -> None:
        phone, typed, as_shown = fresh_phone()
        sign_in(page, app.backend_url, phone, typed, as_shown)
        to_language(page, app, "Русский", "Обращения")
        go(page, page.get_by_role("tab", name="Обращения"), "location.pathname === '/'")
        text = "Человеку плохо на остановке, не отвечает"
        emergency_step(
            page,
            new="Новое обращение",
            what="Что случилось?",
            emergency="Это экстренный случай",
            text=text,
        )
        tap_until(
            page,
            page.get_by_role("radio", name="103 — Скорая медицинская помощь"),
            page.get_by_role("button", name="Позвонить 103"),
        )
        shown(page, "Что будет отправлено")
        shown(page, text)
        emergency_screenshot(page, shots / "emergency_step_ru.png")
        send(page, "Отправить: Скорая медицинская помощь (103)")

        # Received by the system, no confirmation yet: sent, waiting.
        shown(page, "Отправлено в службу «Скорая медицинская помощь» (103), ждём подтверждения")
        # No confirmation by the deadline: say so, with the number to call.
        shown(
            page,
            "Служба «Скорая медицинская помощь» не подтвердила. Позвоните по номеру 103.",
        )
        page.get_by_role("button", name="Позвонить 103").wait_for()
        fwd = server_forward(app, text)
        assert fwd is not None and fwd["state"] == "not_confirmed" and fwd["call_advised"]
        resize(page, {"width": 412, "height": 915})
        tall(page, 1400)
        shown(page, f"не подтвердила приём за {CONFIRM_TIMEOUT_S} с")  # the history, in ru only
        assert not on_page(page, "қабылдауды растамады")
        settle(page, 1.0)
        page.screenshot(path=str(shots / "emergency_not_confirmed_ru.png"))
