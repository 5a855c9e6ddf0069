"""Helpers shared by the backend's tests: an operator made from a signed-in resident, the
settings of a production deployment, a signed-in client of the operator console and publishing
through its forms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub.config import Settings
from backend_stub.main import create_app
from backend_stub.models import User
from tests.conftest import sign_in

OPERATOR_PHONE = "+77019990000"
CONSOLE_PASSWORD = "s3cret-operator-pass"


def make_operator(client: TestClient, phone: str = OPERATOR_PHONE) -> dict[str, str]:
    """Sign `phone` in and give that user the operator's role; its auth headers."""
    headers = sign_in(client, phone)
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        user = db.exec(select(User).where(User.phone == phone)).one()
        user.role = "operator"
        db.add(user)
        db.commit()
    return headers


def production_settings(data_dir: Path, **over: Any) -> Settings:
    """Settings a production deployment would have (every secret and address set)."""
    values: dict[str, Any] = {
        "app_env": "production",
        "data_dir": data_dir,
        "secret_key": "a-production-secret-of-at-least-32-characters",
        "open311_api_key": "an-open311-key-for-tests",
        "operator_password": "an-operator-password-for-tests",
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
def console_client(settings: Settings) -> Iterator[TestClient]:
    """A client of the operator console, signed in with its password (no redirects followed)."""
    settings.operator_password = CONSOLE_PASSWORD
    with TestClient(create_app(settings), follow_redirects=False) as c:
        assert c.post("/console/login", data={"password": CONSOLE_PASSWORD}).status_code == 303
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
