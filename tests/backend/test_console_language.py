"""The console in one language per page (issue 16, part 3): the alert, notice, emergency and
participation pages and the appeal list, rendered in Kazakh and in Russian.

What the check proves: every Cyrillic word shown outside an element marked with another `lang`
(data typed in that language) is a word of that language's catalog or a district's name in it,
so a hard-coded Russian label, or a Russian msgstr on a Kazakh page, fails; and no text node is
an English msgid the catalog translates (a missing `_()` lookup). What it does not prove: that a
word shared by both catalogs («Статус», «Тест») is used idiomatically, nor that a page never shows
a value typed by staff in the other language when that value is not marked with `lang`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub.config import Settings
from backend_stub.console.kit.i18n import catalog
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.models import Alert
from backend_stub.notice_topics import TOPICS
from backend_stub.schemas.participation import (
    INITIATIVE_STATE_NAMES,
    POLL_STATUS_NAMES,
    PROPOSAL_STATE_NAMES,
)
from backend_stub.statuses import STATUS_NAMES
from tests.backend.support import console_client
from tests.backend.test_console_floor import alert_form, hidden

WORD = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүІіҺһ]+")
PAGES = (
    "/console",
    "/console/alerts",
    "/console/alerts/new",
    "/console/notices",
    "/console/notices/new",
    "/console/emergency",
    "/console/participation",
    "/console/participation/initiatives",
    "/console/participation/proposals",
)


class Texts(HTMLParser):
    """The page's text nodes outside <style>, <script> and elements marked with another lang."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang, self.html_lang = lang, ""
        self.stack: list[bool] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs).get("lang")
        if tag == "html":
            self.html_lang = given or ""
        if tag in {"input", "meta", "br", "img", "link"}:
            return
        self.stack.append(tag in {"style", "script"} or (given not in (None, self.lang)))

    def handle_endtag(self, tag: str) -> None:
        if tag not in {"input", "meta", "br", "img", "link"} and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and not any(self.stack):
            self.texts.append(data.strip())


def words_of(lang: str) -> set[str]:
    """Every word of the language's catalog translations and of the server's own names in it
    (districts, notice topics, appeal and participation states), lower-cased."""
    messages = catalog(lang)._catalog  # type: ignore[attr-defined]
    text = " ".join(str(v) for v in messages.values())
    tables = (DISTRICT_NAMES, TOPICS, STATUS_NAMES, INITIATIVE_STATE_NAMES, POLL_STATUS_NAMES)
    for names in (n for table in (*tables, PROPOSAL_STATE_NAMES) for n in table.values()):
        text += " " + names[lang]
    return {w.lower() for w in WORD.findall(text)}


def translated_msgids(lang: str) -> set[str]:
    messages = catalog(lang)._catalog  # type: ignore[attr-defined]
    return {k for k, v in messages.items() if isinstance(k, str) and k and k != v}


@pytest.fixture
def cclient(settings: Settings) -> Iterator[TestClient]:
    with console_client(settings) as c:
        page = c.get("/console/alerts/new").text
        r = c.post(
            "/console/alerts",
            data={**alert_form(page), "confirmed": "yes", "csrf": hidden(page, "csrf")},
        )
        assert r.status_code == 303, r.text
        c.alert_page = str(r.headers["location"])
        yield c


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_console_page_is_in_one_language(cclient: TestClient, lang: str) -> None:
    cclient.cookies.set("console_lang", lang)
    with Session(cclient.app.state.engine) as db:  # type: ignore[attr-defined]
        alert = db.exec(select(Alert)).one()
        typed = " ".join(str(v) for v in alert.texts[lang].values())  # the alert's own texts
    known = words_of(lang) | {w.lower() for w in WORD.findall(typed)}
    msgids = translated_msgids(lang)
    for path in (*PAGES, cclient.alert_page):
        r = cclient.get(path)
        assert r.status_code == 200, path
        parsed = Texts(lang)
        parsed.feed(r.text)
        assert parsed.html_lang == lang, path
        strange = {w for t in parsed.texts for w in WORD.findall(t) if w.lower() not in known}
        assert not strange, f"{path} in {lang}: words of no {lang} message: {sorted(strange)}"
        raw = [t for t in parsed.texts if t in msgids]
        assert not raw, f"{path} in {lang}: untranslated msgids {raw}"


def test_cap_words_and_numbers_follow_the_language(cclient: TestClient) -> None:
    cclient.cookies.set("console_lang", "kk")
    page = cclient.get(cclient.alert_page).text
    assert "Нақты" in page and "Жоғары" in page and "(Update)" not in page
    form = cclient.get("/console/alerts/new").text
    assert '<option value="Exercise" selected>Оқу-жаттығу</option>' in form
    cclient.cookies.set("console_lang", "ru")
    form = cclient.get("/console/alerts/new").text
    assert '<option value="Exercise" selected>Учения</option>' in form
