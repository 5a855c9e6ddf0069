"""Backend under load, driven by wrk (bench/wrk_runner.py), each figure beside the ceiling of
the framework measured in the same run (bench/ceiling_app.py: bare FastAPI, one route, the
backend's uvicorn options).

Per database, one server process pinned to core 0, wrk (and the throwaway PostgreSQL when this
run started it) pinned to core 1:
  ceiling      bare FastAPI `GET /health`, closed loop
  floor        (SQLite only) the create's statements in bare FastAPI + sqlite3, closed loop
               (bench/floor_app.py): what a create costs at the least in this framework
  health       the backend's own `GET /health` (its middleware, no database)
  create       signed-in `POST /api/v1/appeals`, a unique Idempotency-Key per request
  poll         `GET /api/v1/sync` at the resident's head with If-None-Match → 304
  steps        create and poll paced at 25 / 50 / 75 % of their saturation: p50 / p95 / p99
  overload     create with many more connections than the server has threads, for at least
               twice OVERLOAD_TIMEOUT_S: what it answers, and how many wait longer than that
On PostgreSQL, then two server processes (one per core, wrk unpinned: two cores hold nothing
apart) on the same database: create and poll again, and the ceiling of two bare processes.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from backend_stub.classifier import load_classifier
from bench import cpu
from bench.harness import People, seeded
from bench.report import Row, ms, pass_miss
from bench.wrk_runner import Load, WrkRun, drive, pin
from tests import live

SERVER_CPU, LOAD_CPU = "0", "1"
STEPS = (0.25, 0.5, 0.75)
OVERLOAD_TIMEOUT_S = 5.0  # an answer later than this counts as none (a phone has given up)


@dataclass
class Budget:
    seconds: float  # per closed-loop measurement (steps and overload get half)
    connections: int  # closed-loop connections
    overload_connections: int


@dataclass
class Figures:
    ceiling: WrkRun
    health: WrkRun
    create: WrkRun
    poll: WrkRun
    steps: dict[str, list[WrkRun]]
    overload: WrkRun
    floor: WrkRun | None  # the create in bench.floor_app (SQLite runs only)
    create_cpu: cpu.CpuUse  # spent during the saturated create run


@dataclass
class Scaled:
    ceiling: WrkRun
    create: WrkRun
    poll: WrkRun


@contextmanager
def _reference_processes(
    data_dir: Path, args: list[str], count: int, pinned: bool, name: str, ready_path: str
) -> Iterator[list[str]]:
    """`count` reference apps (`python <args> --port P`; core i each when pinned); their URLs."""
    with ExitStack() as stack:
        urls = []
        for n in range(count):
            port = live.free_port()
            proc = live.LiveProcess(
                [*args, "--port", str(port)],
                f"http://127.0.0.1:{port}",
                data_dir / f"{name.replace(' ', '-')}-{n}.log",
                name=name,
                ready_path=ready_path,
            )
            stack.enter_context(proc)
            if pinned and proc.proc is not None:
                pin(proc.proc.pid, SERVER_CPU if count == 1 else str(n % 2))
            urls.append(proc.url)
        yield urls


@contextmanager
def ceiling_processes(data_dir: Path, count: int, pinned: bool) -> Iterator[list[str]]:
    """`count` bare FastAPI processes (core i each when pinned); their `/health` URLs."""
    args = ["-m", "bench.ceiling_app"]
    with _reference_processes(data_dir, args, count, pinned, "ceiling app", "/health") as urls:
        yield [url + "/health" for url in urls]


def floor_create(data_dir: Path, budget: Budget) -> WrkRun:
    """The create load against `bench.floor_app` (its own SQLite file, residents signed in with
    made-up tokens), pinned as the backend is: the floor of a create in this framework."""
    people = data_dir / "floor-people.txt"
    people.write_text("".join(f"{secrets.token_urlsafe(32)} 0 -\n" for _ in range(64)))
    subclass = load_classifier().classes[0].subclasses[0].code
    load = Load("create", people, f"floor{time.time_ns()}", subclass)
    args = ["-m", "bench.floor_app", "--database", str(data_dir / "floor.db")]
    args += ["--people", str(people)]
    with _reference_processes(data_dir, args, 1, True, "floor app", "/docs") as urls:
        return drive(urls, load, connections=budget.connections, seconds=budget.seconds,
                     cpus=LOAD_CPU)  # fmt: skip


@contextmanager
def backend_processes(
    data_dir: Path, env: dict[str, str], count: int, pinned: bool
) -> Iterator[list[str]]:
    """`count` backend processes on one data dir and database (core i each when pinned)."""
    with ExitStack() as stack:
        urls = []
        for n in range(count):
            server = live.backend(data_dir, env=env, name=f"backend{n}")
            stack.enter_context(server)
            if pinned and server.proc is not None:
                pin(server.proc.pid, SERVER_CPU if count == 1 else str(n % 2))
            urls.append(server.url)
        yield urls


def write_people(path: Path, base: str, people: list[dict[str, str]], *, at_head: bool) -> Path:
    """The Lua script's people file: token, cursor, ETag; at each one's feed head if asked."""
    lines = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for auth in people:
            cursor, etag, more = 0, "-", at_head
            while more:
                query = {"cursor": cursor, "limit": 1000}
                r = client.get("/api/v1/sync", params=query, headers=auth)
                r.raise_for_status()
                cursor, etag, more = r.json()["cursor"], r.headers["etag"], r.json()["has_more"]
            lines.append(f"{auth['Authorization'].split()[1]} {cursor} {etag}")
    path.write_text("\n".join(lines) + "\n")
    return path


def load_files(data_dir: Path, base: str, people: People) -> tuple[Load, Load]:
    """The create load (the first half of the residents file appeals) and the poll load (the
    other half poll their feed at its head), with this run's nonce."""
    half = len(people.residents) // 2
    subclass = load_classifier().classes[0].subclasses[0].code
    nonce = f"{os.getpid()}t{time.time_ns()}"
    filers = write_people(data_dir / "filers.txt", base, people.residents[:half], at_head=False)
    pollers = write_people(data_dir / "pollers.txt", base, people.residents[half:], at_head=True)
    return Load("create", filers, nonce, subclass), Load("poll", pollers, nonce)


def one_process(
    data_dir: Path, database_url: str, budget: Budget, log: Callable[[str], None]
) -> Figures:
    """The one-process figures on one database (see the module's docstring)."""
    t, c = budget.seconds, budget.connections
    data_dir.mkdir(parents=True, exist_ok=True)
    get = Load("get", data_dir / "nobody.txt", "0")
    get.people.write_text("- 0 -\n")
    with ceiling_processes(data_dir, 1, pinned=True) as urls:
        log("ceiling: bare FastAPI …")
        ceiling = drive(urls, get, connections=c, seconds=t, cpus=LOAD_CPU)
    floor = None
    if not database_url.startswith("postgresql"):
        log("create's floor: bare FastAPI + sqlite3 …")
        floor = floor_create(data_dir, budget)
    env, people = seeded(data_dir, database_url, 2 * c)
    with backend_processes(data_dir, env, 1, pinned=True) as urls:
        create, poll = load_files(data_dir, urls[0], people)
        log("backend: /health, create, poll …")
        health = drive([urls[0] + "/health"], get, connections=c, seconds=t, cpus=LOAD_CPU)
        before = cpu.snapshot(str(data_dir))
        saturated = {"create": drive(urls, create, connections=c, seconds=t, cpus=LOAD_CPU)}
        create_cpu = cpu.snapshot(str(data_dir)) - before
        saturated["poll"] = drive(urls, poll, connections=c, seconds=t, cpus=LOAD_CPU)
        steps: dict[str, list[WrkRun]] = {}
        for kind, load in (("create", create), ("poll", poll)):
            steps[kind] = []
            for share in STEPS:
                rate = max(1.0, saturated[kind].rps * share)
                log(f"{kind} paced at {rate:.0f} req/s …")
                steps[kind].append(
                    drive(urls, load, connections=c, seconds=t / 2, rate=rate, cpus=LOAD_CPU)
                )
        log(f"overload: create over {budget.overload_connections} connections …")
        overload = drive(
            urls,
            create,
            connections=budget.overload_connections,
            seconds=max(t, 2 * OVERLOAD_TIMEOUT_S),
            cpus=LOAD_CPU,
            timeout_s=OVERLOAD_TIMEOUT_S,
        )
    return Figures(
        ceiling, health, saturated["create"], saturated["poll"], steps, overload, floor, create_cpu
    )


def two_processes(data_dir: Path, database_url: str, budget: Budget) -> Scaled:
    """Create and poll on two backend processes (and two bare ones), closed loop, unpinned wrk."""
    t, c = budget.seconds, budget.connections
    get = Load("get", data_dir / "nobody.txt", "0")
    get.people.write_text("- 0 -\n")
    with ceiling_processes(data_dir, 2, pinned=True) as urls:
        ceiling = drive(urls, get, connections=c, seconds=t)
    env, people = seeded(data_dir, database_url, 2 * c)
    with backend_processes(data_dir, env, 2, pinned=True) as urls:
        create, poll = load_files(data_dir, urls[0], people)
        return Scaled(
            ceiling,
            drive(urls, create, connections=c, seconds=t),
            drive(urls, poll, connections=c, seconds=t),
        )


def spread(run: WrkRun) -> str:
    return f"{ms(run.p50)} / {ms(run.p95)} / {ms(run.p99)} ms"


def figure_rows(db: str, f: Figures, budget: Budget) -> list[Row]:
    cap = f.ceiling.rps
    ref = f"bare FastAPI, one route: {cap:,.0f} req/s"
    rows: list[Row] = []
    for kind, run, target, expected in (
        ("create appeal (201)", f.create, 0.25, {201}),
        ("feed poll answered 304", f.poll, 0.5, {304}),
    ):
        ratio = run.rps / cap if cap else 0.0
        result = f"{run.rps:,.0f} req/s = **{ratio:.2f} ×** ceiling; p50 / p95 / p99 {spread(run)}"
        if run.failures(expected):
            result += f"; answers {run.status_text()}"
        if kind.startswith("create"):
            result += f"; CPU per create: {f.create_cpu.per_request(run.requests)}"
        reference = ref
        if kind.startswith("create") and f.floor is not None:
            floor = f.floor.rps
            reference += (
                f"; the create's floor (`bench/floor_app.py`: its statements in bare FastAPI +"
                f" sqlite3): {floor:,.0f} req/s = {floor / cap if cap else 0:.2f} × ceiling,"
                f" answers {f.floor.status_text()}"
            )
        verdict = f"≥ {target} × {pass_miss(ratio >= target)}"
        rows.append((f"{db}, 1 process: {kind}", result, verdict, reference))
    rows.append(
        (
            f"{db}, 1 process: the backend's own `GET /health`",
            f"{f.health.rps:,.0f} req/s = {f.health.rps / cap if cap else 0:.2f} × ceiling",
            "—",
            ref,
        )
    )
    for kind, expected in (("create", {201}), ("poll", {304})):
        runs = f.steps[kind]
        failures = sum(r.failures(expected) for r in runs)
        result = "; ".join(f"{r.rps:,.0f} req/s: {spread(r)}" for r in runs)
        rows.append(
            (
                f"{db}: {kind} paced at 25 / 50 / 75 % of saturation, p50 / p95 / p99",
                f"{result}; **{failures} errors**",
                f"0 errors {pass_miss(failures == 0)}",
                f"offered {' / '.join(f'{r.offered:,.0f}' for r in runs)} req/s",
            )
        )
    o = f.overload
    bad = sum(n for s, n in o.statuses.items() if s >= 500 and s != 503)
    ok = bad == 0 and o.no_retry_after == 0 and not o.socket_errors
    detail = f"{o.status_text()}; p99 {ms(o.p99)} ms, max {ms(o.max)} ms"
    late = o.socket_errors.get("timeout", 0)
    detail += f"; {late} not answered within {OVERLOAD_TIMEOUT_S:g} s"
    others = {k: n for k, n in o.socket_errors.items() if k != "timeout"}
    if others:
        detail += f"; socket errors {others}"
    rows.append(
        (
            f"{db}: overload, create over {budget.overload_connections} connections",
            detail,
            f"503/429 + Retry-After, never 500 or no answer {pass_miss(ok)}",
            f"{o.no_retry_after} without Retry-After",
        )
    )
    return rows


def scaled_rows(one: Figures, two: Scaled) -> list[Row]:
    rows: list[Row] = []
    bare = f"two bare processes: {two.ceiling.rps / one.ceiling.rps:.2f} × one"
    cores, busy = os.cpu_count() or 1, one.create_cpu.cores_busy
    room = f"; one process filing kept {busy:.2f} of {cores} cores busy" if busy else ""
    room += f": two can give at most {cores / busy:.2f} ×" if busy else ""
    for kind, single, double in (
        ("create appeal", one.create, two.create),
        ("feed poll (304)", one.poll, two.poll),
    ):
        ratio = double.rps / single.rps if single.rps else 0.0
        rows.append(
            (
                f"PostgreSQL, 2 processes: {kind}",
                f"{double.rps:,.0f} req/s = **{ratio:.2f} ×** one process; "
                f"p50 / p95 / p99 (worse process) {spread(double)}; answers {double.status_text()}",
                f"≥ 1.6 × {pass_miss(ratio >= 1.6)}",
                bare + (room if kind.startswith("create") else ""),
            )
        )
    return rows
