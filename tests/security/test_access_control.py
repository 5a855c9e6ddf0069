"""Access control, walked over every route the app serves: nothing of one resident reaches
another, nothing private answers without a token, and operator endpoints refuse residents.

`RULES` classifies every route (method + path). A route that is not classified fails the walk,
so a new endpoint cannot go unprobed: add it to `RULES` with the kind of caller it serves (and,
for a write, a body that would be valid, so that only the caller's rights can refuse it).

Resident A owns one of everything (appeal with a photo and a chat message, a forward to 112,
an address, a pending proposal with a photo, loose media, an unfinished upload), each carrying
a unique marker. Resident B then calls every route with A's ids, and so does nobody (no token);
the answers must be refusals (401/403/404; the console redirects to its login page) and no
answer may carry any of A's markers. Afterwards A's data is exactly as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from backend_stub.config import Settings
from backend_stub.deps import CONSOLE_COOKIE
from backend_stub.main import create_app
from backend_stub.models import User
from tests.backend.test_appeals import appeal_body, make_operator
from tests.backend.test_media import plain_jpeg
from tests.conftest import next_phone, sign_in

Body = dict[str, Any] | Callable[[], dict[str, Any]] | None


@dataclass(frozen=True)
class Rule:
    """Who may call a route: `public` (anyone), `resident` (bearer token), `operator` (bearer
    token of an operator), `console` (the operator console's cookie), `secret` (a shared key of
    a partner system), `stream` (bearer token; an endless SSE stream, so only probed without
    one), `dev` (development helpers, absent in production)."""

    kind: str
    json: Body = None
    form: dict[str, str] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    last: bool = False  # probe after everything else (signing B out)


def uid() -> str:
    return str(uuid.uuid4())


PUBLIC, RESIDENT, OPERATOR = Rule("public"), Rule("resident"), Rule("operator")
CONSOLE, DEV, STREAM = Rule("console", form={"csrf": "x"}), Rule("dev"), Rule("stream")
TUS = {"Tus-Resumable": "1.0.0"}

RULES: dict[str, Rule] = {
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "GET /redoc": PUBLIC,
    "GET /health": PUBLIC,
    # sign-in
    "POST /api/v1/auth/otp/request": Rule("public", json={"phone": "+77019998877"}),
    "POST /api/v1/auth/otp/verify": Rule("public", json={"phone": "+77019998877", "code": "1"}),
    "POST /api/v1/auth/refresh": Rule("public", json={"refresh_token": "not-a-token"}),
    "POST /api/v1/auth/logout": Rule("resident", last=True),
    # profile
    "GET /api/v1/profile": RESIDENT,
    "PATCH /api/v1/profile": Rule("resident", json={"language": "ru"}),
    "POST /api/v1/profile/addresses": Rule("resident", json={"label": "home", "text": "B"}),
    "PUT /api/v1/profile/addresses/{address_id}": Rule(
        "resident", json={"label": "work", "text": "taken over"}
    ),
    "DELETE /api/v1/profile/addresses/{address_id}": RESIDENT,
    "POST /api/v1/profile/phone/request": Rule("resident", json={"phone": "+77019998866"}),
    "POST /api/v1/profile/phone/verify": Rule(
        "resident", json={"phone": "+77019998866", "code": "123456"}
    ),
    "POST /api/v1/profile/position": Rule("resident", json={"lat": 51.13, "lon": 71.43}),
    "DELETE /api/v1/profile/position": RESIDENT,
    # classifier
    "GET /api/v1/classifier": PUBLIC,
    "GET /api/v1/classifier/suggest": PUBLIC,
    # appeals and chat
    # (a kilometre from A's: a repeat of A's appeal would rightly change A's repeat count)
    "POST /api/v1/appeals": Rule("resident", json=lambda: appeal_body(lat=51.14)),
    "GET /api/v1/appeals": RESIDENT,
    "GET /api/v1/appeals/similar": RESIDENT,
    "GET /api/v1/appeals/{appeal_id}": RESIDENT,
    "POST /api/v1/appeals/{appeal_id}/rating": Rule("resident", json={"score": 1}),
    "POST /api/v1/appeals/{appeal_id}/reopen": Rule("resident", json={"reason": "again"}),
    "POST /api/v1/appeals/{appeal_id}/complaints": Rule("resident", json={"reason": "bad"}),
    "GET /api/v1/appeals/{appeal_id}/messages": RESIDENT,
    "POST /api/v1/appeals/{appeal_id}/messages": Rule(
        "resident", json=lambda: {"client_id": uid(), "text": "hello from B"}
    ),
    "POST /api/v1/appeals/{appeal_id}/messages/read": Rule("resident", json={"up_to_id": 1}),
    "POST /api/v1/appeals/{appeal_id}/forward": Rule("resident", json={"service": "112"}),
    "GET /api/v1/appeals/{appeal_id}/forwards": RESIDENT,
    "POST /api/v1/emergency/callback": Rule(
        "secret",
        json={
            "idempotency_key": "1:112",
            "incident_id": "x",
            "acceptance_id": "x",
            "accepted_at": "2026-07-12T09:30:00+05:00",
        },
    ),
    "GET /api/v1/sync": RESIDENT,
    "GET /api/v1/events": STREAM,
    # media
    "POST /api/v1/media": RESIDENT,  # multipart: sent by `_call`
    "GET /api/v1/media/{media_id}": RESIDENT,
    "POST /api/v1/media/{media_id}/link": RESIDENT,
    # a signed link opens the file without a token: without this server's signature, 403
    "GET /api/v1/media/{media_id}/content": Rule("secret"),
    "OPTIONS /api/v1/uploads": PUBLIC,
    "POST /api/v1/uploads": Rule("resident", headers={**TUS, "Upload-Length": "10"}),
    "HEAD /api/v1/uploads/{upload_id}": Rule("resident", headers=TUS),
    "GET /api/v1/uploads/{upload_id}": RESIDENT,
    "DELETE /api/v1/uploads/{upload_id}": Rule("resident", headers=TUS),
    "PATCH /api/v1/uploads/{upload_id}": Rule(
        "resident",
        content=b"xx",
        headers={
            **TUS,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    ),
    # operator API
    "GET /api/v1/operator/appeals": OPERATOR,
    "GET /api/v1/operator/appeals/{appeal_id}": OPERATOR,
    "POST /api/v1/operator/appeals/{appeal_id}/status": Rule(
        "operator", json={"to_status": "assigned"}
    ),
    "POST /api/v1/operator/appeals/{appeal_id}/close": Rule(
        "operator", json={"result_text": "done"}
    ),
    "GET /api/v1/operator/polls": OPERATOR,
    "POST /api/v1/operator/polls": OPERATOR,
    "GET /api/v1/operator/polls/{poll_id}": OPERATOR,
    "PUT /api/v1/operator/polls/{poll_id}": OPERATOR,
    "DELETE /api/v1/operator/polls/{poll_id}": OPERATOR,
    "POST /api/v1/operator/polls/{poll_id}/publish": OPERATOR,
    "POST /api/v1/operator/polls/{poll_id}/close": OPERATOR,
    "POST /api/v1/operator/initiatives": OPERATOR,
    "PATCH /api/v1/operator/initiatives/{initiative_id}": OPERATOR,
    "GET /api/v1/operator/proposals": OPERATOR,
    "POST /api/v1/operator/proposals/{proposal_id}/moderate": Rule(
        "operator", json={"state": "published"}
    ),
    "GET /api/v1/operator/notices": OPERATOR,
    "POST /api/v1/operator/notices": OPERATOR,
    "GET /api/v1/operator/notices/{notice_id}": OPERATOR,
    "PUT /api/v1/operator/notices/{notice_id}": OPERATOR,
    "POST /api/v1/operator/notices/{notice_id}/withdraw": OPERATOR,
    "POST /api/v1/operator/places": OPERATOR,
    "PUT /api/v1/operator/places/{place_id}": OPERATOR,
    "POST /api/v1/operator/places/{place_id}/state": OPERATOR,
    "GET /api/v1/operator/alerts": OPERATOR,
    "POST /api/v1/operator/alerts": OPERATOR,
    "POST /api/v1/operator/alerts/{identifier}/update": OPERATOR,
    "POST /api/v1/operator/alerts/{identifier}/cancel": OPERATOR,
    # participation
    "GET /api/v1/polls": RESIDENT,
    "GET /api/v1/polls/{poll_id}": RESIDENT,
    "POST /api/v1/polls/{poll_id}/vote": Rule(
        "resident", json=lambda: {"option_ids": [1], "client_id": uid()}
    ),
    "GET /api/v1/initiatives": RESIDENT,
    "GET /api/v1/initiatives/{initiative_id}": RESIDENT,
    "POST /api/v1/initiatives/{initiative_id}/support": RESIDENT,
    "DELETE /api/v1/initiatives/{initiative_id}/support": RESIDENT,
    "GET /api/v1/proposals/categories": PUBLIC,
    "POST /api/v1/proposals": Rule(
        "resident",
        json=lambda: {"client_id": uid(), "text": "B's idea", "category": "landscaping"},
    ),
    "GET /api/v1/proposals": RESIDENT,
    "GET /api/v1/proposals/{proposal_id}": RESIDENT,
    "GET /api/v1/proposals/{proposal_id}/photos/{media_id}": RESIDENT,
    "POST /api/v1/proposals/{proposal_id}/support": RESIDENT,
    "DELETE /api/v1/proposals/{proposal_id}/support": RESIDENT,
    # notices, places, alerts
    "GET /api/v1/notices/topics": PUBLIC,
    "GET /api/v1/notices/districts": PUBLIC,
    "GET /api/v1/notices": RESIDENT,
    "GET /api/v1/notices/{notice_id}": RESIDENT,
    "GET /api/v1/places": PUBLIC,
    "GET /api/v1/places/bundle": PUBLIC,
    "GET /api/v1/contacts": PUBLIC,
    "GET /api/v1/alerts": RESIDENT,
    "GET /api/v1/alerts/{identifier}": RESIDENT,
    "GET /cap/alerts/{identifier}.xml": PUBLIC,
    "GET /cap/feed.atom": PUBLIC,
    # Open311 GeoReport v2: public reads (publishable kinds, coarsened; the full record only
    # with the api_key), writes need the api_key
    "GET /open311/v2/services.json": PUBLIC,
    "GET /open311/v2/services/{service_code}.json": PUBLIC,
    "POST /open311/v2/requests.json": Rule(
        "secret", form={"service_code": "x", "lat": "51.13", "long": "71.43"}
    ),
    "GET /open311/v2/requests.json": PUBLIC,
    "GET /open311/v2/requests/{service_request_id}.json": PUBLIC,
    "DELETE /open311/v2/{path}": PUBLIC,
    "GET /open311/v2/{path}": PUBLIC,
    "PATCH /open311/v2/{path}": PUBLIC,
    "POST /open311/v2/{path}": PUBLIC,
    "PUT /open311/v2/{path}": PUBLIC,
    # the operator console (HTML, cookie)
    "GET /console/login": PUBLIC,
    "POST /console/login": Rule("public", form={"login": "op", "password": "wrong"}),
    "POST /console/logout": Rule("public", form={"csrf": "x"}),
    "GET /console": CONSOLE,
    "GET /console/live": CONSOLE,
    "GET /console/static/console.js": PUBLIC,  # the console's script, no data in it
    "GET /console/language/{lang}": PUBLIC,  # sets the language cookie, back to /console only
    "GET /console/appeals/{appeal_id}": CONSOLE,
    "POST /console/appeals/{appeal_id}/status": CONSOLE,
    "POST /console/appeals/{appeal_id}/messages": CONSOLE,
    "GET /console/appeals/{appeal_id}/close": CONSOLE,
    "POST /console/appeals/{appeal_id}/close": CONSOLE,
    "GET /console/media/{media_id}": CONSOLE,
    "GET /console/staff": CONSOLE,
    "POST /console/staff": CONSOLE,
    "POST /console/staff/{user_id}/disabled": CONSOLE,
    "POST /console/staff/{user_id}/password": CONSOLE,
    "GET /console/alerts": CONSOLE,
    "GET /console/alerts/new": CONSOLE,
    "POST /console/alerts": CONSOLE,
    "GET /console/alerts/{identifier}": CONSOLE,
    "POST /console/alerts/{identifier}/update": CONSOLE,
    "POST /console/alerts/{identifier}/cancel": CONSOLE,
    "GET /console/emergency": CONSOLE,
    "POST /console/emergency/{forward_id}/accepted": CONSOLE,
    "GET /console/notices": CONSOLE,
    "GET /console/notices/new": CONSOLE,
    "POST /console/notices": CONSOLE,
    "GET /console/notices/{notice_id}": CONSOLE,
    "POST /console/notices/{notice_id}": CONSOLE,
    "POST /console/notices/{notice_id}/withdraw": CONSOLE,
    "GET /console/participation": CONSOLE,
    "POST /console/participation/polls": CONSOLE,
    "GET /console/participation/polls/{poll_id}": CONSOLE,
    "POST /console/participation/polls/{poll_id}/publish": CONSOLE,
    "POST /console/participation/polls/{poll_id}/close": CONSOLE,
    "POST /console/participation/polls/{poll_id}/delete": CONSOLE,
    "GET /console/participation/initiatives": CONSOLE,
    "POST /console/participation/initiatives": CONSOLE,
    "GET /console/participation/initiatives/{initiative_id}": CONSOLE,
    "POST /console/participation/initiatives/{initiative_id}": CONSOLE,
    "GET /console/participation/proposals": CONSOLE,
    "POST /console/participation/proposals/{proposal_id}/moderate": CONSOLE,
    # development only
    "GET /dev/sms": DEV,
    "POST /sim/emergency/incidents": DEV,
    "GET /sim/emergency/incidents": DEV,
    "GET /sim/emergency/incidents/{incident_id}": DEV,
}

# Path parameters that name something a resident owns: B gets A's, and must be refused.
OWNED = {"appeal_id", "media_id", "upload_id", "address_id", "proposal_id", "forward_id"}
REFUSED_API = {401, 403, 404}


def app_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route, included routers flattened; HEAD only where declared."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = route.path
        methods = set(route.methods or ())
        if path is None or not methods:
            continue
        if "GET" in methods:
            methods.discard("HEAD")
        path = path.replace("{path:path}", "{path}")
        found |= {(m, path) for m in methods}
    return sorted(found, key=lambda mp: (mp[1], mp[0]))


@dataclass
class World:
    a: dict[str, str]
    b: dict[str, str]
    a_token: str
    b_token: str
    ids: dict[str, list[str]]
    markers: list[str]  # private to A everywhere
    appeal_text: str  # private to A everywhere, Open311's public reads included


def _upload(client: TestClient, headers: dict[str, str], name: str = "photo.jpg") -> str:
    r = client.post(
        "/api/v1/media", headers=headers, files={"file": (name, plain_jpeg(), "image/jpeg")}
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.fixture
def world(settings: Settings) -> Iterator[tuple[TestClient, World]]:
    settings.emergency_worker_interval_s = 0
    with TestClient(create_app(settings)) as client:
        a_phone = next_phone()
        a = sign_in(client, a_phone)
        b = sign_in(client)
        mark = uuid.uuid4().hex[:12]
        name, iin = f"Aname{mark}", "900101300811"
        r = client.patch("/api/v1/profile", json={"full_name": name, "iin": iin}, headers=a)
        assert r.status_code == 200, r.text
        addr = client.post(
            "/api/v1/profile/addresses",
            json={"label": "home", "text": f"Aaddress{mark}", "lat": 51.13, "lon": 71.43},
            headers=a,
        )
        assert addr.status_code == 201, addr.text
        photo, loose, proposal_photo = (_upload(client, a) for _ in range(3))
        appeal_text = f"Aappeal{mark}"
        appeal = client.post(
            "/api/v1/appeals",
            json=appeal_body(text=appeal_text, attachment_ids=[photo], share_personal=True),
            headers=a,
        )
        assert appeal.status_code == 201, appeal.text
        appeal_id = appeal.json()["id"]
        msg = client.post(
            f"/api/v1/appeals/{appeal_id}/messages",
            json={"client_id": uid(), "text": f"Amessage{mark}"},
            headers=a,
        )
        assert msg.status_code == 201, msg.text
        fwd = client.post(
            f"/api/v1/appeals/{appeal_id}/forward", json={"service": "112"}, headers=a
        )
        assert fwd.status_code in (200, 201, 202), fwd.text
        proposal = client.post(
            "/api/v1/proposals",
            json={
                "client_id": uid(),
                "text": f"Aproposal{mark}",
                "category": "landscaping",
                "photo_ids": [proposal_photo],
            },
            headers=a,
        )
        assert proposal.status_code == 201, proposal.text
        up = client.post("/api/v1/uploads", headers={**a, **TUS, "Upload-Length": "100"})
        assert up.status_code == 201, up.text
        make_operator(client)  # exists, so operator-only code paths are really reachable
        ids = {
            "appeal_id": [str(appeal_id)],
            "media_id": [photo, loose, proposal_photo],
            "upload_id": [up.headers["Location"].rsplit("/", 1)[1]],
            "address_id": [str(addr.json()["id"])],
            "proposal_id": [str(proposal.json()["id"])],
            "forward_id": [str(fwd.json()["id"])],
        }
        markers = [
            f"Aname{mark}",
            iin,
            f"Aaddress{mark}",
            f"Amessage{mark}",
            f"Aproposal{mark}",
            a_phone,
            a_phone.removeprefix("+"),
            a["Authorization"].split()[1],
        ]
        yield (
            client,
            World(
                a=a,
                b=b,
                a_token=a["Authorization"].split()[1],
                b_token=b["Authorization"].split()[1],
                ids=ids,
                markers=markers,
                appeal_text=appeal_text,
            ),
        )


DEFAULTS = {
    "poll_id": "1",
    "initiative_id": "1",
    "notice_id": "1",
    "place_id": "1",
    "identifier": "urn:oid:1",
    "service_code": "01.01",
    "service_request_id": "1",
    "incident_id": "1",
    "path": "anything",
}


def fillings(path: str, ids: dict[str, list[str]]) -> Iterator[str]:
    """The path with every combination of A's ids (or a neutral value) for its parameters."""
    names = [part[1:-1] for part in path.replace(".", "/").split("/") if part.startswith("{")]
    choices = [ids.get(n) or [DEFAULTS.get(n, "1")] for n in names]
    for combo in product(*choices):
        filled = path
        for n, value in zip(names, combo, strict=True):
            filled = filled.replace("{" + n + "}", value)
        yield filled


def _call(
    client: TestClient,
    method: str,
    url: str,
    rule: Rule,
    headers: dict[str, str],
) -> Response:
    client.cookies.clear()
    kw: dict[str, Any] = {"headers": {**rule.headers, **headers}, "follow_redirects": False}
    body = rule.json() if callable(rule.json) else rule.json
    if body is not None:
        kw["json"] = body
    if rule.form is not None:
        kw["data"] = rule.form
    if rule.content is not None:
        kw["content"] = rule.content
    if method == "POST" and url == "/api/v1/media":
        kw["files"] = {"file": ("b.jpg", plain_jpeg(), "image/jpeg")}
    return client.request(method, url, **kw)


def _refused_by_console(r: Response) -> bool:
    if r.status_code in (303, 307):
        return r.headers["location"].endswith("/console/login")
    return r.status_code in REFUSED_API


def test_every_route_is_classified(world: tuple[TestClient, World]) -> None:
    client, _ = world
    routes = {f"{m} {p}" for m, p in app_routes(client)}
    unclassified = sorted(routes - RULES.keys())
    gone = sorted(RULES.keys() - routes)
    assert not unclassified, f"classify these routes in RULES: {unclassified}"
    assert not gone, f"these RULES name routes that no longer exist: {gone}"


def test_no_route_leaks_a_residents_data(world: tuple[TestClient, World]) -> None:
    client, w = world
    before = snapshot(client, w)
    problems: list[str] = []
    probes = 0
    routes = app_routes(client)
    routes.sort(key=lambda mp: RULES.get(f"{mp[0]} {mp[1]}", PUBLIC).last)
    for method, path in routes:
        rule = RULES.get(f"{method} {path}")
        if rule is None:
            continue  # reported by test_every_route_is_classified
        owned = any("{" + n + "}" in path for n in OWNED)
        for url in fillings(path, w.ids):
            callers: list[tuple[str, dict[str, str]]] = [("nobody", {})]
            if rule.kind != "stream":
                callers.append(("B", w.b))
            if rule.kind == "console":
                callers.append(("B-as-cookie", {"Cookie": f"{CONSOLE_COOKIE}={w.b_token}"}))
            for who, headers in callers:
                probes += 1
                r = _call(client, method, url, rule, headers)
                problem = judge(rule, who, owned, path, r, w)
                if problem:
                    problems.append(f"{who} {method} {url} → {r.status_code}: {problem}")
    assert not problems, "\n".join(problems)
    after = snapshot(client, w)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"another resident's calls changed A's data: {changed}"
    assert probes > 200


def judge(rule: Rule, who: str, owned: bool, path: str, r: Response, w: World) -> str | None:
    if r.status_code >= 500:
        return "server error"
    body = r.text
    private = [*w.markers, w.appeal_text]
    leaked = [m for m in private if m in body]
    if leaked:
        return f"leaks {leaked}"
    kind = rule.kind
    if kind == "console":
        return None if _refused_by_console(r) else "console not refused"
    if kind in ("resident", "operator", "stream") and who == "nobody":
        return None if r.status_code == 401 else "no token, not 401"
    if kind == "operator":
        return None if r.status_code == 403 else "resident on an operator route, not 403"
    if kind == "resident" and owned:
        return None if r.status_code in (403, 404) else "A's id served to B"
    if kind == "secret":
        return None if r.status_code in (401, 403) else "partner route without its key"
    return None


def snapshot(client: TestClient, w: World) -> dict[str, Any]:
    """Everything of A's, as A sees it (and the bytes of A's files)."""
    client.cookies.clear()
    appeal_id = w.ids["appeal_id"][0]
    got: dict[str, Any] = {}
    for url in (
        "/api/v1/profile",
        f"/api/v1/appeals/{appeal_id}",
        f"/api/v1/appeals/{appeal_id}/messages",
        f"/api/v1/appeals/{appeal_id}/forwards",
        f"/api/v1/proposals/{w.ids['proposal_id'][0]}",
        f"/api/v1/uploads/{w.ids['upload_id'][0]}",
        "/api/v1/appeals",
    ):
        r = client.get(url, headers=w.a)
        assert r.status_code == 200, (url, r.text)
        got[url] = r.json()
    for media_id in w.ids["media_id"]:
        r = client.get(f"/api/v1/media/{media_id}", headers=w.a)
        assert r.status_code == 200
        got[media_id] = r.content
    return got


def test_operator_routes_refuse_every_resident_method(world: tuple[TestClient, World]) -> None:
    """Belt and braces for the walk: every /api/v1/operator route, B's token → 403 in kk/ru."""
    client, w = world
    seen = 0
    for method, path in app_routes(client):
        if not path.startswith("/api/v1/operator/"):
            continue
        for lang in ("kk", "ru"):
            url = next(fillings(path, w.ids))
            r = client.request(method, url, headers={**w.b, "Accept-Language": lang}, json={})
            assert r.status_code == 403, (method, url, r.status_code)
            assert r.json()["error"]["code"] == "forbidden"
            seen += 1
    assert seen >= 2 * 25


def test_dev_routes_are_absent_in_production(tmp_path: Any) -> None:
    from tests.security.support import production_settings

    settings = production_settings(tmp_path / "data", "http://127.0.0.1:9/sys/send.php")
    with TestClient(create_app(settings)) as client:
        dev = [(m, p) for m, p in app_routes(client) if RULES.get(f"{m} {p}") == DEV]
        assert dev == []
        for path in ("/dev/sms?phone=%2B77010000001", "/sim/emergency/incidents"):
            assert client.get(path).status_code == 404
        with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
            assert db.exec(select(User)).all() == []
