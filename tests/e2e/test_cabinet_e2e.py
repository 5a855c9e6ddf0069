"""The personal cabinet in a real browser against the demo backend: the analytics in Kazakh and
Russian, personal data with the IIN check, the before/after photos of a closed appeal (demo
resident +7 701 000 00 02, whose water appeal was closed with an "after" photo), and saved
addresses added by typing and by the fake position — checked on the backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e import resident
from tests.e2e.conftest import fresh_phone, open_app, settle, type_into
from tests.e2e.resident import (
    App,
    dismiss_alert,
    shown,
    sign_in,
    tall,
    wait_until,
)

pytestmark = pytest.mark.e2e
app, page = resident.app, resident.page  # the fixtures: the app behind a switchable network

DEMO = ("+77010000002", "8 701 000 00 02", "+7 701 000 00 02")  # has the closed water appeal
VALID_IIN = "901231405679"


def open_cabinet(page: Page, tab: str = "Кабинет") -> None:
    page.get_by_role("tab", name=tab).click()
    page.wait_for_function("location.pathname === '/cabinet'")
    dismiss_alert(page)


def shot(page: Page, path: Path, height: int = 2000) -> None:
    tall(page, height)
    settle(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 412, "height": 915})


def test_cabinet_in_both_languages_personal_data_and_before_after(
    page: Page, app: App, shots: Path
) -> None:
    sign_in(page, app.backend_url, *DEMO)
    open_cabinet(page)
    shown(page, "Мәртебесі бойынша")  # the analytics of the appeals synced to this phone
    shown(page, "Санаты бойынша")
    shown(page, "мерзімінде шешілді")
    shot(page, shots / "cabinet_analytics_kk.png", 2300)

    page.get_by_role("button", name="Русский").click()
    dismiss_alert(page)
    shown(page, "По статусам")
    shown(page, "По категориям")
    shown(page, "Личные данные")
    page.get_by_role("button", name="Выйти").wait_for()
    shot(page, shots / "cabinet_analytics_ru.png", 2300)

    # Personal data: a wrong IIN is refused on the phone, a valid one reaches the server.
    page.get_by_role("button", name="Личные данные").or_(
        page.get_by_label("Личные данные", exact=False)
    ).first.click()
    page.wait_for_function("location.pathname === '/cabinet/personal'")
    dismiss_alert(page)
    type_into(page, "ИИН (необязательно)", VALID_IIN[:-1] + "8")
    page.get_by_role("button", name="Сохранить").click()
    shown(page, "Этот ИИН недействителен")
    shot(page, shots / "cabinet_personal_error_ru.png", 1100)
    type_into(page, "ИИН (необязательно)", VALID_IIN)
    page.get_by_role("button", name="Сохранить").click()
    shown(page, "Сохранено.")
    wait_until(lambda: app.api("/api/v1/profile")["iin"] == VALID_IIN, 20, "the IIN on the server")
    page.get_by_role("button", name="Сменить номер").click()
    shown(page, "Код придёт на новый номер.")
    shot(page, shots / "cabinet_personal_ru.png", 1100)

    # Before/after on the closed appeal, in Russian then in Kazakh.
    appeals = app.api("/api/v1/appeals")["items"]
    water = next(a for a in appeals if a["client_id"] == "demo-appeal-07-water")
    assert {m["role"] for m in water["media"]} >= {"applicant", "after"}
    open_app(page, f"{app.url}/appeals/{water['id']}")
    dismiss_alert(page)
    shown(page, "До и после")
    shown(page, "До: ваше фото")
    shown(page, "После: фото исполнителя")
    shot(page, shots / "before_after_ru.png", 1600)
    page.get_by_role("button", name="Ползунок").click()
    shown(page, "До и после, 50% — до")
    shot(page, shots / "before_after_slider_ru.png", 1600)

    open_app(page, app.url + "/cabinet")
    dismiss_alert(page)
    page.get_by_role("button", name="Қазақша").click()
    shown(page, "Мәртебесі бойынша")
    open_app(page, f"{app.url}/appeals/{water['id']}")
    dismiss_alert(page)
    shown(page, "Дейін және кейін")
    shown(page, "Дейін: сіздің фотоңыз")
    shot(page, shots / "before_after_kk.png", 1600)


def test_addresses_by_typing_and_by_the_fake_position(page: Page, app: App, shots: Path) -> None:
    phone, typed, as_shown = fresh_phone()
    sign_in(page, app.backend_url, phone, typed, as_shown)
    open_cabinet(page)
    page.get_by_role("button", name="Менің мекенжайларым").or_(
        page.get_by_label("Менің мекенжайларым", exact=False)
    ).first.click()
    page.wait_for_function("location.pathname === '/cabinet/addresses'")
    dismiss_alert(page)
    shown(page, "Әзірге сақталған мекенжай жоқ.")

    # 1. Typed (the map search has no network here: it is saved as typed).
    page.get_by_role("button", name="Мекенжай қосу").click()
    page.wait_for_function("location.pathname === '/cabinet/addresses/new'")
    page.get_by_role("button", name="Сақтау").click()
    shown(page, "Мекенжайды енгізіңіз.")
    type_into(page, "Мекенжай", "Кенесары көшесі 40, 12-пәтер")
    page.get_by_role("button", name="Сақтау").click()
    page.wait_for_function("location.pathname === '/cabinet/addresses'", timeout=30_000)
    shown(page, "Кенесары көшесі 40, 12-пәтер")

    # 2. By the position the browser gives (Playwright's fake geolocation).
    page.get_by_role("button", name="Мекенжай қосу").click()
    page.wait_for_function("location.pathname === '/cabinet/addresses/new'")
    page.get_by_role("button", name="Менің орнымды алу").click()
    shown(page, "Нүкте: 51.12820, 71.43070")
    type_into(page, "Мекенжай", "Мәңгілік Ел даңғылы 55")
    shot(page, shots / "cabinet_address_editor_kk.png", 1300)
    page.get_by_role("button", name="Сақтау").click()
    page.wait_for_function("location.pathname === '/cabinet/addresses'", timeout=30_000)
    shown(page, "Мәңгілік Ел даңғылы 55")

    saved = wait_until(
        lambda: len(a := app.api("/api/v1/profile")["addresses"]) == 2 and a, 30, "2 addresses"
    )
    home, work = saved
    assert (home["label"], home["text"], home["lat"]) == (
        "home",
        "Кенесары көшесі 40, 12-пәтер",
        None,
    )
    assert (work["label"], work["district"]) == ("work", "yesil")
    assert (round(work["lat"], 4), round(work["lon"], 4)) == (51.1282, 71.4307)
    shot(page, shots / "cabinet_addresses_kk.png", 1100)

    open_app(page, app.url + "/cabinet/personal")
    dismiss_alert(page)
    shown(page, "ЖСН (міндетті емес)")
    shot(page, shots / "cabinet_personal_kk.png", 1100)

    # Notification settings: a level is switched off and the server has it.
    open_app(page, app.url + "/cabinet/notifications")
    dismiss_alert(page)
    page.get_by_role("checkbox", name="Төмен").click()
    page.get_by_role("button", name="Сақтау").click()
    shown(page, "Баптаулар сақталды.")
    wait_until(
        lambda: "Minor" not in app.api("/api/v1/profile")["alert_levels"], 20, "alert levels"
    )
    shot(page, shots / "cabinet_notifications_kk.png", 1700)
    page.get_by_role("button", name="Артқа").click()
    page.wait_for_function("location.pathname === '/cabinet'")
    page.get_by_role("button", name="Русский").click()
    open_app(page, app.url + "/cabinet/addresses")
    dismiss_alert(page)
    shown(page, "Мои адреса")
    shot(page, shots / "cabinet_addresses_ru.png", 1100)
    open_app(page, app.url + "/cabinet/notifications")
    dismiss_alert(page)
    shown(page, "Экстренные оповещения")
    shot(page, shots / "cabinet_notifications_ru.png", 1700)
