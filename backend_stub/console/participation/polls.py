"""Polls under /console/participation: the list with the draft form, one poll with its results,
and publishing, closing and deleting a draft.

Every write goes through the same crud functions as the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Form
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.confirm import YES, Confirmed, confirm_page
from backend_stub.console.kit.forms import FormError, refusals
from backend_stub.console.kit.i18n import _, language, percent
from backend_stub.console.kit.page import console_router, redirect
from backend_stub.console.kit.text import district_name, e, fmt_time, to_local
from backend_stub.console.kit.widgets import (
    button_form,
    details,
    district_checkboxes,
    post_form,
    table,
)
from backend_stub.console.participation.common import (
    BASE,
    found_or_404,
    not_found_page,
    parse_astana,
    participation_page,
    state_badge,
    text_input,
)
from backend_stub.crud import polls as polls_crud
from backend_stub.crud.records import by_key
from backend_stub.deps import DbDep
from backend_stub.models import Poll, utcnow
from backend_stub.presenters.polls import results_out
from backend_stub.schemas.participation import POLL_STATUS_NAMES, PollIn, PollOptionIn

router = console_router(BASE)


def _poll_form(who: SignedIn, values: dict[str, Any]) -> str:
    now = utcnow()
    multiple = " checked" if values.get("multiple") else ""
    return post_form(
        f"{BASE}/polls",
        who.hidden,
        f"<h2>{e(_('New poll'))}</h2>"
        + text_input(
            "question_kk", _("Question (in Kazakh)"), values.get("question_kk", ""), maxlength=1000
        )
        + text_input(
            "question_ru", _("Question (in Russian)"), values.get("question_ru", ""), maxlength=1000
        )
        + '<div class="grid"><div>'
        + text_input(
            "options_kk",
            _("Answers (in Kazakh), one a line"),
            values.get("options_kk", ""),
            maxlength=4000,
            area=True,
        )
        + "</div><div>"
        + text_input(
            "options_ru",
            _("Answers (in Russian), in the same order"),
            values.get("options_ru", ""),
            maxlength=4000,
            area=True,
        )
        + "</div></div>"
        f'<label><input type="checkbox" name="multiple" value="1"{multiple}> '
        f"{e(_('Several answers may be chosen'))}</label>"
        f'<label for="max_choices">{e(_("At most this many answers (for several; empty: all)"))}'
        "</label>"
        f'<input type="text" id="max_choices" name="max_choices" maxlength="2"'
        f' value="{e(values.get("max_choices", ""))}">'
        f'<div class="filters"><div><label for="opens_at">{e(_("Start (Astana time)"))}</label>'
        '<input type="datetime-local" id="opens_at" name="opens_at"'
        f' value="{e(values.get("opens_at") or to_local(now))}"></div>'
        f'<div><label for="closes_at">{e(_("End (Astana time)"))}</label>'
        '<input type="datetime-local" id="closes_at" name="closes_at"'
        f' value="{e(values.get("closes_at") or to_local(now + timedelta(days=7)))}"></div></div>'
        f"<label>{e(_('Districts (none: the whole city)'))}</label>"
        f"<div>{district_checkboxes(values.get('districts') or [], gap_px=12)}</div>",
        _("Save the draft"),
        cls="card",
    )


def _question(poll: Poll) -> str:
    return poll.question_kk if language() == "kk" else poll.question_ru


def _scope(poll: Poll) -> str:
    return ", ".join(district_name(d) for d in poll.districts) or _("Whole city")


def _poll_list(
    db: Session,
    who: SignedIn,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    now = utcnow()
    rows = []
    for poll in polls_crud.all_polls(db):
        rows.append(
            f'<tr><td><a href="{BASE}/polls/{poll.id}"><b>{e(_question(poll))}</b></a></td>'
            f"<td>{state_badge(polls_crud.poll_status(poll, now), POLL_STATUS_NAMES)}</td>"
            f'<td class="nowrap">{e(fmt_time(poll.opens_at))} —<br>{e(fmt_time(poll.closes_at))}'
            f"</td><td>{e(_scope(poll))}</td><td>{results_out(db, poll).total}</td></tr>"
        )
    headers = (_("Question"), _("Status"), _("Period"), _("Districts"), _("Votes"))
    body = f'<div class="card">{table(headers, rows, _("No polls yet."))}</div>'
    body += _poll_form(who, values or {})
    return participation_page(who, _("Polls"), body, error=error, status=status)


@router.get("", response_class=HTMLResponse)
def polls_page(who: ConsoleSession, db: DbDep) -> Response:
    return _poll_list(db, who)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _poll_in(values: dict[str, Any]) -> PollIn:
    kk, ru = _lines(values["options_kk"]), _lines(values["options_ru"])
    if len(kk) != len(ru):
        raise FormError(_("There must be as many answers in Kazakh as in Russian."))
    raw_max = values["max_choices"].strip()
    if raw_max and not raw_max.isdigit():
        raise FormError(_("«At most this many answers» must be a whole number."))
    try:
        return PollIn(
            question_kk=values["question_kk"],
            question_ru=values["question_ru"],
            options=[PollOptionIn(text_kk=k, text_ru=r) for k, r in zip(kk, ru, strict=True)],
            multiple=bool(values["multiple"]),
            max_choices=int(raw_max) if raw_max else None,
            opens_at=parse_astana(values["opens_at"], _("Start (of a notice)")),
            closes_at=parse_astana(values["closes_at"], _("End (of a notice)")),
            districts=values["districts"],
        )
    except ValidationError:
        raise FormError(
            _(
                "Fill in the question in both languages (up to 1000 characters) and 2 to 12"
                " answers (up to 300 characters each)."
            )
        ) from None


@router.post("/polls")
def create_poll(
    who: ConsoleForm,
    db: DbDep,
    question_kk: Annotated[str, Form(max_length=2000)] = "",
    question_ru: Annotated[str, Form(max_length=2000)] = "",
    options_kk: Annotated[str, Form(max_length=8000)] = "",
    options_ru: Annotated[str, Form(max_length=8000)] = "",
    multiple: Annotated[str, Form(max_length=2)] = "",
    max_choices: Annotated[str, Form(max_length=4)] = "",
    opens_at: Annotated[str, Form(max_length=32)] = "",
    closes_at: Annotated[str, Form(max_length=32)] = "",
    districts: Annotated[list[str] | None, Form()] = None,
) -> Response:
    values: dict[str, Any] = {
        "question_kk": question_kk,
        "question_ru": question_ru,
        "options_kk": options_kk,
        "options_ru": options_ru,
        "multiple": multiple,
        "max_choices": max_choices,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "districts": [d[:60] for d in (districts or [])][:20],
    }

    def again(error: str, status: int) -> Response:
        return _poll_list(db, who, values=values, error=error, status=status)

    with refusals(db, again):
        poll = polls_crud.create_poll(db, operator=who.user, data=_poll_in(values))
        db.commit()
    return redirect(f"{BASE}/polls/{poll.id}")


def _render_poll(
    db: Session, who: SignedIn, poll: Poll, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    assert poll.id is not None
    now = utcnow()
    state = polls_crud.poll_status(poll, now)
    choices = polls_crud.options_of(db, poll_id=poll.id)
    res = results_out(db, poll, choices)
    counts = {r.option_id: r for r in res.options}
    bars = []
    for option in choices:
        r = counts[option.id or 0]
        pct = round(r.share * 100, 1)
        text = option.text_kk if language() == "kk" else option.text_ru
        bars.append(
            f"<tr><td>{e(text)}"
            f'<div style="background:#e6eaef;border-radius:4px;height:8px;margin-top:4px">'
            f'<div style="background:#0b5cad;border-radius:4px;height:8px;width:{pct}%"></div>'
            f'</div></td><td class="nowrap"><b>{r.count}</b></td>'
            f'<td class="nowrap">{e(percent(r.share))}</td></tr>'
        )
    if poll.multiple:
        kind = _("several answers, at most {n}", n=poll.max_choices or len(choices))
    else:
        kind = _("one answer")
    here = f"{BASE}/polls/{poll.id}"
    actions = []
    if poll.state == "draft":
        actions.append(button_form(f"{here}/publish", who.hidden, _("Publish")))
        actions.append(
            button_form(f"{here}/delete", who.hidden, _("Delete the draft"), button_cls="secondary")
        )
    elif state in {"open", "upcoming"}:
        actions.append(
            button_form(f"{here}/close", who.hidden, _("Close the voting now"), button_cls="danger")
        )
    facts = details(
        [
            (_("Status"), state_badge(state, POLL_STATUS_NAMES)),
            (_("Choice"), e(kind)),
            (_("Period"), f"{e(fmt_time(poll.opens_at))} — {e(fmt_time(poll.closes_at))}"),
            (_("Districts"), e(_scope(poll))),
            (_("Voted"), f"<b>{res.total}</b>"),
        ]
    )
    body = (
        f'<div class="card"><p><b>{e(_question(poll))}</b></p>{facts}'
        f'<h2 style="margin-top:14px">{e(_("Results"))}</h2>'
        + table((_("Answer"), _("Votes"), _("Share")), bars)
        + f'<div class="actions">{"".join(actions)}</div></div>'
    )
    return participation_page(who, _("Poll"), body, error=error, status=status)


@router.get("/polls/{poll_id}", response_class=HTMLResponse)
def poll_page(poll_id: int, who: ConsoleSession, db: DbDep) -> Response:
    return _render_poll(db, who, found_or_404(db, who, Poll, poll_id, _("No such poll.")))


def _poll_action(
    db: Session,
    who: SignedIn,
    poll_id: int,
    apply: Callable[[Poll], object],
    done_url: str | None = None,
) -> Response:
    poll = found_or_404(db, who, Poll, poll_id, _("No such poll."))

    def again(error: str, status: int) -> Response:
        fresh = by_key(db, model=Poll, key=poll_id)
        if fresh is None:
            return not_found_page(who, _("No such poll."))
        return _render_poll(db, who, fresh, error=error, status=status)

    with refusals(db, again):
        apply(poll)
        db.commit()
    return redirect(done_url or f"{BASE}/polls/{poll_id}")


@router.post("/polls/{poll_id}/publish")
def publish_poll(poll_id: int, who: ConsoleForm, db: DbDep) -> Response:
    return _poll_action(db, who, poll_id, lambda p: polls_crud.publish(db, poll=p))


@router.post("/polls/{poll_id}/close")
def close_poll(poll_id: int, who: ConsoleForm, db: DbDep, confirmed: Confirmed = "") -> Response:
    """Close the voting now, once the operator confirmed it (`kit.confirm`)."""
    if confirmed != YES:
        poll = found_or_404(db, who, Poll, poll_id, _("No such poll."))
        return confirm_page(
            title=_("Close the poll now"),
            question=_(
                "Close the voting on «{question}» now? Residents can no longer vote, and it"
                " cannot be opened again.",
                question=_question(poll),
            ),
            action=f"{BASE}/polls/{poll_id}/close",
            fields=[],
            yes_label=_("Yes, close the voting"),
            csrf=who.csrf,
            back_href=f"{BASE}/polls/{poll_id}",
        )
    return _poll_action(db, who, poll_id, lambda p: polls_crud.close(db, poll=p))


@router.post("/polls/{poll_id}/delete")
def delete_poll(poll_id: int, who: ConsoleForm, db: DbDep) -> Response:
    return _poll_action(
        db, who, poll_id, lambda p: polls_crud.delete_draft(db, poll=p), done_url=BASE
    )
