"""The server probe: only the 109 server's health answer passes; what else answers is not our
server, and no answer is a network failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.data.services.server_probe import NotOurServer, ServerProbe
from app.errors import NetworkError
from tests.app.support.sync_harness import Server

pytestmark = pytest.mark.anyio


def answering(respond: Callable[[httpx.Request], httpx.Response]) -> ServerProbe:
    return ServerProbe(httpx.MockTransport(respond))


async def test_the_real_backend_passes(tmp_path: Path) -> None:
    await ServerProbe(Server(tmp_path / "server").asgi).check("http://backend.test")


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, json={"detail": "Not Found"}),  # another web service
        httpx.Response(200, json={"status": "ok"}),  # someone's health check, not ours
        httpx.Response(200, text="ok"),
        httpx.Response(302, headers={"Location": "http://portal.test/login"}),  # a Wi-Fi portal
        httpx.Response(503, json={"status": "ok", "env": "prod"}),
    ],
)
async def test_other_answers_are_not_our_server(response: httpx.Response) -> None:
    with pytest.raises(NotOurServer):
        await answering(lambda request: response).check("https://api.example.kz")


async def test_no_answer_is_a_network_failure() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(NetworkError):
        await answering(down).check("https://api.example.kz")


async def test_it_asks_the_health_path_and_sends_no_token() -> None:
    seen: list[httpx.Request] = []

    def health(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "ok", "env": "dev"})

    await answering(health).check("https://city.kz/109")
    assert [str(r.url) for r in seen] == ["https://city.kz/109/health"]
    assert "authorization" not in seen[0].headers
