"""The OpenAPI document tells the truth about errors.

Every operation may answer a 4xx in the one error shape of `errors.py` ({"error": {"code",
"message", "details"}}, the message in kk or ru): 401 without a token, 403, 404, 409, 413, 422,
429 and so on. FastAPI documents only 422, and with its own `{"detail": [...]}` shape, which
this API never sends. So the schema is patched once: each documented 4xx, plus a "4XX" range
for the rest, points at the `ApiError` schema. Open311 routes keep their own error shape
(`[{"code", "description"}]`), used for their range as well.

Beyond that range, each operation names the refusals a request its schema calls valid may still
get, read off the route itself: 401 when it needs a signed-in caller or a key header, 403 when
an operator, 404 when a path names an item (and 409 when the request changes it: its state may
not allow that), 409 for an `Idempotency-Key` still being handled, 412 and 413 for a tus upload,
413 and 415 for a file upload, 422 for a business rule on its input (the error code says which).
A route adds what no rule sees with `responses=refused({...})` (the OTP routes: 400, 429). Any
other status for valid input is a bug (tests/security/test_schemathesis.py holds it to that).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from backend_stub.deps import current_operator, current_staff, current_user

ERROR_SCHEMA: dict[str, Any] = {
    "title": "ApiError",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["not_found"]},
                "message": {"type": "string", "description": "in kk or ru (Accept-Language)"},
                "details": {"anyOf": [{"type": "object"}, {"type": "null"}]},
            },
        }
    },
}
OPEN311_ERROR_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
_REF = {"$ref": "#/components/schemas/ApiError"}
_OPEN311_REF = {"$ref": "#/components/schemas/Open311ErrorList"}


def refused(why: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route's refusals the rules of `refusals` cannot see: status → why."""
    return {status: {"description": text} for status, text in why.items()}


SENDS_CODE = refused({429: "too soon, too many codes, or the phone is locked (Retry-After)"})
CHECKS_CODE = refused({400: "a wrong or expired code", 429: "the phone is locked (Retry-After)"})


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def refusals(route: APIRoute | None, method: str, operation: dict[str, Any]) -> dict[str, str]:
    """The statuses a schema-valid request may still get from this operation, and why."""
    found: dict[str, str] = {}
    calls = _calls(route.dependant) if route is not None else set()
    staff_only = bool(calls & {current_operator, current_staff})
    if current_user in calls or staff_only:
        found["401"] = "not signed in, or the session has ended"
    if staff_only:
        found["403"] = "signed in, but not as staff whose job allows this"
    params = {p.get("name", "").lower(): p.get("in") for p in operation.get("parameters", [])}
    if "path" in params.values():
        found["404"] = "no such item, or not the caller's"
        if method != "get":
            found["409"] = "the item's current state does not allow this"
    if any(n.endswith(("-secret", "-key")) and n != "idempotency-key" for n in params):
        found["401"] = "a missing or wrong key"
    if "idempotency-key" in params:
        found["409"] = "the first request with this Idempotency-Key is still being handled"
    if "tus-resumable" in params:
        found["412"] = "a tus version this server does not speak"
        found["413"] = "the upload is too large"
    if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
        found["413"] = "the file is too large"
        found["415"] = "not a photo or video type this server takes"
    if params or "requestBody" in operation:
        found["422"] = "invalid input, or a business rule on it (see the error code)"
    return found


def _errors_of(path: str, method: str, operation: dict[str, Any], route: APIRoute | None) -> None:
    ref = _OPEN311_REF if path.startswith("/open311/") else _REF
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, why in refusals(route, method, operation).items():
        responses.setdefault(status, {"description": why})
    for status, response in list(responses.items()):
        if status.startswith("4"):
            response["content"] = {"application/json": {"schema": ref}}
            if status == "422":
                response["description"] = "invalid input"
    responses.setdefault(
        "4XX",
        {
            "description": "refused (see the error code)",
            "content": {"application/json": {"schema": ref}},
        },
    )


def _api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """Every API route with its full path, through included routers."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # a FastAPI that copies included routes into app.routes
        for route in app.routes:
            if isinstance(route, APIRoute):
                yield route.path_format, route
        return
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path_format:
            yield context.path_format, route


def document_errors(app: FastAPI) -> None:
    """Wrap `app.openapi` so that the document it builds (once) has every operation's errors."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["ApiError"] = ERROR_SCHEMA
            schemas["Open311ErrorList"] = OPEN311_ERROR_SCHEMA
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            routes = {
                (path, method.lower()): route
                for path, route in _api_routes(app)
                for method in route.methods or ()
            }
            for path, item in schema.get("paths", {}).items():
                for method, operation in item.items():
                    if isinstance(operation, dict) and "responses" in operation:
                        _errors_of(path, method, operation, routes.get((path, method)))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
