"""Appeals: creation with routing and deadlines, history, status moves, rating, reopening."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from backend_stub import classifier, disclosure, history_notes
from backend_stub.crud import feed
from backend_stub.crud.media import attach_media, media_for_appeal
from backend_stub.errors import ApiError
from backend_stub.geo import bounding_box, distance_m, district_for
from backend_stub.messages import DEFAULT_LANG
from backend_stub.models import Appeal, AppealEvent, Complaint, User, utcnow
from backend_stub.schemas.appeals import AppealCreate, AppealOut, HistoryOut, SimilarAppeal
from backend_stub.schemas.media import media_out
from backend_stub.statuses import Importance, Status, can_operator_move
from backend_stub.text import clean_text

SIMILAR_RADIUS_M = 150.0
SIMILAR_WINDOW = timedelta(hours=24)
SIMILAR_DISTANCE_STEP_M = 10.0  # another resident's appeal: distance to its coarse point, rounded


def _event(
    db: Session,
    appeal: Appeal,
    actor: User | None,
    kind: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
) -> None:
    assert appeal.id is not None
    db.add(
        AppealEvent(
            appeal_id=appeal.id,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else "system",
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )


def touch(db: Session, appeal: Appeal) -> None:
    """Mark the appeal changed: bump updated_at and tell its owner's sync feed."""
    appeal.updated_at = utcnow()
    db.add(appeal)
    assert appeal.id is not None
    feed.record(db, appeal.user_id, "appeal", appeal.id)


def similar_nearby(
    db: Session,
    subclass_code: str,
    lat: float,
    lon: float,
    *,
    now: datetime | None = None,
    exclude_id: int | None = None,
) -> list[tuple[Appeal, float]]:
    """Same subclass within ~150 m in the last 24 h, nearest first (SPEC 9-1, 32-2)."""
    now = now or utcnow()
    lat_min, lat_max, lon_min, lon_max = bounding_box(lat, lon, SIMILAR_RADIUS_M)
    rows = db.exec(
        select(Appeal).where(
            Appeal.subclass_code == subclass_code,
            col(Appeal.created_at) >= now - SIMILAR_WINDOW,
            col(Appeal.lat).between(lat_min, lat_max),
            col(Appeal.lon).between(lon_min, lon_max),
        )
    ).all()
    found = []
    for appeal in rows:
        if appeal.id == exclude_id or appeal.lat is None or appeal.lon is None:
            continue
        d = distance_m(lat, lon, appeal.lat, appeal.lon)
        if d <= SIMILAR_RADIUS_M:
            found.append((appeal, d))
    return sorted(found, key=lambda pair: pair[1])


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


def similar_for(
    db: Session,
    user: User,
    subclass_code: str,
    lat: float,
    lon: float,
    *,
    now: datetime | None = None,
) -> list[SimilarAppeal]:
    """What a resident about to file is offered instead (same subclass, ~150 m, last 24 h),
    nearest first: their own appeals as they are; another resident's only when publishable
    (backend_stub.disclosure), without the address, and both chosen and measured by its
    coarsened point — so probing from many points finds the ~100 m cell, never the spot."""
    now = now or utcnow()
    half = disclosure.COARSE_STEP_DEG / 2  # a coarse point is at most this far from the exact
    lat_min, lat_max, lon_min, lon_max = bounding_box(lat, lon, SIMILAR_RADIUS_M)
    rows = db.exec(
        select(Appeal).where(
            Appeal.subclass_code == subclass_code,
            col(Appeal.created_at) >= now - SIMILAR_WINDOW,
            col(Appeal.lat).between(lat_min - half, lat_max + half),
            col(Appeal.lon).between(lon_min - half, lon_max + half),
        )
    ).all()
    found: list[tuple[float, SimilarAppeal]] = []
    for appeal in rows:
        if appeal.lat is None or appeal.lon is None:
            continue
        own = appeal.user_id == user.id
        if not own and not disclosure.publishable(appeal):
            continue
        at = (appeal.lat, appeal.lon) if own else disclosure.coarse_point(appeal.lat, appeal.lon)
        d = distance_m(lat, lon, *at)
        if d <= SIMILAR_RADIUS_M:
            found.append((d, similar_out(appeal, d, own=own)))
    return [out for _, out in sorted(found, key=lambda pair: pair[0])]


def create_appeal(db: Session, user: User, data: AppealCreate, channel: str = "mobile") -> Appeal:
    assert user.id is not None
    text = clean_text(data.text, max_len=4000)
    address = clean_text(data.address, max_len=300, field="address") if data.address else None
    if (data.lat is None or data.lon is None) and not address:
        raise ApiError(422, "location_required")
    cls = classifier.load_classifier()
    try:
        subclass = cls.subclass(data.subclass_code)
    except KeyError as exc:
        raise ApiError(422, "unknown_category") from exc
    assessment = classifier.assess_importance(subclass, text)
    importance, hours = assessment.importance, assessment.deadline_hours
    raised = assessment.raised
    if data.emergency and importance != Importance.HIGH:
        importance, hours, raised = Importance.HIGH.value, min(hours, 24), True
    now = utcnow()
    district = data.district
    if district is None and data.lat is not None and data.lon is not None:
        district = district_for(data.lat, data.lon)
    appeal = Appeal(
        number=f"tmp-{uuid.uuid4().hex[:28]}",  # fits the column; replaced after the flush
        client_id=data.client_id,
        user_id=user.id,
        channel=channel,
        text=text,
        type=data.type,
        class_code=cls.class_of(subclass.code).code,
        subclass_code=subclass.code,
        service_code=cls.service_for(subclass.code).code,
        importance=str(importance),
        importance_raised=raised,
        lat=data.lat,
        lon=data.lon,
        accuracy_m=data.accuracy_m,
        address=address,
        district=district,
        share_personal=data.share_personal,
        applicant_name=(data.applicant_name or user.full_name) if data.share_personal else None,
        applicant_phone=user.phone if data.share_personal else None,
        language=data.language,
        emergency=data.emergency,
        status=Status.CREATED.value,
        created_at=now,
        updated_at=now,
        due_at=now + timedelta(hours=hours),
    )
    db.add(appeal)
    db.flush()
    assert appeal.id is not None
    appeal.number = f"109-{now:%y%m}-{appeal.id:06d}"
    if data.lat is not None and data.lon is not None:
        earlier = similar_nearby(
            db, subclass.code, data.lat, data.lon, now=now, exclude_id=appeal.id
        )
        if earlier:
            first = min((a for a, _ in earlier), key=lambda a: a.id or 0)
            first.repeat_count += 1
            appeal.repeat_of_id = first.id
            touch(db, first)
    if data.attachment_ids:
        attach_media(db, user.id, data.attachment_ids, appeal_id=appeal.id, role="applicant")
    _event(
        db,
        appeal,
        user,
        "status",
        to_status=Status.CREATED.value,
        note="importance raised by content" if raised else None,
    )
    touch(db, appeal)
    return appeal


def own_appeal(db: Session, user: User, appeal_id: int, *, owner_only: bool = False) -> Appeal:
    """The resident's own appeal (operators see all unless `owner_only`); anyone else's is 404,
    so existence is not revealed."""
    appeal = db.get(Appeal, appeal_id)
    operator_ok = user.role == "operator" and not owner_only
    if appeal is None or (appeal.user_id != user.id and not operator_ok):
        raise ApiError(404, "not_found")
    return appeal


def list_own(
    db: Session, user: User, *, status: str | None, before_id: int | None, limit: int
) -> list[Appeal]:
    query = select(Appeal).where(Appeal.user_id == user.id)
    if status:
        query = query.where(Appeal.status == status)
    if before_id:
        query = query.where(col(Appeal.id) < before_id)
    return list(db.exec(query.order_by(col(Appeal.id).desc()).limit(limit)).all())


def history(db: Session, appeal_id: int) -> list[AppealEvent]:
    return list(
        db.exec(
            select(AppealEvent)
            .where(AppealEvent.appeal_id == appeal_id)
            .order_by(col(AppealEvent.id))
        ).all()
    )


def history_out(event: AppealEvent, lang: str = DEFAULT_LANG) -> HistoryOut:
    """One history line; a server-written note in `lang` and in both languages."""
    return HistoryOut(
        at=event.at,
        actor_role=event.actor_role,
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        note=history_notes.note_text(event.kind, event.note, lang),
        notes=history_notes.notes_of(event.kind, event.note),
    )


def appeal_out(
    db: Session, appeal: Appeal, *, now: datetime | None = None, lang: str = DEFAULT_LANG
) -> AppealOut:
    assert appeal.id is not None
    now = now or utcnow()
    end = appeal.closed_at if appeal.status == Status.CLOSED.value and appeal.closed_at else now
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
        media=[media_out(m) for m in media_for_appeal(db, appeal.id)],
        history=[history_out(e, lang) for e in history(db, appeal.id)],
    )


def change_status(
    db: Session,
    operator: User,
    appeal: Appeal,
    to_status: str,
    note: str | None,
    service_code: str | None = None,
) -> Appeal:
    current, target = Status(appeal.status), Status(to_status)
    if not can_operator_move(current, target):
        raise ApiError(409, "invalid_transition", from_status=current.value, to_status=target.value)
    if service_code:
        appeal.service_code = service_code
    appeal.status = target.value
    if target == Status.CLOSED:
        appeal.closed_at = utcnow()
    _event(
        db,
        appeal,
        operator,
        "status",
        from_status=current.value,
        to_status=target.value,
        note=clean_text(note, max_len=2000, field="note") if note else None,
    )
    touch(db, appeal)
    return appeal


def close(
    db: Session, operator: User, appeal: Appeal, result_text: str, after_media_ids: list[str]
) -> Appeal:
    assert appeal.id is not None and operator.id is not None
    appeal.result_text = clean_text(result_text, max_len=4000, field="result_text")
    if after_media_ids:
        attach_media(db, operator.id, after_media_ids, appeal_id=appeal.id, role="after")
    return change_status(db, operator, appeal, Status.CLOSED.value, appeal.result_text)


def rate(db: Session, user: User, appeal: Appeal, score: int, comment: str | None) -> Appeal:
    if appeal.status != Status.CLOSED.value:
        raise ApiError(409, "appeal_not_closed")
    if appeal.rating is not None:
        raise ApiError(409, "already_rated")
    appeal.rating = score
    appeal.rating_comment = clean_text(comment, max_len=1000, field="comment") if comment else None
    appeal.rated_at = utcnow()
    _event(db, appeal, user, "rating", note=f"{score}/5")
    touch(db, appeal)
    return appeal


def reopen(db: Session, user: User, appeal: Appeal, reason: str) -> Appeal:
    """A closed appeal goes back into work; the rating of the closed round is cleared."""
    if appeal.status != Status.CLOSED.value:
        raise ApiError(409, "appeal_not_closed")
    appeal.status = Status.IN_PROGRESS.value
    appeal.reopen_count += 1
    appeal.closed_at = None
    appeal.rating = None
    appeal.rating_comment = None
    appeal.rated_at = None
    _event(
        db,
        appeal,
        user,
        "reopen",
        from_status=Status.CLOSED.value,
        to_status=Status.IN_PROGRESS.value,
        note=clean_text(reason, max_len=2000, field="reason"),
    )
    touch(db, appeal)
    return appeal


def complain(db: Session, user: User, appeal: Appeal, text: str) -> Complaint:
    assert appeal.id is not None and user.id is not None
    complaint = Complaint(
        appeal_id=appeal.id, user_id=user.id, text=clean_text(text, max_len=2000, field="reason")
    )
    db.add(complaint)
    _event(db, appeal, user, "complaint", note=complaint.text)
    touch(db, appeal)
    return complaint


# ---------------------------------------------------------------- sync feed


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """The sync loader: the resident's own changed appeals, their server-written text in `lang`."""
    rows = db.exec(
        select(Appeal).where(col(Appeal.id).in_([int(i) for i in ids]), Appeal.user_id == user.id)
    ).all()
    return [appeal_out(db, a, lang=lang).model_dump(mode="json") for a in rows]
