"""Named staff accounts: sign-in per job, what each job may open (console and operator API), an
executor kept to their body's appeals (404 for others), a disabled account, who did what in the
history and the chat, the stale tab's refusal, the accounts page and the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub.classifier import load_classifier
from backend_stub.config import Settings
from backend_stub.crud import staff as staff_crud
from backend_stub.db import init_db, make_engine
from backend_stub.main import create_app
from backend_stub.models import StaffAccount
from backend_stub.security import hash_password, verify_password
from tests.backend.support import CONSOLE_PASSWORD, add_staff, console_sign_in, production_settings
from tests.backend.test_appeals import appeal_body
from tests.conftest import sign_in

BODY = "ENERGY_HOUSING"
BODY_RU = "Управление энергетики и жилищно-коммунального хозяйства города Астаны"


def subclass_of(service: str, *, other: bool = False) -> str:
    """A subclass whose appeals are routed to `service` (or, `other`, to another body)."""
    for cls in load_classifier().classes:
        if (cls.service_code == service) != other and cls.service_code != "EMERGENCY":
            for sub in cls.subclasses:
                if sub.importance == "standard" and not sub.immediate:
                    return sub.code
    raise AssertionError("no such subclass")


def file_appeal(client: TestClient, headers: dict[str, str], subclass: str) -> int:
    r = client.post("/api/v1/appeals", json=appeal_body(subclass_code=subclass), headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def main_of(html: str) -> str:
    found = re.search(r"<main>(.*)</main>", html, re.S)
    assert found, html
    return found.group(1)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as c:
        add_staff(c, "op", role="operator")
        add_staff(c, "op2", role="operator")
        add_staff(c, "ex", role="executor", body=BODY)
        add_staff(c, "boss", role="supervisor")
        yield c


def as_staff(app_client: TestClient, login: str) -> TestClient:
    """A second client of the same app (its own cookies), signed in as `login`."""
    c = TestClient(app_client.app, follow_redirects=False)
    console_sign_in(c, login)
    return c


def bearer(c: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {c.cookies.get('city109_console')}"}


# ---------------------------------------------------------------- accounts and sign-in


def test_passwords_are_salted_scrypt_hashes(app_client: TestClient) -> None:
    with Session(app_client.app.state.engine) as db:  # type: ignore[attr-defined]
        stored = [a.password_hash for a in db.exec(select(StaffAccount)).all()]
    assert all(h.startswith("scrypt$") and CONSOLE_PASSWORD not in h for h in stored)
    assert len(set(stored)) == len(stored)  # one password, four salts
    assert verify_password(CONSOLE_PASSWORD, stored[0])
    assert not verify_password(CONSOLE_PASSWORD + "x", stored[0])
    assert not verify_password(CONSOLE_PASSWORD, "scrypt$1$zz")  # a broken hash is a plain no
    assert hash_password("a") != hash_password("a")


def test_sign_in_needs_the_accounts_own_password(app_client: TestClient) -> None:
    for login, password in (("op", "wrong-password-1"), ("nobody", CONSOLE_PASSWORD), ("", "")):
        r = app_client.post("/console/login", data={"login": login, "password": password})
        assert r.status_code == 401 and "Неверный логин или пароль" in r.text
        assert f'value="{login}"' in r.text  # the login typed stays in the form
    r = app_client.post("/console/login", data={"login": " OP ", "password": CONSOLE_PASSWORD})
    assert r.status_code == 303  # logins ignore case and surrounding spaces


ROLE_PAGES = {  # path → (operator, executor, supervisor) GET status
    "/console": (200, 200, 200),
    "/console/alerts": (200, 403, 200),
    "/console/notices": (200, 403, 200),
    "/console/emergency": (200, 403, 200),
    "/console/participation": (200, 403, 200),
    "/console/participation/initiatives": (200, 403, 200),
    "/console/staff": (403, 403, 200),
}


def test_each_job_opens_only_its_pages(app_client: TestClient) -> None:
    for i, login in enumerate(("op", "ex", "boss")):
        c = as_staff(app_client, login)
        got = {path: c.get(path).status_code for path in ROLE_PAGES}
        assert got == {path: codes[i] for path, codes in ROLE_PAGES.items()}, login
        refused = c.get("/console/staff")
        if refused.status_code == 403:
            assert "не входит в вашу роль" in refused.text


def test_supervisor_only_changes_alerts_and_polls(app_client: TestClient) -> None:
    op = as_staff(app_client, "op")
    csrf = csrf_of(op.get("/console").text)
    for path in ("/console/alerts", "/console/participation/polls", "/console/staff"):
        assert op.post(path, data={"csrf": csrf}).status_code == 403, path
    headers = bearer(op)
    assert app_client.get("/api/v1/operator/alerts", headers=headers).status_code == 200
    r = app_client.post("/api/v1/operator/polls", json={}, headers=headers)
    assert r.status_code == 403
    r = app_client.post("/api/v1/operator/alerts", json={}, headers=headers)
    assert r.status_code == 403
    boss = bearer(as_staff(app_client, "boss"))
    assert app_client.post("/api/v1/operator/polls", json={}, headers=boss).status_code == 422


def test_executor_sees_and_acts_only_on_their_bodys_appeals(app_client: TestClient) -> None:
    resident = sign_in(app_client)
    own = file_appeal(app_client, resident, subclass_of(BODY))
    other = file_appeal(app_client, resident, subclass_of(BODY, other=True))
    ex = as_staff(app_client, "ex")
    assert ex.get(f"/console/appeals/{own}").status_code == 200
    missing = ex.get(f"/console/appeals/{other}")
    assert missing.status_code == 404
    nowhere = ex.get("/console/appeals/999999")
    assert nowhere.status_code == 404 and main_of(missing.text) == main_of(nowhere.text)
    csrf = csrf_of(ex.get("/console").text)
    for action in ("status", "messages", "close"):
        form = {"csrf": csrf, "to_status": "assigned", "text": "x", "result_text": "x"}
        r = ex.post(f"/console/appeals/{other}/{action}", data=form)
        assert r.status_code == 404, action

    headers = bearer(ex)
    listed = app_client.get("/api/v1/operator/appeals", headers=headers).json()["items"]
    assert [a["id"] for a in listed] == [own]
    assert app_client.get(f"/api/v1/operator/appeals/{other}", headers=headers).status_code == 404
    moved = app_client.post(
        f"/api/v1/operator/appeals/{other}/status",
        json={"to_status": "assigned"},
        headers=headers,
    )
    assert moved.status_code == 404
    chat = {"client_id": str(uuid.uuid4()), "text": "Здравствуйте"}
    r = app_client.post(f"/api/v1/appeals/{other}/messages", json=chat, headers=headers)
    assert r.status_code == 404
    r = app_client.post(f"/api/v1/appeals/{own}/messages", json=chat, headers=headers)
    assert r.status_code in (200, 201), r.text
    # an operator sees both
    op = bearer(as_staff(app_client, "op"))
    listed = app_client.get("/api/v1/operator/appeals", headers=op).json()["items"]
    assert {a["id"] for a in listed} == {own, other}


def test_a_disabled_account_is_out_at_once(app_client: TestClient) -> None:
    op = as_staff(app_client, "op")
    token = bearer(op)
    assert app_client.get("/api/v1/operator/appeals", headers=token).status_code == 200
    boss = as_staff(app_client, "boss")
    page = boss.get("/console/staff").text
    with Session(app_client.app.state.engine) as db:  # type: ignore[attr-defined]
        account = staff_crud.by_login(db, login="op")
        assert account is not None
    r = boss.post(
        f"/console/staff/{account.user_id}/disabled", data={"csrf": csrf_of(page), "disabled": "1"}
    )
    assert r.status_code == 303
    r = op.get("/console")
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    assert app_client.get("/api/v1/operator/appeals", headers=token).status_code == 401
    r = app_client.post("/console/login", data={"login": "op", "password": CONSOLE_PASSWORD})
    assert r.status_code == 401
    # and back
    boss.post(f"/console/staff/{account.user_id}/disabled", data={"csrf": csrf_of(page)})
    console_sign_in(TestClient(app_client.app, follow_redirects=False), "op")


def test_supervisor_makes_an_account_and_sets_its_password(app_client: TestClient) -> None:
    boss = as_staff(app_client, "boss")
    csrf = csrf_of(boss.get("/console/staff").text)
    form = {
        "csrf": csrf,
        "login": "aigerim",
        "display_name": "Айгерім Сәрсенова",
        "role": "executor",
        "body": "",
        "password": "a-long-password-42",
    }
    r = boss.post("/console/staff", data=form)  # an executor without a body
    assert r.status_code == 422 and 'value="Айгерім Сәрсенова"' in r.text
    r = boss.post("/console/staff", data={**form, "body": BODY, "password": "short"})
    assert r.status_code == 422 and "не короче 12 символов" in r.text
    assert "short" not in r.text  # a password is never sent back
    assert boss.post("/console/staff", data={**form, "body": BODY}).status_code == 303
    r = boss.post("/console/staff", data={**form, "body": BODY})
    assert r.status_code == 409 and "логин уже занят" in r.text
    aigerim = TestClient(app_client.app, follow_redirects=False)
    console_sign_in(aigerim, "aigerim", "a-long-password-42")
    assert aigerim.get("/console/alerts").status_code == 403

    with Session(app_client.app.state.engine) as db:  # type: ignore[attr-defined]
        account = staff_crud.by_login(db, login="aigerim")
        assert account is not None and account.body == BODY
    r = boss.post(
        f"/console/staff/{account.user_id}/password",
        data={"csrf": csrf, "password": "another-password-43"},
    )
    assert r.status_code == 303
    assert aigerim.get("/console").status_code == 303  # the old sign-in ended
    console_sign_in(aigerim, "aigerim", "another-password-43")


# ---------------------------------------------------------------- who did what


def test_history_and_chat_name_the_staff_member_and_the_resident_sees_the_job(
    app_client: TestClient,
) -> None:
    resident = sign_in(app_client)
    appeal = file_appeal(app_client, resident, subclass_of(BODY))
    op = as_staff(app_client, "op")
    csrf = csrf_of(op.get(f"/console/appeals/{appeal}").text)
    r = op.post(
        f"/console/appeals/{appeal}/status",
        data={"csrf": csrf, "to_status": "assigned", "seen_status": "created"},
    )
    assert r.status_code == 303
    ex = as_staff(app_client, "ex")
    r = ex.post(
        f"/console/appeals/{appeal}/messages",
        data={"csrf": csrf_of(ex.get("/console").text), "text": "Бригада выехала"},
    )
    assert r.status_code == 303

    page = op.get(f"/console/appeals/{appeal}").text
    assert "Test op · оператор 109" in page  # the history line of the move
    assert "Test ex · исполнитель" in page  # the chat answer

    mine = app_client.get(f"/api/v1/appeals/{appeal}", headers=resident).json()
    moved = [h for h in mine["history"] if h["to_status"] == "assigned"]
    assert moved[0]["actor_titles"] == {"kk": "109 операторы", "ru": "оператор 109"}
    msgs = app_client.get(f"/api/v1/appeals/{appeal}/messages", headers=resident).json()
    answer = msgs["items"][-1] if isinstance(msgs, dict) else msgs[-1]
    assert answer["author_titles"]["ru"] == f"исполнитель: {BODY_RU}"
    assert answer["author_titles"]["kk"].startswith("орындаушы: ")
    seen = str(mine) + str(msgs)
    assert "Test op" not in seen and "Test ex" not in seen  # never a personal name


def test_a_stale_tab_is_told_who_changed_the_appeal(app_client: TestClient) -> None:
    resident = sign_in(app_client)
    appeal = file_appeal(app_client, resident, subclass_of(BODY))
    first, second = as_staff(app_client, "op"), as_staff(app_client, "op2")
    stale = first.get(f"/console/appeals/{appeal}").text  # the tab opened before the move
    assert 'name="seen_status" value="created"' in stale
    page = second.get(f"/console/appeals/{appeal}").text
    r = second.post(
        f"/console/appeals/{appeal}/status",
        data={"csrf": csrf_of(page), "to_status": "assigned", "seen_status": "created"},
    )
    assert r.status_code == 303
    for action, form in (
        ("status", {"to_status": "assigned", "note": "мой комментарий"}),
        ("close", {"result_text": "мой результат"}),
    ):
        r = first.post(
            f"/console/appeals/{appeal}/{action}",
            data={"csrf": csrf_of(stale), "seen_status": "created", **form},
        )
        assert r.status_code == 409, action
        assert "уже изменил(а) Test op2 · оператор 109 в" in r.text
        assert "обновите страницу" in r.text
        assert "из статуса" not in r.text
        assert next(iter(form.values())) in r.text  # what the operator typed is kept


# ---------------------------------------------------------------- outside the console


def test_the_command_line_makes_lists_and_disables_accounts(tmp_path: Path) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path), "APP_ENV": "dev"}  # DATABASE_URL: the test's

    def staff(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "backend_stub.staff", *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    create = ("create", "dana", "--name", "Дана", "--role", "supervisor", "--password-stdin")
    made = staff(*create, stdin="weak\n")
    assert made.returncode == 2 and "не короче 12" in made.stderr
    made = staff(*create, stdin="a-long-password-42\n")
    assert made.returncode == 0, made.stderr
    assert "dana\tsupervisor\t-\tactive\tДана" in staff("list").stdout
    assert staff("disable", "dana").returncode == 0
    assert "dana\tsupervisor\t-\tdisabled" in staff("list").stdout
    assert staff("disable", "nobody").returncode == 1
    engine = make_engine(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    with Session(engine) as db:
        account = staff_crud.by_login(db, login="dana")
        assert account is not None and account.disabled
        assert verify_password("a-long-password-42", account.password_hash)
    engine.dispose()


def test_production_refuses_to_start_with_a_demo_password(tmp_path: Path) -> None:
    settings = production_settings(tmp_path)
    engine = make_engine(settings)
    init_db(engine)
    with Session(engine) as db:
        staff_crud.create(
            db,
            login="supervisor",
            display_name="demo",
            role="supervisor",
            password="supervisor",
            check_password=False,
        )
        db.commit()
    with pytest.raises(RuntimeError, match="supervisor"):
        create_app(settings)
    with Session(engine) as db:
        account = staff_crud.by_login(db, login="supervisor")
        assert account is not None
        staff_crud.set_password(db, account=account, password="a-real-password-of-44")
        db.commit()
    engine.dispose()
    create_app(settings)  # starts once the demo password is gone
