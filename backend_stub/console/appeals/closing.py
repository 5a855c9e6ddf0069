"""The page that closes an appeal: it IS the confirmation — what closing does to the resident and
to the list — and the close form (the result, the "after" photo, a red button posting
`confirmed=yes`). Nothing is closed before that button: the form carries files, which a
confirmation page of its own could not post again."""

from __future__ import annotations

from fastapi.responses import HTMLResponse

from backend_stub.console.appeals.names import status_badge
from backend_stub.console.auth import SignedIn
from backend_stub.console.kit.confirm import FIELD, YES
from backend_stub.console.kit.i18n import _
from backend_stub.console.kit.page import error_box, layout
from backend_stub.console.kit.text import e
from backend_stub.console.kit.widgets import client_id_field, hidden_field
from backend_stub.models import Appeal


def render_close(
    who: SignedIn,
    appeal: Appeal,
    *,
    error: str | None = None,
    status: int = 200,
    draft_result: str = "",
) -> HTMLResponse:
    """The closing page of `appeal`, with an error and the result as typed."""
    back = f"/console/appeals/{appeal.id}"
    title = _("Close the appeal: {number}", number=appeal.number)
    question = _(
        "Close this appeal? The applicant is told at once that it is closed, with your result "
        "and the photo; the appeal leaves the list of open ones. The applicant can then rate "
        "the work or reopen the appeal."
    )
    form = (
        f'<form method="post" action="{back}/close" enctype="multipart/form-data">{who.hidden}'
        f"{client_id_field()}{hidden_field('seen_status', appeal.status)}"
        f'<label for="result">{e(_("Result"))}</label>'
        f'<textarea id="result" name="result_text" maxlength="4000" required>'
        f"{e(draft_result)}</textarea>"
        f'<label for="after">{e(_("Photo after the work (from the applicant’s angle)"))}</label>'
        '<input type="file" id="after" name="photo" accept="image/*,video/*">'
        f'<div class="actions"><button type="submit" class="danger" name="{FIELD}" '
        f'value="{YES}">{e(_("Yes, close the appeal"))}</button> '
        f'<a class="button-link" href="{back}">{e(_("Do not do it, go back"))}</a></div></form>'
    )
    content = (
        f'<p class="small"><a href="{back}">← {e(appeal.number)}</a></p>'
        f"<h1>{e(title)}</h1>{error_box(error)}"
        '<div class="card confirm" role="alertdialog" aria-labelledby="confirm-q">'
        f'<p id="confirm-q" class="confirm-q">{e(question)}</p>'
        f'<p>{status_badge(appeal.status)}</p><div class="text">{e(appeal.text)}</div>'
        f"{form}</div>"
    )
    return layout(title, content, csrf=who.csrf, status=status)
