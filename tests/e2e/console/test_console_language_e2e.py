"""The console in Kazakh and in Russian: «Қазақша» and «Русский» in the header switch the page
the operator is on (the same address, its query kept), `<html lang>` follows, and the sections'
names are the catalogs' ones in that language; the choice stays for the next pages, an appeal's
own page too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.console.conftest import OWN_BODY_SUBCLASS, Desk, Resident

pytestmark = pytest.mark.e2e

MENU = {  # the sections (kit.page NAV) and the sign-out button, as the catalogs name them
    "kk": ["Өтініштер", "Шұғыл қызметтер", "Төтенше жағдай ескертулері",
           "Хабарландырулар: жұмыстар мен іс-шаралар", "Сауалнамалар мен бастамалар"],
    "ru": ["Обращения", "Экстренные службы", "Экстренные оповещения",
           "Объявления: работы и события", "Опросы и инициативы"],
}  # fmt: skip
SIGN_OUT = {"kk": "Шығу", "ru": "Выйти"}
SORT_LABEL = {"kk": "Сұрыптау", "ru": "Сортировка"}


def in_language(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    menu = page.locator("header > a:not(.live)")
    expect(menu).to_have_text(MENU[lang])
    expect(page.locator("header").get_by_role("button")).to_have_text(SIGN_OUT[lang])
    expect(page.locator("label[for=f-sort]")).to_have_text(SORT_LABEL[lang])


def test_switch_to_kazakh_and_back_on_the_same_page(desk: Desk, console_url: str) -> None:
    page = desk.open("operator")
    here = f"{console_url}/console?sort=importance&status=open"
    page.goto(here)
    in_language(page, "ru")

    page.locator("header").get_by_role("link", name="Қазақша").click()
    expect(page).to_have_url(here)
    in_language(page, "kk")
    expect(page.locator("#f-sort")).to_have_value("importance")
    page.goto(f"{console_url}/console")  # the choice stays
    in_language(page, "kk")
    expect(page.locator("h1")).to_contain_text("Өтініштер")

    page.goto(here)
    page.locator("header").get_by_role("link", name="Русский").click()
    expect(page).to_have_url(here)
    in_language(page, "ru")
    expect(page.locator("#f-sort")).to_have_value("importance")


def test_a_kazakh_desk_signs_in_in_kazakh(desk: Desk, console_url: str) -> None:
    page = desk.open(lang="kk")
    page.goto(f"{console_url}/console/login")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("h1")).to_have_text("Қызметкердің кіруі")
    page.fill("#login", "operator")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_have_text("Логин немесе құпиясөз қате.")


def test_an_appeals_page_in_kazakh(desk: Desk, console_url: str, resident: Resident) -> None:
    appeal = resident.file("Подъезд не убирают", OWN_BODY_SUBCLASS)
    page = desk.open("operator", lang="kk")
    page.goto(f"{console_url}/console/appeals/{appeal['id']}")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    title = page.locator("h1").inner_text()
    assert title.startswith("Өтініш"), title
    labels = page.locator("dt").all_inner_texts()
    assert "Статус" not in labels and "Мәртебе" in labels, labels


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_nothing_sticks_out_sideways_for_a_supervisor(
    desk: Desk, console_url: str, lang: str
) -> None:
    """The supervisor's header has every section and the language switch: on a 1280 px screen
    it wraps, and no page needs scrolling sideways (the switch was once off the screen)."""
    page = desk.open("supervisor", lang=lang)
    for path in ("/console", "/console/alerts/new", "/console/staff"):
        page.goto(f"{console_url}{path}")
        expect(page.locator("header .lang")).to_be_in_viewport()
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= page.viewport_size["width"], f"{path} in {lang}: {wide} px wide"  # type: ignore[index]
