"""Initiatives of the local executive body: created and moved along by operators, supported
once per resident. Every change of an initiative is a public row of the sync feed; a resident's
own support (or its withdrawal) is a row for that resident."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.crud.participation import Support
from backend_stub.crud.records import get_or_404
from backend_stub.models import Initiative, InitiativeSupport, User, utcnow
from backend_stub.schemas.participation import (
    OPEN_INITIATIVE_STATES,
    InitiativeIn,
    InitiativePatch,
)
from backend_stub.text import clean_text

FEED_ENTITY = "initiative"
MAX_TITLE = 300
MAX_DESCRIPTION = 5000


def get_initiative(db: Session, *, initiative_id: int) -> Initiative:
    return get_or_404(db, model=Initiative, key=initiative_id)


def list_initiatives(db: Session, *, state: str | None = None) -> list[Initiative]:
    query = select(Initiative)
    if state:
        query = query.where(Initiative.state == state)
    return list(db.exec(query.order_by(col(Initiative.id).desc())).all())


def initiatives_by_ids(db: Session, *, ids: list[int]) -> list[Initiative]:
    if not ids:
        return []
    return list(db.exec(select(Initiative).where(col(Initiative.id).in_(ids))).all())


SUPPORT = Support(Initiative, InitiativeSupport, "initiative_id", FEED_ENTITY)
supported_ids = SUPPORT.supported_ids


def _changed(db: Session, *, initiative: Initiative) -> None:
    initiative.updated_at = utcnow()
    db.add(initiative)
    db.flush()
    assert initiative.id is not None
    feed.record(db, user_id=None, entity=FEED_ENTITY, entity_id=initiative.id)


def create_initiative(db: Session, *, operator: User, data: InitiativeIn) -> Initiative:
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
    _changed(db, initiative=initiative)
    return initiative


def update_initiative(db: Session, *, initiative: Initiative, patch: InitiativePatch) -> Initiative:
    data = patch.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in data.items():
        if name != "state":
            limit = MAX_TITLE if name.startswith("title") else MAX_DESCRIPTION
            value = clean_text(value, max_len=limit, field=name)
        setattr(initiative, name, value)
    _changed(db, initiative=initiative)
    return initiative


def support(db: Session, *, user: User, initiative: Initiative) -> Initiative:
    """Support once: supporting again changes nothing. Finished initiatives take no new support.
    Returns the initiative as stored (its `support_count` read back); the caller commits."""
    assert initiative.id is not None and user.id is not None
    refusal = None if initiative.state in OPEN_INITIATIVE_STATES else "initiative_closed"
    return SUPPORT.give(db, user_id=user.id, target=initiative, refusal=refusal)


def withdraw(db: Session, *, user: User, initiative: Initiative) -> Initiative:
    """Take one's support back (withdrawing twice changes nothing); the caller commits."""
    assert initiative.id is not None and user.id is not None
    return SUPPORT.take_back(db, user_id=user.id, target=initiative)
