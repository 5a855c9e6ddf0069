"""The operator's web console (/console): server-rendered HTML forms over the same crud as the API.

- `core`: the layout and CSS, escaping and formatting, the widgets pages are built from, and
  `ConsoleExit` (a dependency or page ends the request with a ready response);
- `auth`: sign-in, cookies, CSRF and the `ConsoleSession` / `ConsoleForm` dependencies;
- one module per area: `appeals`, `emergency`, `alerts`, `notices`, `participation`.

`router` holds every console page; an area module has its own router under /console/<area>.
"""

from __future__ import annotations

from fastapi import APIRouter

from backend_stub.console import alerts, appeals, auth, emergency, notices, participation
from backend_stub.console.auth import LOGIN_MAX_FAILURES

router = APIRouter(include_in_schema=False)
for _area in (alerts, emergency, notices, participation, auth, appeals):
    router.include_router(_area.router)

__all__ = ["LOGIN_MAX_FAILURES", "router"]
