"""The personal cabinet in a real browser against the demo backend: the analytics in Kazakh and
Russian, personal data with the IIN check, the before/after photos of a closed appeal (demo
resident +7 701 000 00 02, whose water appeal was closed with an "after" photo), and saved
addresses added by typing and by the fake position — checked on the backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.backend import App, fresh_phone, wait_until
from tests.e2e.resident import (
    dismiss_alert,
    go,
    on_screen,
    open_app,
    resize,
    settle,
    shown,
    sign_in,
    still,
    tall,
    tap_until,
    type_into,
)

pytestmark = pytest.mark.e2e

DEMO = ("+77010000002", "8 701 000 00 02", "+7 701 000 00 02")  # has the closed water appeal
VALID_IIN = "901231405679"


def open_cabinet(page: Page, tab: str = "Кабинет") -> None:
    go(page, page.get_by_role("tab", name=tab), "location.pathname === '/cabinet'")
    dismiss_alert(page)


def shot(page: Page, path: Path, height: int = 2000) -> None:
    tall(page, height)
    settle(page)
    page.screenshot(path=str(path))
    resize(page, {"width": 412, "height": 915})


def test_cabinet_in_both_languages_personal_data_and_before_after(
    page: Page, app: App, shots: Path
) -> None:
    sign_in(page, app.backend_url, *DEMO)
    open_cabinet(page)
    shown(page, "Мәртебесі бойынша")  # the analytics of the appeals synced to this phone
    shown(page, "Санаты бойынша")
    shown(page, "мерзімінде шешілді")
    shot(page, shots / "cabinet_analytics_kk.png", 2300)

    tap_until(page, page.get_by_role("button", name="Русский"), on_screen(page, "По статусам"))
    dismiss_alert(page)
    shown(page, "По статусам")
    shown(page, "По категориям")
    shown(page, "Личные данные")
    page.get_by_role("button", name="Выйти").wait_for()
    shot(page, shots / "cabinet_analytics_ru.png", 2300)

    # Personal data: a wrong IIN is refused on the phone, a valid one reaches the server.
    go(
        page,
        page.get_by_role("button", name="Личные данные").or_(
            page.get_by_label("Личные данные", exact=False)
        ),
        "/cabinet/personal",
    )
    dismiss_alert(page)
    type_into(page, "ИИН (необязательно)", VALID_IIN[:-1] + "8")
    tap_until(
        page,
        page.get_by_role("button", name="Сохранить"),
        on_screen(page, "Этот ИИН недействителен"),
    )
    shot(page, shots / "cabinet_personal_error_ru.png", 1100)
    type_into(page, "ИИН (необязательно)", VALID_IIN)
    tap_until(page, page.get_by_role("button", name="Сохранить"), on_screen(page, "Сохранено."))
    wait_until(lambda: app.api("/api/v1/profile")["iin"] == VALID_IIN, what="the IIN on the server")
    tap_until(
        page,
        page.get_by_role("button", name="Сменить номер"),
        on_screen(page, "Код придёт на новый номер."),
    )
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
    tap_until(
        page, page.get_by_role("button", name="Ползунок"), on_screen(page, "До и после, 50% — до")
    )
    shot(page, shots / "before_after_slider_ru.png", 1600)

    open_app(page, app.url + "/cabinet")
    dismiss_alert(page)
    tap_until(
        page, page.get_by_role("button", name="Қазақша"), on_screen(page, "Мәртебесі бойынша")
    )
    open_app(page, f"{app.url}/appeals/{water['id']}")
    dismiss_alert(page)
    shown(page, "Жұмысқа дейін және кейін")
    shown(page, "Бұрын: сіздің фотоңыз")
    shot(page, shots / "before_after_kk.png", 1600)


def test_addresses_by_typing_and_by_the_fake_position(page: Page, app: App, shots: Path) -> None:
    phone, typed, as_shown = fresh_phone()
    sign_in(page, app.backend_url, phone, typed, as_shown)
    open_cabinet(page)
    go(
        page,
        page.get_by_role("button", name="Менің мекенжайларым").or_(
            page.get_by_label("Менің мекенжайларым", exact=False)
        ),
        "/cabinet/addresses",
    )
    dismiss_alert(page)
    shown(page, "Әзірге сақталған мекенжай жоқ.")

    # 1. Typed (the map search has no network here: it is saved as typed).
    go(
        page,
        page.get_by_role("button", name="Мекенжай қосу"),
        "location.pathname === '/cabinet/addresses/new'",
    )
    tap_until(
        page, page.get_by_role("button", name="Сақтау"), on_screen(page, "Мекенжайды енгізіңіз.")
    )
    type_into(page, "Мекенжай", "Кенесары көшесі 40, 12-пәтер")
    go(page, page.get_by_role("button", name="Сақтау"), "/cabinet/addresses")
    shown(page, "Кенесары көшесі 40, 12-пәтер")

    # 2. By the position the browser gives (Playwright's fake geolocation).
    go(
        page,
        page.get_by_role("button", name="Мекенжай қосу"),
        "location.pathname === '/cabinet/addresses/new'",
    )
    tap_until(
        page,
        page.get_by_role("button", name="Орнымды пайдалану"),
        on_screen(page, "Нүкте: 51.12820, 71.43070"),
    )
    type_into(page, "Мекенжай", "Мәңгілік Ел даңғылы 55")
    shot(page, shots / "cabinet_address_editor_kk.png", 1300)
    go(page, page.get_by_role("button", name="Сақтау"), "/cabinet/addresses")
    shown(page, "Мәңгілік Ел даңғылы 55")

    saved = wait_until(
        lambda: len(a := app.api("/api/v1/profile")["addresses"]) == 2 and a, what="2 addresses"
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
    pulled = app.proxy.count("GET", "/api/v1/profile", "passed")
    open_app(page, app.url + "/cabinet/notifications")
    dismiss_alert(page)
    minor = page.get_by_role("checkbox", name="Төмен", checked=True)
    minor.wait_for()  # every level is on at first
    # The page shows the phone's copy, then reads the server's profile again: a tap before
    # that would be undone by it (an app bug, reported), so the resident waits for it.
    wait_until(
        lambda: app.proxy.count("GET", "/api/v1/profile", "passed") > pulled,
        what="the server's profile pulled by the page",
    )
    still(page)
    tap_until(page, minor, page.get_by_role("checkbox", name="Төмен", checked=False))
    tap_until(
        page, page.get_by_role("button", name="Сақтау"), on_screen(page, "Баптаулар сақталды.")
    )
    wait_until(
        lambda: "Minor" not in app.api("/api/v1/profile")["alert_levels"], what="alert levels"
    )
    shot(page, shots / "cabinet_notifications_kk.png", 1700)
    go(page, page.get_by_role("button", name="Артқа"), "location.pathname === '/cabinet'")
    tap_until(
        page, page.get_by_role("button", name="Русский"), page.get_by_role("tab", name="Обращения")
    )
    open_app(page, app.url + "/cabinet/addresses")
    dismiss_alert(page)
    shown(page, "Мои адреса")
    shot(page, shots / "cabinet_addresses_ru.png", 1100)
    open_app(page, app.url + "/cabinet/notifications")
    dismiss_alert(page)
    shown(page, "Экстренные оповещения")
    shot(page, shots / "cabinet_notifications_ru.png", 1700)
