"""Who answered, as the resident is told: a staff member's job (and an executor's responsible
body) in Kazakh and Russian, never their name (`staff_access.public_title`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from backend_stub import classifier
from backend_stub.crud.staff import names_of
from backend_stub.staff_access import public_title


def staff_titles(db: Session, *, user_ids: Iterable[int | None]) -> dict[int, dict[str, str]]:
    """The public titles of the staff among these users, by user id: {"kk": …, "ru": …}."""
    services = {s.code: s for s in classifier.load_classifier().services}
    titles = {}
    for user_id, account in names_of(db, user_ids=user_ids).items():
        body = services.get(account.body or "")
        titles[user_id] = {
            "kk": public_title(account.role, body.name_kk if body else None, "kk"),
            "ru": public_title(account.role, body.name_ru if body else None, "ru"),
        }
    return titles
