"""Every control speaks once, by a name of its own: a walk through every route of `app/routes.py`
and the dialogs and panels that open on them (the camera's capture view, live on Chromium's
fake camera, and a photo opened large among them), in Kazakh and in Russian, signed out and
signed in, offline and with an alert's banner on screen, reading Flutter's semantics tree in
Chromium (see `semantics.py`). It fails with one line per problem: the state (route, language),
the node's role, its name and where it is.

The data it needs is made through the live backend first: two closed appeals (one with a photo,
one rated: the read-only stars), a saved address, a city-wide alert published by the operator;
the demo city has notices. One page, signed in once; a state is reached by its deep link (the
app keeps the session) or a tap, and read once the tree keeps still."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from app import routes
from app.i18n import Translator
from tests.app.support.new_appeal_fakes import jpeg_bytes
from tests.e2e.backend import App, operator
from tests.e2e.conftest import launched
from tests.e2e.resident import (
    HERE,
    alive,
    ask,
    open_app,
    phone_page,
    sign_in,
    still,
    tall,
    tap_until,
)
from tests.e2e.semantics import BROWSER_FLAG, problems, read_nodes
from tests.e2e.test_camera_e2e import FAKE_CAMERA_ARGS

pytestmark = pytest.mark.e2e

TALL = 2400  # a phone's width, tall enough that a whole screen is drawn (and in the tree)
QUIET_MS = 700  # a screen is read once its tree kept still this long
SHEET = "Choose districts and topics. Nothing chosen means all of them."  # notice settings
OFFLINE = "Offline: your actions are kept and will be sent when the connection is back."
LIVE = "Point the camera at the problem and press the shutter."  # the camera's preview runs
ALL_DISTRICTS = ["almaty", "baikonur", "yesil", "saryarka", "nura", "saraishyq"]


@pytest.fixture
def walker_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium with its computed accessibility names readable from the page, and a fake
    camera (for the capture view's live state: its preview and shutter)."""
    yield from launched(browser, [BROWSER_FLAG, *FAKE_CAMERA_ARGS])


class Walk:
    """The states read so far and what was found on them."""

    def __init__(self, page: Page, app: App, shots: Path) -> None:
        self.page, self.app, self.shots = page, app, shots
        self.tr = Translator("kk")
        self.found: list[str] = []
        self.states: list[str] = []
        self.routes: set[str] = set()
        self.nodes = 0
        self.last = time.monotonic()

    def t(self, msgid: str) -> str:
        """`msgid` in the language being walked."""
        return self.tr.gettext(msgid)

    def read(self, state: str) -> None:
        """Read the screen on now (once it keeps still) as `state`."""
        still(self.page, QUIET_MS)
        path = ask(self.page, "location.pathname")
        where = f"[{self.tr.language}] {path} {state}".rstrip()
        nodes = read_nodes(self.page)
        acting = sum(n.interactive for n in nodes)
        assert acting, f"{where}: no interactive node at all (the tree is not on)"
        self.states.append(where)
        self.nodes += acting
        found = problems(where, nodes)
        now = time.monotonic()
        took, self.last = now - self.last, now
        print("\n".join([f"read {where}: {acting} interactive nodes ({took:.1f} s)", *found]),
              flush=True)  # fmt: skip
        self.found += found

    def visit(self, route: str, signed_in: bool, ready: str = "") -> None:
        """Open `route` by its deep link, wait for `ready` (a text) if given, and read it."""
        open_app(self.page, self.app.url + route)
        tall(self.page, TALL)
        if ready:
            self.page.get_by_text(ready, exact=False).first.wait_for()
        self.routes.add(routes.resolve(route, signed_in=signed_in)[-1].name)
        self.read("")

    def open(self, button: str, done: str, state: str) -> None:
        """Tap the button named `button` until `done` (a text) shows, then read it as `state`;
        a state that cannot be reached is a problem too (its screen saved for the reader)."""
        target = self.page.get_by_role("button", name=button, exact=True)
        try:
            tap_until(self.page, target, self.page.get_by_text(done, exact=False), what=button)
        except AssertionError as e:
            shot = self.shots / f"{len(self.states)}-{self.tr.language}-{state}.png"
            self.page.screenshot(path=str(shot))
            self.found.append(f"[{self.tr.language}] {state}: not reached ({e}), see {shot}")
            return
        self.read(state)

    def dialog(self, button: str, closer: str, state: str, ready: str = "") -> None:
        """Open a dialog with the button `button` until its button `closer` shows (and `ready`,
        a text, if given), read it as `state`, and close it again with `closer`."""
        page = self.page
        target = page.get_by_role("button", name=button, exact=True)
        closing = page.get_by_role("alertdialog").get_by_role("button", name=closer, exact=True)
        tap_until(page, target, closing, what=button)
        if ready:
            page.get_by_text(ready, exact=False).first.wait_for()
        self.read(state)
        tap_until(page, closing, closing, gone=True, what=closer)

    def language(self, code: str) -> None:
        """Switch the interface to `code` with the cabinet's switch (the cabinet is open)."""
        name = {"kk": "Қазақша", "ru": "Русский"}[code]
        self.tr = Translator(code)
        tab = self.page.get_by_text(self.t("Interface language"), exact=False)
        tap_until(self.page, self.page.get_by_role("button", name=name).first, tab, what=name)


# -- the data to walk over ------------------------------------------------------------------------


def closed_appeal(
    app: App, text: str, rating: int | None = None, photo: bytes | None = None
) -> dict[str, Any]:
    """An appeal filed as the resident (with `photo` attached), closed by the operator (and
    rated, with `rating`)."""
    with app.client("kk") as c:
        attached = []
        if photo is not None:
            r = c.post("/api/v1/media", files={"file": ("yard.jpg", photo, "image/jpeg")})
            assert r.status_code == 201, r.text
            attached.append(r.json()["id"])
        r = c.post("/api/v1/appeals", json={
            "client_id": str(uuid.uuid4()), "text": text, "subclass_code": "39.10",
            "lat": HERE["latitude"], "lon": HERE["longitude"], "language": "kk",
            "attachment_ids": attached})  # fmt: skip
        assert r.status_code == 201, r.text
        appeal = dict(r.json())
    with operator(app.backend_url) as op:
        for status in ("assigned", "in_progress"):
            path = f"/api/v1/operator/appeals/{appeal['id']}/status"
            assert op.post(path, json={"to_status": status}).status_code == 200
        path = f"/api/v1/operator/appeals/{appeal['id']}/close"
        assert op.post(path, json={"result_text": "Шығарылды."}).status_code == 200
    if rating:
        with app.client("kk") as c:
            r = c.post(f"/api/v1/appeals/{appeal['id']}/rating", json={"score": rating})
            assert r.status_code == 200, r.text
    return appeal


def publish_alert(app: App, headline: str) -> str:
    """A city-wide alert (it reaches every resident): its identifier."""
    expires = datetime.now(timezone(timedelta(hours=5))).replace(microsecond=0) + timedelta(hours=3)
    texts = {
        lang: {"event": event, "headline": f"{headline} {lang}", "description": "—",
               "instruction": instruction}
        for lang, event, instruction in (("kk", "Дауыл", "Үйден шықпаңыз."),
                                         ("ru", "Ураган", "Не выходите из дома."))
    }  # fmt: skip
    body = {
        "status": "Actual", "category": ["Safety"], "response_type": ["Shelter"],
        "urgency": "Immediate", "severity": "Extreme", "certainty": "Observed",
        "expires": expires.isoformat(), "texts": texts,
        "areas": [{"desc": {"kk": "Астана", "ru": "Астана"}, "districts": ALL_DISTRICTS}],
    }  # fmt: skip
    with operator(app.backend_url) as op:
        r = op.post(
            "/api/v1/operator/alerts", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
    assert r.status_code in (200, 201), r.text
    return str(r.json()["identifier"])


def cancel_alert(app: App, identifier: str) -> None:
    with operator(app.backend_url) as op:
        path = f"/api/v1/operator/alerts/{identifier}/cancel"
        op.post(path, json={"note": "e2e"}, headers={"Idempotency-Key": str(uuid.uuid4())})


# -- the walk -------------------------------------------------------------------------------------


def signed_out(walk: Walk) -> None:
    for route in ("/sign-in", "/map", "/contacts", "/developer"):
        walk.visit(route, signed_in=False)


def signed_in(walk: Walk, data: dict[str, Any]) -> None:
    """Every signed-in route, dialog and panel, in the language the app speaks now."""
    t, first, rated = walk.t, data["closed"], data["rated"]
    for _key, route in routes.TABS:
        walk.visit(route, signed_in=True)
        if route == "/notices":
            walk.open(t("Settings"), t(SHEET), "notice settings")
    walk.visit("/appeals/new", signed_in=True)
    # Chromium's fake camera: the live preview and the shutter
    walk.dialog(t("Take photo"), t("Close"), "camera", ready=t(LIVE))
    walk.open(t("This is an emergency"), t("Which service?"), "forward to an emergency service")
    # back to the form, as the resident would: the step stays open across screens until then
    back = walk.page.get_by_role("button", name=t("Back to the form"), exact=True)
    tap_until(walk.page, back, walk.page.get_by_role("button", name=t("Take photo"), exact=True),
              what="Back to the form")  # fmt: skip
    # closed: the rating form and the reopening form are on it; and a photo to open large
    walk.visit(f"/appeals/{first['id']}", signed_in=True, ready=first["text"])
    walk.dialog(t("Open the photo"), t("Close"), "photo viewer")
    walk.open(t("File a complaint"), t("Complaint about the handling"), "complaint")
    walk.visit(f"/appeals/{rated['id']}", signed_in=True, ready=t("Your rating"))
    walk.visit("/participation/proposals/new", signed_in=True)
    walk.visit("/cabinet", signed_in=True)
    walk.open(t("Delete my data on this device"), t("Delete the data on this device?"), "delete")
    for route in ("/cabinet/personal", "/cabinet/notifications", "/cabinet/addresses/new"):
        walk.visit(route, signed_in=True)
    walk.visit("/cabinet/addresses", signed_in=True, ready=data["address"])
    saved = re.compile("^" + re.escape(data["address"]))  # not its delete button
    tap_until(walk.page, walk.page.get_by_role("button", name=saved),
              "location.pathname.startsWith('/cabinet/addresses/') "
              "&& location.pathname !== '/cabinet/addresses/new'")  # fmt: skip
    walk.read("an address saved")
    walk.visit(f"/alerts/{data['alert']}", signed_in=True, ready=data["headline"])
    walk.visit(f"/notices/{data['notice']}", signed_in=True)
    for route in ("/map", "/contacts", "/developer"):
        walk.visit(route, signed_in=True)
    walk.app.proxy.go_offline()
    try:
        walk.visit("/", signed_in=True, ready=t(OFFLINE))
        walk.visit(f"/appeals/{first['id']}", signed_in=True, ready=first["text"])
    finally:
        walk.app.proxy.go_online()


# the walk reads ~64 screens (about 3 minutes on a quiet machine): more than the suite's 300 s
# per test on a busy one
@pytest.mark.timeout(1200)
def test_every_control_speaks_once_by_a_name_of_its_own(
    walker_browser: Browser, app: App, tmp_path: Path
) -> None:
    started = time.monotonic()
    headline = f"Дауыл {uuid.uuid4().hex[:4].upper()}"
    photo = jpeg_bytes((480, 360), "teal")  # made before the browser opens (see E2E.md)
    with phone_page(walker_browser, app.url, tmp_path / "last.png", camera=True) as page:
        walk = Walk(page, app, tmp_path)
        signed_out(walk)
        open_app(page, app.url + "/sign-in")
        sign_in(page, app.backend_url)
        data: dict[str, Any] = {
            "closed": closed_appeal(app, "Аулада қоқыс контейнерлері шығарылмай тұр", photo=photo),
            "rated": closed_appeal(app, "Подъездегі шам жанбайды", rating=4),
            "address": f"Мәңгілік Ел {uuid.uuid4().hex[:3]}",
            "headline": headline,
            "alert": publish_alert(app, headline),
        }
        with app.client("kk") as c:
            r = c.post("/api/v1/profile/addresses", json={"label": data["address"],
                       "text": "Мәңгілік Ел 55", "lat": HERE["latitude"],
                       "lon": HERE["longitude"]})  # fmt: skip
            assert r.status_code == 201, r.text
        data["notice"] = app.api("/api/v1/notices", {"limit": 1})["items"][0]["id"]
        try:
            # An alert's banner over the list: read first, as it comes.
            walk.visit("/", signed_in=True, ready=headline)
            signed_in(walk, data)
            walk.visit("/cabinet", signed_in=True)
            walk.language("ru")
            signed_in(walk, data)
            walk.visit("/cabinet", signed_in=True)
            tap_until(page, page.get_by_role("button", name=walk.t("Sign out")).first,
                      page.get_by_label(walk.t("Phone number")))  # fmt: skip
            walk.read("signed out")
            signed_out(walk)
        finally:
            cancel_alert(app, data["alert"])
        alive(page)
    took = time.monotonic() - started
    missing = {p.name for p in routes._TABLE} - walk.routes  # a new route must be walked too
    print(f"\nsemantics walk: {len(walk.states)} states ({len(walk.routes)} screens x kk, ru), "
          f"{walk.nodes} interactive nodes, {len(walk.found)} problems, {took:.0f} s")  # fmt: skip
    assert not missing, f"routes never walked: {sorted(missing)}"
    assert not walk.found, "\n".join(walk.found)
