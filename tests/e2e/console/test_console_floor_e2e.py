"""The floor: the appeal list keeps itself fresh — an urgent appeal a resident files appears in
the open list with the new count, without a reload and without losing what the operator is
typing — and it is sorted the way an operator works: by deadline (overdue first) unless
importance or newest first is chosen."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from backend_stub.crud.appeal_search import RANKS
from tests.e2e.backend import operator
from tests.e2e.console.conftest import OWN_BODY_SUBCLASS, Desk, Resident

pytestmark = pytest.mark.e2e

LIVE_TIMEOUT_MS = 40_000  # the script asks every 5 s; a busy machine answers late
Row = dict[str, Any]


def shown(page: Page) -> list[str]:
    """The appeal numbers of the list, top to bottom."""
    return list(page.locator("tr[data-appeal]").evaluate_all("rs => rs.map(r => r.dataset.appeal)"))


def due(a: Row) -> datetime:
    return datetime.fromisoformat(a["due_at"])


def closed(a: Row) -> bool:
    return bool(a["status"] == "closed")


ORDERS: dict[str, Callable[[Row], tuple[Any, ...]]] = {  # each sort order, as the API tells it
    "deadline": lambda a: (closed(a), due(a), a["id"]),
    "importance": lambda a: (closed(a), RANKS[a["importance"]], due(a), a["id"]),
    "newest": lambda a: (-a["id"],),
}


def test_an_urgent_appeal_appears_while_the_operator_types(
    desk: Desk, console_url: str, resident: Resident
) -> None:
    page = desk.open("operator")
    waiting = page.locator("[data-count=new]")
    expect(waiting).to_have_text(re.compile(r"^\d+$"))  # the script asked once: it has a stamp
    before = int(waiting.inner_text())
    page.fill("#f-n", "109-26")  # typed into the filter, not sent
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again

    appeal = resident.file("Прорвало трубу, заливает подвал", OWN_BODY_SUBCLASS, emergency=True)
    assert appeal["importance"] == "high"
    row = page.locator(f'tr[data-appeal="{appeal["number"]}"]')
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(row.locator(".imp-high")).to_be_visible()
    expect(row.locator(".emergency")).to_be_visible()
    expect(waiting).to_have_text(str(before + 1), timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#f-n")).to_have_value("109-26")
    assert page.evaluate("window.sameDocument") is True


def test_the_list_sorts_by_deadline_importance_and_newest(desk: Desk, console_url: str) -> None:
    with operator(console_url) as staff:
        answer = staff.get("/api/v1/operator/appeals", params={"limit": 100}).raise_for_status()
    appeals = {a["number"]: a for a in answer.json()["items"]}
    page = desk.open("operator")
    expect(page.locator("#f-sort")).to_have_value("deadline")  # the default
    first = page.locator("tr[data-appeal]").first
    expect(first.locator(".overdue")).to_be_visible()  # the demo's overdue appeal on top

    for sort, order in ORDERS.items():
        if sort != "deadline":
            page.select_option("#f-sort", sort)
            page.get_by_role("button", name="Показать").click()
            expect(page).to_have_url(re.compile(rf"/console\?sort={sort}&"))
        numbers = shown(page)
        assert sorted(numbers) == sorted(appeals), sort  # every appeal, once
        assert numbers == sorted(numbers, key=lambda n: order(appeals[n])), sort


def test_an_open_appeal_shows_the_residents_message_while_the_operator_types(
    desk: Desk, console_url: str, resident: Resident
) -> None:
    appeal = resident.file("Течёт крыша над кухней", OWN_BODY_SUBCLASS)
    page = desk.open("operator")
    page.goto(f"{console_url}/console/appeals/{appeal['id']}")
    assert page.locator("[data-live-region][id]").count() > 0, "nothing on the page is live"
    expect(page.locator("[data-count=new]")).to_have_text(re.compile(r"^\d+$"))
    page.fill("#reply", "Уточните, какой подъезд")

    resident.write(appeal["id"], "Второй подъезд, пятый этаж")
    expect(page.locator(".msg", has_text="Второй подъезд")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("#reply")).to_have_value("Уточните, какой подъезд")
