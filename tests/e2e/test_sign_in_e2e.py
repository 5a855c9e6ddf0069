"""Sign-in in a real browser: both languages, a malformed phone, the whole SMS-code flow."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.backend import dev_code, fresh_phone
from tests.e2e.resident import (
    field_value,
    go,
    open_app,
    settle,
    tap_until,
    type_into,
    visible_text,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(plain_page: Page) -> Page:
    """The sign-in screens, on a page that is never told where it is."""
    return plain_page


def test_first_screen_in_kazakh_then_russian(page: Page, shots: Path) -> None:
    visible_text(page, "109 қалалық байланыс орталығы")
    page.get_by_label("Телефон нөмірі").first.wait_for()
    page.get_by_role("button", name="Код алу").wait_for()
    settle(page)
    page.screenshot(path=str(shots / "sign_in_kk.png"))

    tap_until(
        page,
        page.get_by_role("button", name="Русский"),
        page.get_by_text("Городской контакт-центр 109", exact=False),
    )
    page.get_by_label("Номер телефона").first.wait_for()
    page.get_by_role("button", name="Получить код").wait_for()
    assert page.get_by_text("Телефон нөмірі").count() == 0
    settle(page)
    page.screenshot(path=str(shots / "sign_in_ru.png"))

    tap_until(
        page,
        page.get_by_role("button", name="Қазақша"),
        page.get_by_text("109 қалалық байланыс орталығы", exact=False),
    )


def test_malformed_phone_shows_the_error_and_keeps_the_input(page: Page, shots: Path) -> None:
    type_into(page, "Телефон нөмірі", "8 916 12")
    tap_until(
        page,
        page.get_by_role("button", name="Код алу"),
        page.get_by_text("Қазақстандық ұялы нөмірді енгізіңіз", exact=False),
    )
    settle(page)
    page.screenshot(path=str(shots / "sign_in_error_kk.png"))
    tap_until(
        page,
        page.get_by_role("button", name="Русский"),
        page.get_by_text("Введите казахстанский мобильный номер", exact=False),
    )
    assert field_value(page, "Номер телефона") == "8 916 12"


def test_full_sign_in_lands_home_and_survives_a_reload(
    page: Page, app_url: str, backend_url: str, shots: Path
) -> None:
    phone, typed, shown = fresh_phone()
    type_into(page, "Телефон нөмірі", typed)
    sent = page.get_by_text(f"Кодты {shown} нөміріне жібердік.")
    tap_until(page, page.get_by_role("button", name="Код алу"), sent)
    visible_text(page, f"Кодты {shown} нөміріне жібердік.")
    settle(page)
    page.screenshot(path=str(shots / "sign_in_code_kk.png"))

    type_into(page, "SMS-тегі код", "000000", check=False)  # wrong; 6 digits submit by themselves
    visible_text(page, "Код қате.")

    type_into(page, "SMS-тегі код", dev_code(backend_url, phone), check=False)
    page.get_by_role("tab", name="Өтініштер").wait_for()
    page.wait_for_function("location.pathname === '/'")
    visible_text(page, "Менің өтініштерім")
    settle(page)
    page.screenshot(path=str(shots / "home_kk.png"))

    go(page, page.get_by_role("tab", name="Кабинет"), "location.pathname === '/cabinet'")
    visible_text(page, shown)
    settle(page)
    page.screenshot(path=str(shots / "cabinet_kk.png"))

    tap_until(
        page, page.get_by_role("button", name="Русский"), page.get_by_role("button", name="Выйти")
    )
    page.get_by_role("tab", name="Обращения").wait_for()
    settle(page)
    page.screenshot(path=str(shots / "cabinet_ru.png"))
    go(page, page.get_by_role("tab", name="Обращения"), "location.pathname === '/'")
    visible_text(page, "Мои обращения")
    settle(page)
    page.screenshot(path=str(shots / "home_ru.png"))

    # Opening the app again: straight home, in the language chosen last time.
    open_app(page, app_url)
    page.get_by_role("tab", name="Обращения").wait_for()

    # A deep link stacks the appeal on home; the app bar's back button (Flutter's own,
    # localized through page.locale_configuration) returns home.
    open_app(page, app_url + "/appeals/42")
    visible_text(page, "Обращение № 42")
    go(page, page.get_by_role("button", name="Назад"), "location.pathname === '/'")
    page.get_by_role("tab", name="Обращения").wait_for()

    # Sign out: back to sign-in, and it stays so after a reload.
    go(page, page.get_by_role("tab", name="Кабинет"), "/cabinet")
    tap_until(page, page.get_by_role("button", name="Выйти"), page.get_by_label("Номер телефона"))
    open_app(page, app_url + "/cabinet")
    page.get_by_label("Номер телефона").first.wait_for()
