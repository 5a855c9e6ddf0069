"""What residents and operators see of initiatives: `InitiativeOut` and the sync-feed rows."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from backend_stub.crud.initiatives import initiatives_by_ids, supported_ids
from backend_stub.models import Initiative, User
from backend_stub.schemas.participation import InitiativeOut


def initiative_out(initiative: Initiative, supported: bool) -> InitiativeOut:
    assert initiative.id is not None
    return InitiativeOut(
        id=initiative.id,
        title_kk=initiative.title_kk,
        title_ru=initiative.title_ru,
        description_kk=initiative.description_kk,
        description_ru=initiative.description_ru,
        state=initiative.state,
        support_count=initiative.support_count,
        supported=supported,
        created_at=initiative.created_at,
        updated_at=initiative.updated_at,
    )


def outs_for(db: Session, user: User, rows: list[Initiative]) -> list[InitiativeOut]:
    assert user.id is not None
    mine = supported_ids(db, user_id=user.id, ids=[i.id for i in rows if i.id is not None])
    return [initiative_out(i, i.id in mine) for i in rows]


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """The sync loader: changed initiatives (public to every resident), as the caller sees them."""
    rows = initiatives_by_ids(db, ids=[int(i) for i in ids if i.isdigit()])
    return [o.model_dump(mode="json") for o in outs_for(db, user, rows)]
