"""`python -m bench` — the benchmarks of the backend and of the app, printed as a Markdown table.

Every figure stands beside its target and beside a reference measured in the same run (these
machines are noisy). All traffic goes to a backend started here on 127.0.0.1, bounded in time.

  --only GROUPS      a comma-separated subset of the groups (default: all of them, in this order)
                       load    backend under load on SQLite, then PostgreSQL (bench/load.py)
                       fanout  an alert to many connected push clients (bench/fanout.py)
                       photo   the app's photo pipeline on a 12-megapixel JPEG (bench/photo.py)
                       sync    the app's sync engine draining queued appeals, clean and through
                               a fault proxy (bench/sync_drain.py)
                       store   the app's local store with 10,000 appeals: the list's query and
                               controls, the cabinet's analytics (bench/local_store.py)
  --duration S       seconds of load per database (default 60)
  --residents N      concurrent residents under load (default 50)
  --push-clients N   connected push clients for the alert fan-out (default 1000)
  --pg URL|auto|off  PostgreSQL for the second load run: a URL, `auto` (TEST_DATABASE_URL,
                     else start the throwaway server of scripts/pg-test.sh), or `off`
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
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.fanout import FanOut, run_fanout
from bench.harness import ROOT, backend, pg_schema, raise_fd_limit
from bench.load import IdlePoll, Tally, percentile, run_health, run_idle_poll, run_load
from bench.local_store import run_store, store_rows
from bench.photo import photo_rows, run_photo
from bench.report import Row, ms
from bench.sync_drain import run_sync, sync_rows

GROUPS = ("load", "fanout", "photo", "sync", "store")


def spread(values: list[float]) -> str:
    return " / ".join(ms(percentile(values, p)) for p in (50, 95, 99)) + " ms"


def load_rows(db: str, load: Tally, health: Tally, idle: IdlePoll) -> list[Row]:
    ref = f"`GET /health`, same clients: {spread(health.all_latencies())}"
    rows: list[Row] = []
    for kind in ("create appeal", "sync poll"):
        rows.append(
            (f"{db}: {kind}, p50 / p95 / p99", spread(load.latencies.get(kind, [])), "—", ref)
        )
    rows.append(
        (
            f"{db}: throughput",
            f"{load.requests / load.seconds:.0f} req/s ({load.requests} in {load.seconds:.0f} s)",
            "—",
            f"`GET /health`: {health.requests / health.seconds:.0f} req/s",
        )
    )
    errors = f"{load.error_count}" + (f" ({'; '.join(load.error_samples)})" if load.errors else "")
    if load.retried:
        errors += f"; {load.retried} dropped connection(s) retried with the same key"
    rows.append((f"{db}: errors", errors, "0", f"`GET /health`: {health.error_count}"))
    statuses = "/".join(str(s) for s in sorted(idle.statuses))
    rows.append(
        (
            f"{db}: idle feed poll (ETag → {statuses}), p50 / p95",
            f"{ms(percentile(idle.not_modified, 50))} / {ms(percentile(idle.not_modified, 95))} ms",
            "304, faster than a full answer",
            f"full answer ({idle.full_bytes:,} B): {ms(percentile(idle.full, 50))} / "
            f"{ms(percentile(idle.full, 95))} ms",
        )
    )
    return rows


def fanout_rows(fan: FanOut, alone: FanOut) -> list[Row]:
    lat = fan.latencies
    result = (
        f"p95 {ms(percentile(lat, 95))} ms (p50 {ms(percentile(lat, 50))}, max "
        f"{ms(max(lat)) if lat else '—'}); {fan.delivered}/{fan.clients} delivered"
    )
    if fan.errors:
        result += f"; errors: {'; '.join(fan.errors)}"
    ref = f"one client alone: {ms(alone.latencies[0]) if alone.latencies else '—'} ms"
    return [(f"alert fan-out to {fan.clients} push clients", result, "p95 ≤ 1000 ms", ref)]


def run_database(
    label: str, url: str, args: argparse.Namespace, fanout: bool, load: bool = True
) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="city109-bench-") as tmp:
        people_needed = max(args.residents, args.push_clients if fanout else 1)
        with backend(Path(tmp), url, label, people_needed) as (server, people):
            rows: list[Row] = []
            if load:
                print(f"[{label}] backend on {server.url}; reference load …", file=sys.stderr)
                ref_seconds = max(5.0, args.duration / 6)
                health = asyncio.run(run_health(server.url, args.residents, ref_seconds))
                print(
                    f"[{label}] {args.residents} residents for {args.duration:.0f} s …",
                    file=sys.stderr,
                )
                tally = asyncio.run(
                    run_load(server.url, people.residents[: args.residents], args.duration)
                )
                idle = asyncio.run(run_idle_poll(server.url, people.residents[0]))
                rows += load_rows(label, tally, health, idle)
            if fanout:
                tokens = [h["Authorization"].split()[1] for h in people.residents]
                print(f"[{label}] fan-out to {args.push_clients} push clients …", file=sys.stderr)
                alone = asyncio.run(run_fanout(server.url, tokens[:1], people.operator))
                fan = asyncio.run(
                    run_fanout(server.url, tokens[: args.push_clients], people.operator)
                )
                rows += fanout_rows(fan, alone)
            kept = Path(tempfile.gettempdir()) / f"city109-bench-{label.lower()}.log"
            shutil.copyfile(Path(tmp) / "backend.log", kept)
            problems = [ln for ln in kept.read_text(errors="replace").splitlines() if _bad(ln)]
            print(f"[{label}] server log: {kept} ({len(problems)} error lines)", file=sys.stderr)
            if problems:
                rows.append(
                    (f"{label}: server log", f"{len(problems)} error lines", "0", str(kept))
                )
            return rows


def _bad(line: str) -> bool:
    """A server log line that reports a failure (an error, or a 5xx in the access log)."""
    return "ERROR" in line or "Traceback" in line or '" 5' in line


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
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--residents", type=int, default=50)
    p.add_argument("--push-clients", type=int, default=1000)
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
    if not 1 <= args.duration <= 600 or not 1 <= args.residents <= 500:
        p.error("keep it bounded: --duration 1..600, --residents 1..500")
    if not 1 <= args.push_clients <= 5000:
        p.error("keep it bounded: --push-clients 1..5000")
    raise_fd_limit(2 * args.push_clients + 500)
    rows: list[Row] = []
    if "load" in groups or "fanout" in groups:
        rows += run_database("SQLite", "", args, fanout="fanout" in groups, load="load" in groups)
    if "load" in groups:
        with postgres(args.pg) as url:
            if url:
                rows += run_database("PostgreSQL", url, args, fanout=False)
            else:
                rows.append(("PostgreSQL", "not run (no server)", "—", "—"))
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
            f"load: {args.residents} residents × {args.duration:.0f} s, each filing an appeal "
            "and then pulling its sync feed, in a loop; backend and load in separate processes."
        )
    print()
    print("| benchmark | result | target | reference (same run) |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
