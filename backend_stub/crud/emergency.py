"""Forwards of appeals to the emergency services: the state machine and what each move records.

Every move bumps the forward, appends it to the owner's sync feed (entity "forward") and, for
the moves a person should know about, writes a line of the appeal's history (kind "emergency")
as a code with parameters (`history_notes`): each reader gets it in their own language.
`not_confirmed` and `failed` are the operator's alerts. The caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import feed
from backend_stub.crud.appeals import touch
from backend_stub.history_notes import EMERGENCY_KIND, emergency_note
from backend_stub.models import Appeal, AppealEvent, EmergencyForward, User, utcnow
from backend_stub.schemas.emergency import SERVICE_NAMES, ForwardState

MAX_ATTEMPTS = 5
BACKOFF_CAP = 8  # the retry delay stops doubling at emergency_retry_s × this
EVENT_KIND = EMERGENCY_KIND
ALERT_STATES = (ForwardState.NOT_CONFIRMED.value, ForwardState.FAILED.value)
OPEN_STATES = (
    ForwardState.PENDING.value,
    ForwardState.SENT.value,
    ForwardState.NOT_CONFIRMED.value,
)


def idempotency_key(appeal_id: int, service: str) -> str:
    return f"{appeal_id}:{service}"


def parse_key(key: str) -> tuple[int, str] | None:
    appeal_id, sep, service = key.partition(":")
    if not sep or not appeal_id.isdigit() or service not in SERVICE_NAMES:
        return None
    return int(appeal_id), service


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait before the next send: emergency_retry_s, doubling per attempt, capped."""
    factor = min(2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return timedelta(seconds=settings.emergency_retry_s * factor)


def _note(kind: str, service: str, **params: Any) -> str:
    """A history line as a code with parameters: each reader gets it in their own language."""
    return emergency_note(kind, service, **params)


def _history(
    db: Session, *, appeal: Appeal, note: str, actor: User | None = None, at: datetime | None = None
) -> None:
    assert appeal.id is not None
    db.add(
        AppealEvent(
            appeal_id=appeal.id,
            at=at or utcnow(),
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else "system",
            kind=EVENT_KIND,
            note=note,
        )
    )
    touch(db, appeal=appeal)


def _changed(db: Session, *, fwd: EmergencyForward, appeal: Appeal, now: datetime) -> None:
    fwd.updated_at = now
    db.add(fwd)
    db.flush()
    assert fwd.id is not None
    feed.record(db, user_id=appeal.user_id, entity="forward", entity_id=fwd.id)


# ---------------------------------------------------------------- reading


def get(db: Session, *, appeal_id: int, service: str) -> EmergencyForward | None:
    return db.exec(
        select(EmergencyForward).where(
            EmergencyForward.appeal_id == appeal_id, EmergencyForward.service == service
        )
    ).first()


def forwards_of(db: Session, *, appeal_id: int) -> list[EmergencyForward]:
    return list(
        db.exec(
            select(EmergencyForward)
            .where(EmergencyForward.appeal_id == appeal_id)
            .order_by(col(EmergencyForward.id))
        ).all()
    )


def forward_with_appeal(db: Session, *, forward_id: int) -> tuple[EmergencyForward, Appeal] | None:
    """A forward with its appeal; None when either is not there."""
    fwd = db.get(EmergencyForward, forward_id)
    appeal = db.get(Appeal, fwd.appeal_id) if fwd is not None else None
    return (fwd, appeal) if fwd is not None and appeal is not None else None


def open_forward(db: Session, *, forward_id: int) -> tuple[EmergencyForward, Appeal] | None:
    """A forward still waiting for something, with its appeal; None otherwise."""
    found = forward_with_appeal(db, forward_id=forward_id)
    return found if found is not None and found[0].state in OPEN_STATES else None


def open_ids(db: Session) -> list[int]:
    """Forwards still waiting for something: a send, a confirmation, or a retry."""
    rows = db.exec(
        select(EmergencyForward.id)
        .where(col(EmergencyForward.state).in_(OPEN_STATES))
        .order_by(col(EmergencyForward.id))
    ).all()
    return [i for i in rows if i is not None]


# ---------------------------------------------------------------- moves


def request_forward(
    db: Session,
    *,
    settings: Settings,
    user: User,
    appeal: Appeal,
    service: str,
    base_url: str,
    now: datetime | None = None,
) -> tuple[EmergencyForward, bool]:
    """The forward of this appeal to this service, created (and committed) on first request;
    (forward, created). A concurrent twin that loses the unique race gets the winner's row."""
    assert appeal.id is not None
    existing = get(db, appeal_id=appeal.id, service=service)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    fwd = EmergencyForward(
        appeal_id=appeal.id,
        service=service,
        state=ForwardState.PENDING.value,
        confirm_by=now + timedelta(seconds=settings.emergency_confirm_timeout_s),
        next_attempt_at=now,
        base_url=base_url,
        created_at=now,
        updated_at=now,
    )
    db.add(fwd)
    if not appeal.emergency:
        appeal.emergency = True
    _history(db, appeal=appeal, note=_note("requested", service), actor=user, at=now)
    _changed(db, fwd=fwd, appeal=appeal, now=now)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        winner = get(db, appeal_id=appeal.id, service=service)
        if winner is None:
            raise
        return winner, False
    return fwd, True


def record_attempt(
    db: Session,
    *,
    settings: Settings,
    fwd: EmergencyForward,
    appeal: Appeal,
    now: datetime,
    external_id: str | None,
    already_accepted: tuple[str, datetime] | None,
    error: str | None,
) -> None:
    """One POST to the emergency system happened: its receipt, or why it failed."""
    fwd.attempts += 1
    if error is not None:
        fwd.last_error = error[:300]
        fwd.next_attempt_at = now + backoff(settings, fwd.attempts)
        _changed(db, fwd=fwd, appeal=appeal, now=now)
        return
    fwd.last_error = None
    fwd.external_id = external_id or fwd.external_id
    fwd.sent_at = now
    if fwd.state == ForwardState.ACCEPTED.value:  # the confirmation overtook the receipt
        fwd.next_attempt_at = None
        _changed(db, fwd=fwd, appeal=appeal, now=now)
        return
    if already_accepted is not None:
        mark_accepted(
            db,
            fwd=fwd,
            appeal=appeal,
            acceptance_id=already_accepted[0],
            accepted_at=already_accepted[1],
            now=now,
        )
        return
    if fwd.state == ForwardState.PENDING.value:
        fwd.state = ForwardState.SENT.value
        fwd.next_attempt_at = None  # now the confirmation is awaited until confirm_by
        _history(db, appeal=appeal, note=_note("sent", fwd.service), at=now)
    else:  # a retry of an unconfirmed forward: the next one after a longer wait
        fwd.next_attempt_at = now + backoff(settings, fwd.attempts)
    _changed(db, fwd=fwd, appeal=appeal, now=now)


def mark_accepted(
    db: Session,
    *,
    fwd: EmergencyForward,
    appeal: Appeal,
    acceptance_id: str,
    accepted_at: datetime,
    now: datetime,
    external_id: str | None = None,
    by_operator: User | None = None,
) -> bool:
    """The service confirmed (also late, after an alert); False if it already had."""
    if fwd.state == ForwardState.ACCEPTED.value:
        return False
    fwd.state = ForwardState.ACCEPTED.value
    fwd.acceptance_id = acceptance_id[:64]
    fwd.accepted_at = accepted_at
    fwd.external_id = fwd.external_id or external_id
    fwd.next_attempt_at = None
    if by_operator is not None:
        note = _note("accepted_by_phone", fwd.service)
    else:
        note = _note("accepted", fwd.service, acceptance_id=fwd.acceptance_id)
    _history(db, appeal=appeal, note=note, actor=by_operator, at=now)
    _changed(db, fwd=fwd, appeal=appeal, now=now)
    return True


def mark_not_confirmed(
    db: Session, *, settings: Settings, fwd: EmergencyForward, appeal: Appeal, now: datetime
) -> None:
    """No confirmation by the deadline: alert the operator and resend now."""
    fwd.state = ForwardState.NOT_CONFIRMED.value
    fwd.alerted_at = now
    fwd.next_attempt_at = now
    timeout = f"{settings.emergency_confirm_timeout_s:g}"
    _history(db, appeal=appeal, note=_note("not_confirmed", fwd.service, timeout=timeout), at=now)
    _changed(db, fwd=fwd, appeal=appeal, now=now)


def mark_failed(db: Session, *, fwd: EmergencyForward, appeal: Appeal, now: datetime) -> None:
    """Retries used up without a confirmation: the last alert; calling is the way now."""
    fwd.state = ForwardState.FAILED.value
    fwd.alerted_at = now
    fwd.next_attempt_at = None
    _history(db, appeal=appeal, note=_note("failed", fwd.service, attempts=fwd.attempts), at=now)
    _changed(db, fwd=fwd, appeal=appeal, now=now)


# ---------------------------------------------------------------- the operator's list


def console_rows(
    db: Session, *, only_alerts: bool, limit: int
) -> list[tuple[EmergencyForward, Appeal]]:
    """Forwards with their appeals: alerts first, newest first within each group."""
    query = select(EmergencyForward, Appeal).join(
        Appeal, col(Appeal.id) == EmergencyForward.appeal_id
    )
    if only_alerts:
        query = query.where(col(EmergencyForward.state).in_(ALERT_STATES))
    rows = db.exec(query.order_by(col(EmergencyForward.id).desc()).limit(limit)).all()
    ordered = sorted(rows, key=lambda pair: pair[0].state not in ALERT_STATES)
    return [(f, a) for f, a in ordered]


def alert_count(db: Session) -> int:
    query = select(func.count()).where(col(EmergencyForward.state).in_(ALERT_STATES))
    return int(db.exec(query).one())
