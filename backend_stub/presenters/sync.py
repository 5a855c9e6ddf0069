"""The one registry of sync-feed loaders: entity kind -> loader.

A loader turns the changed ids of its kind into their current state, checked against the caller
(a resident never receives another's rows). Every loader is named `sync_rows`, in the presenter
module of its entity (`presenters/<entity>.py`), and has one signature,
`(db, user, ids, *, lang) -> list[dict]`; `lang` (the caller's Accept-Language) matters to rows
that carry server-written text. A new kind of the
feed is registered here, and only here.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel import Session

from backend_stub.models import User
from backend_stub.presenters import (
    alerts,
    appeals,
    chat,
    emergency,
    initiatives,
    notices,
    places,
    polls,
    proposals,
)


class Loader(Protocol):
    def __call__(
        self, db: Session, user: User, ids: list[str], /, *, lang: str
    ) -> list[dict[str, Any]]: ...


LOADERS: dict[str, Loader] = {
    "appeal": appeals.sync_rows,
    "message": chat.sync_rows,
    "forward": emergency.sync_rows,
    "poll": polls.sync_rows,
    "initiative": initiatives.sync_rows,
    "proposal": proposals.sync_rows,
    "notice": notices.sync_rows,
    "places_bundle": places.sync_rows,
    "alert": alerts.sync_rows,
}


def load_changes(
    db: Session, user: User, by_entity: dict[str, list[str]], *, lang: str
) -> dict[str, list[dict[str, Any]]]:
    """The current state of the changed ids, by kind; kinds without a loader are left out."""
    return {
        entity: LOADERS[entity](db, user, ids, lang=lang)
        for entity, ids in by_entity.items()
        if entity in LOADERS
    }
