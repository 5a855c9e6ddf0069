"""Idempotent writes: the stored answer to (user, key) is replayed on every retry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend_stub.errors import ApiError
from backend_stub.models import IdempotencyRecord


def fingerprint(scope: str, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()


_RECORD = select(IdempotencyRecord).where(
    IdempotencyRecord.user_id == bindparam("user_id"), IdempotencyRecord.key == bindparam("key")
)  # built once: every retry-safe write asks it


def lookup(db: Session, *, user_id: int, key: str, fp: str) -> IdempotencyRecord | None:
    """The earlier answer for this key, None if new; 422 if the key came with another body."""
    record = db.exec(_RECORD, params={"user_id": user_id, "key": key}).first()
    if record is not None and record.fingerprint != fp:
        raise ApiError(422, "idempotency_mismatch")
    return record


def remember(
    db: Session, *, user_id: int, key: str, fp: str, status_code: int, body: dict[str, Any]
) -> None:
    """Store the answer in the caller's transaction, beside the effect itself."""
    db.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            fingerprint=fp,
            status_code=status_code,
            response_body=json.dumps(body, ensure_ascii=False, default=str),
        )
    )


def _duplicate(exc: IntegrityError) -> bool:
    """A unique constraint refused the row (PostgreSQL's SQLSTATE 23505, or SQLite's text)."""
    orig = exc.orig
    return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)


def replay(record: IdempotencyRecord) -> tuple[int, Any]:
    return record.status_code, json.loads(record.response_body)


def run_once(
    db: Session,
    *,
    user_id: int,
    key: str | None,
    scope: str,
    payload: Any,
    effect: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, Any]:
    """Apply `effect` once per (user, key): a retry gets the first answer, not a second effect.

    The record is written in the same transaction as the effect. A concurrent twin that loses
    the race on the unique (user, key) row is rolled back and answered from the winner's record.
    """
    if key is None:
        status, body = effect()
        db.commit()
        return status, body
    fp = fingerprint(scope, payload)
    record = lookup(db, user_id=user_id, key=key, fp=fp)
    if record is not None:
        return replay(record)
    try:
        status, body = effect()
    except ApiError:
        # Refused — perhaps because a twin with this key has just done it (the state it
        # changed no longer allows it): then the twin's answer is this one's too.
        db.rollback()
        record = lookup(db, user_id=user_id, key=key, fp=fp)
        if record is None:
            raise
        return replay(record)
    except IntegrityError as exc:
        # A row the request makes is already there under another key (e.g. the same client_id
        # sent with a new Idempotency-Key): the answer of that key, or a conflict, never a 500.
        if not _duplicate(exc):
            raise
        db.rollback()
        record = lookup(db, user_id=user_id, key=key, fp=fp)
        if record is None:
            raise ApiError(422, "idempotency_mismatch") from None
        return replay(record)
    remember(db, user_id=user_id, key=key, fp=fp, status_code=status, body=body)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        record = lookup(db, user_id=user_id, key=key, fp=fp)
        if record is None:
            raise ApiError(409, "idempotency_in_progress") from None
        return replay(record)
    return status, body
