"""The list of appeals (/console): the filters, the unread counts and the table, a page at a
time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from backend_stub.console.appeals.names import (
    IMPORTANCE_NAMES,
    TYPE_NAMES,
    category_names,
    importance_badge,
    status_badge,
    status_marks,
)
from backend_stub.console.auth import ConsoleSession
from backend_stub.console.kit.page import console_router, heading, layout
from backend_stub.console.kit.text import district_name, e, fmt_time
from backend_stub.console.kit.widgets import (
    PAGE_SIZE,
    badge,
    chips,
    count_label,
    options,
    pager,
    table,
)
from backend_stub.crud.records import newest_first
from backend_stub.deps import DbDep
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.models import Appeal, Message, utcnow
from backend_stub.statuses import STATUS_NAMES, Status

router = console_router("/console")

STATUS_FILTERS: list[tuple[str, str]] = [
    ("", "Все статусы"),
    ("open", "Все незакрытые"),
    *[(s.value, STATUS_NAMES[s]["ru"]) for s in Status],
]


def _find(
    db: Session,
    now: datetime,
    *,
    status: str,
    importance: str,
    district: str,
    number: str,
    overdue: bool,
    before_id: int | None,
) -> list[Appeal]:
    query = select(Appeal)
    if status == "open":
        query = query.where(col(Appeal.status) != Status.CLOSED.value)
    elif status in {s.value for s in Status}:
        query = query.where(Appeal.status == status)
    if importance in IMPORTANCE_NAMES:
        query = query.where(Appeal.importance == importance)
    if district:
        query = query.where(Appeal.district == district)
    if number:
        query = query.where(col(Appeal.number).contains(number, autoescape=True))
    if overdue:
        query = query.where(
            or_(
                and_(col(Appeal.status) != Status.CLOSED.value, col(Appeal.due_at) < now),
                and_(
                    col(Appeal.status) == Status.CLOSED.value,
                    col(Appeal.closed_at) > col(Appeal.due_at),
                ),
            )
        )
    return newest_first(db, query=query, key=col(Appeal.id), before_id=before_id, limit=PAGE_SIZE)


def _unread(db: Session, rows: list[Appeal]) -> dict[int, int]:
    """Residents' messages the operator has not seen, per appeal."""
    ids = [a.id for a in rows]
    if not ids:
        return {}
    counts = db.exec(
        select(Message.appeal_id, func.count())
        .where(
            col(Message.appeal_id).in_(ids),
            Message.author_role == "resident",
            col(Message.read_at).is_(None),
        )
        .group_by(col(Message.appeal_id))
    ).all()
    return {appeal_id: int(n) for appeal_id, n in counts}


def _filter_form(status: str, importance: str, district: str, number: str, overdue: str) -> str:
    importances = [("", "Любая"), *[(k, v["ru"]) for k, v in IMPORTANCE_NAMES.items()]]
    districts = [("", "Все районы"), *[(k, v["ru"]) for k, v in DISTRICT_NAMES.items()]]
    return (
        '<form class="card filters" method="get" action="/console">'
        f'<div><label for="f-status">Статус</label><select id="f-status" name="status">'
        f"{options(STATUS_FILTERS, status)}</select></div>"
        '<div><label for="f-imp">Важность</label><select id="f-imp" name="importance">'
        f"{options(importances, importance)}</select></div>"
        '<div><label for="f-d">Район</label><select id="f-d" name="district">'
        f"{options(districts, district)}</select></div>"
        '<div><label for="f-n">Номер</label>'
        f'<input type="search" id="f-n" name="number" value="{e(number)}"'
        ' placeholder="109-…"></div>'
        '<div><label><input type="checkbox" name="overdue" value="1"'
        f"{' checked' if overdue else ''}> Только просроченные</label></div>"
        '<div><button type="submit">Показать</button> '
        '<a class="small" href="/console">Сбросить</a></div></form>'
    )


@router.get("", response_class=HTMLResponse)
def appeal_list(
    who: ConsoleSession,
    db: DbDep,
    status: Annotated[str, Query(max_length=16)] = "",
    importance: Annotated[str, Query(max_length=16)] = "",
    district: Annotated[str, Query(max_length=60)] = "",
    number: Annotated[str, Query(max_length=32)] = "",
    overdue: Annotated[str, Query(max_length=2)] = "",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    now = utcnow()
    number = number.strip()
    rows = _find(
        db,
        now,
        status=status,
        importance=importance,
        district=district,
        number=number,
        overdue=bool(overdue),
        before_id=before_id,
    )
    unread = _unread(db, rows)
    totals = dict(db.exec(select(Appeal.status, func.count()).group_by(col(Appeal.status))).all())
    filters = {
        "status": status,
        "importance": importance,
        "district": district,
        "number": number,
        "overdue": "1" if overdue else "",
    }
    counts = chips(
        (
            f"/console?{urlencode({'status': s.value})}",
            count_label(STATUS_NAMES[s]["ru"], totals.get(s.value, 0)),
        )
        for s in Status
    )
    body_rows = []
    for a in rows:
        cls_name, sub_name = category_names(a.subclass_code)
        marks = status_marks(a, now)
        if unread.get(a.id or 0):
            marks.append(badge(f"Новых сообщений: {unread[a.id or 0]}", cls="unread"))
        body_rows.append(
            "<tr>"
            f'<td class="nowrap"><a href="/console/appeals/{a.id}"><b>{e(a.number)}</b></a>'
            f'<span class="kk">{e(TYPE_NAMES.get(a.type, a.type))}</span></td>'
            f"<td>{status_badge(a.status)} {' '.join(marks)}</td>"
            f"<td>{importance_badge(a.importance, a.importance_raised)}</td>"
            f'<td>{e(sub_name)}<span class="kk">{e(cls_name)}</span></td>'
            f"<td>{e(district_name(a.district))}</td>"
            f'<td class="nowrap">{e(fmt_time(a.created_at))}</td>'
            f'<td class="nowrap">{e(fmt_time(a.due_at))}</td>'
            "</tr>"
        )
    headers = ("Номер", "Статус", "Важность", "Категория", "Район", "Создано", "Срок")
    content = (
        heading("Обращения", "Өтініштер · время: Астана")
        + counts
        + _filter_form(status, importance, district, number, overdue)
        + table(headers, body_rows, "Обращений нет.")
        + pager("/console", rows, {k: v for k, v in filters.items() if v})
    )
    return layout("Обращения", content, csrf=who.csrf)
