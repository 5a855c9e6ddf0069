"""Initiatives of the local executive body: created and moved along by operators, supported
once per resident. Every change of an initiative is a public row of the sync feed; a resident's
own support (or its withdrawal) is a row for that resident."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from backend_stub.crud import feed
from backend_stub.crud.participation import add_once
from backend_stub.errors import ApiError
from backend_stub.models import Initiative, InitiativeSupport, User, utcnow
from backend_stub.schemas.participation import (
    OPEN_INITIATIVE_STATES,
    InitiativeIn,
    InitiativeOut,
    InitiativePatch,
)
from backend_stub.text import clean_text

FEED_ENTITY = "initiative"
MAX_TITLE = 300
MAX_DESCRIPTION = 5000


def get_initiative(db: Session, initiative_id: int) -> Initiative:
    initiative = db.get(Initiative, initiative_id)
    if initiative is None:
        raise ApiError(404, "not_found")
    return initiative


def list_initiatives(db: Session, state: str | None = None) -> list[Initiative]:
    query = select(Initiative)
    if state:
        query = query.where(Initiative.state == state)
    return list(db.exec(query.order_by(col(Initiative.id).desc())).all())


def supported_ids(db: Session, user_id: int, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        db.exec(
            select(InitiativeSupport.initiative_id).where(
                InitiativeSupport.user_id == user_id,
                col(InitiativeSupport.initiative_id).in_(ids),
            )
        ).all()
    )


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
    mine = supported_ids(db, user.id, [i.id for i in rows if i.id is not None])
    return [initiative_out(i, i.id in mine) for i in rows]


def _changed(db: Session, initiative: Initiative) -> None:
    initiative.updated_at = utcnow()
    db.add(initiative)
    db.flush()
    assert initiative.id is not None
    feed.record(db, None, FEED_ENTITY, initiative.id)


def create_initiative(db: Session, operator: User, data: InitiativeIn) -> Initiative:
    initiative = Initiative(
        title_kk=clean_text(data.title_kk, max_len=MAX_TITLE, field="title_kk"),
        title_ru=clean_text(data.title_ru, max_len=MAX_TITLE, field="title_ru"),
        description_kk=clean_text(
            data.description_kk, max_len=MAX_DESCRIPTION, field="description_kk"
        ),
        description_ru=clean_text(
            data.description_ru, max_len=MAX_DESCRIPTION, field="description_ru"
        ),
        state=data.state,
        created_by=operator.id,
    )
    _changed(db, initiative)
    return initiative


def update_initiative(db: Session, initiative: Initiative, patch: InitiativePatch) -> Initiative:
    data = patch.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in data.items():
        if name != "state":
            limit = MAX_TITLE if name.startswith("title") else MAX_DESCRIPTION
            value = clean_text(value, max_len=limit, field=name)
        setattr(initiative, name, value)
    _changed(db, initiative)
    return initiative


def _bump(db: Session, initiative_id: int, delta: int) -> None:
    db.exec(
        update(Initiative)
        .where(col(Initiative.id) == initiative_id)
        .values(support_count=col(Initiative.support_count) + delta)
    )


def support(db: Session, user: User, initiative: Initiative) -> Initiative:
    """Support once: supporting again changes nothing. Finished initiatives take no new support.
    Commits; returns the initiative as stored."""
    assert initiative.id is not None and user.id is not None
    initiative_id, user_id = initiative.id, user.id
    if supported_ids(db, user_id, [initiative_id]):
        return initiative
    if initiative.state not in OPEN_INITIATIVE_STATES:
        raise ApiError(409, "initiative_closed")
    if add_once(db, InitiativeSupport(initiative_id=initiative_id, user_id=user_id)):
        _bump(db, initiative_id, +1)
        feed.record(db, user_id, FEED_ENTITY, initiative_id)
        db.commit()
    initiative = get_initiative(db, initiative_id)
    db.refresh(initiative)
    return initiative


def withdraw(db: Session, user: User, initiative: Initiative) -> Initiative:
    """Take one's support back (withdrawing twice changes nothing). Commits."""
    assert initiative.id is not None and user.id is not None
    initiative_id, user_id = initiative.id, user.id
    gone = db.exec(
        delete(InitiativeSupport).where(
            col(InitiativeSupport.initiative_id) == initiative_id,
            col(InitiativeSupport.user_id) == user_id,
        )
    )
    if gone.rowcount:
        _bump(db, initiative_id, -1)
        feed.record(db, user_id, FEED_ENTITY, initiative_id)
        db.commit()
    db.refresh(initiative)
    return initiative


def feed_rows(db: Session, user: User, ids: list[str]) -> list[dict[str, Any]]:
    wanted = [int(i) for i in ids if i.isdigit()]
    if not wanted:
        return []
    rows = list(db.exec(select(Initiative).where(col(Initiative.id).in_(wanted))).all())
    return [o.model_dump(mode="json") for o in outs_for(db, user, rows)]
