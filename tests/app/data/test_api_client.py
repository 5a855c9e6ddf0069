"""The API client: error mapping, headers, one automatic token refresh, network errors."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import httpx
import pytest
import uvicorn

from app.data.services.api_client import KEEPALIVE_EXPIRY_S, ApiClient
from app.data.services.tokens import TokenHolder, TokenReply
from app.errors import ApiError, NetworkError
from tests.app.conftest import error, token_reply

pytestmark = pytest.mark.anyio


Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, lang: str = "kk", tokens: TokenHolder | None = None) -> ApiClient:
    return ApiClient(
        "http://backend.test/",
        language=lambda: lang,
        tokens=tokens or TokenHolder(),
        transport=httpx.MockTransport(handler),
    )


async def test_error_shape_is_mapped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return error(400, "invalid_code", "Код қате. Қалған әрекеттер: 3.", attempts_left=3)

    with pytest.raises(ApiError) as info:
        await client(handler).post_json("/x", {}, auth=False)
    exc = info.value
    assert (exc.status, exc.code, exc.retry_after) == (400, "invalid_code", None)
    assert exc.message == "Код қате. Қалған әрекеттер: 3."
    assert exc.details == {"attempts_left": 3}


async def test_retry_after_header_is_read() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return error(429, "resend_cooldown", headers={"Retry-After": "42"}, retry_after=42)

    with pytest.raises(ApiError) as info:
        await client(handler).post_json("/x", {}, auth=False)
    assert (info.value.status, info.value.code, info.value.retry_after) == (
        429, "resend_cooldown", 42
    )  # fmt: skip


async def test_retry_after_from_details_when_header_missing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return error(429, "phone_locked", retry_after=3600)

    with pytest.raises(ApiError) as info:
        await client(handler).post_json("/x", {}, auth=False)
    assert info.value.retry_after == 3600


async def test_non_json_error_still_maps() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad gateway</html>")

    with pytest.raises(ApiError) as info:
        await client(handler).get_json("/x", auth=False)
    assert (info.value.status, info.value.code) == (502, "http_502")


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
async def test_transport_failures_are_network_errors(exc: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with pytest.raises(NetworkError):
        await client(handler).get_json("/health", auth=False)


async def test_accept_language_follows_the_current_language() -> None:
    seen: list[str] = []
    lang = ["kk"]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Accept-Language"])
        return httpx.Response(200, json={"status": "ok"})

    api = ApiClient("http://backend.test", language=lambda: lang[0], tokens=TokenHolder(),
                    transport=httpx.MockTransport(handler))  # fmt: skip
    await api.get_json("/health", auth=False)
    lang[0] = "ru"
    await api.get_json("/health", auth=False)
    assert seen == ["kk", "ru"]


async def test_bearer_only_when_auth() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization"))
        return httpx.Response(200, json={})

    tokens = TokenHolder()
    tokens.set("A1", "R1")
    api = client(handler, tokens=tokens)
    await api.get_json("/me")
    await api.get_json("/health", auth=False)
    assert seen == ["Bearer A1", None]


def refreshing_backend(
    valid_access: list[str], refresh_status: int = 200
) -> tuple[Handler, list[str]]:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/api/v1/auth/refresh":
            if refresh_status != 200:
                return error(refresh_status, "invalid_token")
            valid_access.append("access-secret-2")
            return httpx.Response(200, json=token_reply(2))
        if request.headers.get("Authorization") != f"Bearer {valid_access[-1]}":
            return error(401, "not_authenticated")
        return httpx.Response(200, json={"ok": True})

    return handler, calls


async def test_401_refreshes_once_and_retries() -> None:
    handler, calls = refreshing_backend(["fresh-token-nobody-has"])
    saved: list[TokenReply] = []
    tokens = TokenHolder()
    tokens.set("stale", "refresh-secret-1")

    async def on_refreshed(reply: TokenReply) -> None:
        saved.append(reply)

    tokens.on_refreshed = on_refreshed
    assert await client(handler, tokens=tokens).get_json("/api/v1/me") == {"ok": True}
    assert calls == ["/api/v1/me", "/api/v1/auth/refresh", "/api/v1/me"]
    assert tokens.access_token == "access-secret-2"
    assert tokens.refresh_token == "refresh-secret-2"
    assert [r.access_token for r in saved] == ["access-secret-2"]


async def test_rejected_refresh_loses_the_session_and_raises() -> None:
    handler, calls = refreshing_backend(["nobody"], refresh_status=401)
    lost: list[bool] = []
    tokens = TokenHolder()
    tokens.set("stale", "revoked")

    async def on_lost() -> None:
        lost.append(True)

    tokens.on_lost = on_lost
    with pytest.raises(ApiError) as info:
        await client(handler, tokens=tokens).get_json("/api/v1/me")
    assert info.value.status == 401
    assert calls == ["/api/v1/me", "/api/v1/auth/refresh"]
    assert lost == [True]
    assert tokens.access_token is None and tokens.refresh_token is None


async def test_still_401_after_refresh_does_not_loop() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/api/v1/auth/refresh":
            return httpx.Response(200, json=token_reply(2))
        return error(401, "not_authenticated")

    tokens = TokenHolder()
    tokens.set("stale", "refresh-secret-1")
    with pytest.raises(ApiError):
        await client(handler, tokens=tokens).get_json("/api/v1/me")
    assert calls == ["/api/v1/me", "/api/v1/auth/refresh", "/api/v1/me"]


async def test_concurrent_401s_share_one_refresh() -> None:
    valid = ["nobody"]
    handler, calls = refreshing_backend(valid)
    tokens = TokenHolder()
    tokens.set("stale", "refresh-secret-1")
    api = client(handler, tokens=tokens)
    results = await asyncio.gather(*(api.get_json("/api/v1/me") for _ in range(3)))
    assert results == [{"ok": True}] * 3
    assert calls.count("/api/v1/auth/refresh") == 1


async def test_without_refresh_token_401_is_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return error(401, "not_authenticated")

    tokens = TokenHolder()
    tokens.set("stale", None)
    with pytest.raises(ApiError) as info:
        await client(handler, tokens=tokens).get_json("/api/v1/me")
    assert info.value.code == "not_authenticated"


async def test_tokens_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    handler, _ = refreshing_backend(["nobody"])
    tokens = TokenHolder()
    tokens.set("stale-secret", "refresh-secret-1")
    await client(handler, tokens=tokens).get_json("/api/v1/me")
    assert "secret" not in caplog.text
    assert "secret" not in repr(tokens)
    assert "secret" not in repr(TokenReply.from_json(token_reply(3)))


async def test_a_connection_idle_past_the_expiry_is_not_used_again() -> None:
    """Kept alive between requests close together; idle past `KEEPALIVE_EXPIRY_S` (below the
    server's own idle timeout) a new connection is made, so a request never lands on one the
    server is closing. Counted on a real socket: the connections the server accepted."""
    accepted = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while await reader.readuntil(b"\r\n\r\n"):
                body = b"{}"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    api = ApiClient(f"http://127.0.0.1:{port}", language=lambda: "kk", tokens=TokenHolder())
    try:
        await api.get_json("/a", auth=False)
        await asyncio.sleep(0.1)
        await api.get_json("/b", auth=False)
        assert accepted == 1
        await asyncio.sleep(KEEPALIVE_EXPIRY_S + 0.3)
        await api.get_json("/c", auth=False)
        assert accepted == 2
    finally:
        await api.aclose()
        server.close()
    assert (
        uvicorn.Config("backend_stub.main:create_app").timeout_keep_alive / 2 >= KEEPALIVE_EXPIRY_S
    )
