"""Escaping and formatting for console pages: `e()` (html.escape) for every value put into a
page, times in Astana, the names of appeal statuses (in Russian, and in the operator's
language), districts in the operator's language."""

from __future__ import annotations

import html
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from backend_stub.console.kit.i18n import language
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.statuses import STATUS_NAMES, Status

ALMATY = ZoneInfo("Asia/Almaty")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">


def e(value: object) -> str:
    """Escape anything for HTML text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def fmt_time(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(ALMATY).strftime("%d.%m.%Y %H:%M")


def to_local(moment: datetime | None, tz: tzinfo = ALMATY) -> str:
    """The value of an <input type="datetime-local"> ("" for none)."""
    return "" if moment is None else moment.astimezone(tz).strftime(LOCAL_FORMAT)


def status_ru(code: str) -> str:
    """An appeal status in Russian (the code itself when unknown)."""
    try:
        return STATUS_NAMES[Status(code)]["ru"]
    except ValueError:
        return code


def status_name(code: str) -> str:
    """An appeal status in the operator's language (the code itself when unknown)."""
    try:
        return STATUS_NAMES[Status(code)][language()]
    except ValueError:
        return code


def district_name(code: str | None) -> str:
    """A district's name in the operator's language (the code itself when unknown)."""
    if not code:
        return "—"
    return DISTRICT_NAMES.get(code, {}).get(language(), code)
