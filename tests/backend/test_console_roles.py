"""What each staff job sees on the console's floor: an executor's list, counts and live figures
hold only the appeals routed to their body; the menu shows each job its own sections."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub.config import Settings
from backend_stub.demo.seed import seed_demo
from backend_stub.main import create_app
from backend_stub.models import Appeal
from tests.backend.support import add_staff, console_sign_in

BODY = "ENERGY_HOUSING"


@pytest.fixture
def floor(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as c:
        seed_demo(c.app.state.engine, settings)  # type: ignore[attr-defined]
        yield c


def appeals_of(client: TestClient) -> list[Appeal]:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return list(db.exec(select(Appeal)).all())


def menu(page: str) -> list[str]:
    header = re.search(r"<header>(.*?)</header>", page, re.S)
    assert header is not None
    return re.findall(r'<a href="(/console[^"?]*)">', header.group(1))


def test_an_executor_sees_only_their_bodys_appeals_and_figures(floor: TestClient) -> None:
    appeals = appeals_of(floor)
    ours = [a for a in appeals if a.service_code == BODY]
    others = [a for a in appeals if a.service_code != BODY]
    assert ours and others  # the demo city routes appeals to several bodies
    add_staff(floor, "ex", role="executor", body=BODY)
    console_sign_in(floor, "ex")

    page = floor.get("/console", params={"sort": "newest"}).text
    assert all(a.number in page for a in ours)
    assert not any(a.number in page for a in others)
    live = floor.get("/console/live").json()
    new_ours = sum(a.status == "created" for a in ours)
    assert live["new"] == new_ours
    assert menu(page) == ["/console"]  # the sections of other jobs are not offered


def test_the_menu_follows_the_job(floor: TestClient) -> None:
    add_staff(floor, "op", role="operator")
    console_sign_in(floor, "op")
    operator_menu = menu(floor.get("/console").text)
    assert "/console/staff" not in operator_menu and "/console/notices" in operator_menu
    assert floor.get("/console/staff").status_code == 403

    add_staff(floor, "sv", role="supervisor")
    console_sign_in(floor, "sv")
    supervisor_menu = menu(floor.get("/console").text)
    assert "/console/staff" in supervisor_menu and "/console/alerts" in supervisor_menu
    all_new = sum(a.status == "created" for a in appeals_of(floor))
    assert floor.get("/console/live").json()["new"] == all_new
