"""What the console answers to input it cannot take: an over-long «Номер» or status in the
list's address gets the page with a clear message (never the API's JSON), and a form from a
stale tab says who changed the appeal and when, keeping what was typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from backend_stub.statuses import Status
from tests.e2e.console.conftest import NAMES, OWN_BODY_SUBCLASS, Desk, Resident

pytestmark = pytest.mark.e2e


def test_an_over_long_number_or_status_gets_a_page(desk: Desk, console_url: str) -> None:
    page = desk.open("operator")
    page.fill("#f-n", "109-" + "7" * 36)  # the field itself takes no more than 32
    expect(page.locator("#f-n")).to_have_value("109-" + "7" * 28)

    pasted = "109-2612-" + "0" * 31  # 40 characters in the address (a link, a bookmark)
    answer = page.goto(f"{console_url}/console?number={pasted}")
    assert answer is not None and answer.status == 422
    assert answer.headers["content-type"].startswith("text/html")
    expect(page.locator(".error")).to_have_text(
        "Номер: не более 32 симв.; искали по первым символам (их 32)."
    )
    expect(page.locator("#f-n")).to_have_value(pasted[:32])  # the list is still there to use
    expect(page.get_by_role("button", name="Показать")).to_be_visible()

    answer = page.goto(f"{console_url}/console?status={'x' * 40}")
    assert answer is not None and answer.status == 422
    assert answer.headers["content-type"].startswith("text/html")
    expect(page.locator(".error")).to_have_text(
        "Проверьте поля: Статус — слишком длинно (не более 16 симв.)."
    )
    page.get_by_role("link", name="Назад").click()
    expect(page).to_have_url(f"{console_url}/console")
    expect(page.locator("tr[data-appeal]").first).to_be_visible()


def test_a_stale_tab_is_told_who_changed_the_appeal(
    desk: Desk, console_url: str, resident: Resident
) -> None:
    appeal = resident.file("Во дворе не вывезли мусор", OWN_BODY_SUBCLASS)
    here = f"{console_url}/console/appeals/{appeal['id']}"
    fresh, stale = desk.open("operator"), desk.open("supervisor")
    stale.goto(here)
    fresh.goto(here)
    fresh.click(f"button[name=to_status][value={Status.ASSIGNED.value}]")
    expect(fresh.locator(f"button[name=to_status][value={Status.ASSIGNED.value}]")).to_have_count(0)

    stale.fill("#note", "Передаю в службу")
    stale.click(f"button[name=to_status][value={Status.ASSIGNED.value}]")
    error = stale.locator(".error")
    expect(error).to_have_text(
        re.compile(
            rf"^Это обращение уже изменил\(а\) {re.escape(NAMES['operator'])}"
            r" в \d\d\.\d\d\.\d{4} \d\d:\d\d, обновите страницу\.$"
        )
    )
    expect(stale.locator("#note")).to_have_value("Передаю в службу")  # nothing typed is lost
    moves = stale.locator("tr", has_text="→ Направлено исполнителю")
    expect(moves).to_have_count(1)  # the stale form moved nothing
    expect(moves).to_contain_text(NAMES["operator"])
