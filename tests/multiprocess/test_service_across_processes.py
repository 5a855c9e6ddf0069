"""The rest of acting as one service: an idempotent create retried on the other process gets the
first answer (and a burst split over both makes one appeal), and `--workers N` runs N processes
on one port (PostgreSQL), refusing SQLite with a clear message.

The SMS-code, SMS-send and refresh bursts split over two processes are in
`tests/security/test_auth_bursts.py` (topology "two-processes"), the tus writers' in
`tests/security/test_upload_races.py`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from tests import live
from tests.backend.test_appeals import appeal_body
from tests.conftest import next_phone
from tests.live import ROOT, LiveProcess, burst, free_port, sign_in_http
from tests.multiprocess.conftest import ENV, Pair, call, needs_postgres

# Bursts on routes behind the bearer token stay at 30 (tests/security/test_auth_bursts.py says
# why: the connection pool, not the limits under test).
SIGNED_IN_REQUESTS = 30


def appeals_with(pair: Pair, client_id: str) -> int:
    with Session(pair.engine) as db:
        found = (
            db.connection()
            .execute(
                text("SELECT count(*) FROM appeal WHERE client_id = :c").bindparams(c=client_id)
            )
            .one()
        )
    return int(found[0])


@needs_postgres
def test_an_idempotent_create_retried_on_the_other_process_gets_the_first_answer(
    pair: Pair,
) -> None:
    resident = pair.sign_in()
    body = appeal_body()
    keyed = {**resident, "Idempotency-Key": str(uuid.uuid4())}
    first = call(pair.a, "POST", "/api/v1/appeals", keyed, json=body)
    assert first.status_code == 201, first.text
    retried = call(pair.b, "POST", "/api/v1/appeals", keyed, json=body)
    assert (retried.status_code, retried.json()) == (201, first.json())
    assert appeals_with(pair, body["client_id"]) == 1

    body = appeal_body()
    keyed = {**resident, "Idempotency-Key": str(uuid.uuid4())}
    rs = burst(
        SIGNED_IN_REQUESTS,
        lambda c, i: c.post(f"{(pair.a, pair.b)[i % 2]}/api/v1/appeals", json=body, headers=keyed),
    )
    counts = Counter(r.status_code for r in rs)
    assert set(counts) <= {201, 409}, counts  # 409: its twin is still in flight, retry
    assert {r.json()["id"] for r in rs if r.status_code == 201} == {
        next(r.json()["id"] for r in rs if r.status_code == 201)
    }
    assert appeals_with(pair, body["client_id"]) == 1


def workers(data_dir: Path, n: int, env: dict[str, str]) -> LiveProcess:
    port = free_port()
    cmd = ["-m", "backend_stub", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--data-dir", str(data_dir), "--workers", str(n)]
    data_dir.mkdir(parents=True, exist_ok=True)
    full = {"EMERGENCY_WORKER_INTERVAL_S": "0", **ENV, **env}
    return LiveProcess(
        cmd, f"http://127.0.0.1:{port}", data_dir / "workers.log", name="workers", env=full
    )


@needs_postgres
def test_workers_run_several_processes_on_one_port(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each worker imports the whole server afresh: slow on a shared, loaded machine
    monkeypatch.setattr(live, "START_TIMEOUT_S", 180.0)
    before = pair.listeners()  # A's and B's
    with workers(tmp_path / "data", 2, {"DATABASE_URL": pair.url}) as served:
        deadline = time.monotonic() + 15  # /health answers once the first worker is up
        while pair.listeners() < before + 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert pair.listeners() == before + 2  # one push bus listener per worker
        resident = sign_in_http(served.url, next_phone())
        r = call(served.url, "POST", "/api/v1/appeals", resident, json=appeal_body())
        assert r.status_code == 201, r.text
        # whichever worker took it, the other processes on the database see it
        assert call(pair.a, "GET", f"/api/v1/appeals/{r.json()['id']}", resident).is_success


def test_workers_refuse_sqlite_with_a_clear_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "backend_stub", "--data-dir", str(tmp_path), "--workers", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers 2 needs PostgreSQL (DATABASE_URL)" in done.stderr
    assert not (tmp_path / "city109.db").exists()  # refused before anything was made
