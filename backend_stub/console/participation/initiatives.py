"""The akimat's initiatives under /console/participation/initiatives: the list with the form
for a new one, one initiative, and its edits (moving it along).

Every write goes through the same crud functions as the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Form
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.forms import FormError, refusals
from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import back_link, console_router, redirect
from backend_stub.console.kit.text import e, fmt_time
from backend_stub.console.kit.widgets import options, post_form, table
from backend_stub.console.participation.common import (
    BASE,
    found_or_404,
    participation_page,
    state_badge,
    text_input,
)
from backend_stub.crud import initiatives as initiatives_crud
from backend_stub.crud.records import by_key
from backend_stub.deps import DbDep
from backend_stub.models import Initiative
from backend_stub.schemas.participation import (
    INITIATIVE_STATE_NAMES,
    INITIATIVE_STATES,
    InitiativeIn,
    InitiativePatch,
)

router = console_router(BASE)


def _initiative_fields(values: dict[str, str]) -> str:
    choices = [(s, INITIATIVE_STATE_NAMES[s][language()]) for s in INITIATIVE_STATES]
    return (
        text_input("title_kk", _("Name (in Kazakh)"), values.get("title_kk", ""), maxlength=300)
        + text_input("title_ru", _("Name (in Russian)"), values.get("title_ru", ""), maxlength=300)
        + text_input(
            "description_kk",
            _("Description (in Kazakh)"),
            values.get("description_kk", ""),
            maxlength=5000,
            area=True,
        )
        + text_input(
            "description_ru",
            _("Description (in Russian)"),
            values.get("description_ru", ""),
            maxlength=5000,
            area=True,
        )
        + f'<label for="state">{e(_("Status"))}</label><select id="state" name="state">'
        f"{options(choices, values.get('state') or 'proposed')}</select>"
    )


def _initiative_list(
    db: Session,
    who: SignedIn,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    rows = [
        f'<tr><td><a href="{BASE}/initiatives/{i.id}">'
        f"<b>{e(i.title_kk if language() == 'kk' else i.title_ru)}</b></a></td>"
        f"<td>{state_badge(i.state, INITIATIVE_STATE_NAMES)}</td><td>{i.support_count}</td>"
        f'<td class="nowrap">{e(fmt_time(i.updated_at))}</td></tr>'
        for i in initiatives_crud.list_initiatives(db)
    ]
    headers = (_("Initiative"), _("Status"), _("Supported"), _("Changed"))
    form = post_form(
        f"{BASE}/initiatives",
        who.hidden,
        f"<h2>{e(_('New initiative'))}</h2>" + _initiative_fields(values or {}),
        _("Publish"),
        cls="card",
    )
    body = f'<div class="card">{table(headers, rows, _("No initiatives yet."))}</div>{form}'
    return participation_page(who, _("The akimat's initiatives"), body, error=error, status=status)


@router.get("/initiatives", response_class=HTMLResponse)
def initiatives_page(who: ConsoleSession, db: DbDep) -> Response:
    return _initiative_list(db, who)


def _checked_model(build: Callable[[], Any]) -> Any:
    try:
        return build()
    except ValidationError:
        raise FormError(
            _(
                "Fill in the name (up to 300 characters) and the description (up to 5000"
                " characters) in both languages."
            )
        ) from None


def initiative_form(
    title_kk: Annotated[str, Form(max_length=600)] = "",
    title_ru: Annotated[str, Form(max_length=600)] = "",
    description_kk: Annotated[str, Form(max_length=10000)] = "",
    description_ru: Annotated[str, Form(max_length=10000)] = "",
    state: Annotated[str, Form(max_length=16)] = "",
) -> dict[str, str]:
    """The posted initiative form, as typed (a state that is not one of ours as "")."""
    return {
        "title_kk": title_kk,
        "title_ru": title_ru,
        "description_kk": description_kk,
        "description_ru": description_ru,
        "state": state if state in INITIATIVE_STATES else "",
    }


PostedInitiative = Annotated[dict[str, str], Depends(initiative_form)]


@router.post("/initiatives")
def create_initiative(who: ConsoleForm, db: DbDep, posted: PostedInitiative) -> Response:
    values = {**posted, "state": posted["state"] or "proposed"}

    def again(error: str, status: int) -> Response:
        return _initiative_list(db, who, values=values, error=error, status=status)

    with refusals(db, again):
        data = _checked_model(lambda: InitiativeIn.model_validate(values))
        initiatives_crud.create_initiative(db, operator=who.user, data=data)
        db.commit()
    return redirect(f"{BASE}/initiatives")


def _render_initiative(
    who: SignedIn,
    initiative: Initiative,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    shown = values or {
        "title_kk": initiative.title_kk,
        "title_ru": initiative.title_ru,
        "description_kk": initiative.description_kk,
        "description_ru": initiative.description_ru,
        "state": initiative.state,
    }
    body = post_form(
        f"{BASE}/initiatives/{initiative.id}",
        who.hidden,
        f"<p>{e(_('Supported'))}: <b>{initiative.support_count}</b> · "
        f"{state_badge(initiative.state, INITIATIVE_STATE_NAMES)}</p>" + _initiative_fields(shown),
        _("Save"),
        cls="card",
    ) + back_link(f"{BASE}/initiatives", _("All initiatives"))
    return participation_page(who, _("Initiative"), body, error=error, status=status)


@router.get("/initiatives/{initiative_id}", response_class=HTMLResponse)
def initiative_page(initiative_id: int, who: ConsoleSession, db: DbDep) -> Response:
    return _render_initiative(
        who, found_or_404(db, who, Initiative, initiative_id, _("No such initiative."))
    )


@router.post("/initiatives/{initiative_id}")
def update_initiative(
    initiative_id: int, who: ConsoleForm, db: DbDep, posted: PostedInitiative
) -> Response:
    initiative = found_or_404(db, who, Initiative, initiative_id, _("No such initiative."))
    values = {**posted, "state": posted["state"] or initiative.state}

    def again(error: str, status: int) -> Response:
        fresh = by_key(db, model=Initiative, key=initiative_id)
        assert fresh is not None
        return _render_initiative(who, fresh, values=values, error=error, status=status)

    with refusals(db, again):
        data = _checked_model(lambda: InitiativePatch.model_validate(values))
        initiatives_crud.update_initiative(db, initiative=initiative, patch=data)
        db.commit()
    return redirect(f"{BASE}/initiatives/{initiative_id}")
