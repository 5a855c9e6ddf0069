"""The console's sign-in under a burst over real sockets: 50 wrong passwords at once, against one
server in a thread and against two server processes on one database, get exactly
LOGIN_MAX_FAILURES checked (401) and the rest refused (429) — the guesses are counted in the
database, atomically — and the right password is then refused too until the window ends."""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from backend_stub.console import LOGIN_MAX_FAILURES
from backend_stub.crud import staff as staff_crud
from backend_stub.models import LoginGuard
from tests.live import burst
from tests.security.bursts import TOPOLOGIES, Service, fake_smsc, server_errors, service

pytestmark = pytest.mark.timeout(240)

GUESSES = 50
PASSWORD = "a-long-password-42"


@pytest.fixture(params=TOPOLOGIES)
def svc(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    with fake_smsc() as smsc, service(request.param, tmp_path, smsc) as running:
        with Session(running.engine) as db:
            staff_crud.create(db, login="op", display_name="Op", role="operator", password=PASSWORD)
            db.commit()
        yield running


def test_a_burst_of_wrong_passwords_gets_only_the_allowed_guesses(svc: Service) -> None:
    def guess(c: httpx.AsyncClient, i: int) -> Awaitable[httpx.Response]:
        form = {"login": "op", "password": f"wrong-{i}"}
        return c.post(svc.url(i) + "/console/login", data=form)

    answers = burst(GUESSES, guess)
    assert server_errors(answers) == []
    codes = sorted(r.status_code for r in answers)
    assert codes.count(401) == LOGIN_MAX_FAILURES, codes
    assert codes.count(429) == GUESSES - LOGIN_MAX_FAILURES, codes
    with Session(svc.engine) as db:
        guard = db.get(LoginGuard, "console-ip:127.0.0.1")
        assert guard is not None and guard.guesses == LOGIN_MAX_FAILURES

    with httpx.Client(base_url=svc.urls[0], follow_redirects=False, timeout=30) as c:
        r = c.post("/console/login", data={"login": "op", "password": PASSWORD})
        assert r.status_code == 429 and "city109_console" not in r.cookies
