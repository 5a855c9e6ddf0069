"""The list of appeals (/console): the filters, the unread counts and the table, a page at a
time."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query
from fastapi.responses import HTMLResponse, Response

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
from backend_stub.crud import appeal_search
from backend_stub.crud import chat as chat_crud
from backend_stub.deps import DbDep
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.models import utcnow
from backend_stub.statuses import STATUS_NAMES, Status

router = console_router("/console")

STATUS_FILTERS: list[tuple[str, str]] = [
    ("", "Все статусы"),
    (appeal_search.OPEN, "Все незакрытые"),
    *[(s.value, STATUS_NAMES[s]["ru"]) for s in Status],
]


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
    rows = appeal_search.search(
        db,
        now=now,
        status=status,
        importance=importance,
        district=district,
        number=number,
        overdue=bool(overdue),
        before_id=before_id,
        limit=PAGE_SIZE,
    )
    unread = chat_crud.unread_from_residents(db, appeal_ids=[a.id for a in rows if a.id])
    totals = appeal_search.count_by_status(db)
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
