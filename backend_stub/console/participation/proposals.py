"""The moderation of residents' proposals under /console/participation/proposals: the list by
state, one card per proposal, publishing or rejecting it.

Every write goes through the same crud functions as the API."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Query
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from backend_stub.console.auth import ConsoleForm, ConsoleSession, SignedIn
from backend_stub.console.kit.forms import FormError, refusals
from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import console_router, redirect
from backend_stub.console.kit.text import district_name, e, fmt_time
from backend_stub.console.kit.widgets import PAGE_SIZE, badge, chips, count_label, pager
from backend_stub.console.participation.common import (
    BASE,
    found_or_404,
    participation_page,
    state_badge,
)
from backend_stub.crud import proposals as proposals_crud
from backend_stub.deps import DbDep
from backend_stub.models import Proposal
from backend_stub.presenters.proposals import operator_out
from backend_stub.schemas.participation import CATEGORY_NAMES, PROPOSAL_STATE_NAMES, ModerationIn

router = console_router(BASE)


def _proposal_card(db: Session, who: SignedIn, p: Proposal, back: str) -> str:
    out = operator_out(db, p)
    photos = "".join(
        f'<figure><a href="/console/media/{e(m.id)}" target="_blank" rel="noopener">'
        f'<img src="/console/media/{e(m.id)}" alt=""></a></figure>'
        for m in out.photos
    )
    place = [x for x in (p.address, district_name(p.district) if p.district else None) if x]
    if p.lat is not None and p.lon is not None:
        place.append(f"{p.lat:.5f}, {p.lon:.5f}")
    category = CATEGORY_NAMES.get(p.category, {}).get(language(), p.category)
    note_text = _("Moderator's comment: {text}", text=p.moderator_note or "")
    note = f'<p class="small">{e(note_text)}</p>' if p.moderator_note else ""
    buttons = []
    if p.state != "published":
        buttons.append(
            f'<button type="submit" name="state" value="published">{e(_("Publish"))}</button>'
        )
    if p.state != "rejected":
        buttons.append(
            '<button type="submit" class="secondary" name="state" value="rejected">'
            f"{e(_('Reject'))}</button>"
        )
    return (
        f'<div class="card" id="p{p.id}"><p>{state_badge(p.state, PROPOSAL_STATE_NAMES)} '
        f"{badge(category)} "
        f'<span class="muted small">№ {p.id} · {e(fmt_time(p.created_at))} · '
        f"{e(out.author_name or _('no name'))}, {e(out.author_phone)} · "
        f"{e(_('Supported'))}: {p.support_count}</span></p>"
        f'<div class="text">{e(p.text)}</div>'
        + (
            f'<p class="small">{e(_("Place: {where}", where=" · ".join(place)))}</p>'
            if place
            else ""
        )
        + (f'<div class="thumbs">{photos}</div>' if photos else "")
        + note
        + f'<form method="post" action="{BASE}/proposals/{p.id}/moderate">'
        f'{who.hidden}<input type="hidden" name="back" value="{e(back)}">'
        f'<label for="note{p.id}">{e(_("Comment to the author (required to reject)"))}</label>'
        f'<textarea id="note{p.id}" name="note" maxlength="1000"></textarea>'
        f'<div class="actions">{"".join(buttons)}</div></form></div>'
    )


def _proposal_list(
    db: Session,
    who: SignedIn,
    state: str,
    before_id: int | None = None,
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    totals = proposals_crud.count_by_state(db)
    states = chips(
        [
            *(
                (
                    f"{BASE}/proposals?{urlencode({'state': s})}",
                    count_label(names[language()], totals.get(s, 0)),
                )
                for s, names in PROPOSAL_STATE_NAMES.items()
            ),
            (f"{BASE}/proposals?state=", e(_("All (proposals)"))),
        ]
    )
    rows = proposals_crud.list_for_operator(
        db, state=state or None, before_id=before_id, limit=PAGE_SIZE
    )
    back = f"{BASE}/proposals?{urlencode({'state': state})}"
    cards = "".join(_proposal_card(db, who, p, back) for p in rows)
    body = (
        states
        + (cards or f'<p class="muted">{e(_("No proposals."))}</p>')
        + pager(f"{BASE}/proposals", rows, {"state": state})
    )
    return participation_page(who, _("Residents' proposals"), body, error=error, status=status)


@router.get("/proposals", response_class=HTMLResponse)
def proposals_page(
    who: ConsoleSession,
    db: DbDep,
    state: Annotated[str, Query(max_length=16)] = "pending",
    before_id: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    state = state if state in PROPOSAL_STATE_NAMES else ""
    return _proposal_list(db, who, state, before_id)


@router.post("/proposals/{proposal_id}/moderate")
def moderate_proposal(
    proposal_id: int,
    who: ConsoleForm,
    db: DbDep,
    state: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    proposal = found_or_404(db, who, Proposal, proposal_id, _("No such proposal."))
    back = back if back.startswith(f"{BASE}/proposals") else f"{BASE}/proposals"

    def again(error: str, status: int) -> Response:
        return _proposal_list(db, who, proposal.state, error=error, status=status)

    with refusals(db, again):
        if state not in {"published", "rejected"}:
            raise FormError(_("Choose: publish or reject."))
        if len(note) > 1000:
            raise FormError(_("The comment is too long: at most 1000 characters."))
        decision = ModerationIn.model_validate({"state": state, "note": note or None})
        proposals_crud.moderate(db, operator=who.user, proposal=proposal, data=decision)
        db.commit()
    return redirect(back)
