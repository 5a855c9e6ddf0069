"""Appeals: creation with routing and deadlines, history, status moves, rating, reopening."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVar

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from backend_stub import classifier, disclosure
from backend_stub.crud import feed
from backend_stub.crud import staff as staff_crud
from backend_stub.crud.media import attach_media, media_order
from backend_stub.crud.records import get_or_404, newest_first
from backend_stub.errors import ApiError
from backend_stub.geo import bounding_box, distance_m, district_for
from backend_stub.models import (
    Appeal,
    AppealEvent,
    Complaint,
    EmergencyForward,
    MediaFile,
    Message,
    User,
    utcnow,
)
from backend_stub.schemas.appeals import AppealCreate
from backend_stub.statuses import Importance, Status, can_operator_move
from backend_stub.text import clean_text

Row = TypeVar("Row", Message, EmergencyForward)

SIMILAR_RADIUS_M = 150.0
SIMILAR_PAGE = 20  # candidates read at a time (most in the box are within reach)
SIMILAR_WINDOW = timedelta(hours=24)


def _event(
    db: Session,
    *,
    appeal: Appeal,
    actor: User | None,
    kind: str,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
) -> AppealEvent:
    assert appeal.id is not None
    row = AppealEvent(
        appeal_id=appeal.id,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    db.add(row)
    return row


def touch(db: Session, *, appeal: Appeal) -> None:
    """Mark the appeal changed: bump updated_at and tell its owner's sync feed."""
    appeal.updated_at = utcnow()
    db.add(appeal)
    assert appeal.id is not None
    feed.record(db, user_id=appeal.user_id, entity="appeal", entity_id=appeal.id)


# Built once (an expression this size costs more to build than SQLite takes to run it).
_NEARBY_PAGE = (
    select(Appeal.id, Appeal.lat, Appeal.lon)  # all in ix_appeal_nearby: no table row read
    .where(
        Appeal.subclass_code == bindparam("subclass"),
        col(Appeal.created_at) >= bindparam("since"),
        col(Appeal.lat).between(bindparam("lat_min"), bindparam("lat_max")),
        col(Appeal.lon).between(bindparam("lon_min"), bindparam("lon_max")),
        col(Appeal.id) > bindparam("after"),
    )
    .order_by(col(Appeal.id))
    .limit(SIMILAR_PAGE)
)
_COUNT_REPEAT = (
    update(Appeal)
    .where(col(Appeal.id) == bindparam("of"))
    .values(repeat_count=col(Appeal.repeat_count) + 1, updated_at=bindparam("now"))
    .returning(col(Appeal.user_id))
)


def first_similar_nearby(
    db: Session, *, subclass_code: str, lat: float, lon: float, now: datetime
) -> int | None:
    """The earliest appeal of the same subclass within ~150 m in the last 24 h (SPEC 9-1, 32-2):
    what a new one repeats. Reads ids and points oldest first from the index `ix_appeal_nearby`
    and stops at the first within reach: when hundreds report one flood at one spot, each new
    report reads one page of the index and loads no appeal."""
    lat_min, lat_max, lon_min, lon_max = bounding_box(lat, lon, SIMILAR_RADIUS_M)
    after = 0
    connection = db.connection()  # plain rows, no ORM: this runs on every new appeal
    while True:
        page = connection.execute(
            _NEARBY_PAGE,
            {
                "subclass": subclass_code,
                "since": now - SIMILAR_WINDOW,
                "lat_min": lat_min,
                "lat_max": lat_max,
                "lon_min": lon_min,
                "lon_max": lon_max,
                "after": after,
            },
        ).all()
        for appeal_id, a_lat, a_lon in page:
            if a_lat is None or a_lon is None:
                continue
            if distance_m(lat, lon, a_lat, a_lon) <= SIMILAR_RADIUS_M:
                return int(appeal_id)
        if len(page) < SIMILAR_PAGE:
            return None
        after = page[-1][0] or 0


def count_repeat(db: Session, *, of: int, now: datetime) -> None:
    """One more report of what appeal `of` is about: counted by one UPDATE (of any number of
    reports at once, each adds one — reading the count and writing it back lost all but a few on
    PostgreSQL) and told to its owner's sync feed."""
    owner = db.connection().execute(_COUNT_REPEAT, {"of": of, "now": now}).scalar_one()
    feed.record(db, user_id=owner, entity="appeal", entity_id=of)


def similar_for(
    db: Session,
    *,
    user: User,
    subclass_code: str,
    lat: float,
    lon: float,
    now: datetime | None = None,
) -> list[tuple[Appeal, float, bool]]:
    """What a resident about to file is offered instead (same subclass, ~150 m, last 24 h),
    nearest first: their own appeals as they are; another resident's only when publishable
    (backend_stub.disclosure), without the address, and both chosen and measured by its
    coarsened point — so probing from many points finds the ~100 m cell, never the spot.
    Each as (appeal, distance in metres, whether it is the resident's own)."""
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
    found: list[tuple[Appeal, float, bool]] = []
    for appeal in rows:
        if appeal.lat is None or appeal.lon is None:
            continue
        own = appeal.user_id == user.id
        if not own and not disclosure.publishable(appeal):
            continue
        at = (appeal.lat, appeal.lon) if own else disclosure.coarse_point(appeal.lat, appeal.lon)
        d = distance_m(lat, lon, *at)
        if d <= SIMILAR_RADIUS_M:
            found.append((appeal, d, own))
    return sorted(found, key=lambda found_one: found_one[1])


class Filed(NamedTuple):
    """A new appeal with all it has so far: its one history line and its attachments (oldest
    first) — what its answer shows, known without reading them back."""

    appeal: Appeal
    history: list[AppealEvent]
    media: list[MediaFile]


def create_appeal(db: Session, *, user: User, data: AppealCreate, channel: str = "mobile") -> Filed:
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
    earlier = None
    if data.lat is not None and data.lon is not None:
        if district is None:
            district = district_for(data.lat, data.lon)
        earlier = first_similar_nearby(
            db, subclass_code=subclass.code, lat=data.lat, lon=data.lon, now=now
        )
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
        repeat_of_id=earlier,
    )
    db.add(appeal)
    db.flush()
    assert appeal.id is not None
    appeal.number = f"109-{now:%y%m}-{appeal.id:06d}"
    if earlier is not None:
        count_repeat(db, of=earlier, now=now)
    media: list[MediaFile] = []
    if data.attachment_ids:
        media = attach_media(
            db,
            owner_id=user.id,
            media_ids=data.attachment_ids,
            appeal_id=appeal.id,
            role="applicant",
        )
    created = _event(
        db,
        appeal=appeal,
        actor=user,
        kind="status",
        to_status=Status.CREATED.value,
        note="importance raised by content" if raised else None,
    )
    touch(db, appeal=appeal)
    return Filed(appeal, [created], sorted(media, key=media_order))


def get_appeal(db: Session, *, appeal_id: int) -> Appeal:
    return get_or_404(db, model=Appeal, key=appeal_id)


def own_appeal(db: Session, *, user: User, appeal_id: int, owner_only: bool = False) -> Appeal:
    """The resident's own appeal (operators see all unless `owner_only`); anyone else's is 404,
    so existence is not revealed."""
    appeal = db.get(Appeal, appeal_id)
    operator_ok = (
        user.role == "operator"
        and not owner_only
        and staff_crud.may_see(db, user=user, appeal=appeal)
    )
    if appeal is None or (appeal.user_id != user.id and not operator_ok):
        raise ApiError(404, "not_found")
    return appeal


def list_appeals(
    db: Session,
    *,
    owner: User | None,
    status: str | None,
    before_id: int | None,
    limit: int,
    body: str | None = None,
) -> list[Appeal]:
    """Newest first, a page of `limit` before `before_id`; the owner's only, or (None) all, or
    those routed to `body` (an executor's)."""
    query = select(Appeal)
    if owner is not None:
        query = query.where(Appeal.user_id == owner.id)
    if body is not None:
        query = query.where(Appeal.service_code == body)
    if status:
        query = query.where(Appeal.status == status)
    return newest_first(db, query=query, key=col(Appeal.id), before_id=before_id, limit=limit)


def history(db: Session, *, appeal_id: int) -> list[AppealEvent]:
    return list(
        db.exec(
            select(AppealEvent)
            .where(AppealEvent.appeal_id == appeal_id)
            .order_by(col(AppealEvent.id))
        ).all()
    )


def complaints_of(db: Session, *, appeal_id: int) -> list[Complaint]:
    """The residents' complaints about the appeal, oldest first."""
    return list(
        db.exec(
            select(Complaint).where(Complaint.appeal_id == appeal_id).order_by(col(Complaint.id))
        ).all()
    )


def change_status(
    db: Session,
    *,
    operator: User,
    appeal: Appeal,
    to_status: str,
    note: str | None,
    service_code: str | None = None,
) -> Appeal:
    """Move `appeal` on, if it is still in the status it was read in: the move is a conditional
    UPDATE, so of two staff members moving the same appeal at the same moment (two processes,
    two tabs) one moves it and the other gets 409, never both."""
    current, target = Status(appeal.status), Status(to_status)
    if not can_operator_move(current, target):
        raise ApiError(409, "invalid_transition", from_status=current.value, to_status=target.value)
    moved = db.execute(
        update(Appeal)
        .where(col(Appeal.id) == appeal.id, col(Appeal.status) == current.value)
        .values(status=target.value)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(appeal)
        raise ApiError(409, "invalid_transition", from_status=appeal.status, to_status=target.value)
    if service_code:
        appeal.service_code = service_code
    appeal.status = target.value
    if target == Status.CLOSED:
        appeal.closed_at = utcnow()
    _event(
        db,
        appeal=appeal,
        actor=operator,
        kind="status",
        from_status=current.value,
        to_status=target.value,
        note=clean_text(note, max_len=2000, field="note") if note else None,
    )
    touch(db, appeal=appeal)
    return appeal


def close(
    db: Session, *, operator: User, appeal: Appeal, result_text: str, after_media_ids: list[str]
) -> Appeal:
    assert appeal.id is not None and operator.id is not None
    appeal.result_text = clean_text(result_text, max_len=4000, field="result_text")
    if after_media_ids:
        attach_media(
            db, owner_id=operator.id, media_ids=after_media_ids, appeal_id=appeal.id, role="after"
        )
    return change_status(
        db, operator=operator, appeal=appeal, to_status=Status.CLOSED.value, note=appeal.result_text
    )


def rate(db: Session, *, user: User, appeal: Appeal, score: int, comment: str | None) -> Appeal:
    if appeal.status != Status.CLOSED.value:
        raise ApiError(409, "appeal_not_closed")
    if appeal.rating is not None:
        raise ApiError(409, "already_rated")
    appeal.rating = score
    appeal.rating_comment = clean_text(comment, max_len=1000, field="comment") if comment else None
    appeal.rated_at = utcnow()
    _event(db, appeal=appeal, actor=user, kind="rating", note=f"{score}/5")
    touch(db, appeal=appeal)
    return appeal


def reopen(db: Session, *, user: User, appeal: Appeal, reason: str) -> Appeal:
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
        appeal=appeal,
        actor=user,
        kind="reopen",
        from_status=Status.CLOSED.value,
        to_status=Status.IN_PROGRESS.value,
        note=clean_text(reason, max_len=2000, field="reason"),
    )
    touch(db, appeal=appeal)
    return appeal


def complain(db: Session, *, user: User, appeal: Appeal, text: str) -> Complaint:
    assert appeal.id is not None and user.id is not None
    complaint = Complaint(
        appeal_id=appeal.id, user_id=user.id, text=clean_text(text, max_len=2000, field="reason")
    )
    db.add(complaint)
    _event(db, appeal=appeal, actor=user, kind="complaint", note=complaint.text)
    touch(db, appeal=appeal)
    return complaint


def of_own_appeals(db: Session, *, model: type[Row], user: User, ids: list[int]) -> list[Row]:
    """Rows of `model` among `ids` that belong to the resident's own appeals (others' are left
    out): chat messages, forwards."""
    return list(
        db.exec(
            select(model)
            .join(Appeal, col(Appeal.id) == model.appeal_id)
            .where(col(model.id).in_(ids), Appeal.user_id == user.id)
        ).all()
    )


def own_appeals_by_ids(db: Session, *, user: User, ids: list[int]) -> list[Appeal]:
    """The resident's own appeals among `ids` (another's are left out)."""
    return list(
        db.exec(select(Appeal).where(col(Appeal.id).in_(ids), Appeal.user_id == user.id)).all()
    )
