"""The operator web console: sign-in, list, status moves, chat with photos, closing, escaping."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

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
from tests.conftest import sign_in

PASSWORD = "s3cret-operator-pass"


def console_app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    if not any(getattr(r, "path", "").startswith("/console") for r in app.routes):
        app.include_router(console.router)
    return app


@pytest.fixture
def cclient(settings: Settings) -> Iterator[TestClient]:
    settings.operator_password = PASSWORD
    with TestClient(console_app(settings), follow_redirects=False) as c:
        yield c


def login(client: TestClient) -> None:
    r = client.post("/console/login", data={"password": PASSWORD})
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
    client: TestClient, headers: dict[str, str], text: str = "Не горит фонарь во дворе"
) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "text": text,
        "subclass_code": subclass_code(),
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
    r = cclient.post("/console/login", data={"password": "wrong"})
    assert r.status_code == 401
    assert "Неверный пароль" in r.text
    assert CONSOLE_COOKIE not in r.cookies

    r = cclient.post("/console/login", data={"password": PASSWORD})
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
        assert cclient.post("/console/login", data={"password": "guess"}).status_code == 401
    r = cclient.post("/console/login", data={"password": PASSWORD})
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
    assert "Просрочено" in page and "Жабылды" in page and "Закрыто" in page

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


def test_close_with_after_photo(cclient: TestClient) -> None:
    resident = sign_in(cclient)
    appeal = file_appeal(cclient, resident)
    login(cclient)
    csrf = csrf_of(appeal_page(cclient, appeal["id"]))
    base = f"/console/appeals/{appeal['id']}"
    assert (
        cclient.post(f"{base}/status", data={"csrf": csrf, "to_status": "assigned"}).status_code
        == 303
    )
    # "closed" through the status form is refused: closing needs a result
    r = cclient.post(f"{base}/status", data={"csrf": csrf, "to_status": "closed"})
    assert r.status_code == 422 and "с результатом" in r.text
    r = cclient.post(f"{base}/close", data={"csrf": csrf, "result_text": "   "})
    assert r.status_code == 422

    r = cclient.post(
        f"{base}/close",
        data={"csrf": csrf, "result_text": "Фонарь заменён"},
        files={"photo": ("after.jpg", jpeg((40, 160, 60)), "image/jpeg")},
    )
    assert r.status_code == 303, r.text

    mine = cclient.get(f"/api/v1/appeals/{appeal['id']}", headers=resident).json()
    assert mine["status"] == "closed" and mine["result_text"] == "Фонарь заменён"
    assert mine["closed_at"] is not None
    assert [m["role"] for m in mine["media"]] == ["after"]
    assert mine["history"][-1]["to_status"] == "closed"
    page = appeal_page(cclient, appeal["id"])
    assert "Фонарь заменён" in page and "после работ" in page
    assert 'name="to_status"' not in page and "только заявитель" in page


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
