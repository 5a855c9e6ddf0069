"""Whether a URL is a 109 server: `GET <url>/health` answers `{"status": "ok", "env": …}`.

Used by the developer screen before a tester's server URL is saved. Its own short-lived client
(the session's `ApiClient` is bound to the server in use); no token or personal data is sent.
"""

from __future__ import annotations

import logging

import httpx

from app.data.services.api_client import USER_AGENT
from app.errors import NetworkError

log = logging.getLogger(__name__)

HEALTH_PATH = "/health"
PROBE_TIMEOUT = httpx.Timeout(8.0, connect=5.0)


class NotOurServer(Exception):
    """Something answered at the URL, but not with the 109 server's health answer."""


class ServerProbe:
    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport

    async def check(self, base_url: str) -> None:
        """Returns when `base_url` is a 109 server that is up; `NetworkError` when nothing
        answered (offline, DNS, refused, TLS, timeout), `NotOurServer` otherwise."""
        try:
            async with httpx.AsyncClient(
                transport=self._transport, timeout=PROBE_TIMEOUT, follow_redirects=False
            ) as http:
                response = await http.get(
                    base_url + HEALTH_PATH,
                    headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                )
        except httpx.HTTPError as exc:
            log.info("server probe %s: %s", base_url, type(exc).__name__)
            raise NetworkError(type(exc).__name__) from exc
        if not is_health_answer(response):
            log.info("server probe %s: not a 109 server (%s)", base_url, response.status_code)
            raise NotOurServer(str(response.status_code))


def is_health_answer(response: httpx.Response) -> bool:
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("status") == "ok" and "env" in body
