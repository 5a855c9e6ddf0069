"""Several server processes on one PostgreSQL each run the emergency worker: one pass at a time,
so no forward is stepped twice at once (an attempt counted twice, a resend sent twice)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from backend_stub.models import utcnow
from backend_stub.services.emergency_worker import PASS_LOCK
from tests.backend.test_emergency import Live, file_appeal, forwards, http_sign_in, live_server

__all__ = ["live_server"]  # the fixture, shared with test_emergency


def test_a_pass_waits_for_the_one_another_process_is_making(
    live_server: Callable[..., Live],
) -> None:
    live = live_server(emergency_sim_fail=True)
    engine = live.app.state.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("one process per SQLite file: nothing to share the worker with")
    resident = http_sign_in(live.http)
    appeal = file_appeal(live.http, resident)
    path = f"/api/v1/appeals/{appeal['id']}/forward"
    assert live.http.post(path, json={"service": "103"}, headers=resident).status_code == 201

    with engine.connect() as other_process:  # another process is in the middle of its pass
        assert other_process.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PASS_LOCK})
        assert live.step(utcnow()) == 0
        [fwd] = forwards(live.http, resident, appeal["id"])
        assert fwd["attempts"] == 0 and fwd["state"] == "pending"
        other_process.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PASS_LOCK})
        other_process.commit()

    assert live.step(utcnow()) == 1  # its pass is over: this one goes ahead
    [fwd] = forwards(live.http, resident, appeal["id"])
    assert fwd["attempts"] == 1 and fwd["state"] == "sent"
