"""The resident's appeal history as the analytics of the cabinet reads it: a few columns of
every appeal in the local store (so the analytics work offline), and the names of the
classifier's classes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import text

from app.data.store.database import Database
from app.domain.analytics import AppealFacts
from app.domain.classifier import Classifier


class AppealHistoryRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def facts(self) -> Iterator[AppealFacts]:
        """One row per appeal of this resident, streamed (blocking; consume it off the UI loop).

        Streamed rather than listed: over 10,000 appeals, a list keeps some 40,000 objects alive
        at once, which the garbage collector then walks in a full pass; streamed, each row dies
        young. The store is read in one statement, so the rows are one consistent snapshot."""
        query = text(
            "SELECT status, class_code, subclass_code, created_at, due_at, closed_at, rating"
            " FROM appeal"
        )
        with self._db.read() as s:
            for row in s.connection().execute(query):
                status, class_code, subclass_code, created, due, closed, rating = row
                yield AppealFacts(
                    status=str(status),
                    category=class_code or (subclass_code or "").split(".")[0] or None,
                    created_at=_dt(created),
                    due_at=_dt(due) if due else None,
                    closed_at=_dt(closed) if closed else None,
                    rating=int(rating) if rating is not None else None,
                )


def _dt(value: object) -> datetime:
    """SQLite returns DATETIME columns of a raw query as text."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def class_name(classifier: Classifier | None, code: str, lang: str) -> str | None:
    """The name of a classifier class (the analytics' categories) in kk/ru, if cached."""
    if classifier is None:
        return None
    found = next((c for c in classifier.classes if c.code == code), None)
    return found.name(lang) if found else None
