"""A cap on request bodies, chosen by route: whatever `Content-Type` a request claims.

The API's own bodies are small (an appeal is at most 4,000 characters; an alert with 20 polygons
of 500 points stays well under a megabyte), so a larger one is refused with 413
`body_too_large` in the caller's language before it is read into memory and parsed: by its
Content-Length up front, or, when it streams in without one, the moment it passes the cap.

Only the upload routes (`UPLOAD_ROUTES`: a photo or video, a tus chunk, the console's photo) take
more: up to `upload_max_bytes`, a backstop behind their own cut-off at the media caps of
`Settings` as they stream to disk. A request does not pick its cap with its headers: a JSON
route sent `Content-Type: multipart/form-data` still stops reading at 1 MiB.
"""

from __future__ import annotations

import re

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend_stub.errors import error_body, request_language

MAX_BODY_BYTES = 1024 * 1024
UPLOAD_ROUTES = (  # (method, path) of the routes that stream files to disk
    ("POST", re.compile(r"/api/v1/media")),
    ("PATCH", re.compile(r"/api/v1/uploads/[^/]+")),
    ("POST", re.compile(r"/console/appeals/[^/]+/(?:messages|close)")),
)


def is_upload(method: str, path: str) -> bool:
    return any(method == m and pattern.fullmatch(path) for m, pattern in UPLOAD_ROUTES)


class BodyLimit:
    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, upload_max_bytes: int = MAX_BODY_BYTES
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.upload_max_bytes if is_upload(scope["method"], scope["path"]) else self.max_bytes
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            lang = request_language(Request(scope))
            response = JSONResponse(error_body("body_too_large", lang), status_code=413)
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise HTTPException(413)  # answered as `body_too_large` by errors.py
            return message

        await self.app(scope, counted, send)
