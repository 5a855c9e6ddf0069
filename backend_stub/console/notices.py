"""Console pages for notices under /console/notices: list (active, archive, all), publish, edit,
withdraw.

Writes go through the same crud as the operator API, so the checks and the sync feed are the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.forms import (
    FormError,
    FormShort,
    FormText,
    once_per_form,
    parse_local,
    refusals,
    validation_text,
)
from backend_stub.console.kit.i18n import Names, _, language
from backend_stub.console.kit.page import (
    console_router,
    not_found,
    redirect,
    section_item,
    section_list,
)
from backend_stub.console.kit.text import district_name, e, fmt_time, to_local
from backend_stub.console.kit.widgets import (
    PAGE_SIZE,
    badge,
    chips,
    client_id_field,
    district_checkboxes,
    options,
    pager,
    post_form,
    table,
)
from backend_stub.crud import notices as crud
from backend_stub.crud.records import by_key
from backend_stub.deps import DbDep
from backend_stub.models import Notice, utcnow
from backend_stub.notice_topics import TOPICS
from backend_stub.schemas.notices import BODY_MAX, TITLE_MAX, NoticeIn

router = console_router("/console/notices")

SECTION = "Notices: works and events"
KIND_NAMES = Names(
    {"planned": "Planned works", "emergency": "Emergency works", "event": "Event (notice)"}
)
SCOPE_NAMES = Names({"active": "In force", "archive": "Archive", "all": "All (notices)"})
FIELD_NAMES = Names(
    {
        "kind": "Kind of notice",
        "topic": "Topic",
        "title_kk": "Title (in Kazakh)",
        "title_ru": "Title (in Russian)",
        "body_kk": "Text (in Kazakh)",
        "body_ru": "Text (in Russian)",
        "districts": "Districts",
        "area": "Area (of a notice)",
        "starts_at": "Start (of a notice)",
        "ends_at": "End (of a notice)",
    }
)


def _kind_badge(kind: str) -> str:
    return badge(KIND_NAMES.get(kind, kind), "emergency" if kind == "emergency" else "")


def _state_badge(notice: Notice, now: datetime) -> str:
    if notice.state == "withdrawn":
        return badge(_("Withdrawn"), "st-returned")
    if crud.is_active(notice, now):
        return badge(_("In force"), "st-closed")
    return badge(_("Over (notice)"))


def _where(notice: Notice) -> str:
    parts = [district_name(d) for d in notice.districts]
    if notice.area_lat is not None and notice.area_lon is not None:
        parts.append(
            _(
                "area of {radius} m around {lat}, {lon}",
                radius=notice.area_radius_m,
                lat=f"{notice.area_lat:.4f}",
                lon=f"{notice.area_lon:.4f}",
            )
        )
    return e(", ".join(parts) if parts else _("Whole city"))


def _topic_name(code: str) -> str:
    return TOPICS.get(code, {}).get(language(), code)


# ---------------------------------------------------------------- the list


@router.get("", response_class=HTMLResponse)
def notice_list(
    who: ConsoleSession,
    db: DbDep,
    scope: Annotated[str, Query(max_length=10)] = "active",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    scope = scope if scope in SCOPE_NAMES else "active"
    now = utcnow()
    rows = crud.list_notices(db, scope=scope, before_id=before_id, limit=PAGE_SIZE, now=now)
    scopes = chips(
        (
            f"/console/notices?{urlencode({'scope': s})}",
            f"<b>{e(name)}</b>" if s == scope else e(name),
        )
        for s, name in SCOPE_NAMES.items()
    )
    body_rows = [
        "<tr>"
        f'<td class="nowrap"><a href="/console/notices/{n.id}"><b>№ {n.id}</b></a></td>'
        f"<td>{_kind_badge(n.kind)}</td>"
        f"<td>{e(_topic_name(n.topic))}</td>"
        f"<td>{e(_title(n))}</td>"
        f"<td>{_where(n)}</td>"
        f'<td class="nowrap">{e(fmt_time(n.starts_at))}<br>{e(fmt_time(n.ends_at))}</td>'
        f"<td>{_state_badge(n, now)}</td></tr>"
        for n in rows
    ]
    headers = (
        "№",
        _("Kind of notice"),
        _("Topic"),
        _("Title"),
        _("Where"),
        _("Start / end"),
        _("State"),
    )
    body = (
        scopes + '<form method="get" action="/console/notices/new"><p><button type="submit">'
        f"{e(_('New notice'))}</button></p></form>"
        + table(headers, body_rows, _("No notices."))
        + pager("/console/notices", rows, {"scope": scope})
    )
    return section_list(_(SECTION), _("Times in Astana time"), body, csrf=who.csrf)


# ---------------------------------------------------------------- the form


@dataclass
class NoticeForm:
    """The form's raw values, kept as typed so a rejected form comes back filled in."""

    kind: str = "planned"
    topic: str = "water"
    title_kk: str = ""
    title_ru: str = ""
    body_kk: str = ""
    body_ru: str = ""
    districts: list[str] = field(default_factory=list)
    area_lat: str = ""
    area_lon: str = ""
    area_radius_m: str = ""
    starts_at: str = ""
    ends_at: str = ""

    @classmethod
    def of(cls, notice: Notice) -> NoticeForm:
        return cls(
            kind=notice.kind,
            topic=notice.topic,
            title_kk=notice.title_kk,
            title_ru=notice.title_ru,
            body_kk=notice.body_kk,
            body_ru=notice.body_ru,
            districts=list(notice.districts),
            area_lat="" if notice.area_lat is None else f"{notice.area_lat:.6f}",
            area_lon="" if notice.area_lon is None else f"{notice.area_lon:.6f}",
            area_radius_m="" if notice.area_radius_m is None else str(notice.area_radius_m),
            starts_at=to_local(notice.starts_at),
            ends_at=to_local(notice.ends_at),
        )

    def to_notice(self) -> NoticeIn:
        """The API shape; FormError with the reason when a value cannot be read."""
        area_parts = [self.area_lat.strip(), self.area_lon.strip(), self.area_radius_m.strip()]
        area: dict[str, Any] | None = None
        if any(area_parts):
            if not all(area_parts):
                raise FormError(
                    _("Give the area's latitude, longitude and radius, or leave all three empty.")
                )
            try:
                lat, lon = (float(v.replace(",", ".")) for v in area_parts[:2])
                radius = int(area_parts[2])
            except ValueError:
                raise FormError(_("The area's coordinates and radius must be numbers.")) from None
            area = {"lat": lat, "lon": lon, "radius_m": radius}
        data: dict[str, Any] = {
            "kind": self.kind,
            "topic": self.topic,
            "title_kk": self.title_kk,
            "title_ru": self.title_ru,
            "body_kk": self.body_kk,
            "body_ru": self.body_ru,
            "districts": self.districts,
            "area": area,
            "starts_at": parse_local(self.starts_at, FIELD_NAMES["starts_at"]),
            "ends_at": parse_local(self.ends_at, FIELD_NAMES["ends_at"]),
        }
        return NoticeIn.model_validate(data)


def _validation_text(exc: ValidationError) -> str:
    return validation_text(exc, FIELD_NAMES)


def _title(notice: Notice) -> str:
    return notice.title_kk if language() == "kk" else notice.title_ru


def _fields_html(form: NoticeForm) -> str:
    kinds = options(list(KIND_NAMES.items()), form.kind)
    topics = options([(k, _topic_name(k)) for k in TOPICS], form.topic)
    return (
        '<div class="filters">'
        f'<div><label for="n-kind">{e(_("Kind of notice"))}</label>'
        f'<select id="n-kind" name="kind">{kinds}</select></div>'
        f'<div><label for="n-topic">{e(_("Topic"))}</label>'
        f'<select id="n-topic" name="topic">{topics}</select></div>'
        f'<div><label for="n-start">{e(_("Start (Astana time)"))}</label>'
        '<input type="datetime-local"'
        f' id="n-start" name="starts_at" value="{e(form.starts_at)}"></div>'
        f'<div><label for="n-end">{e(_("End (empty: until withdrawn)"))}</label>'
        '<input type="datetime-local"'
        f' id="n-end" name="ends_at" value="{e(form.ends_at)}"></div></div>'
        f'<label for="n-tkk">{e(FIELD_NAMES["title_kk"])}</label>'
        f'<input type="text" class="wide" id="n-tkk" name="title_kk" maxlength="{TITLE_MAX}"'
        f' required value="{e(form.title_kk)}">'
        f'<label for="n-tru">{e(FIELD_NAMES["title_ru"])}</label>'
        f'<input type="text" class="wide" id="n-tru" name="title_ru" maxlength="{TITLE_MAX}"'
        f' required value="{e(form.title_ru)}">'
        f'<label for="n-bkk">{e(FIELD_NAMES["body_kk"])}</label>'
        f'<textarea id="n-bkk" name="body_kk" maxlength="{BODY_MAX}" required>'
        f"{e(form.body_kk)}</textarea>"
        f'<label for="n-bru">{e(FIELD_NAMES["body_ru"])}</label>'
        f'<textarea id="n-bru" name="body_ru" maxlength="{BODY_MAX}" required>'
        f"{e(form.body_ru)}</textarea>"
        f"<label>{e(_('Districts (none and no area: the whole city)'))}</label>"
        f"<div>{district_checkboxes(form.districts)}</div>"
        '<div class="filters">'
        f'<div><label for="n-lat">{e(_("Area: latitude"))}</label>'
        '<input type="text" id="n-lat"'
        f' name="area_lat" value="{e(form.area_lat)}" placeholder="51.1282"></div>'
        f'<div><label for="n-lon">{e(_("longitude"))}</label>'
        '<input type="text" id="n-lon" name="area_lon"'
        f' value="{e(form.area_lon)}" placeholder="71.4307"></div>'
        f'<div><label for="n-r">{e(_("radius, m"))}</label><input type="text" id="n-r"'
        f' name="area_radius_m" value="{e(form.area_radius_m)}" placeholder="500"></div></div>'
    )


def withdrawn_text(notice: Notice) -> str:
    return _(
        "Withdrawn on {when}; it is in the archive and cannot be changed.",
        when=fmt_time(notice.withdrawn_at),
    )


def render_form(
    who: SignedIn,
    form: NoticeForm,
    *,
    notice: Notice | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    hidden = who.hidden
    if notice is None:
        title = _("New notice")
        action = "/console/notices"
        hidden += client_id_field()
    else:
        title = _("Notice No. {id}", id=notice.id)
        action = f"/console/notices/{notice.id}"
    fields = post_form(
        action, hidden, _fields_html(form), _("Publish") if notice is None else _("Save")
    )
    extra = ""
    if notice is not None and notice.state == "withdrawn":
        fields = (
            f'<p class="muted">'
            f"{e(withdrawn_text(notice))}"
            "</p>"
            f'<h2 lang="kk">{e(notice.title_kk)}</h2><div class="text" lang="kk">'
            f"{e(notice.body_kk)}</div>"
            f'<h2 lang="ru">{e(notice.title_ru)}</h2><div class="text" lang="ru">'
            f"{e(notice.body_ru)}</div>"
        )
    elif notice is not None:
        extra = (
            f'<div class="card"><form method="post" action="/console/notices/{notice.id}'
            f'/withdraw">{hidden}<h2>{e(_("Withdraw the notice"))}</h2>'
            f'<p class="muted small">{e(_("The notice goes to the archive for every resident."))}'
            "</p>"
            f'<button type="submit" class="secondary">{e(_("Withdraw"))}</button>'
            "</form></div>"
        )
    return section_item(
        _(SECTION),
        ("/console/notices", _("All notices")),
        title,
        f'<div class="card">{fields}</div>{extra}',
        csrf=who.csrf,
        error=error,
        status=status,
    )


def _notice_or_404(db: Session, who: SignedIn, notice_id: int) -> Notice:
    notice = by_key(db, model=Notice, key=notice_id)
    if notice is None:
        raise not_found(_("No such notice."), "/console/notices", _("All notices"), csrf=who.csrf)
    return notice


def _save(
    db: Session, who: SignedIn, form: NoticeForm, notice: Notice | None, client_id: str
) -> Response:
    """Publish (notice None, once per form) or edit; on a refusal the form comes back filled in."""

    def again(error: str, status: int) -> Response:
        return render_form(who, form, notice=notice, error=error, status=status)

    with refusals(db, again, explain=_validation_text):
        data = form.to_notice()
        if notice is None:
            body = once_per_form(
                db,
                who.user,
                client_id,
                "console-notice",
                "console.notices.publish",
                data.model_dump(mode="json"),
                lambda: {"id": crud.publish(db, author=who.user, data=data).id},
            )
            return redirect(f"/console/notices/{body['id']}")
        crud.edit(db, notice=notice, data=data)
        db.commit()
    return redirect(f"/console/notices/{notice.id}")


def notice_form(
    kind: FormShort = "",
    topic: FormShort = "",
    title_kk: FormText = "",
    title_ru: FormText = "",
    body_kk: FormText = "",
    body_ru: FormText = "",
    districts: Annotated[list[str] | None, Form()] = None,
    area_lat: FormShort = "",
    area_lon: FormShort = "",
    area_radius_m: FormShort = "",
    starts_at: FormShort = "",
    ends_at: FormShort = "",
) -> NoticeForm:
    """The posted notice form, as typed."""
    return NoticeForm(
        kind=kind,
        topic=topic,
        title_kk=title_kk,
        title_ru=title_ru,
        body_kk=body_kk,
        body_ru=body_ru,
        districts=list(districts or []),
        area_lat=area_lat,
        area_lon=area_lon,
        area_radius_m=area_radius_m,
        starts_at=starts_at,
        ends_at=ends_at,
    )


PostedForm = Annotated[NoticeForm, Depends(notice_form)]


@router.get("/new", response_class=HTMLResponse)
def new_form(who: ConsoleSession) -> Response:
    return render_form(who, NoticeForm(starts_at=to_local(utcnow())))


@router.post("", response_class=HTMLResponse)
def create(who: ConsoleForm, db: DbDep, form: PostedForm, client_id: FormShort = "") -> Response:
    return _save(db, who, form, None, client_id)


@router.get("/{notice_id}", response_class=HTMLResponse)
def edit_form(notice_id: int, who: ConsoleSession, db: DbDep) -> Response:
    notice = _notice_or_404(db, who, notice_id)
    return render_form(who, NoticeForm.of(notice), notice=notice)


@router.post("/{notice_id}", response_class=HTMLResponse)
def update(notice_id: int, who: ConsoleForm, db: DbDep, form: PostedForm) -> Response:
    return _save(db, who, form, _notice_or_404(db, who, notice_id), "")


@router.post("/{notice_id}/withdraw", response_class=HTMLResponse)
def withdraw(notice_id: int, who: ConsoleForm, db: DbDep) -> Response:
    notice = _notice_or_404(db, who, notice_id)
    crud.withdraw(db, notice=notice)
    db.commit()
    return redirect(f"/console/notices/{notice_id}")
