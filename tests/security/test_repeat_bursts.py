"""Fifty reports of one incident at one spot at once, over real sockets, on one server and on two
server processes splitting the burst: every one is filed, every one is counted as a repeat of the
first report — its `repeat_count` goes up by exactly 50 (one read-modify-write per report would
lose counts when two reports read the same value) — and every new appeal points at it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from backend_stub.models import Appeal
from tests.live import burst
from tests.security.bursts import (
    TOPOLOGIES,
    Service,
    Smsc,
    bearer,
    fake_smsc,
    server_errors,
    service,
    sign_in,
)

pytestmark = pytest.mark.timeout(240)

REPORTS = 50
SPOT = {"subclass_code": "12.10", "lat": 51.1282, "lon": 71.4307, "type": "incident"}


@pytest.fixture(params=TOPOLOGIES)
def svc(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Service, Smsc]]:
    with fake_smsc() as smsc, service(request.param, tmp_path, smsc) as running:
        yield running, smsc


def report(n: int) -> dict[str, object]:
    return {
        **SPOT,
        "client_id": str(uuid.uuid4()),
        "text": f"Прорыв трубы, вода на дороге ({n})",
        "lon": SPOT["lon"] + n * 0.00001,  # ~0.7 m apart: one spot
    }


def test_a_burst_of_reports_of_one_incident_counts_every_repeat(
    svc: tuple[Service, Smsc],
) -> None:
    running, smsc = svc
    who = bearer(sign_in(running, smsc, "+77015550101"))
    with httpx.Client(base_url=running.urls[0], timeout=30) as c:
        first = c.post("/api/v1/appeals", json=report(-1), headers=who)
        assert first.status_code == 201, first.text

    def file(c: httpx.AsyncClient, i: int) -> Awaitable[httpx.Response]:
        return c.post(running.url(i) + "/api/v1/appeals", json=report(i), headers=who)

    answers = burst(REPORTS, file)
    assert server_errors(answers) == []
    assert sorted({r.status_code for r in answers}) == [201], [r.text[:200] for r in answers]
    first_id = first.json()["id"]
    with Session(running.engine) as db:
        counted = db.get(Appeal, first_id)
        assert counted is not None and counted.repeat_count == REPORTS
        repeats = db.exec(select(Appeal.repeat_of_id).where(col(Appeal.id) != first_id)).all()
        assert repeats == [first_id] * REPORTS
