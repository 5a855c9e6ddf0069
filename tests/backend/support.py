"""Helpers shared by the backend's tests: staff accounts (one made from a signed-in resident for
the API, or by login for the console), the settings of a production deployment, a signed-in
client of the operator console and publishing through its forms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from backend_stub.config import Settings
from backend_stub.crud import staff as staff_crud
from backend_stub.main import create_app
from tests.conftest import sign_in

OPERATOR_PHONE = "+77019990000"
CONSOLE_PASSWORD = "s3cret-operator-pass"


def add_staff(
    client: Any,
    login: str,
    *,
    role: str = "supervisor",
    body: str | None = None,
    phone: str | None = None,
    password: str = CONSOLE_PASSWORD,
) -> None:
    """A staff account `login` (the user with `phone`, if given) on the server of `client` (a
    test client, or anything else with the server's `app`)."""
    with Session(client.app.state.engine) as db:
        staff_crud.create(
            db,
            login=login,
            display_name=f"Test {login}",
            role=role,
            body=body,
            password=password,
            phone=phone,
        )
        db.commit()


def make_operator(
    client: TestClient,
    phone: str = OPERATOR_PHONE,
    *,
    role: str = "supervisor",
    body: str | None = None,
) -> dict[str, str]:
    """Sign `phone` in and make that user a staff member (a supervisor, who may use every staff
    route, unless `role` says otherwise); its auth headers."""
    headers = sign_in(client, phone)
    add_staff(client, f"staff{phone.lstrip('+')}", role=role, body=body, phone=phone)
    return headers


def console_sign_in(client: TestClient, login: str, password: str = CONSOLE_PASSWORD) -> None:
    r = client.post("/console/login", data={"login": login, "password": password})
    assert r.status_code == 303, r.text


def production_settings(data_dir: Path, **over: Any) -> Settings:
    """Settings a production deployment would have (every secret and address set)."""
    values: dict[str, Any] = {
        "app_env": "production",
        "data_dir": data_dir,
        "secret_key": "a-production-secret-of-at-least-32-characters",
        "open311_api_key": "an-open311-key-for-tests",
        "sms_provider": "smsc",
        "smsc_login": "city",
        "smsc_password": "smsc-password",
        "emergency_system_url": "https://emergency.example.kz",
        "public_base_url": "https://city109.example.kz",
        "allowed_hosts": "testserver",
        **over,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextmanager
def console_client(settings: Settings, role: str = "supervisor") -> Iterator[TestClient]:
    """A client of the operator console, signed in as a new staff member of `role` (a
    supervisor by default, who may open every page; no redirects followed)."""
    with TestClient(create_app(settings), follow_redirects=False) as c:
        add_staff(c, "console", role=role)
        console_sign_in(c, "console")
        yield c


def console_publish_once(
    cclient: TestClient, section: str, form_data: Callable[[str], dict[str, Any]]
) -> str:
    """Publish through the console's "new" form of `section` (alerts, notices): the form has
    date-time fields, the post answers 303, and the same form sent twice publishes once.
    The published item's location."""
    page = cclient.get(f"/console/{section}/new")
    assert page.status_code == 200 and 'type="datetime-local"' in page.text
    data = form_data(page.text)
    r = cclient.post(f"/console/{section}", data=data)
    assert r.status_code == 303, r.text
    location = str(r.headers["location"])
    assert cclient.post(f"/console/{section}", data=data).headers["location"] == location  # once
    return location
