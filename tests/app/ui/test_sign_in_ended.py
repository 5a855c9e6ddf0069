"""The sign-in screen after the server ended the session: what waits, the same phone, and the
choice shown when another account signs in on a phone that keeps that data (kk and ru)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from app.composition import AppSession
from app.domain.appeals import NewAppeal, Position
from app.errors import ApiError
from app.ui.sign_in.screen import SignInScreen
from tests.app.conftest import CODE, PHONE, FakeBackend, error, token_reply
from tests.app.ui.test_screens import texts

pytestmark = pytest.mark.anyio

OTHER = "+77017654321"


async def ended_with_one_appeal(session: AppSession, backend: FakeBackend) -> None:
    await session.auth.request_code(PHONE)
    await session.auth.verify_code(PHONE, CODE)
    await session.appeals.file(
        NewAppeal(
            text="Подъезд не убирают",
            subclass_code="0101",
            position=Position(51.1, 71.4, 10.0),
            language="ru",
        )
    )
    backend.routes[("GET", "/api/v1/me")] = lambda r: error(401, "invalid_token")
    backend.routes[("POST", "/api/v1/auth/refresh")] = lambda r: error(401, "invalid_token")
    with pytest.raises(ApiError):
        await session.api.get_json("/api/v1/me")
    assert session.auth.ended is not None


async def test_the_ended_session_is_explained_in_kazakh_and_russian(
    session: AppSession, backend: FakeBackend
) -> None:
    await ended_with_one_appeal(session, backend)
    await session.sign_in.load_waiting()
    screen = SignInScreen(session.app, session.sign_in, "/")
    view = screen.build()
    assert screen.ended_box.visible and screen.phone_step.visible
    assert screen.phone_field.value == "+7 701 123 45 67"
    assert {
        "Сеансыңыз аяқталды",
        "Күтіп тұрғанын жіберу үшін +7 701 123 45 67 нөмірімен қайта кіріңіз. Осы телефоннан "
        "ештеңе жойылған жоқ.",
        "Жіберуді күтуде: 1",
    } <= texts(view)
    screen.dispose()
    await session.language.choose("ru")
    view = SignInScreen(session.app, session.sign_in, "/").build()
    assert {
        "Ваш сеанс завершён",
        "Войдите снова с номером +7 701 123 45 67, чтобы отправить то, что ждёт отправки. С "
        "этого телефона ничего не удалено.",
        "Ожидает отправки: 1",
    } <= texts(view)


async def test_a_fresh_install_shows_no_such_notice(session: AppSession) -> None:
    screen = SignInScreen(session.app, session.sign_in, "/")
    screen.build()
    assert screen.ended_box.visible is False
    assert screen.phone_field.value == ""


async def test_another_account_is_told_whose_data_it_is(
    session: AppSession, backend: FakeBackend, make_session: Callable[[], AppSession]
) -> None:
    await ended_with_one_appeal(session, backend)

    def verify(request: httpx.Request) -> httpx.Response:
        reply = token_reply(5, OTHER)
        reply["user"]["id"] = 99  # another account
        return httpx.Response(200, json=reply)

    backend.routes[("POST", "/api/v1/auth/otp/verify")] = verify
    vm = session.sign_in
    vm.set_phone(OTHER)
    await vm.submit_phone()
    await vm.enter_code(CODE)
    assert vm.step == "replace" and not session.auth.signed_in
    await session.language.choose("ru")
    screen = SignInScreen(session.app, session.sign_in, "/")
    view = screen.build()
    assert screen.replace_step.visible and not screen.phone_step.visible
    assert {
        "На этом телефоне хранятся данные номера +7 701 123 45 67.",
        "Удалить эти данные и войти",
        "Назад",
        "Ожидает отправки: 1",
    } <= texts(view)
    # Nothing changed on the phone until the resident chooses; the app restarted is the same.
    again = make_session()
    assert again.auth.ended is not None and again.auth.ended.phone == PHONE
    await vm.keep_kept()
    logout = backend.calls("/api/v1/auth/logout")
    assert [r.headers["Authorization"] for r in logout] == ["Bearer access-secret-5"]
    assert vm.step == "phone" and vm.phone_text == "+7 701 123 45 67"


async def test_the_same_account_under_a_new_number_is_the_same_resident(
    session: AppSession, backend: FakeBackend
) -> None:
    """Told apart by the account: a resident who changed their number gets their queue."""
    await ended_with_one_appeal(session, backend)
    backend.routes[("POST", "/api/v1/auth/otp/verify")] = lambda r: httpx.Response(
        200, json=token_reply(6, OTHER)
    )  # user id 7, as before
    vm = session.sign_in
    vm.set_phone(OTHER)
    await vm.submit_phone()
    await vm.enter_code(CODE)
    assert session.auth.signed_in and session.auth.ended is None
    assert session.appeals.outbox.counts().pending == 1
