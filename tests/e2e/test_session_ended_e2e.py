"""A session the server ended, in a real browser: what the resident saved offline stays on the
phone, the sign-in screen says how much waits and has the same phone filled in, and after
signing in again it reaches the server (issue: "the app loses its queue when one refresh
answer is lost")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from tests.e2e.backend import App, dev_code, fresh_phone, wait_until
from tests.e2e.conftest import start_backend
from tests.e2e.resident import (
    dismiss_alert,
    field_value,
    go,
    on_screen,
    settle,
    shown,
    sign_in,
    tap_until,
    type_into,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def backend_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This test's own backend: the resident asks for a second code within the minute that
    the shared backend would make them wait."""
    monkeypatch.setenv("OTP_RESEND_COOLDOWN_S", "0")
    data = tmp_path / "backend"
    data.mkdir()
    server = start_backend(data)
    yield server.url
    server.stop()


def end_the_session_on_the_server(app: App) -> None:
    """Signed out elsewhere: the server revokes the session the app holds."""
    with app.client() as c:
        r = c.post("/api/v1/auth/logout")
        assert r.status_code == 204


def server_name(app: App) -> str | None:
    """The name on the server, asked with the token the app holds now; None while the app has
    not stored its new session's token yet (the page moves on before the store is written)."""
    if not app.token():
        return None
    try:
        return str(app.api("/api/v1/profile").get("full_name"))
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 401:
            return None
        raise


def test_an_ended_session_keeps_what_waits_and_sends_it_after_signing_in_again(
    page: Page, app: App, shots: Path
) -> None:
    phone, typed, as_shown = fresh_phone()
    sign_in(page, app.backend_url, phone, typed, as_shown)
    dismiss_alert(page)

    # Offline, the resident saves their name: it waits on the phone.
    app.proxy.go_offline()
    go(page, page.get_by_role("tab", name="Кабинет"), "location.pathname === '/cabinet'")
    dismiss_alert(page)
    go(
        page,
        page.get_by_role("button", name="Жеке деректер").or_(
            page.get_by_label("Жеке деректер", exact=False)
        ),
        "/cabinet/personal",
    )
    type_into(page, "Аты-жөні", "Айгүл Серікова")
    tap_until(page, page.get_by_role("button", name="Сақтау"), on_screen(page, "сақталды"))
    shown(page, "сақталды")  # on this phone (offline, or not known to be offline yet)

    # Meanwhile the server ended the session; back online, the app finds out.
    end_the_session_on_the_server(app)
    app.proxy.go_online()
    shown(page, "Сеансыңыз аяқталды")
    shown(page, f"Күтіп тұрғанын жіберу үшін {as_shown} нөмірімен қайта кіріңіз.")
    shown(page, "Жіберуді күтуде: 1")
    assert field_value(page, "Телефон нөмірі") == as_shown
    settle(page)
    page.screenshot(path=str(shots / "session_ended_kk.png"))

    tap_until(
        page, page.get_by_role("button", name="Русский"), on_screen(page, "Ваш сеанс завершён")
    )
    shown(page, "Ожидает отправки: 1")
    settle(page)
    page.screenshot(path=str(shots / "session_ended_ru.png"))
    tap_until(
        page, page.get_by_role("button", name="Қазақша"), on_screen(page, "Сеансыңыз аяқталды")
    )

    # The same phone again: the name saved offline reaches the server under the new session.
    sent = f"Кодты {as_shown} нөміріне жібердік."
    tap_until(page, page.get_by_role("button", name="Код алу"), on_screen(page, sent))
    shown(page, sent)
    type_into(page, "SMS-тегі код", dev_code(app.backend_url, phone), check=False)
    page.wait_for_function("location.pathname === '/cabinet/personal'")
    wait_until(
        lambda: server_name(app) == "Айгүл Серікова", what="the name saved offline on the server"
    )
