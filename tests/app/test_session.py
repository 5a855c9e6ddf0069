"""The page session as a whole: offline start, language memory, sign-out, lost session."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import text

from app.composition import AppSession
from app.errors import ApiError
from tests.app.conftest import CODE, PHONE, FakeBackend, error

pytestmark = pytest.mark.anyio


async def sign_in(session: AppSession) -> None:
    await session.auth.request_code(PHONE)
    await session.auth.verify_code(PHONE, CODE)


async def test_new_install_is_signed_out_in_kazakh(session: AppSession) -> None:
    assert not session.auth.signed_in
    assert session.translator.language == "kk"
    assert [m.name for m in session.app.resolve("/")] == ["sign_in"]


async def test_signed_in_resident_starts_home_without_network(
    session: AppSession, make_session: Callable[[], AppSession], backend: FakeBackend
) -> None:
    await sign_in(session)
    backend.offline = True
    before = len(backend.requests)
    again = make_session()
    assert again.auth.signed_in
    assert [m.name for m in again.app.resolve("/")] == ["home"]
    assert again.cabinet.phone == "+7 701 123 45 67"
    assert len(backend.requests) == before  # no network call to show home


async def test_language_is_remembered(
    session: AppSession, make_session: Callable[[], AppSession]
) -> None:
    await session.language.choose("ru")
    assert make_session().translator.language == "ru"


async def test_requests_carry_the_current_language(
    session: AppSession, backend: FakeBackend
) -> None:
    await session.auth.request_code(PHONE)
    await session.language.choose("ru")
    await session.auth.request_code(PHONE)
    assert [r.headers["Accept-Language"] for r in backend.requests] == ["kk", "ru"]


async def test_sign_out_revokes_and_forgets(
    session: AppSession, make_session: Callable[[], AppSession], backend: FakeBackend
) -> None:
    await sign_in(session)
    await session.language.choose("ru")
    heard: list[bool] = []
    session.app.subscribe(lambda: heard.append(session.app.signed_in))
    await session.cabinet.sign_out()
    logout = backend.calls("/api/v1/auth/logout")
    assert len(logout) == 1
    assert logout[0].headers["Authorization"] == "Bearer access-secret-1"
    assert not session.auth.signed_in
    assert heard and heard[-1] is False
    assert session.navigation.history[-1] == "/"
    with session.db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM auth_session")).scalar() == 0
    again = make_session()
    assert not again.auth.signed_in
    assert again.translator.language == "ru"  # a device setting, not the resident's data


async def test_sign_out_offline_still_forgets_locally(
    session: AppSession, make_session: Callable[[], AppSession], backend: FakeBackend
) -> None:
    await sign_in(session)
    backend.offline = True
    await session.cabinet.sign_out()
    assert not session.auth.signed_in
    assert not make_session().auth.signed_in


async def test_refreshed_tokens_are_persisted(
    session: AppSession, make_session: Callable[[], AppSession], backend: FakeBackend
) -> None:
    await sign_in(session)
    session.api.tokens.set("expired", "refresh-secret-1")

    def me(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") == "Bearer access-secret-2":
            return httpx.Response(200, json={})
        return error(401, "not_authenticated")

    backend.routes[("GET", "/api/v1/me")] = me
    await session.api.get_json("/api/v1/me")
    again = make_session()
    assert again.api.tokens.access_token == "access-secret-2"
    assert again.api.tokens.refresh_token == "refresh-secret-2"


async def test_rejected_refresh_signs_out_and_the_shell_hears(
    session: AppSession, make_session: Callable[[], AppSession], backend: FakeBackend
) -> None:
    await sign_in(session)
    session.api.tokens.set("expired", "revoked")
    heard: list[bool] = []
    session.app.subscribe(lambda: heard.append(session.app.signed_in))
    backend.routes[("GET", "/api/v1/me")] = lambda r: error(401, "not_authenticated")
    with pytest.raises(ApiError):
        await session.api.get_json("/api/v1/me")
    assert heard == [False]
    assert [m.name for m in session.app.resolve("/cabinet")] == ["sign_in"]
    assert not make_session().auth.signed_in


async def test_close_is_idempotent(session: AppSession) -> None:
    await session.close()
    await session.close()


async def test_closing_the_page_cancels_the_new_appeal_forms_background_work(
    session: AppSession,
) -> None:
    """A refresh still on its way when the page closes is cancelled before the API client
    closes: it never sends on a closed client (it did, now and then, as an error after close)."""
    started = asyncio.Event()

    async def slow_refresh() -> None:
        started.set()
        await asyncio.sleep(3600)

    task = session.new_appeal.spawn(slow_refresh())
    await started.wait()
    await session.close()
    assert task.cancelled()
