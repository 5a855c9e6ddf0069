"""The confirmation step of an irreversible console action: a second page, rendered by the
server, that says exactly what will happen and asks once more.

A form of such an action posts without `confirmed`; the page answers with `confirm_page` —
the question, the posted fields carried over as hidden fields (the form's `client_id` too, so the
action still runs once per form) and two buttons: the red one posts the same fields with
`confirmed=yes`, the other (`confirmed=edit`) shows the form again as typed, or a link goes back.
Nothing is done before the red button; no script is needed.

    posted: PostedFields, confirmed: Confirmed
    if confirmed != YES:
        raise ConsoleExit(confirm_page(...fields=posted...))
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse

from backend_stub.console.kit.i18n import _
from backend_stub.console.kit.page import layout
from backend_stub.console.kit.text import e
from backend_stub.console.kit.widgets import hidden_field

YES = "yes"
EDIT = "edit"  # the "back to the form" button of a confirmation of a filled-in form
FIELD = "confirmed"
NOT_CARRIED = frozenset({"csrf", FIELD})

Confirmed = Annotated[str, Form(max_length=8)]


async def posted_fields(request: Request) -> list[tuple[str, str]]:
    """The posted text fields in their order (files and the CSRF token left out): what the
    confirmation page posts again. The form is already parsed, so this reads no body twice."""
    form = await request.form()
    return [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k not in NOT_CARRIED]


PostedFields = Annotated[list[tuple[str, str]], Depends(posted_fields)]


def confirm_page(
    *,
    title: str,
    question: str,
    action: str,
    fields: list[tuple[str, str]],
    yes_label: str,
    csrf: str,
    back_href: str,
    facts_html: str = "",
    can_edit: bool = False,
) -> HTMLResponse:
    """The page asking `question` before the action: `facts_html` (escaped markup) says what
    will be done, the red `yes_label` button posts `fields` to `action` with `confirmed=yes`;
    `can_edit` adds a button that shows the filled-in form again, else a link to `back_href`."""
    carried = "".join(hidden_field(name, value) for name, value in fields)
    edit = (
        f'<button type="submit" class="secondary" name="{FIELD}" value="{EDIT}">'
        f"{e(_('Back to the form'))}</button>"
        if can_edit
        else f'<a class="button-link" href="{e(back_href)}">{e(_("Do not do it, go back"))}</a>'
    )
    content = (
        f"<h1>{e(title)}</h1>"
        f'<div class="card confirm" role="alertdialog" aria-labelledby="confirm-q">'
        f'<p id="confirm-q" class="confirm-q">{e(question)}</p>{facts_html}'
        f'<form method="post" action="{e(action)}">{hidden_field("csrf", csrf)}{carried}'
        f'<div class="actions"><button type="submit" class="danger" name="{FIELD}" '
        f'value="{YES}" autofocus>{e(yes_label)}</button> {edit}</div></form></div>'
    )
    return layout(title, content, csrf=csrf)
