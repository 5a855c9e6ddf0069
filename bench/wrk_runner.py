"""Running `wrk` (Debian's, 4.1 with LuaJIT) with `bench/lua/city109.lua` and reading its
result; pinning processes to cores with `taskset`.

wrk is closed loop (each connection sends its next request when the answer came); with a rate,
the Lua script paces the sends on a fixed grid (see the script). Debian has no wrk2, so that
pacing stands in for wrk2's `-R`, without its coordinated-omission correction.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_runs = itertools.count()
SCRIPT = Path(__file__).resolve().parent / "lua" / "city109.lua"
MARK = "WRK-RESULT "


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def pin(pid: int, cpus: str) -> None:
    """Every thread of process `pid` (and what it starts later) onto `cpus` ("0", "0-1")."""
    subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(pid)], capture_output=True, check=True)


@dataclass
class WrkRun:
    """One wrk run (or several at once, combined): counts and latencies in seconds."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    socket_errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    no_retry_after: int = 0
    offered: float = 0.0  # requests/s asked of the Lua pacing; 0 = closed loop

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def failures(self, expected: set[int]) -> int:
        """Answers with another status than `expected`, plus socket errors and timeouts."""
        wrong = sum(n for s, n in self.statuses.items() if s not in expected)
        return wrong + sum(self.socket_errors.values())

    def status_text(self) -> str:
        return ", ".join(f"{n} × {s}" for s, n in sorted(self.statuses.items())) or "none"

    @classmethod
    def parse(cls, output: str, offered: float = 0.0) -> WrkRun:
        line = next((ln for ln in output.splitlines() if ln.startswith(MARK)), None)
        if line is None:
            raise RuntimeError(f"wrk printed no result:\n{output[-2000:]}")
        data = json.loads(line[len(MARK) :])
        return cls(
            requests=data["requests"],
            seconds=data["seconds"],
            p50=data["p50"] / 1e6,
            p95=data["p95"] / 1e6,
            p99=data["p99"] / 1e6,
            max=data["max"] / 1e6,
            socket_errors={k: v for k, v in data["socket_errors"].items() if v},
            statuses={int(k): v for k, v in data["statuses"].items()},
            no_retry_after=data["no_retry_after"],
            offered=offered,
        )

    @classmethod
    def combine(cls, runs: list[WrkRun]) -> WrkRun:
        """Several wrk runs side by side (one per server process): requests add up; each
        latency percentile is the worst of the runs' (an upper bound, not a merged one)."""
        if len(runs) == 1:
            return runs[0]
        statuses: dict[int, int] = {}
        errors: dict[str, int] = {}
        for run in runs:
            for s, n in run.statuses.items():
                statuses[s] = statuses.get(s, 0) + n
            for k, n in run.socket_errors.items():
                errors[k] = errors.get(k, 0) + n
        return cls(
            requests=sum(r.requests for r in runs),
            seconds=max(r.seconds for r in runs),
            p50=max(r.p50 for r in runs),
            p95=max(r.p95 for r in runs),
            p99=max(r.p99 for r in runs),
            max=max(r.max for r in runs),
            socket_errors=errors,
            statuses=statuses,
            no_retry_after=sum(r.no_retry_after for r in runs),
            offered=sum(r.offered for r in runs),
        )


@dataclass
class Load:
    """What to send: the script's mode, its people file, a nonce (with the run's number, it
    makes every Idempotency-Key unique on a database), the subclass."""

    mode: str  # create | poll | get
    people: Path
    nonce: str
    subclass: str = "01.01"


def drive(
    urls: list[str],
    load: Load,
    *,
    connections: int,
    seconds: float,
    rate: float = 0.0,
    cpus: str | None = None,
    timeout_s: float = 10.0,
) -> WrkRun:
    """wrk against each of `urls` at once (connections and rate split evenly), one thread each,
    on `cpus` when given; their results combined."""
    binary = wrk_binary()
    if binary is None:
        raise RuntimeError("wrk is not installed: run scripts/install-system.sh")
    procs = []
    share = max(1, connections // len(urls))
    run = next(_runs)  # each run's keys differ from every other run's
    for n, url in enumerate(urls):
        nonce = f"{load.nonce}r{run}p{n}"
        cmd = [binary, "-t1", f"-c{share}", f"-d{max(1, round(seconds))}s"]
        cmd += [f"--timeout={timeout_s:g}s", "-s", str(SCRIPT), url, "--"]
        cmd += [load.mode, str(load.people), f"{rate / len(urls):g}", nonce, load.subclass, "1"]
        if cpus is not None:
            cmd = ["taskset", "-c", cpus, *cmd]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    runs = []
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + timeout_s + 60)
        runs.append(WrkRun.parse(out.decode(errors="replace"), offered=rate / len(urls)))
    return WrkRun.combine(runs)
