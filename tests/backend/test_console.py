"""The operator web console: sign-in, list, status moves, chat with photos, closing, escaping."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from backend_stub import console
from backend_stub.config import Settings
from backend_stub.demo.seed import seed_demo
from backend_stub.deps import CONSOLE_COOKIE
from backend_stub.main import create_app
from backend_stub.models import Appeal
from tests.backend.support import add_staff
from tests.conftest import sign_in
from tests.live import burst, live_app

PASSWORD = "s3cret-operator-pass"


def console_app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    if not any(getattr(r, "path", "").startswith("/console") for r in app.routes):
        app.include_router(console.router)
    return app


@pytest.fixture
def cclient(settings: Settings) -> Iterator[TestClient]:
    with TestClient(console_app(settings), follow_redirects=False) as c:
        add_staff(c, "op", role="operator", password=PASSWORD)
        yield c


def login(client: TestClient) -> None:
    r = client.post("/console/login", data={"login": "op", "password": PASSWORD})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/console"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def jpeg(color: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return out.getvalue()


def subclass_code() -> str:
    from backend_stub.classifier import load_classifier

    for cls in load_classifier().classes:
        for sub in cls.subclasses:
            if sub.importance == "standard" and sub.deadline_hours > 24:
                return sub.code
    raise AssertionError("no standard subclass")


def file_appeal(
    client: TestClient,
    headers: dict[str, str],
    text: str = "Не горит фонарь во дворе",
    subclass: str | None = None,
) -> dict:
    """An appeal filed through the API (of a standard subclass with a long deadline, unless
    `subclass` is given)."""
    body = {
        "client_id": str(uuid.uuid4()),
        "text": text,
        "subclass_code": subclass or subclass_code(),
        "lat": 51.1282,
        "lon": 71.4307,
        "address": "пр. Мәңгілік Ел, 8",
        "language": "ru",
    }
    r = client.post("/api/v1/appeals", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def appeal_page(client: TestClient, appeal_id: int) -> str:
    r = client.get(f"/console/appeals/{appeal_id}")
    assert r.status_code == 200, r.text
    return r.text


# ---------------------------------------------------------------- sign-in


def test_not_signed_in_goes_to_login(cclient: TestClient) -> None:
    for path in ("/console", "/console/appeals/1", "/console/media/abc"):
        r = cclient.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/console/login", path
    r = cclient.post("/console/appeals/1/status", data={"to_status": "assigned"})
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    r = cclient.get("/console/login")
    assert r.status_code == 200 and 'type="password"' in r.text


def test_wrong_password_is_401_and_right_one_sets_cookie(cclient: TestClient) -> None:
    r = cclient.post("/console/login", data={"login": "op", "password": "wrong"})
    assert r.status_code == 401
    assert "Неверный логин или пароль" in r.text
    assert CONSOLE_COOKIE not in r.cookies

    r = cclient.post("/console/login", data={"login": "op", "password": PASSWORD})
    assert r.status_code == 303
    set_cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie"]
    access = next(c for c in set_cookie if c.startswith(f"{CONSOLE_COOKIE}="))
    assert "HttpOnly" in access and "SameSite=strict" in access.replace("Strict", "strict")
    assert cclient.get("/console").status_code == 200
    assert cclient.get("/console/login").status_code == 303  # already signed in

    # the session is a real operator session: the operator API accepts the same token
    token = cclient.cookies.get(CONSOLE_COOKIE)
    r = cclient.get("/api/v1/operator/appeals", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_password_guessing_is_throttled(cclient: TestClient) -> None:
    for _ in range(console.LOGIN_MAX_FAILURES):
        r = cclient.post("/console/login", data={"login": "op", "password": "guess"})
        assert r.status_code == 401
    r = cclient.post("/console/login", data={"login": "op", "password": PASSWORD})
    assert r.status_code == 429 and CONSOLE_COOKIE not in r.cookies


def test_logout_clears_cookie_and_revokes(cclient: TestClient) -> None:
    login(cclient)
    token = cclient.cookies.get(CONSOLE_COOKIE)
    csrf = csrf_of(cclient.get("/console").text)
    r = cclient.post("/console/logout", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    assert cclient.cookies.get(CONSOLE_COOKIE) is None
    assert cclient.get("/console").status_code == 303
    r = cclient.get("/api/v1/operator/appeals", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_expired_access_cookie_is_renewed_from_refresh_cookie(cclient: TestClient) -> None:
    login(cclient)
    old = cclient.cookies.get(CONSOLE_COOKIE)
    cclient.cookies.delete(CONSOLE_COOKIE)  # as if it had expired
    r = cclient.get("/console?status=open")
    assert r.status_code == 303 and r.headers["location"] == "/console?status=open"
    new = cclient.cookies.get(CONSOLE_COOKIE)
    assert new and new != old
    assert cclient.get("/console?status=open").status_code == 200


# ---------------------------------------------------------------- list


def test_list_shows_demo_appeals_with_filters(cclient: TestClient, settings: Settings) -> None:
    app = cclient.app
    seed_demo(app.state.engine, settings)  # type: ignore[attr-defined]
    login(cclient)
    with Session(app.state.engine) as db:  # type: ignore[attr-defined]
        appeals = db.exec(select(Appeal)).all()
    assert len(appeals) >= 8
    page = cclient.get("/console").text
    for appeal in appeals:
        assert appeal.number in page
    assert "Просрочено" in page and "Закрыто" in page
    assert "Жабылды" not in page  # one language per page: no Kazakh subtitles

    closed = cclient.get("/console", params={"status": "closed"}).text
    for appeal in appeals:
        assert (appeal.number in closed) == (appeal.status == "closed")

    overdue = cclient.get("/console", params={"overdue": "1"}).text
    now = datetime.now(UTC)
    late = [a for a in appeals if a.status != "closed" and a.due_at < now]
    assert late and all(a.number in overdue for a in late)
    assert sum(a.number in overdue for a in appeals) == len(late)

    one = appeals[0]
    found = cclient.get("/console", params={"number": one.number}).text
    assert one.number in found and all(a.number not in found for a in appeals[1:])


# ---------------------------------------------------------------- status moves


def test_status_change_via_form_reaches_resident_history(cclient: TestClient) -> None:
    resident = sign_in(cclient)
    appeal = file_appeal(cclient, resident)
    login(cclient)
    page = appeal_page(cclient, appeal["id"])
    # exactly the allowed next statuses of "created"
    assert re.findall(r'name="to_status" value="([a-z_]+)"', page) == ["assigned"]
    assert "Закрыть с результатом" not in page

    r = cclient.post(
        f"/console/appeals/{appeal['id']}/status",
        data={"csrf": csrf_of(page), "to_status": "assigned", "note": "Передано в ЖКХ"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/console/appeals/{appeal['id']}"

    mine = cclient.get(f"/api/v1/appeals/{appeal['id']}", headers=resident).json()
    assert mine["status"] == "assigned"
    last = mine["history"][-1]
    assert (last["from_status"], last["to_status"], last["actor_role"], last["note"]) == (
        "created",
        "assigned",
        "operator",
        "Передано в ЖКХ",
    )
    page = appeal_page(cclient, appeal["id"])
    assert sorted(re.findall(r'name="to_status" value="([a-z_]+)"', page)) == [
        "in_progress",
        "returned",
    ]
    assert "Закрыть с результатом" in page


def test_disallowed_status_is_refused_with_visible_error(cclient: TestClient) -> None:
    resident = sign_in(cclient)
    appeal = file_appeal(cclient, resident)
    login(cclient)
    csrf = csrf_of(appeal_page(cclient, appeal["id"]))
    url = f"/console/appeals/{appeal['id']}/status"

    r = cclient.post(url, data={"csrf": csrf, "to_status": "in_progress"})
    assert r.status_code == 409
    assert 'class="error"' in r.text and "Нельзя перевести" in r.text
    assert "«Зарегистрировано»" in r.text and "«В работе»" in r.text

    r = cclient.post(url, data={"csrf": csrf, "to_status": "nonsense"})
    assert r.status_code == 422 and 'class="error"' in r.text

    r = cclient.post(
        f"/console/appeals/{appeal['id']}/close", data={"csrf": csrf, "result_text": "Готово"}
    )
    assert r.status_code == 409 and "Нельзя перевести" in r.text

    r = cclient.post(url, data={"csrf": "forged", "to_status": "assigned"})
    assert r.status_code == 403
    r = cclient.post(url, data={"csrf": "подделка", "to_status": "assigned"})  # not a 500
    assert r.status_code == 403

    mine = cclient.get(f"/api/v1/appeals/{appeal['id']}", headers=resident).json()
    assert mine["status"] == "created" and len(mine["history"]) == 1


# ---------------------------------------------------------------- chat and closing


def test_reply_with_photo_reaches_resident(cclient: TestClient) -> None:
    resident = sign_in(cclient)
    appeal = file_appeal(cclient, resident)
    r = cclient.post(
        f"/api/v1/appeals/{appeal['id']}/messages",
        headers=resident,
        json={"client_id": str(uuid.uuid4()), "text": "Когда починят?"},
    )
    assert r.status_code == 201
    login(cclient)
    page = appeal_page(cclient, appeal["id"])
    assert "Когда починят?" in page
    client_id = re.search(r'name="client_id" value="([^"]+)"', page)
    assert client_id
    form = {"csrf": csrf_of(page), "client_id": client_id.group(1), "text": "Бригада выехала"}
    url = f"/console/appeals/{appeal['id']}/messages"
    r = cclient.post(url, data=form, files={"photo": ("photo.jpg", jpeg(), "image/jpeg")})
    assert r.status_code == 303, r.text
    # the same form sent twice adds nothing
    r = cclient.post(url, data=form, files={"photo": ("photo.jpg", jpeg(), "image/jpeg")})
    assert r.status_code == 303

    msgs = cclient.get(f"/api/v1/appeals/{appeal['id']}/messages", headers=resident).json()
    assert [m["author_role"] for m in msgs] == ["resident", "operator"]
    assert msgs[0]["read_at"] is not None  # the operator opened the appeal
    reply = msgs[1]
    assert reply["text"] == "Бригада выехала"
    assert len(reply["media"]) == 1 and reply["media"][0]["role"] == "chat"
    media_id = reply["media"][0]["id"]
    got = cclient.get(f"/api/v1/media/{media_id}", headers=resident)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"

    page = appeal_page(cclient, appeal["id"])
    assert f"/console/media/{media_id}" in page
    shown = cclient.get(f"/console/media/{media_id}")
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    assert cclient.get("/console/media/nope").status_code == 404

    # an empty reply is refused with a visible error
    r = cclient.post(url, data={"csrf": csrf_of(page), "text": "  "})
    assert r.status_code == 422 and 'class="error"' in r.text


def test_reply_with_a_bad_file_shows_error(cclient: TestClient) -> None:
    resident = sign_in(cclient)
    appeal = file_appeal(cclient, resident)
    login(cclient)
    page = appeal_page(cclient, appeal["id"])
    r = cclient.post(
        f"/console/appeals/{appeal['id']}/messages",
        data={"csrf": csrf_of(page), "text": "см. файл"},
        files={"photo": ("x.jpg", b"not an image at all", "image/jpeg")},
    )
    assert r.status_code in (415, 422) and 'class="error"' in r.text
    assert "см. файл" in r.text  # the draft is kept
    assert cclient.get(f"/api/v1/appeals/{appeal['id']}/messages", headers=resident).json() == []


def assigned_appeal(cclient: TestClient) -> tuple[dict, dict[str, str], str]:
    """A resident's appeal moved to «assigned» by the signed-in operator: (appeal, the
    resident's headers, the console's CSRF token)."""
    resident = sign_in(cclient)
    appeal = file_appeal(cclient, resident)
    login(cclient)
    csrf = csrf_of(appeal_page(cclient, appeal["id"]))
    r = cclient.post(
        f"/console/appeals/{appeal['id']}/status", data={"csrf": csrf, "to_status": "assigned"}
    )
    assert r.status_code == 303
    return appeal, resident, csrf


def close_form(page: str) -> dict[str, str]:
    """The hidden fields of the closing page's form (CSRF, client_id, seen_status)."""
    form = page[page.index('action="/console/appeals/') :]
    return dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]*)"', form))


def closes_of(cclient: TestClient, appeal_id: int, headers: dict[str, str]) -> list[dict]:
    mine = cclient.get(f"/api/v1/appeals/{appeal_id}", headers=headers).json()
    return [h for h in mine["history"] if h["to_status"] == "closed"]


def test_close_with_after_photo(cclient: TestClient) -> None:
    appeal, resident, csrf = assigned_appeal(cclient)
    base = f"/console/appeals/{appeal['id']}"
    # "closed" through the status form is refused: closing needs a result
    r = cclient.post(f"{base}/status", data={"csrf": csrf, "to_status": "closed"})
    assert r.status_code == 422 and "с результатом" in r.text
    # the appeal's page links to the closing page, which asks and holds the form
    assert f'href="{base}/close"' in appeal_page(cclient, appeal["id"])
    page = cclient.get(f"{base}/close").text
    assert 'role="alertdialog"' in page and "уйдёт из списка открытых" in page
    assert 'class="danger" name="confirmed" value="yes"' in page
    form = close_form(page)
    assert form["seen_status"] == "assigned" and len(form["client_id"]) >= 8

    r = cclient.post(f"{base}/close", data={**form, "confirmed": "yes", "result_text": "   "})
    assert r.status_code == 422 and 'role="alertdialog"' in r.text
    done = {**form, "confirmed": "yes", "result_text": "Фонарь заменён"}
    photo = {"photo": ("after.jpg", jpeg((40, 160, 60)), "image/jpeg")}
    r = cclient.post(f"{base}/close", data=done, files=photo)
    assert r.status_code == 303, r.text
    # the same form sent again (a double click, a lost answer) closes nothing more
    r = cclient.post(f"{base}/close", data=done, files=photo)
    assert r.status_code == 303, r.text

    mine = cclient.get(f"/api/v1/appeals/{appeal['id']}", headers=resident).json()
    assert mine["status"] == "closed" and mine["result_text"] == "Фонарь заменён"
    assert mine["closed_at"] is not None
    assert [m["role"] for m in mine["media"]] == ["after"]
    assert len(closes_of(cclient, appeal["id"], resident)) == 1
    page = appeal_page(cclient, appeal["id"])
    assert "Фонарь заменён" in page and "после работ" in page
    assert 'name="to_status"' not in page and "только заявитель" in page
    r = cclient.get(f"{base}/close")  # nothing left to close
    assert r.status_code == 409 and "Нельзя перевести" in r.text


def test_close_is_not_done_without_the_red_button(cclient: TestClient) -> None:
    appeal, resident, _csrf = assigned_appeal(cclient)
    base = f"/console/appeals/{appeal['id']}"
    form = close_form(cclient.get(f"{base}/close").text)
    for confirmed in ("", "no", "edit", "YES"):  # the one-click form of old, a forged value
        r = cclient.post(
            f"{base}/close",
            data={**form, "confirmed": confirmed, "result_text": "Скамейку <b>заменили</b>"},
            files={"photo": ("after.jpg", jpeg(), "image/jpeg")},
        )
        assert r.status_code == 200 and 'role="alertdialog"' in r.text, confirmed
        assert "Скамейку &lt;b&gt;заменили&lt;/b&gt;</textarea>" in r.text  # kept, escaped
        assert "Прикрепите фото ещё раз" in r.text  # a file cannot be carried: said so
    mine = cclient.get(f"/api/v1/appeals/{appeal['id']}", headers=resident).json()
    assert mine["status"] == "assigned" and mine["media"] == []


def test_a_stale_closing_page_says_who_moved_the_appeal(cclient: TestClient) -> None:
    appeal, resident, csrf = assigned_appeal(cclient)
    base = f"/console/appeals/{appeal['id']}"
    form = close_form(cclient.get(f"{base}/close").text)
    r = cclient.post(f"{base}/status", data={"csrf": csrf, "to_status": "in_progress"})
    assert r.status_code == 303
    r = cclient.post(f"{base}/close", data={**form, "confirmed": "yes", "result_text": "Готово"})
    assert r.status_code == 409 and "уже изменил" in r.text
    assert 'role="alertdialog"' in r.text and "Готово</textarea>" in r.text  # asked again
    assert close_form(r.text)["seen_status"] == "in_progress"
    assert closes_of(cclient, appeal["id"], resident) == []


def test_the_appeal_page_in_kazakh(cclient: TestClient) -> None:
    appeal, _resident, _csrf = assigned_appeal(cclient)
    cclient.cookies.set("console_lang", "kk")
    page = appeal_page(cclient, appeal["id"])
    assert '<html lang="kk"' in page
    for kk in (
        "Өтініш 109-",
        "<dt>Мәртебе</dt>",
        "Тарих",
        "Өтініш берушімен чат",
        "Нәтижемен жабу",
    ):
        assert kk in page, kk
    for ru in ("Статус", "История", "Чат с заявителем", "Отправить", "оператор 109"):
        assert ru not in page, ru
    closing = cclient.get(f"/console/appeals/{appeal['id']}/close").text
    assert "Иә, өтінішті жабу" in closing and "Өтінішті жабу: 109-" in closing
    r = cclient.get("/console/appeals/999999")
    assert r.status_code == 404 and "Өтініш табылмады." in r.text


class LiveRegions(HTMLParser):
    """The tags inside each live region (`data-live-region` with an id) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inside: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, the region it opens)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            self._note(tag)
            return
        named = dict(attrs)
        region = named.get("id") if "data-live-region" in named else None
        self._note(tag)
        if region:
            self.inside[region] = []
        self._open.append((tag, region))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def _note(self, tag: str) -> None:
        for _tag, region in self._open:
            if region:
                self.inside[region].append(tag)


VOID_TAGS = {"input", "br", "img", "meta", "link", "source", "hr"}


def test_the_appeal_page_has_live_regions_and_no_form_inside(cclient: TestClient) -> None:
    appeal, resident, _csrf = assigned_appeal(cclient)
    cclient.post(
        f"/api/v1/appeals/{appeal['id']}/messages",
        headers=resident,
        json={"client_id": str(uuid.uuid4()), "text": "Второй подъезд"},
    )
    parser = LiveRegions()
    parser.feed(appeal_page(cclient, appeal["id"]))
    assert sorted(parser.inside) == ["live-chat", "live-facts", "live-history"]
    assert "table" in parser.inside["live-history"] and "dl" in parser.inside["live-facts"]
    assert "div" in parser.inside["live-chat"]  # the resident's message
    for region, tags in parser.inside.items():
        assert not {"form", "textarea", "input", "select", "button"} & set(tags), region


def test_fifty_identical_closes_at_once_close_once(cclient: TestClient) -> None:
    appeal, resident, _csrf = assigned_appeal(cclient)
    base = f"/console/appeals/{appeal['id']}"
    form = close_form(cclient.get(f"{base}/close").text)
    done = {**form, "confirmed": "yes", "result_text": "Фонарь заменён"}
    cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in cclient.cookies.items())}
    with live_app(cclient.app) as url:  # type: ignore[arg-type]
        answers = burst(
            50,
            lambda c, _i: c.post(f"{url}{base}/close", data=done, headers=cookie),
        )
    codes = sorted(a.status_code for a in answers)
    print(f"\n50 identical closes at once: {codes.count(303)} × 303, others {set(codes) - {303}}")
    assert codes == [303] * 50, codes
    assert len(closes_of(cclient, appeal["id"], resident)) == 1


# ---------------------------------------------------------------- escaping


def test_script_in_appeal_text_and_chat_is_escaped(cclient: TestClient) -> None:
    resident = sign_in(cclient)
    evil = '<script>alert("x")</script>'
    appeal = file_appeal(cclient, resident, text=f"Двор {evil} темно")
    cclient.post(
        f"/api/v1/appeals/{appeal['id']}/messages",
        headers=resident,
        json={"client_id": str(uuid.uuid4()), "text": f"<img src=x onerror=1>{evil}"},
    )
    login(cclient)
    page = appeal_page(cclient, appeal["id"])
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=1&gt;" in page
    assert (
        "default-src 'none'"
        in cclient.get(f"/console/appeals/{appeal['id']}").headers["content-security-policy"]
    )

    listing = cclient.get("/console", params={"number": '"><script>x</script>'}).text
    assert "<script>x" not in listing and "&quot;&gt;&lt;script&gt;x" in listing


def test_fifty_different_closes_at_once_close_once(cclient: TestClient) -> None:
    """Fifty operators' tabs, each its own close form (its own client_id), all sent at once:
    the appeal is closed once, the others are told it moved meanwhile (409), none fails."""
    appeal, resident, _csrf = assigned_appeal(cclient)
    base = f"/console/appeals/{appeal['id']}"
    forms = [close_form(cclient.get(f"{base}/close").text) for _ in range(50)]
    assert len({f["client_id"] for f in forms}) == 50
    cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in cclient.cookies.items())}
    with live_app(cclient.app) as url:  # type: ignore[arg-type]
        answers = burst(
            50,
            lambda c, i: c.post(
                f"{url}{base}/close",
                data={**forms[i], "confirmed": "yes", "result_text": f"Фонарь заменён ({i})"},
                headers=cookie,
            ),
        )
    codes = sorted(a.status_code for a in answers)
    print(f"\n50 different closes at once: {codes.count(303)} × 303, {codes.count(409)} × 409")
    assert codes.count(303) == 1 and codes.count(409) == 49, codes
    assert len(closes_of(cclient, appeal["id"], resident)) == 1
