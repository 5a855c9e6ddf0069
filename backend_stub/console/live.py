"""The console's live floor: `/console/live` (the new and overdue counts and a stamp that changes
whenever an appeal or a chat message does, as JSON) and the console's one script,
`/console/static/console.js`, served from this origin (the console's CSP allows scripts from
'self' only).

The script asks `/console/live` every few seconds while the tab is shown, fills in the counts in
the header, and when the stamp changes fetches the page again and swaps in its live regions
(`data-live-region`, each with an id) — except a region holding a field the operator has
focused or changed, so nothing being typed is lost."""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import JSONResponse, Response

from backend_stub.console.auth import ConsoleSession
from backend_stub.console.kit.page import SECURITY_HEADERS, console_router
from backend_stub.crud import appeal_search
from backend_stub.deps import DbDep
from backend_stub.models import utcnow

router = console_router("/console")

SCRIPT = (Path(__file__).parent / "static" / "console.js").read_bytes()
POLL_SECONDS = 5


@router.get("/live")
def live(who: ConsoleSession, db: DbDep) -> Response:
    figures = appeal_search.floor(db, now=utcnow(), body=who.staff.body)
    body = {
        "new": figures.new,
        "overdue": figures.overdue,
        "stamp": figures.stamp,
        "poll_seconds": POLL_SECONDS,
    }
    return JSONResponse(body, headers=SECURITY_HEADERS)


@router.get("/static/console.js")
def script() -> Response:
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return Response(SCRIPT, media_type="text/javascript; charset=utf-8", headers=headers)
