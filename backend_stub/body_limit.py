"""A cap on request bodies that are not file uploads (JSON, forms, anything else).

The API's own bodies are small (an appeal is at most 4,000 characters; an alert with 20 polygons
of 500 points stays well under a megabyte), so a larger one is refused with 413
`body_too_large` in the caller's language before it is read into memory and parsed: by its
Content-Length up front, or, when it streams in without one, the moment it passes the cap.

Photo and video uploads (multipart/form-data, and tus chunks) are left to their routes, which
cut them off at the media caps of `Settings` as they stream to disk.
"""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend_stub.errors import error_body, request_language

MAX_BODY_BYTES = 1024 * 1024
UPLOAD_TYPES = ("multipart/form-data", "application/offset+octet-stream")


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in UPLOAD_TYPES:
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
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
                if received > self.max_bytes:
                    raise HTTPException(413)  # answered as `body_too_large` by errors.py
            return message

        await self.app(scope, counted, send)
