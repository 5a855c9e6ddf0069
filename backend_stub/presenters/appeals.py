"""What residents and operators see of appeals: `AppealOut` (with its media and history),
`OperatorAppealOut`, a similar appeal offered before filing, and the sync-feed rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend_stub import history_notes
from backend_stub.crud.appeals import Filed, history, own_appeals_by_ids
from backend_stub.crud.media import media_for_appeal
from backend_stub.messages import DEFAULT_LANG
from backend_stub.models import Appeal, AppealEvent, User, utcnow
from backend_stub.presenters.media import media_out
from backend_stub.presenters.staff import staff_titles
from backend_stub.schemas.appeals import AppealOut, HistoryOut, OperatorAppealOut, SimilarAppeal
from backend_stub.statuses import Status

SIMILAR_DISTANCE_STEP_M = 10.0  # another resident's appeal: distance to its coarse point, rounded


def similar_out(appeal: Appeal, distance: float, *, own: bool = True) -> SimilarAppeal:
    """One similar appeal; another resident's (`own=False`) without its address."""
    assert appeal.id is not None
    step = SIMILAR_DISTANCE_STEP_M
    return SimilarAppeal(
        id=appeal.id,
        number=appeal.number,
        subclass_code=appeal.subclass_code,
        status=appeal.status,
        address=appeal.address if own else None,
        distance_m=round(distance, 1) if own else round(distance / step) * step,
        created_at=appeal.created_at,
        repeat_count=appeal.repeat_count,
    )


def history_out(
    event: AppealEvent, lang: str = DEFAULT_LANG, titles: dict[int, dict[str, str]] | None = None
) -> HistoryOut:
    """One history line; a server-written note in `lang` and in both languages; a staff
    actor's public title from `titles` (`presenters.staff.staff_titles`)."""
    return HistoryOut(
        at=event.at,
        actor_role=event.actor_role,
        actor_titles=(titles or {}).get(event.actor_id or 0),
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        note=history_notes.note_text(event.kind, event.note, lang),
        notes=history_notes.notes_of(event.kind, event.note),
    )


def appeal_out(
    db: Session,
    appeal: Appeal,
    *,
    now: datetime | None = None,
    lang: str = DEFAULT_LANG,
    known: Filed | None = None,
) -> AppealOut:
    """The appeal with its media and history: read from the database, or `known` when the
    appeal was filed in this transaction (`crud.appeals.create_appeal` says what it has)."""
    assert appeal.id is not None
    now = now or utcnow()
    end = appeal.closed_at if appeal.status == Status.CLOSED.value and appeal.closed_at else now
    events = known.history if known else history(db, appeal_id=appeal.id)
    media = known.media if known else media_for_appeal(db, appeal_id=appeal.id)
    staff_actors = (e.actor_id for e in events if e.actor_role == "operator")
    titles = staff_titles(db, user_ids=staff_actors)  # no query for a resident's own history
    return AppealOut(
        **appeal.model_dump(
            exclude={
                "user_id",
                "channel",
                "applicant_name",
                "applicant_phone",
                "repeat_of_id",
                "rated_at",
            }
        ),
        overdue=end > appeal.due_at,
        media=[media_out(m) for m in media],
        history=[history_out(e, lang, titles) for e in events],
    )


def filed_out(db: Session, filed: Filed, *, lang: str) -> AppealOut:
    """A just-filed appeal's answer, from what filing it made (no reading back)."""
    return appeal_out(db, filed.appeal, lang=lang, known=filed)


def operator_appeal_out(db: Session, appeal: Appeal, *, lang: str) -> OperatorAppealOut:
    """An appeal as operators see it: with the applicant's name and phone."""
    return OperatorAppealOut(
        **appeal_out(db, appeal, lang=lang).model_dump(),
        applicant_name=appeal.applicant_name,
        applicant_phone=appeal.applicant_phone,
    )


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """The sync loader: the resident's own changed appeals, their server-written text in `lang`."""
    rows = own_appeals_by_ids(db, user=user, ids=[int(i) for i in ids])
    return [appeal_out(db, a, lang=lang).model_dump(mode="json") for a in rows]
