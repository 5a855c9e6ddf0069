"""What the participation pages share: the section's tabs and page frame, state badges, text
inputs, reading a date and time in Astana, and the "not found" page."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from fastapi.responses import HTMLResponse
from sqlmodel import Session, SQLModel

from backend_stub.console.auth import SignedIn
from backend_stub.console.kit.forms import FormError
from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.page import ConsoleExit, back_link, error_box, heading, layout
from backend_stub.console.kit.text import ALMATY, LOCAL_FORMAT, e
from backend_stub.console.kit.widgets import badge, chips
from backend_stub.crud.records import by_key

BASE = "/console/participation"

TABS = (
    ("", "Polls"),
    ("/initiatives", "The akimat's initiatives"),
    ("/proposals", "Residents' proposals"),
)

STATE_BADGE_COLOURS = {
    "draft": "#eef1f4;color:#46505c",
    "upcoming": "#eef0ff;color:#3b3fb0",
    "open": "#e5f6ea;color:#17693a",
    "closed": "#eef1f4;color:#46505c",
    "proposed": "#e9f1fe;color:#0b4fa3",
    "in_progress": "#fff8d6;color:#7a5d00",
    "done": "#e5f6ea;color:#17693a",
    "rejected": "#fde5e5;color:#a31616",
    "pending": "#fff1dc;color:#8a5200",
    "published": "#e5f6ea;color:#17693a",
}

Model = TypeVar("Model", bound=SQLModel)


def state_badge(code: str, names: dict[str, dict[str, str]]) -> str:
    name = names.get(code, {}).get(language(), code)
    colour = STATE_BADGE_COLOURS.get(code, "#e8eef6;color:#1c3d63")
    return badge(name, style=f"background:{colour}")


def participation_page(
    who: SignedIn, title: str, body: str, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    """A participation page: the way back, the section's tabs, any error, the page itself."""
    content = (
        back_link("/console", _("Appeals"))
        + heading(_("Residents' participation"), _("Times in Astana time"))
        + chips((f"{BASE}{path}", e(_(name))) for path, name in TABS)
        + f"{error_box(error)}<h2>{e(title)}</h2>{body}"
    )
    return layout(title, content, csrf=who.csrf, status=status)


def text_input(name: str, label: str, value: str, *, maxlength: int, area: bool = False) -> str:
    field = (
        f'<textarea id="{name}" name="{name}" maxlength="{maxlength}">{e(value)}</textarea>'
        if area
        else f'<input type="text" class="wide" id="{name}" name="{name}" maxlength="{maxlength}"'
        f' value="{e(value)}">'
    )
    return f'<label for="{name}">{e(label)}</label>{field}'


def parse_astana(value: str, label: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), LOCAL_FORMAT).replace(tzinfo=ALMATY)
    except ValueError:
        raise FormError(_("{label}: not a valid date and time.", label=label)) from None


def not_found_page(who: SignedIn, missing: str) -> HTMLResponse:
    """The "not found" page saying `missing` («Такого опроса нет.»)."""
    return participation_page(who, _("Not found"), f'<p class="muted">{e(missing)}</p>', status=404)


def found_or_404(
    db: Session, who: SignedIn, model: type[Model], item_id: int, missing: str
) -> Model:
    """The item, or the request ends with the "not found" page saying `missing`."""
    item = by_key(db, model=model, key=item_id)
    if item is None:
        raise ConsoleExit(not_found_page(who, missing))
    return item
