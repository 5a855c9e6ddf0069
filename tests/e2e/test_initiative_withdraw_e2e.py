"""Withdrawing support of an initiative in a real browser against the demo backend: support,
then withdraw offline — the card shows it at once, the server only once the network is back —
each button named by its own initiative, as a screen reader finds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.backend import App, wait_until
from tests.e2e.resident import dismiss_alert, go, on_screen, sign_in, snap, tap_until

pytestmark = pytest.mark.e2e

TITLE_RU = "Озеленение набережной реки Есиль"


def initiative(app: App) -> dict[str, Any]:
    """The demo initiative as the backend sees it for this resident (never via the proxy)."""
    [found] = [i for i in app.api("/api/v1/initiatives") if i["title_ru"] == TITLE_RU]
    return dict(found)


def test_support_then_withdraw_offline(page: Page, app: App, shots: Path) -> None:
    sign_in(page, app.backend_url)
    go(page, page.get_by_role("tab", name="Қатысу"), "/participation")
    dismiss_alert(page)
    start = initiative(app)
    title = start["title_kk"]
    support = page.get_by_role("button", name=f"Қолдау: {title}", exact=True)
    withdraw = page.get_by_role("button", name=f"Қолдауды қайтарып алу: {title}", exact=True)
    tap_until(page, page.get_by_role("button", name="Бастамалар", exact=True), support)
    # Each initiative's button says which one it is: one button by each name.
    for other in app.api("/api/v1/initiatives"):
        if other["state"] in ("proposed", "in_progress") and not other["supported"]:
            name = f"Қолдау: {other['title_kk']}"
            assert page.get_by_role("button", name=name, exact=True).count() == 1, name

    tap_until(page, support, withdraw)
    wait_until(lambda: initiative(app)["supported"], what="the support on the server")
    assert initiative(app)["support_count"] == start["support_count"] + 1

    app.proxy.go_offline()
    tap_until(page, withdraw, support)
    on_screen(page, "Жіберілуін күтуде.").wait_for(state="visible")  # waiting on the phone
    assert initiative(app)["supported"]  # still on the server: nothing left the phone
    snap(page, shots / "participation_withdraw_offline_kk.png")

    app.proxy.go_online()
    wait_until(lambda: not initiative(app)["supported"], what="the withdrawal on the server")
    assert initiative(app)["support_count"] == start["support_count"]
