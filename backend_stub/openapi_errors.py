"""The OpenAPI document tells the truth about errors.

Every operation may answer a 4xx in the one error shape of `errors.py` ({"error": {"code",
"message", "details"}}, the message in kk or ru): 401 without a token, 403, 404, 409, 413, 422,
429 and so on. FastAPI documents only 422, and with its own `{"detail": [...]}` shape, which
this API never sends. So the schema is patched once: each documented 4xx, plus a "4XX" range
for the rest, points at the `ApiError` schema. Open311 routes keep their own error shape
(`[{"code", "description"}]`), used for their range as well.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

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


def _errors_of(path: str, operation: dict[str, Any]) -> None:
    ref = _OPEN311_REF if path.startswith("/open311/") else _REF
    responses: dict[str, Any] = operation.setdefault("responses", {})
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
            for path, item in schema.get("paths", {}).items():
                for operation in item.values():
                    if isinstance(operation, dict) and "responses" in operation:
                        _errors_of(path, operation)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
