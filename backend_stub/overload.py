"""A cap on the requests one server process works on at once: past it, the next request is
answered at once with 503 `server_busy` and `Retry-After`, in the caller's language.

Without it, a process takes every connection it is offered and queues the requests behind its
40 worker threads: at many times what it can do, every answer comes seconds late (before this
guard, `python -m bench` with 512 connections filing appeals on one process: p99 4.8 s, and
about a fifth of the connections had no answer at all within the 5 s run), and work goes on
for clients that have long given up. With the cap the queue stays short, the
requests it holds are answered in time, and the rest know when to come back (the app's sync
engine retries after `Retry-After`).

Not counted: the push stream (`/api/v1/events`, open for hours but idle), uploads streaming
bytes to disk (`body_limit.is_upload`: long on a slow uplink, cheap for the server), and
`GET /health`, which a load balancer must still get answered when the process is busy.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from backend_stub.body_limit import is_upload
from backend_stub.errors import BUSY_RETRY_AFTER_S, error_body, request_language

UNCOUNTED_PATHS = ("/api/v1/events", "/health")


class OverloadGuard:
    """At most `limit` counted requests in the works at once (0: no cap). One event loop runs
    every request of a process, so the count needs no lock."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or _uncounted(scope):
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            body = error_body("server_busy", request_language(Request(scope)))
            headers = {"Retry-After": str(BUSY_RETRY_AFTER_S)}
            await JSONResponse(body, status_code=503, headers=headers)(scope, receive, send)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


def _uncounted(scope: Scope) -> bool:
    path = scope["path"]
    return path in UNCOUNTED_PATHS or is_upload(scope["method"], path)
