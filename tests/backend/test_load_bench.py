"""The wrk load bench's own tools do what its figures claim, on a budget of seconds (no timing
asserted): every create is a new appeal (unique Idempotency-Keys, so the figure is not a
stream of cheap replays), every poll is the 304 it is counted as, the pacing holds the rate
down, and wrk's result is read and combined right."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, create_engine, select

from backend_stub.models import Appeal
from bench import cpu
from bench.harness import seeded
from bench.wrk_load import Budget, backend_processes, ceiling_processes, floor_create, load_files
from bench.wrk_runner import Load, WrkRun, drive, wrk_binary

if wrk_binary() is None and not os.environ.get("CI"):
    pytest.skip("wrk is not installed (scripts/install-system.sh)", allow_module_level=True)


def test_wrk_creates_a_new_appeal_per_request_and_polls_answer_304(tmp_path: Path) -> None:
    env, people = seeded(tmp_path, "", 8)
    with backend_processes(tmp_path, env, 1, pinned=False) as urls:
        create, poll = load_files(tmp_path, urls[0], people)
        before = cpu.snapshot(str(tmp_path))
        filed = drive(urls, create, connections=4, seconds=1)
        spent = cpu.snapshot(str(tmp_path)) - before
        polled = drive(urls, poll, connections=4, seconds=1)
        again = drive(urls, create, connections=4, seconds=1)
    assert filed.requests > 0 and set(filed.statuses) == {201}, filed.status_text()
    assert polled.requests > 0 and set(polled.statuses) == {304}, polled.status_text()
    engine = create_engine(f"sqlite:///{tmp_path / 'city109.db'}")
    with Session(engine) as db:
        appeals = db.exec(select(func.count()).select_from(Appeal)).one()
    engine.dispose()
    # the second run's keys differ from the first's, and within a run each request's does (a
    # replayed key would file nothing); wrk does not count the answers still on the way when
    # a run ends, at most one per connection
    counted = filed.statuses[201] + again.statuses[201]
    assert counted <= appeals <= counted + 2 * 4
    # the CPU the filing cost is found: the server's (by its data dir), within the machine's
    # (give or take a clock tick: the two are counted apart)
    assert 0 < spent.server_s <= spent.machine_s + 0.05, spent
    assert spent.wall_s >= 0.9 and 0 < spent.cores_busy <= (os.cpu_count() or 1) + 0.1


def test_the_floor_app_files_every_create_it_answers(tmp_path: Path) -> None:
    """The create's floor is the work it says: each 201 is an appeal with its history line, feed
    row and stored answer in the file, not a cheap echo."""
    run = floor_create(tmp_path, Budget(seconds=1, connections=4, overload_connections=8))
    assert run.requests > 0 and set(run.statuses) == {201}, run.status_text()
    db = sqlite3.connect(tmp_path / "floor.db")
    counts = [db.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES]
    numbered = db.execute("select count(*) from appeal where number like '109-%'").fetchone()[0]
    db.close()
    assert len(set(counts)) == 1 and numbered == counts[0], counts
    assert run.statuses[201] <= counts[0] <= run.statuses[201] + 4


TABLES = ("appeal", "history", "feed", "answer")


def test_paced_runs_stay_at_their_rate_and_the_ceiling_app_answers(tmp_path: Path) -> None:
    get = Load("get", tmp_path / "nobody.txt", "0")
    get.people.write_text("- 0 -\n")
    with ceiling_processes(tmp_path, 2, pinned=False) as urls:
        paced = drive(urls, get, connections=4, seconds=2, rate=20)
    assert paced.statuses == {200: paced.requests}
    assert paced.offered == 20
    # 20/s for 2 s, plus each connection's first request, which no pacing delays
    assert 10 <= paced.requests <= 40 + 4 + 4


def test_wrk_results_are_parsed_and_combined() -> None:
    line = (
        'WRK-RESULT {"requests":10,"seconds":2.0,"p50":1000,"p95":5000,"p99":9000,"max":20000,'
        '"socket_errors":{"connect":0,"read":1,"write":0,"timeout":2},'
        '"statuses":{"201":8,"503":2},"no_retry_after":1}'
    )
    one = WrkRun.parse("Running 2s test\n" + line + "\n", offered=5)
    assert (one.rps, one.p95, one.socket_errors) == (5.0, 0.005, {"read": 1, "timeout": 2})
    assert one.failures({201}) == 2 + 3
    two = WrkRun.combine([one, WrkRun.parse(line.replace('"p99":9000', '"p99":3000'))])
    assert (two.requests, two.seconds, two.p99, two.statuses) == (20, 2.0, 0.009, {201: 16, 503: 4})
    assert (two.no_retry_after, two.offered) == (2, 5)
    with pytest.raises(RuntimeError, match="no result"):
        WrkRun.parse("unable to connect to 127.0.0.1:1")
