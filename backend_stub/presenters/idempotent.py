"""The answer of a retry-safe write: built once per (user, Idempotency-Key), replayed after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from backend_stub.crud.idempotency import run_once


def answer_once(
    db: Session,
    *,
    user_id: int,
    key: str | None,
    scope: str,
    payload: Any,
    answer: Callable[[], BaseModel],
    status: int = 201,
) -> JSONResponse:
    """`answer()` (the write and the model it answers) once per (user, key), through
    `crud.idempotency.run_once`, which commits; a retry gets the first answer as it was."""

    def effect() -> tuple[int, dict[str, Any]]:
        return status, answer().model_dump(mode="json")

    code, body = run_once(db, user_id=user_id, key=key, scope=scope, payload=payload, effect=effect)
    return JSONResponse(body, status_code=code)
