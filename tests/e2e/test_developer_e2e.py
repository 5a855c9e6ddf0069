"""The hidden developer screen of a tester's build in a real browser: seven taps on the version
line of the sign-in screen open it (a build pointed at a wrong server cannot sign in); a typed
address that is no URL is refused in Kazakh and stays in the field; the live backend's address
is checked against its health answer and saved on the device; the next start (a new page
session: a tab opened afresh — a reload resumes the same one) uses it. The app runs from the
checkout: no bundled settings, so the developer menu is on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.backend import App, wait_until
from tests.e2e.resident import field_value, phone_page, shown, snap, tap_until, type_into

pytestmark = pytest.mark.e2e

FIELD = "Сервер мекенжайы"
ON_DEVELOPER = "location.pathname === '/developer'"


def saved_url(app: App) -> str | None:
    with sqlite3.connect(app.data_dir / "app.db") as db:
        row = db.execute("SELECT value FROM setting WHERE key = 'api_url'").fetchone()
    return row[0] if row else None


def open_developer_screen(page: Page) -> None:
    """Seven taps on the version line (tapped again only if the screen did not open)."""
    line = page.get_by_text("Нұсқа ", exact=False).first
    for _ in range(3):
        for _ in range(7):
            line.click()
        try:
            page.wait_for_function(ON_DEVELOPER, timeout=15_000)
            return
        except Exception:  # a redraw swallowed a tap: seven again
            continue
    raise AssertionError("seven taps on the version line did not open the developer screen")


def test_tester_switches_the_server_on_the_hidden_screen(
    page: Page, app: App, browser: Browser, shots: Path, tmp_path: Path
) -> None:
    shown(page, "Телефон нөмірі")
    open_developer_screen(page)
    shown(page, "Әзірлеуші баптаулары")
    shown(page, app.proxy.url)  # the server in use: --api-url, i.e. API_URL
    shown(page, "API_URL орта айнымалысы")

    type_into(page, FIELD, "api.city109.kz")
    check = page.get_by_role("button", name="Тексеріп сақтау")
    tap_until(page, check, page.get_by_text("Бұл сервер мекенжайы емес", exact=False))
    assert field_value(page, FIELD) == "api.city109.kz"  # what was typed stays
    snap(page, shots / "developer_bad_url_kk.png")
    assert saved_url(app) is None

    type_into(page, FIELD, app.backend_url)
    tap_until(page, check, page.get_by_text("Сақталды.", exact=False))
    assert wait_until(lambda: saved_url(app), what="the saved server URL") == app.backend_url
    snap(page, shots / "developer_saved_kk.png")

    # The next start: a new page session (a reload would resume this one).
    with phone_page(browser, app.url + "/developer", tmp_path / "next.png") as again:
        shown(again, "тестілеуші осы құрылғыда сақтаған")
        shown(again, app.backend_url)
        snap(again, shots / "developer_next_start_kk.png")
