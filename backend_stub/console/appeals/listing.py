"""The list of appeals (/console): the filters, the sort order (by deadline unless chosen
otherwise), the counts by status and the table, a page at a time. The table is a live region:
the console's script swaps in a fresh one when an appeal changes (see `console.live`)."""

from __future__ import annotations

from datetime import datetime
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
from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import console_router, error_box, heading, layout
from backend_stub.console.kit.text import district_name, e, fmt_time
from backend_stub.console.kit.widgets import PAGE_SIZE, badge, chips, count_label, options, table
from backend_stub.crud import appeal_search
from backend_stub.crud import chat as chat_crud
from backend_stub.deps import DbDep
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.models import Appeal, utcnow
from backend_stub.statuses import STATUS_NAMES, Status

router = console_router("/console")

NUMBER_MAX = 32
SORT_NAMES = {
    "deadline": "Deadline: overdue first",
    "importance": "Importance",
    "newest": "Newest first",
}


def _filter_form(
    status: str, importance: str, district: str, number: str, overdue: str, sort: str
) -> str:
    lang = language()
    statuses = [
        ("", _("All statuses")),
        (appeal_search.OPEN, _("All not closed")),
        *[(s.value, STATUS_NAMES[s][lang]) for s in Status],
    ]
    importances = [("", _("Any")), *[(k, v[lang]) for k, v in IMPORTANCE_NAMES.items()]]
    districts = [("", _("All districts")), *[(k, v[lang]) for k, v in DISTRICT_NAMES.items()]]
    sorts = [(k, _(v)) for k, v in SORT_NAMES.items()]
    return (
        '<form class="card filters" method="get" action="/console">'
        f'<div><label for="f-sort">{e(_("Sort by"))}</label><select id="f-sort" name="sort">'
        f"{options(sorts, sort)}</select></div>"
        f'<div><label for="f-status">{e(_("Status"))}</label><select id="f-status" name="status">'
        f"{options(statuses, status)}</select></div>"
        f'<div><label for="f-imp">{e(_("Importance"))}</label>'
        f'<select id="f-imp" name="importance">{options(importances, importance)}</select></div>'
        f'<div><label for="f-d">{e(_("District"))}</label><select id="f-d" name="district">'
        f"{options(districts, district)}</select></div>"
        f'<div><label for="f-n">{e(_("Number"))}</label>'
        f'<input type="search" id="f-n" name="number" value="{e(number)}"'
        f' maxlength="{NUMBER_MAX}" placeholder="109-…"></div>'
        '<div><label><input type="checkbox" name="overdue" value="1"'
        f"{' checked' if overdue else ''}> {e(_('Only overdue'))}</label></div>"
        f'<div><button type="submit">{e(_("Show"))}</button> '
        f'<a class="small" href="/console">{e(_("Reset"))}</a></div></form>'
    )


def _row(a: Appeal, unread: int, now: datetime) -> str:
    cls_name, sub_name = category_names(a.subclass_code)
    marks = status_marks(a, now)
    if unread:
        marks.append(badge(_("New messages: {n}", n=unread), cls="unread"))
    return (
        f'<tr data-appeal="{e(a.number)}">'
        f'<td class="nowrap"><a href="/console/appeals/{a.id}"><b>{e(a.number)}</b></a>'
        f'<span class="sub">{e(TYPE_NAMES.get(a.type, a.type))}</span></td>'
        f"<td>{status_badge(a.status)} {' '.join(marks)}</td>"
        f"<td>{importance_badge(a.importance, a.importance_raised)}</td>"
        f'<td>{e(sub_name)}<span class="sub">{e(cls_name)}</span></td>'
        f"<td>{e(district_name(a.district))}</td>"
        f'<td class="nowrap">{e(fmt_time(a.created_at))}</td>'
        f'<td class="nowrap">{e(fmt_time(a.due_at))}</td>'
        "</tr>"
    )


def _next_page(rows: list[Appeal], filters: dict[str, str], sort: str) -> str:
    """The link to the next page when this one is full, keeping the filters and the order."""
    if len(rows) < PAGE_SIZE:
        return ""
    last = rows[-1]
    if sort == "newest":
        cursor = {"before_id": str(last.id)}
    else:
        cursor = {"after": appeal_search.Cursor.after(last).token()}
    href = "/console?" + urlencode({**filters, **cursor})
    return f'<div class="pager"><a href="{e(href)}">{e(_("Next page →"))}</a></div>'


@router.get("", response_class=HTMLResponse)
def appeal_list(
    who: ConsoleSession,
    db: DbDep,
    status: Annotated[str, Query(max_length=16)] = "",
    importance: Annotated[str, Query(max_length=16)] = "",
    district: Annotated[str, Query(max_length=60)] = "",
    number: Annotated[str, Query(max_length=400)] = "",
    overdue: Annotated[str, Query(max_length=2)] = "",
    sort: Annotated[str, Query(max_length=16)] = "deadline",
    after: Annotated[str, Query(max_length=80)] = "",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    now = utcnow()
    number = number.strip()
    problems = []
    if len(number) > NUMBER_MAX:
        problems.append(
            _("Number: at most {n} characters; the first {n} were searched.", n=NUMBER_MAX)
        )
        number = number[:NUMBER_MAX]
    if sort not in appeal_search.SORTS:
        sort = "deadline"
    cursor = None
    if after:
        try:
            cursor = appeal_search.Cursor.parse(after)
        except ValueError:
            problems.append(_("This page link is damaged; the list starts from the top."))
    rows = appeal_search.search(
        db,
        now=now,
        status=status,
        importance=importance,
        district=district,
        number=number,
        overdue=bool(overdue),
        sort=sort,
        before_id=before_id,
        after=cursor,
        limit=PAGE_SIZE,
        body=who.staff.body,
    )
    unread = chat_crud.unread_from_residents(db, appeal_ids=[a.id for a in rows if a.id])
    totals = appeal_search.count_by_status(db, body=who.staff.body)
    filters = {
        "sort": sort,
        "status": status,
        "importance": importance,
        "district": district,
        "number": number,
        "overdue": "1" if overdue else "",
    }
    lang = language()
    counts = chips(
        (
            f"/console?{urlencode({'status': s.value, 'sort': sort})}",
            count_label(STATUS_NAMES[s][lang], totals.get(s.value, 0)),
        )
        for s in Status
    )
    headers = (
        _("Number"), _("Status"), _("Importance"), _("Category"), _("District"), _("Created on"),
        _("Deadline"),
    )  # fmt: skip
    body_rows = [_row(a, unread.get(a.id or 0, 0), now) for a in rows]
    content = (
        heading(_("Appeals"), _("time: Astana"))
        + error_box(" ".join(problems))
        + f'<div id="live-counts" data-live-region>{counts}</div>'
        + _filter_form(status, importance, district, number, overdue, sort)
        + '<div id="live-appeals" data-live-region>'
        + table(headers, body_rows, _("No appeals."))
        + _next_page(rows, {k: v for k, v in filters.items() if v}, sort)
        + "</div>"
    )
    return layout(_("Appeals"), content, csrf=who.csrf, status=422 if problems else 200)
