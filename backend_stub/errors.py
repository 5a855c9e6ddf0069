"""One error shape for the whole API: {"error": {"code", "message", "details"}} in kk or ru."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend_stub.messages import message, pick_language

log = logging.getLogger("city109.errors")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.details = details or {}
        self.headers = headers
        self.params = params


def request_language(request: Request) -> str:
    return pick_language(request.headers.get("accept-language"))


def error_body(code: str, lang: str, details: dict[str, Any] | None = None, **params: Any) -> dict:
    return {"error": {"code": code, "message": message(code, lang, **params), "details": details}}


def _response(request: Request, status: int, code: str, **kw: Any) -> JSONResponse:
    headers = kw.pop("headers", None)
    details = kw.pop("details", None)
    body = error_body(code, request_language(request), details, **kw)
    return JSONResponse(body, status_code=status, headers=headers)


BUSY_RETRY_AFTER_S = 2

_STATUS_CODES = {
    400: "validation_error",  # a body that cannot be parsed at all
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    413: "body_too_large",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        params = {**exc.params, **exc.details}
        return _response(
            request, exc.status, exc.code, details=exc.details, headers=exc.headers, **params
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"loc": [str(p) for p in err.get("loc", ())], "type": err.get("type", "")}
            for err in exc.errors()
        ]
        return _response(request, 422, "validation_error", details={"fields": fields})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "internal_error")
        if exc.status_code == 405:
            return _response(request, 405, "method_not_allowed", headers=exc.headers)
        return _response(request, exc.status_code, code, headers=exc.headers)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _database_value(request: Request, exc: Exception) -> JSONResponse:
        if refused_value(exc):
            fields = [{"loc": ["request"], "type": "value_not_storable"}]
            return _response(request, 422, "validation_error", details={"fields": fields})
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _response(request, 500, "internal_error")

    @app.exception_handler(PoolTimeout)
    @app.exception_handler(OperationalError)
    async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
        """No connection within the pool's timeout, or SQLite's write lock not had in time:
        overload, which a client retries after a pause — never a 500."""
        if isinstance(exc, OperationalError) and "database is locked" not in str(exc.orig):
            log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
            return _response(request, 500, "internal_error")
        log.warning("database busy on %s %s", request.method, request.url.path)
        retry = str(BUSY_RETRY_AFTER_S)
        return _response(request, 503, "server_busy", headers={"Retry-After": retry})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _response(request, 500, "internal_error")


def refused_value(exc: Exception) -> bool:
    """The database refused a value that came with the request, not a fault of the server:
    a number its integers cannot hold (an id like 10**30: SQLite refuses to bind it,
    PostgreSQL answers SQLSTATE 22003), or a NUL character, which PostgreSQL text cannot hold."""
    if isinstance(exc, OverflowError):
        return "too large to convert" in str(exc)
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) == "22003" or "cannot contain NUL" in str(orig)
