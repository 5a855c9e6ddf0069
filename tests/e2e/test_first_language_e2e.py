"""The first screen speaks the browser's language when it is Russian or Kazakh, Kazakh
otherwise, and the resident's own choice is remembered over the browser's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.backend import App
from tests.e2e.resident import PHONE_VIEWPORT, UI_TIMEOUT_MS, open_app, tap_until, visible_text

pytestmark = pytest.mark.e2e

RU_TITLE = "Городской контакт-центр 109"
KK_TITLE = "109 қалалық байланыс орталығы"


@contextmanager
def browser_in(browser: Browser, url: str, locale: str) -> Iterator[Page]:
    """A phone-sized page of the app in a browser whose language is `locale`."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale=locale)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    try:
        open_app(page, url)
        yield page
    finally:
        context.close()


def test_the_browsers_language_then_the_residents_choice(browser: Browser, app: App) -> None:
    with browser_in(browser, app.url, "ru-RU") as page:
        visible_text(page, RU_TITLE)
        page.get_by_role("button", name="Получить код").wait_for()
        assert page.get_by_text(KK_TITLE).count() == 0

    with browser_in(browser, app.url, "en-US") as page:
        visible_text(page, KK_TITLE)  # neither Kazakh nor Russian: Kazakh

    with browser_in(browser, app.url, "ru-RU") as page:
        visible_text(page, RU_TITLE)
        tap_until(
            page,
            page.get_by_role("button", name="Қазақша"),
            page.get_by_text(KK_TITLE, exact=False),
        )

    with browser_in(browser, app.url, "ru-RU") as page:
        visible_text(page, KK_TITLE)  # the choice is remembered over the browser's language
        page.get_by_role("button", name="Код алу").wait_for()
