"""HTTP client of the 109 backend: base URL, timeouts, `Accept-Language`, bearer token, one
automatic refresh on 401, and every failure mapped to `ApiError` or `NetworkError`.

The refresh call decides whether the resident's session is over, so it trusts only our API's
own refusal: a 401 whose JSON body is our error shape with `invalid_token` ends the session
(`TokenHolder.lost`: the app keeps every local row and asks to sign in again). Anything else —
a lost answer, HTML from a captive portal or proxy, a 400/403/5xx, a redirect, a 200 that is not
a token pair — is treated as no network: the tokens are kept and the caller retries later (the
server may even have rotated the tokens and lost its answer; with a grace window the same
refresh token still works then).

Never logs headers or bodies (they carry tokens, codes and personal data): only method, path
and status.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx

from app.data.services.tokens import TokenHolder, TokenReply
from app.errors import ApiError, NetworkError

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# A kept-alive connection idle longer than this is not used again. It must be well below the
# servers' own idle timeout (uvicorn's 5 s; proxies keep longer): at httpx's default of 5 s, a
# request sent on a connection idle ~5 s met the server closing it and failed as "Server
# disconnected" (RemoteProtocolError, a photo left unloaded) — more often on a busy machine.
KEEPALIVE_EXPIRY_S = 2.0
USER_AGENT = "city109-app/0.1"


SESSION_ENDED_CODES = frozenset({"invalid_token"})


def ends_session(response: httpx.Response) -> bool:
    """Our API's own word that the refresh token is no good: 401, JSON, `invalid_token`."""
    if response.status_code != 401:
        return False
    if "json" not in response.headers.get("content-type", "").lower():
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and error.get("code") in SESSION_ENDED_CODES


def not_our_api(response: httpx.Response) -> bool:
    """A success that our API never sends: a redirect (other than 304) or an HTML page."""
    if response.is_redirect and response.status_code != 304:
        return True
    return response.headers.get("content-type", "").lower().startswith("text/html")


def token_reply_of(response: httpx.Response) -> TokenReply | None:
    """The new token pair of a refresh answer, or None when it is not one."""
    if response.status_code != 200:
        return None
    try:
        data = response.json()
        return TokenReply.from_json(data) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


def _retry_after(response: httpx.Response, details: dict[str, Any]) -> int | None:
    header = response.headers.get("Retry-After")
    for value in (header, details.get("retry_after")):
        if value is None:
            continue
        try:
            return max(0, int(float(value)))
        except (TypeError, ValueError):
            continue
    return None


def error_from_response(response: httpx.Response) -> ApiError:
    """Map an error response (the backend's one error shape, or anything else) to `ApiError`."""
    code = f"http_{response.status_code}"
    message = response.reason_phrase or ""
    details: dict[str, Any] = {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        code = str(err.get("code") or code)
        message = str(err.get("message") or message)
        if isinstance(err.get("details"), dict):
            details = err["details"]
    return ApiError(response.status_code, code, message, _retry_after(response, details), details)


class ApiClient:
    """One per page session. `language` returns the current UI language for each request."""

    def __init__(
        self,
        base_url: str,
        *,
        language: Callable[[], str],
        tokens: TokenHolder,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._language = language
        self.tokens = tokens
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self._refresh_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._http.aclose()

    def absolute_url(self, path: str) -> str:
        """The backend URL of `path` (e.g. a media file for a player that fetches it itself)."""
        return str(self._http.base_url.join(path))

    def _headers(self, access_token: str | None) -> dict[str, str]:
        headers = {"Accept-Language": self._language()}
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        return headers

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        access_token: str | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        files: Any = None,
    ) -> httpx.Response:
        try:
            response = await self._http.request(
                method,
                path,
                json=json,
                params=params,
                headers={**self._headers(access_token), **(headers or {})},
                content=content,
                files=files,
            )
        except httpx.TransportError as exc:
            log.info("%s %s failed: %s", method, path, type(exc).__name__)
            raise NetworkError(type(exc).__name__) from exc
        log.debug("%s %s -> %d", method, path, response.status_code)
        return response

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        files: Any = None,
    ) -> httpx.Response:
        """Send; on 401 refresh the tokens once and retry; raise `ApiError` on any error.
        `headers` are added to the defaults (e.g. `If-None-Match`, `Idempotency-Key`);
        `content` is a raw body (tus chunks), `files` a multipart upload."""
        sent_token = self.tokens.access_token if auth else None
        response = await self._send(
            method,
            path,
            json=json,
            params=params,
            access_token=sent_token,
            headers=headers,
            content=content,
            files=files,
        )
        if (
            response.status_code == 401
            and auth
            and sent_token is not None
            and await self._refresh(sent_token)
        ):
            response = await self._send(
                method,
                path,
                json=json,
                params=params,
                access_token=self.tokens.access_token,
                headers=headers,
                content=content,
                files=files,
            )
        if response.is_error:
            raise error_from_response(response)
        if not_our_api(response):  # a captive portal's login page or redirect
            log.info("%s %s answered by something else than the API: no network", method, path)
            raise NetworkError(f"not_the_api_{response.status_code}")
        return response

    def stream(
        self, path: str, *, params: dict[str, Any] | None = None, read_timeout: float = 45.0
    ) -> AbstractAsyncContextManager[httpx.Response]:
        """A streamed GET with the current token (Server-Sent Events). Transport errors are
        httpx's own and the status is not checked: the caller handles both."""
        return self._http.stream(
            "GET",
            path,
            params=params,
            headers={**self._headers(self.tokens.access_token), "Accept": "text/event-stream"},
            timeout=httpx.Timeout(read_timeout, connect=5.0),
        )

    async def _refresh(self, rejected_token: str) -> bool:
        """Get new tokens with the refresh token; True if a retry makes sense."""
        async with self._refresh_lock:
            if self.tokens.access_token not in (None, rejected_token):
                return True  # another request refreshed while we waited
            refresh_token = self.tokens.refresh_token
            if not refresh_token:
                return False
            # A transport failure raises NetworkError here: the tokens stay as they are.
            response = await self._send(
                "POST", f"{API_PREFIX}/auth/refresh", json={"refresh_token": refresh_token}
            )
            if ends_session(response):
                log.info("refresh token refused by the server: the session has ended")
                await self.tokens.lost()
                return False
            reply = token_reply_of(response)
            if reply is None:
                log.info("refresh answered %d, not a token pair: no network", response.status_code)
                raise NetworkError(f"refresh_http_{response.status_code}")
            await self.tokens.refreshed(reply)
            return True

    async def get_json(
        self, path: str, *, params: dict[str, Any] | None = None, auth: bool = True
    ) -> Any:
        response = await self.request("GET", path, params=params, auth=auth)
        return response.json() if response.content else None

    async def post_json(self, path: str, body: Any = None, *, auth: bool = True) -> Any:
        response = await self.request("POST", path, json=body, auth=auth)
        return response.json() if response.content else None
