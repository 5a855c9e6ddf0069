"""What residents and operators see of notices: `NoticeOut`, a page of them, and the sync-feed
rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend_stub.crud.notices import is_active, notices_by_ids
from backend_stub.models import Notice, User, utcnow
from backend_stub.schemas.notices import AreaIn, NoticeOut, NoticePage


def notice_out(notice: Notice, now: datetime | None = None) -> NoticeOut:
    assert notice.id is not None
    area = None
    if notice.area_lat is not None and notice.area_lon is not None and notice.area_radius_m:
        area = AreaIn(lat=notice.area_lat, lon=notice.area_lon, radius_m=notice.area_radius_m)
    return NoticeOut(
        id=notice.id,
        kind=notice.kind,
        topic=notice.topic,
        title_kk=notice.title_kk,
        title_ru=notice.title_ru,
        body_kk=notice.body_kk,
        body_ru=notice.body_ru,
        districts=list(notice.districts),
        area=area,
        city_wide=notice.city_wide,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        state=notice.state,
        active=is_active(notice, now or utcnow()),
        created_at=notice.created_at,
        updated_at=notice.updated_at,
        withdrawn_at=notice.withdrawn_at,
    )


def notice_page(rows: list[Notice], limit: int) -> NoticePage:
    now = utcnow()
    return NoticePage(
        items=[notice_out(n, now) for n in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """Sync loader: the current state of changed notices, withdrawn ones included (so the app
    can drop them). Every resident gets every notice; the app applies its own preferences."""
    rows = notices_by_ids(db, ids=[int(i) for i in ids if i.isdigit()])
    now = utcnow()
    return [notice_out(n, now).model_dump(mode="json") for n in rows]
