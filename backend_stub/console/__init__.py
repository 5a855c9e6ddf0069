"""The operator's web console (/console): server-rendered HTML forms over the same crud as the API.

- `kit`: the HTML kit every page is built with (escaping and formatting, widgets, the layout and
  its CSS, posted forms, and `ConsoleExit`: a dependency or page ends the request with a ready
  response);
- `auth`: sign-in, cookies, CSRF and the `ConsoleSession` / `ConsoleForm` dependencies;
- one module or package per area: `appeals`, `emergency`, `alerts`, `notices`, `participation`.

`router` holds every console page; each routes module has its own router under /console/<area>.
"""

from __future__ import annotations

from fastapi import APIRouter

from backend_stub.console import auth, emergency, language, live, notices, staff
from backend_stub.console.alerts import routes as alerts
from backend_stub.console.appeals import actions as appeal_actions
from backend_stub.console.appeals import listing as appeal_list
from backend_stub.console.auth import LOGIN_MAX_FAILURES
from backend_stub.console.participation import initiatives, polls, proposals

router = APIRouter(include_in_schema=False)
for _area in (
    alerts,
    emergency,
    notices,
    polls,
    initiatives,
    proposals,
    auth,
    language,
    live,
    appeal_list,
    appeal_actions,
    staff,
):
    router.include_router(_area.router)

__all__ = ["LOGIN_MAX_FAILURES", "router"]
