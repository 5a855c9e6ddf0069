"""Nothing the resident queued is deleted by an authentication failure — over real sockets.

The real backend (uvicorn on a loopback port) sits behind `FaultProxy`, the app's whole page
session (`build_session`) talks to the proxy with its ordinary HTTP client. The queued appeal is
an emergency one, forwarded to 103 (ambulance): the worst thing to lose.

- A refresh answer lost after the server rotated the tokens: a network error; then the old
  refresh token is refused (or, within the server's grace window, still works). Either way the
  queue survives, the resident signs in again with the same phone if asked, and the appeal and
  its forward reach the server exactly once.
- A captive portal answering the refresh call (HTML 200, 302, 401/403 pages, a 200 that is not
  JSON, 400/5xx): no network, the session and everything local kept.
- Another account signing in on a phone that keeps an ended session's data: nothing of it is
  sent under that account; it is deleted only when the resident says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

import app
from app.composition import AppSession, build_session
from app.config import AppConfig
from app.data.repositories.appeal_queries import AppealQueries
from app.domain.appeals import NewAppeal, Position
from app.domain.phone import format_phone
from app.errors import ApiError, NetworkError
from backend_stub.config import Settings
from backend_stub.main import create_app
from tests.app.support.sync_harness import first_subclass
from tests.faultproxy import PORTAL_PAGE, FaultProxy, raw_response
from tests.live import live_app

pytestmark = pytest.mark.anyio

REFRESH = "/api/v1/auth/refresh"
APPEALS = "/api/v1/appeals"
PHONE = "+77011230001"
OTHER_PHONE = "+77011230002"


@dataclass
class World:
    backend_url: str
    proxy: FaultProxy
    data_dir: Path
    grace_s: int | None  # the server's grace window for a refresh token sent again


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """The backend and the proxy; parametrize indirectly with a grace window (None: the
    server's default) to choose what a spent refresh token sent again gets."""
    grace: int | None = getattr(request, "param", None)
    extra: dict[str, Any] = {} if grace is None else {"refresh_reuse_grace_s": grace}
    settings = Settings(
        data_dir=tmp_path / "server",
        database_url="",
        otp_resend_cooldown_s=0,  # the resident asks for a second code within a minute
        emergency_worker_interval_s=0,  # the forward is recorded; nobody calls the simulator
        _env_file=None,
        **extra,
    )
    with live_app(create_app(settings)) as url, FaultProxy(url) as proxy:
        yield World(url, proxy, tmp_path / "app", grace)


async def settle() -> None:
    """Let what signing in started in the background (alerts, notices, profile) finish, so
    that the request under test is the only one refreshing the tokens."""
    app_dir = str(Path(app.__file__).parent)
    others = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        if code is None or not code.co_filename.startswith(app_dir):
            continue  # the test runner's own tasks
        if code.co_name != "_run_timer":  # the code step's countdown
            others.append(task)
    if others:
        await asyncio.wait(others, timeout=20)


@pytest.fixture
async def session(world: World) -> AsyncIterator[AppSession]:
    s = build_session(AppConfig(api_url=world.proxy.url, data_dir=world.data_dir))
    yield s
    await s.close()
    s.db.close()


async def sms_code(world: World, phone: str) -> str:
    async with httpx.AsyncClient(base_url=world.backend_url, timeout=10) as http:
        r = await http.get("/dev/sms", params={"phone": phone})
        return str(r.json()["messages"][-1]["code"])


async def sign_in(session: AppSession, world: World, phone: str = PHONE) -> None:
    await session.auth.request_code(phone)
    await session.auth.verify_code(phone, await sms_code(world, phone))
    await settle()


async def sign_in_again_on_screen(session: AppSession, world: World) -> None:
    """What the resident does on the sign-in screen: the phone is there; get a code, type it."""
    vm = session.sign_in
    await vm.submit_phone()
    assert vm.step == "code"
    await vm.enter_code(await sms_code(world, vm.phone or ""))
    await settle()


async def sent_by_the_engine(session: AppSession) -> None:
    """The engine's own loop, started as the app starts it, sends what waits (signing in
    again asked it to retry at once what waited on backoff)."""
    await session.sync.start()
    try:
        for _ in range(200):
            if not session.appeals.outbox.entries():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"still waiting: {session.appeals.outbox.entries()}")
    finally:
        await session.sync.stop()


def emergency_103() -> NewAppeal:
    return NewAppeal(
        text="Көршіміз есінен танып қалды, жедел жәрдем керек",
        subclass_code=first_subclass(),
        position=Position(51.1282, 71.4307, 12.0),
        address="Мәңгілік Ел даңғылы, 8",
        language="kk",
        emergency=True,
        emergency_service="103",
    )


def access_expired(session: AppSession) -> None:
    """The access token ran out (the refresh token is still the one the server issued)."""
    session.api.tokens.set("expired-access-token", session.api.tokens.refresh_token)


def local_rows(session: AppSession) -> dict[str, int]:
    with session.db.engine.connect() as conn:
        return {
            table: int(conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar() or 0)
            for table in ("appeal", "outbox", "auth_session", "appeal_forward")
        }


def waiting_kinds(session: AppSession) -> list[str]:
    return sorted(e.kind for e in session.appeals.outbox.entries())


async def server_appeals(session: AppSession) -> list[dict[str, Any]]:
    """What the server holds for the signed-in resident (asked with the app's own session)."""
    page = await session.api.get_json(APPEALS)
    return list(page["items"])


async def forwards_of(session: AppSession, appeal_id: int) -> list[dict[str, Any]]:
    return list(await session.api.get_json(f"{APPEALS}/{appeal_id}/forwards"))


# -- a refresh answer lost after the server committed it --------------------------------------


@pytest.mark.parametrize(
    "world", [None, 0], ids=["server-grace-window", "no-grace-window"], indirect=True
)
async def test_a_lost_refresh_answer_never_loses_the_queued_emergency_appeal(
    session: AppSession, world: World
) -> None:
    await sign_in(session, world)
    client_id = await session.appeals.file(emergency_103())
    assert waiting_kinds(session) == ["create_appeal", "forward"]
    keys_before = sorted(e.idempotency_key for e in session.appeals.outbox.entries())
    access_expired(session)
    old_refresh = session.api.tokens.refresh_token

    # The appeal gets 401; the refresh succeeds on the server but its answer is lost.
    world.proxy.drop_answer("POST", REFRESH)
    await session.sync.sync_now()
    assert world.proxy.count("POST", REFRESH, "answer dropped") == 1
    assert session.sync.status.online is False  # a network error, retried with backoff
    assert session.auth.signed_in
    assert session.api.tokens.refresh_token == old_refresh
    assert waiting_kinds(session) == ["create_appeal", "forward"]

    # The next pass refreshes with the old token again: within a grace window the server gives
    # the pair it had rotated to; without (or after) one, it refuses and the session ends.
    await session.sync.sync_now(manual=True)
    assert world.proxy.count("POST", REFRESH, "passed") == 1
    if world.grace_s == 0:
        assert not session.auth.signed_in
    if not session.auth.signed_in:
        # Refused (no grace window, or after it): the session ended; nothing was deleted.
        assert waiting_kinds(session) == ["create_appeal", "forward"]
        assert local_rows(session) == {
            "appeal": 1,
            "outbox": 2,
            "auth_session": 1,
            "appeal_forward": 1,
        }
        ended = session.auth.ended
        assert ended is not None and ended.phone == PHONE
        # "Sign in again to send 2 waiting items", with the same phone filled in.
        vm = session.sign_in
        assert vm.phone_text == format_phone(PHONE)
        await vm.load_waiting()
        notice = vm.ended_notice
        assert notice is not None
        texts = [session.translator.render(m) for m in notice]
        assert texts[2] == "Жіберуді күтуде: 2"
        assert format_phone(PHONE) in (texts[1] or "")
        await session.language.choose("ru")
        assert session.translator.render(notice[2]) == "Ожидает отправки: 2"
        assert session.translator.render(notice[0]) == "Ваш сеанс завершён"
        await sign_in_again_on_screen(session, world)
        assert session.auth.signed_in and session.auth.ended is None
        await sent_by_the_engine(session)

    # Sent once, with the keys it was queued with; forwarded to 103 once.
    assert session.appeals.outbox.entries() == []
    sent = [e.idempotency_key for e in session.appeals.outbox.entries(include_done=True)]
    assert sorted(sent) == keys_before
    appeals = await server_appeals(session)
    assert [(a["client_id"], a["emergency"]) for a in appeals] == [(client_id, True)]
    assert [f["service"] for f in await forwards_of(session, appeals[0]["id"])] == ["103"]
    detail = await AppealQueries(session.db).detail(client_id)
    assert detail is not None and detail.item.server_id == appeals[0]["id"]


async def test_a_session_the_server_ended_keeps_everything_and_resumes_after_sign_in(
    session: AppSession, world: World, tmp_path: Path
) -> None:
    """The server ended the session (signed out elsewhere, a revoked token family): the refresh
    is a well-formed 401 `invalid_token`. Queued items, local rows and the phone stay — also
    across an app restart — and go after the same resident signs in again."""
    await sign_in(session, world)
    heard: list[bool] = []
    session.app.subscribe(lambda: heard.append(session.app.signed_in))
    client_id = await session.appeals.file(emergency_103())
    async with httpx.AsyncClient(base_url=world.backend_url) as http:  # ended on the server
        headers = {"Authorization": f"Bearer {session.api.tokens.access_token}"}
        assert (await http.post("/api/v1/auth/logout", headers=headers)).status_code == 204

    await session.sync.sync_now()
    assert world.proxy.count("POST", REFRESH, "passed") == 1
    assert heard == [False]  # the shell shows sign-in
    assert not session.auth.signed_in
    assert waiting_kinds(session) == ["create_appeal", "forward"]
    assert session.auth.ended is not None and session.auth.ended.phone == PHONE
    assert [m.name for m in session.app.resolve("/cabinet")] == ["sign_in"]
    assert session.sign_in.phone_text == format_phone(PHONE)

    # The app is killed and opened again: still the ended session with its queue.
    await session.close()
    again = build_session(AppConfig(api_url=world.proxy.url, data_dir=world.data_dir))
    try:
        assert not again.auth.signed_in
        assert again.auth.ended is not None and again.auth.ended.phone == PHONE
        assert again.sign_in.phone_text == format_phone(PHONE)
        await again.sign_in.load_waiting()
        assert again.sign_in.waiting == 2
        await sign_in_again_on_screen(again, world)
        assert again.auth.signed_in
        await sent_by_the_engine(again)
        appeals = await server_appeals(again)
        assert [a["client_id"] for a in appeals] == [client_id]
        assert [f["service"] for f in await forwards_of(again, appeals[0]["id"])] == ["103"]
        assert again.appeals.outbox.entries() == []
    finally:
        await again.close()


# -- a captive portal answers the refresh call -------------------------------------------------

PORTAL_ANSWERS = {
    "html-200": raw_response(200, PORTAL_PAGE),
    "redirect-302": raw_response(302, PORTAL_PAGE, headers={"Location": "http://10.0.0.1/login"}),
    "html-401": raw_response(401, PORTAL_PAGE),
    "html-403": raw_response(403, PORTAL_PAGE),
    "json-401-not-ours": raw_response(
        401, '{"message": "Unauthorized"}', content_type="application/json"
    ),
    "text-200": raw_response(200, "OK", content_type="text/plain"),
    "json-400": raw_response(
        400, '{"error": {"code": "bad_request"}}', content_type="application/json"
    ),
    "html-511": raw_response(511, PORTAL_PAGE),
    "html-502": raw_response(502, PORTAL_PAGE),
}


@pytest.mark.parametrize("portal", list(PORTAL_ANSWERS))
async def test_a_captive_portal_answering_the_refresh_is_no_network(
    session: AppSession, world: World, portal: str
) -> None:
    await sign_in(session, world)
    client_id = await session.appeals.file(emergency_103())
    access_expired(session)
    tokens = (session.api.tokens.access_token, session.api.tokens.refresh_token)
    before = local_rows(session)

    world.proxy.answer("POST", REFRESH, PORTAL_ANSWERS[portal])
    with pytest.raises(NetworkError):
        await session.api.get_json(APPEALS)
    assert world.proxy.count("POST", REFRESH, "answered by the proxy") == 1
    assert session.auth.signed_in and session.auth.ended is None
    assert (session.api.tokens.access_token, session.api.tokens.refresh_token) == tokens
    assert local_rows(session) == before

    # The sync engine sees the same as no network, and keeps the queue.
    world.proxy.answer("POST", REFRESH, PORTAL_ANSWERS[portal])
    await session.sync.sync_now()
    assert session.sync.status.online is False
    assert session.auth.signed_in
    assert waiting_kinds(session) == ["create_appeal", "forward"]

    # Out of the portal's network: the same refresh token works, the appeal goes once.
    await session.sync.sync_now(manual=True)
    assert session.appeals.outbox.entries() == []
    assert [a["client_id"] for a in await server_appeals(session)] == [client_id]


async def test_a_captive_portal_page_instead_of_any_api_answer_is_no_network(
    session: AppSession, world: World
) -> None:
    await sign_in(session, world)
    world.proxy.answer("GET", APPEALS, raw_response(200, PORTAL_PAGE))
    with pytest.raises(NetworkError):
        await session.api.get_json(APPEALS)
    world.proxy.answer("GET", APPEALS, raw_response(302, "", headers={"Location": "/login"}))
    with pytest.raises(NetworkError):
        await session.api.get_json(APPEALS)
    assert session.auth.signed_in


# -- another account on a phone that keeps an ended session's data -----------------------------


async def end_session_with_a_queued_appeal(session: AppSession, world: World) -> str:
    await sign_in(session, world)
    client_id = await session.appeals.file(emergency_103())
    world.proxy.answer("POST", APPEALS, raw_response(503, PORTAL_PAGE))  # not sent yet
    await session.sync.sync_now()
    async with httpx.AsyncClient(base_url=world.backend_url) as http:
        headers = {"Authorization": f"Bearer {session.api.tokens.access_token}"}
        await http.post("/api/v1/auth/logout", headers=headers)
    await session.sync.sync_now(manual=True)
    assert session.auth.ended is not None
    return client_id


async def test_another_account_never_sends_nor_sees_the_kept_data_unless_it_is_deleted(
    session: AppSession, world: World
) -> None:
    await end_session_with_a_queued_appeal(session, world)
    posted = world.proxy.count("POST", APPEALS)
    vm = session.sign_in
    vm.set_phone(format_phone(OTHER_PHONE))
    await vm.submit_phone()
    await vm.enter_code(await sms_code(world, OTHER_PHONE))

    # The code was right, but the phone keeps the first resident's data: asked, not signed in.
    assert vm.step == "replace"
    assert not session.auth.signed_in
    notice = vm.replace_notice
    assert notice is not None
    assert session.translator.render(notice[0]) == (
        f"Бұл телефонда {format_phone(PHONE)} нөмірінің деректері сақталған."
    )
    assert session.translator.render(notice[2]) == "Жіберуді күтуде: 2"
    assert waiting_kinds(session) == ["create_appeal", "forward"]

    # "Back": the new sign-in is undone on the server; the first resident's data stays.
    await vm.keep_kept()
    assert vm.step == "phone" and vm.phone_text == format_phone(PHONE)
    assert session.auth.ended is not None and session.auth.ended.phone == PHONE
    assert waiting_kinds(session) == ["create_appeal", "forward"]
    assert world.proxy.count("POST", "/api/v1/auth/logout") == 1

    # Again, and this time the resident deletes that data: signed in as the other account,
    # which never receives the first resident's appeal.
    vm.set_phone(format_phone(OTHER_PHONE))
    await vm.submit_phone()
    await vm.enter_code(await sms_code(world, OTHER_PHONE))
    assert vm.step == "replace"
    await vm.replace_kept()
    assert session.auth.signed_in and session.auth.session is not None
    assert session.auth.session.phone == OTHER_PHONE
    assert local_rows(session) == {
        "appeal": 0,
        "outbox": 0,
        "auth_session": 1,
        "appeal_forward": 0,
    }
    await session.sync.sync_now()
    assert await server_appeals(session) == []
    assert world.proxy.count("POST", APPEALS) == posted  # nothing of theirs was sent


async def test_the_same_resident_signing_in_again_is_not_asked(
    session: AppSession, world: World
) -> None:
    client_id = await end_session_with_a_queued_appeal(session, world)
    await sign_in_again_on_screen(session, world)
    assert session.auth.signed_in
    await sent_by_the_engine(session)
    assert [a["client_id"] for a in await server_appeals(session)] == [client_id]


async def test_sign_out_in_the_cabinet_still_deletes_everything(
    session: AppSession, world: World
) -> None:
    """Only the resident's own choice deletes: the cabinet's sign-out does."""
    await end_session_with_a_queued_appeal(session, world)
    await session.auth.sign_out()
    assert session.auth.ended is None
    assert local_rows(session) == {"appeal": 0, "outbox": 0, "auth_session": 0, "appeal_forward": 0}
    assert session.sign_in.phone_text == ""


async def test_a_refused_refresh_from_our_api_is_not_confused_with_a_network_error(
    session: AppSession, world: World
) -> None:
    await sign_in(session, world)
    session.api.tokens.set("expired-access-token", "a-refresh-token-the-server-never-issued")
    with pytest.raises(ApiError) as info:
        await session.api.get_json(APPEALS)
    assert info.value.status == 401
    assert session.auth.ended is not None
