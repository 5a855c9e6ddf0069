"""Nothing irreversible in one click: publishing an emergency alert, cancelling it and closing a
poll each ask first on a second page that says what will happen, with a red «Да, …» button;
nothing is sent or closed before it, and «Вернуться к форме» gives the form back as typed. A new
alert is an exercise unless the operator picks a real one. Closing an appeal is a page of its
own that asks and holds the close form (its "after" photo cannot be posted again)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from backend_stub.services.cap import ASTANA_TZ
from tests.e2e.backend import HTTP_TIMEOUT_S, operator
from tests.e2e.console.conftest import OWN_BODY_SUBCLASS, RED, Desk, Resident

pytestmark = pytest.mark.e2e

HEADLINE_RU = "Учебная тревога: проверка оповещения"
HEADLINE_KK = "Оқу дабылы: хабарлауды тексеру"  # the public feed's language
YES_REAL = "Да, отправить реальное оповещение"


def public_feed(url: str) -> str:
    """The public CAP feed of the alerts in force (what residents' apps get)."""
    with httpx.Client(base_url=url, timeout=HTTP_TIMEOUT_S) as c:
        return c.get("/cap/feed.atom").raise_for_status().text


def fill_alert(page: Page) -> None:
    """The new-alert form filled in for Есиль district (its status left as offered)."""
    texts = {
        "event": ("Оқу-жаттығу", "Учения"),
        "headline": (HEADLINE_KK, HEADLINE_RU),
        "description": ("Бұл оқу-жаттығу.", "Это учения."),
        "instruction": ("Ештеңе істеудің қажеті жоқ.", "Ничего делать не нужно."),
        "area": ("Есіл ауданы", "Район Есиль"),
    }
    for name, (kk, ru) in texts.items():
        page.fill(f"#a-{name}-kk", kk)
        page.fill(f"#a-{name}-ru", ru)
    page.check("input[name=districts][value=yesil]")
    until = datetime.now(ASTANA_TZ) + timedelta(hours=3)
    page.fill("#a-exp", until.strftime("%Y-%m-%dT%H:%M"))


def confirmation(page: Page, yes: str) -> None:
    """The page is the confirmation, its «yes» button red and named `yes`."""
    expect(page.locator("[role=alertdialog]")).to_be_visible()
    button = page.get_by_role("button", name=yes)
    expect(button).to_have_css("background-color", RED)


def test_an_alert_is_sent_and_cancelled_only_when_confirmed(desk: Desk, console_url: str) -> None:
    page = desk.open("supervisor")
    page.goto(f"{console_url}/console/alerts/new")
    expect(page.locator("#a-status")).to_have_value("Exercise")  # never real by default
    fill_alert(page)
    page.get_by_role("button", name="Опубликовать").click()
    confirmation(page, "Да, отправить")
    question = page.locator("#confirm-q")
    expect(question).to_contain_text("«не реальное»")
    expect(question).to_contain_text("Учения")
    expect(question).to_contain_text("район Есиль")
    assert HEADLINE_KK not in public_feed(console_url)

    page.get_by_role("button", name="Вернуться к форме").click()
    expect(page.locator("#a-headline-ru")).to_have_value(HEADLINE_RU)
    expect(page.locator("input[name=districts][value=yesil]")).to_be_checked()
    expect(page.locator("#a-instruction-kk")).to_have_value("Ештеңе істеудің қажеті жоқ.")
    page.select_option("#a-status", "Actual")
    page.get_by_role("button", name="Опубликовать").click()
    confirmation(page, YES_REAL)
    expect(question).to_contain_text("РЕАЛЬНОЕ")
    expect(question).to_contain_text("район Есиль")
    assert HEADLINE_KK not in public_feed(console_url)

    page.get_by_role("button", name=YES_REAL).click()
    expect(page.locator("h1")).to_contain_text("Экстренное оповещение")
    sent = page.url
    assert HEADLINE_KK in public_feed(console_url)

    page.fill("#a-note", "Проверка закончена")
    page.get_by_role("button", name="Отменить оповещение").click()
    confirmation(page, "Да, отменить оповещение")
    expect(question).to_contain_text("Вернуть это нельзя")
    assert HEADLINE_KK in public_feed(console_url)  # not cancelled yet
    page.get_by_role("link", name="Не делать, вернуться").click()
    expect(page).to_have_url(sent)
    expect(page.get_by_role("button", name="Отменить оповещение")).to_be_visible()

    page.get_by_role("button", name="Отменить оповещение").click()
    page.get_by_role("button", name="Да, отменить оповещение").click()
    expect(page.locator("h1")).to_contain_text("Экстренное оповещение")
    assert page.url != sent  # the cancellation is a message of its own
    assert HEADLINE_KK not in public_feed(console_url)


def test_a_poll_is_closed_only_when_confirmed(desk: Desk, console_url: str) -> None:
    with operator(console_url) as staff:
        polls = staff.get("/api/v1/operator/polls").raise_for_status().json()
    poll = next(p for p in polls if p["state"] == "published" and p.get("status") == "open")

    def state() -> str:
        with operator(console_url) as staff:
            answer = staff.get(f"/api/v1/operator/polls/{poll['id']}").raise_for_status()
        return str(answer.json()["status"])

    page = desk.open("supervisor")
    here = f"{console_url}/console/participation/polls/{poll['id']}"
    page.goto(here)
    close = page.get_by_role("button", name="Завершить голосование сейчас")
    expect(close).to_have_css("background-color", RED)
    close.click()
    confirmation(page, "Да, завершить голосование")
    expect(page.locator("#confirm-q")).to_contain_text("нельзя")
    assert state() == "open"
    page.get_by_role("link", name="Не делать, вернуться").click()
    expect(page).to_have_url(here)
    assert state() == "open"

    close.click()
    page.get_by_role("button", name="Да, завершить голосование").click()
    expect(page).to_have_url(here)
    expect(page.locator(".badge", has_text="Завершён")).to_be_visible()
    assert state() == "closed"


def test_an_appeal_is_closed_only_when_confirmed(
    desk: Desk, console_url: str, resident: Resident
) -> None:
    appeal = resident.file("Сломана скамейка во дворе", OWN_BODY_SUBCLASS)
    with operator(console_url) as staff:
        moved = staff.post(f"/api/v1/operator/appeals/{appeal['id']}/status",
                           json={"to_status": "assigned"})  # fmt: skip

    def status() -> str:
        with operator(console_url) as staff:
            now = staff.get(f"/api/v1/operator/appeals/{appeal['id']}").raise_for_status()
        return str(now.json()["status"])

    assert moved.status_code == 200, moved.text
    page = desk.open("operator")
    here = f"{console_url}/console/appeals/{appeal['id']}"
    page.goto(here)
    page.get_by_role("link", name=re.compile("^Закрыть")).click()
    dialog = page.locator("[role=alertdialog]")
    expect(dialog).to_contain_text("уйдёт из списка открытых")
    assert status() == "assigned", "closed without asking"
    page.get_by_role("link", name="Не делать, вернуться").click()
    expect(page).to_have_url(here)
    assert status() == "assigned"

    page.get_by_role("link", name=re.compile("^Закрыть")).click()
    page.fill("#result", "Скамейку заменили")
    yes = page.get_by_role("button", name="Да, закрыть обращение")
    expect(yes).to_have_css("background-color", RED)
    yes.click()
    expect(page).to_have_url(here)
    expect(page.locator("#live-facts")).to_contain_text("Скамейку заменили")
    assert status() == "closed"
