"""The browser helpers never wait forever: a page whose JavaScript stopped running (a web client
that froze under CPU pressure) fails the wait on it, as frozen, within its deadlines — the suite
once hung for 20 minutes on a call with no deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.resident import ANSWER_MS, answering, ask, still, tall

pytestmark = pytest.mark.e2e

WAIT_MS = 3_000  # the page's wait deadline in this test
HELPERS: dict[str, Callable[[Page], None]] = {
    "still": still,
    "tall": lambda page: tall(page, 2000),  # a resize waits for the renderer, with no deadline
    # what `go` reads after a tap (a JavaScript condition), once read with `evaluate`
    "ask": lambda page: ask(page, "location.pathname === '/x'"),
}


@pytest.mark.parametrize("helper", HELPERS)
def test_waiting_on_a_frozen_page_fails_as_frozen(browser: Browser, helper: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.set_content("<p>109</p>")
        page.evaluate("() => { setTimeout(() => { for (;;) {} }) }")  # freezes once it returns
        with pytest.raises(AssertionError, match="web client froze"):
            answering(page)  # it is frozen now
        started = time.monotonic()
        with pytest.raises(AssertionError, match="web client froze"):
            HELPERS[helper](page)
        took = time.monotonic() - started
        assert took < (WAIT_MS + ANSWER_MS) / 1000 + 10, f"failed only after {took:.0f} s"
    finally:
        context.close()
