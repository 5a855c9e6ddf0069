"""The route table: which screen(s) a route shows, and what is under it for the back button.

Pure Python (no Flet) so that deep links are tested directly. A route that needs a signed-in
resident resolves to the sign-in screen *in place* (the URL stays, so after sign-in the same deep
link opens); nothing redirects, so the browser's back button never loops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HOME = "/"
SIGN_IN = "/sign-in"
DEVELOPER = "/developer"  # the hidden developer screen of a tester's build

# Home tabs, in NavigationBar order: (key, route).
TABS: tuple[tuple[str, str], ...] = (
    ("appeals", "/"),
    ("alerts", "/alerts"),
    ("notices", "/notices"),
    ("participation", "/participation"),
    ("cabinet", "/cabinet"),
)
TAB_ROUTES: dict[str, str] = dict(TABS)


@dataclass(frozen=True)
class RouteMatch:
    """One view of the stack: the screen `name`, the `route` it stands for, its parameters."""

    name: str
    route: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Pattern:
    template: str
    name: str
    parent: str | None = None  # route of the view under this one
    public: bool = False  # shown without signing in
    params: dict[str, str] = field(default_factory=dict)

    def regex(self) -> re.Pattern[str]:
        body = re.sub(r"\{(\w+):int\}", r"(?P<\1>[0-9]{1,12})", self.template)
        body = re.sub(r"\{(\w+):uuid\}", r"(?P<\1>[0-9a-fA-F]+(?:-[0-9a-fA-F]+)+)", body)
        body = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", body)
        return re.compile(body)


_TABLE: tuple[_Pattern, ...] = (
    _Pattern(SIGN_IN, "sign_in", public=True),
    *(_Pattern(route, "home", params={"tab": key}) for key, route in TABS),
    _Pattern("/appeals", "home", params={"tab": "appeals"}),
    _Pattern("/appeals/new", "new_appeal", parent="/"),  # before /appeals/{ref}
    _Pattern("/appeals/{appeal_id:int}", "appeal", parent="/"),
    _Pattern("/appeals/{appeal_id:uuid}", "appeal", parent="/"),  # filed here, not numbered yet
    _Pattern("/participation/proposals/new", "new_proposal", parent="/participation"),
    _Pattern("/cabinet/personal", "cabinet_personal", parent="/cabinet"),
    _Pattern("/cabinet/notifications", "cabinet_notifications", parent="/cabinet"),
    _Pattern("/cabinet/addresses", "cabinet_addresses", parent="/cabinet"),
    _Pattern("/cabinet/addresses/new", "address_editor", parent="/cabinet/addresses"),
    _Pattern("/cabinet/addresses/{key}", "address_editor", parent="/cabinet/addresses"),
    # alerts, shelter map, contacts, notices; the map and the numbers open without signing in
    _Pattern("/alerts/{identifier}", "alert", parent="/alerts"),
    _Pattern("/map", "shelters", parent="/alerts", public=True),
    _Pattern("/contacts", "contacts", parent="/alerts", public=True),
    _Pattern("/notices/{notice_id:int}", "notice", parent="/notices"),
    # open before signing in too: a tester's build pointed at a wrong server cannot sign in
    _Pattern(DEVELOPER, "developer", parent="/cabinet", public=True),
)
_COMPILED = tuple((p, p.regex()) for p in _TABLE)


def normalize(route: str) -> str:
    """Drop the query string, fragment and trailing slash: `/cabinet/?x=1` → `/cabinet`."""
    path = (route or "/").split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


def _match(path: str) -> tuple[_Pattern, RouteMatch] | None:
    for pattern, regex in _COMPILED:
        m = regex.fullmatch(path)
        if m:
            return pattern, RouteMatch(pattern.name, path, {**pattern.params, **m.groupdict()})
    return None


def resolve(route: str, *, signed_in: bool) -> tuple[RouteMatch, ...]:
    """The view stack for `route`, bottom first. Unknown routes show home."""
    path = normalize(route)
    found = _match(path)
    if not signed_in:
        if found is None or not found[0].public:
            return (RouteMatch("sign_in", path),)
        return (found[1],)
    if found is None or found[0].name == "sign_in":
        return (RouteMatch("home", path, {"tab": "appeals"}),)
    pattern, match = found
    stack = [match]
    while pattern.parent is not None:
        parent = _match(pattern.parent)
        if parent is None:  # pragma: no cover - the table is checked by tests
            break
        pattern, match = parent
        stack.insert(0, match)
    return tuple(stack)
