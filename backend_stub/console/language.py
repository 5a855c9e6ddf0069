"""The console's language switch: `/console/language/{kk|ru}` keeps the choice in a cookie for a
year and goes back to the console page it was chosen on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from backend_stub.console.kit.i18n import LANG_COOKIE, LANGUAGES
from backend_stub.console.kit.page import console_router, redirect
from backend_stub.deps import SettingsDep

router = console_router("/console/language")

YEAR_S = 365 * 24 * 3600


def _console_path(back: str) -> str:
    """`back` when it is a path of the console on this site, else the console's first page."""
    if back.startswith("/console") and ".." not in back and "\\" not in back:
        return back
    return "/console"


@router.get("/{lang}")
def choose(
    lang: str, settings: SettingsDep, back: Annotated[str, Query(max_length=2000)] = "/console"
) -> Response:
    response = redirect(_console_path(back))
    if lang in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=YEAR_S,
            path="/console",
            httponly=True,
            samesite="lax",
            secure=not settings.is_dev,
        )
    return response
