"""`python -m bench` — the benchmarks of the backend and of the app, printed as a Markdown table.

Every figure stands beside its target and beside a reference measured in the same run (these
machines are noisy). All traffic goes to a backend started here on 127.0.0.1, bounded in time.

  --only GROUPS      a comma-separated subset of the groups (default: all of them, in this order)
                       load    backend under wrk load on SQLite, then PostgreSQL, one and two
                               processes, beside the bare-framework ceiling (bench/wrk_load.py;
                               needs Debian's `wrk`, scripts/install-system.sh)
                       fanout  an alert to many connected push streams, spread over
                               --fanout-processes processes on PostgreSQL (SQLite without it:
                               one process) (bench/fanout.py)
                       photo   the app's photo pipeline on a 12-megapixel JPEG (bench/photo.py)
                       sync    the app's sync engine draining queued appeals, clean and through
                               a fault proxy (bench/sync_drain.py)
                       store   the app's local store with 10,000 appeals: the list's query and
                               controls, the cabinet's analytics (bench/local_store.py)
  --duration S       seconds of each closed-loop wrk measurement (default 10; paced steps take
                     half, the overload probe at least 10)
  --connections N    wrk connections of the closed-loop measurements (default 32)
  --overload-connections N  connections of the overload probe (default 512)
  --push-clients N   connected push streams for the alert fan-out (default 10000)
  --fanout-processes N  server processes the streams are spread over, on PostgreSQL (default 2;
                     without PostgreSQL the fan-out runs on SQLite, one process)
  --pg URL|auto|off  PostgreSQL for the load's second run and the fan-out: a URL, `auto`
                     (TEST_DATABASE_URL, else start the throwaway server of scripts/pg-test.sh,
                     pinned to core 1 beside wrk for the one-process figures), or `off`
  --sync-appeals N   queued appeals the sync engine drains (default 500)
  --fault-share F    share of the requests the fault proxy makes fail (default 0.2)
  --store-appeals N  appeals in the local store (default 10000)
  --profile          print the sync engine's cProfile (top functions) to stderr
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path

from bench.fanout import FanOut, run_fanout
from bench.harness import ROOT, pg_schema, raise_fd_limit, seeded
from bench.local_store import run_store, store_rows
from bench.photo import photo_rows, run_photo
from bench.report import Row, ms, pass_miss, percentile
from bench.sync_drain import run_sync, sync_rows
from bench.wrk_load import (
    LOAD_CPU,
    Budget,
    backend_processes,
    figure_rows,
    one_process,
    scaled_rows,
    two_processes,
)
from bench.wrk_runner import pin, wrk_binary

GROUPS = ("load", "fanout", "photo", "sync", "store")


def fanout_rows(fan: FanOut, alone: FanOut, label: str) -> list[Row]:
    lat = fan.latencies
    result = (
        f"p95 {ms(percentile(lat, 95))} ms (p50 {ms(percentile(lat, 50))}, max "
        f"{ms(max(lat)) if lat else '—'}); {fan.delivered}/{fan.clients} delivered"
    )
    if fan.errors:
        result += f"; errors: {'; '.join(fan.errors)}"
    ref = f"one client alone: {ms(alone.latencies[0]) if alone.latencies else '—'} ms"
    ok = percentile(lat, 95) <= 1.0 and fan.delivered == fan.clients
    target = f"p95 ≤ 1000 ms, 0 lost {pass_miss(ok)}"
    return [(f"alert fan-out to {fan.clients:,} push streams ({label})", result, target, ref)]


def run_fanout_group(args: argparse.Namespace, pg_url: str | None) -> list[Row]:
    """The alert fan-out: over --fanout-processes processes on PostgreSQL (a fresh schema),
    else on SQLite, one process."""
    count = args.fanout_processes if pg_url else 1
    label = f"{'PostgreSQL' if pg_url else 'SQLite'}, {count} process{'es' if count > 1 else ''}"
    with (
        tempfile.TemporaryDirectory(prefix="city109-bench-") as tmp,
        pg_schema(pg_url) if pg_url else nullcontext("") as url,
    ):
        print(f"[fanout] {label}: {args.push_clients} push clients …", file=sys.stderr)
        env, people = seeded(Path(tmp), url, args.push_clients)
        with backend_processes(Path(tmp), env, count, pinned=False) as urls:
            tokens = [h["Authorization"].split()[1] for h in people.residents]
            alone = asyncio.run(run_fanout(urls[:1], tokens[:1], people.operator))
            fan = asyncio.run(run_fanout(urls, tokens, people.operator))
        rows = fanout_rows(fan, alone, label)
        for n, log in enumerate(sorted(Path(tmp).glob("backend*.log"))):
            rows += log_rows(f"fanout-{n}", log)
        return rows


def log_rows(label: str, log: Path) -> list[Row]:
    """Keep a server log in the temp dir; a row if it holds error lines."""
    kept = Path(tempfile.gettempdir()) / f"city109-bench-{label.lower()}.log"
    shutil.copyfile(log, kept)
    problems = [ln for ln in kept.read_text(errors="replace").splitlines() if _bad(ln)]
    print(f"[{label}] server log: {kept} ({len(problems)} error lines)", file=sys.stderr)
    if problems:
        return [(f"{label}: server log", f"{len(problems)} error lines", "0", str(kept))]
    return []


def run_load_group(label: str, url: str, args: argparse.Namespace) -> list[Row]:
    """wrk on one database: one process (and on PostgreSQL two), with the same-run ceilings."""
    budget = Budget(args.duration, args.connections, args.overload_connections)

    def say(text: str) -> None:
        print(f"[{label}] {text}", file=sys.stderr)

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="city109-bench-") as tmp:
        one = one_process(Path(tmp) / "one", url, budget, say)
        rows += figure_rows(label, one, budget)
        for n, log in enumerate(sorted((Path(tmp) / "one").glob("backend*.log"))):
            rows += log_rows(f"{label}-{n}", log)
    if url:
        postmaster_to("0-1")
        with tempfile.TemporaryDirectory(prefix="city109-bench-") as tmp, pg_schema(url) as fresh:
            say("two processes …")
            rows += scaled_rows(one, two_processes(Path(tmp), fresh, budget))
            for n, log in enumerate(sorted(Path(tmp).glob("backend*.log"))):
                rows += log_rows(f"{label}-two-{n}", log)
    return rows


def postmaster_to(cpus: str) -> None:
    """Pin the throwaway PostgreSQL this run started (its new backends follow) to `cpus`."""
    pid_file = Path(os.environ.get("PG_TEST_DIR", "/tmp/city109-pg")) / "data" / "postmaster.pid"
    if pid_file.exists():
        pin(int(pid_file.read_text().split()[0]), cpus)


def _bad(line: str) -> bool:
    """A server log line that reports a failure: an error, or a 5xx in the access log other
    than 503 (the overload guard's answer, which the overload probe asks for)."""
    return "ERROR" in line or "Traceback" in line or ('" 5' in line and '" 503' not in line)


@contextmanager
def postgres(choice: str) -> Iterator[str | None]:
    """The PostgreSQL URL to use (a fresh schema on it), or None."""
    if choice == "off":
        yield None
        return
    url = choice if choice != "auto" else os.environ.get("TEST_DATABASE_URL", "")
    started = False
    if not url:
        script = ROOT / "scripts" / "pg-test.sh"
        was_running = subprocess.run([script, "status"], capture_output=True).returncode == 0
        got = subprocess.run([script, "start"], capture_output=True, text=True)
        if got.returncode != 0:
            print(f"PostgreSQL not available: {got.stderr.strip()}", file=sys.stderr)
            yield None
            return
        url, started = got.stdout.strip().splitlines()[-1], not was_running
        if started:
            postmaster_to(LOAD_CPU)
    try:
        with pg_schema(url) as scoped:
            yield scoped
    finally:
        if started:
            subprocess.run([ROOT / "scripts" / "pg-test.sh", "stop"], check=False)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--overload-connections", type=int, default=512)
    p.add_argument("--push-clients", type=int, default=10_000)
    p.add_argument("--fanout-processes", type=int, default=2)
    p.add_argument("--pg", default="auto")
    p.add_argument("--only", default=",".join(GROUPS))
    p.add_argument("--sync-appeals", type=int, default=500)
    p.add_argument("--fault-share", type=float, default=0.2)
    p.add_argument("--store-appeals", type=int, default=10_000)
    p.add_argument("--profile", action="store_true")
    args = p.parse_args(argv)
    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS]
    if unknown or not groups:
        p.error(f"--only takes some of {', '.join(GROUPS)} (got {args.only!r})")
    if not 1 <= args.sync_appeals <= 5000 or not 0 <= args.fault_share <= 0.5:
        p.error("keep it bounded: --sync-appeals 1..5000, --fault-share 0..0.5")
    if not 100 <= args.store_appeals <= 200_000:
        p.error("keep it bounded: --store-appeals 100..200000")
    if not 2 <= args.duration <= 600 or not 2 <= args.connections <= 256:
        p.error("keep it bounded: --duration 2..600, --connections 2..256")
    if not args.connections <= args.overload_connections <= 4000:
        p.error("keep it bounded: --overload-connections from --connections to 4000")
    if not 1 <= args.push_clients <= 20_000 or not 1 <= args.fanout_processes <= 4:
        p.error("keep it bounded: --push-clients 1..20000, --fanout-processes 1..4")
    if "load" in groups and wrk_binary() is None:
        p.error("the load group needs wrk: run scripts/install-system.sh (Debian package wrk)")
    raise_fd_limit(2 * max(args.push_clients, args.overload_connections) + 500)
    rows: list[Row] = []
    if "load" in groups:
        rows += run_load_group("SQLite", "", args)
    if "load" in groups or "fanout" in groups:
        with postgres(args.pg) as url:
            if "load" in groups:
                if url:
                    rows += run_load_group("PostgreSQL", url, args)
                else:
                    rows.append(("PostgreSQL", "not run (no server)", "—", "—"))
            if "fanout" in groups:
                rows += run_fanout_group(args, url)
    if "photo" in groups:
        print("[photo] a 12-megapixel phone JPEG through the app's pipeline …", file=sys.stderr)
        rows += photo_rows(run_photo())
    if "sync" in groups:
        result = run_sync(args.sync_appeals, args.fault_share, profile=args.profile)
        if args.profile:
            print(result.clean.profile, file=sys.stderr)
        rows += sync_rows(result)
    if "store" in groups:
        print(f"[store] {args.store_appeals:,} appeals in the local store …", file=sys.stderr)
        rows += store_rows(run_store(args.store_appeals))
    print(
        f"\nBenchmarks ({', '.join(groups)}), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}."
    )
    if "load" in groups:
        print(
            f"load: wrk 4 (Debian), {args.connections} connections × {args.duration:.0f} s per "
            "closed-loop figure; one server process on core 0, wrk (and the throwaway "
            "PostgreSQL) on core 1; two processes: one per core, wrk and PostgreSQL unpinned. "
            f"Load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}."
        )
    print()
    print("| benchmark | result | target | reference (same run) |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
