"""CPU time spent while a load runs, read from Linux's /proc: the whole machine's, PostgreSQL's
processes', and the server processes' (those whose command line holds a given text, e.g. their
data dir). What a figure costs the machine, beside what it gives."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICK_S = 1 / os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds: the machine's busy time (all cores), PostgreSQL's, the server's; and the
    wall-clock seconds they were counted over (a difference of two snapshots)."""

    machine_s: float
    postgres_s: float
    server_s: float
    wall_s: float

    def __sub__(self, earlier: CpuUse) -> CpuUse:
        return CpuUse(
            self.machine_s - earlier.machine_s,
            self.postgres_s - earlier.postgres_s,
            self.server_s - earlier.server_s,
            self.wall_s - earlier.wall_s,
        )

    @property
    def cores_busy(self) -> float:
        return self.machine_s / self.wall_s if self.wall_s else 0.0

    def per_request(self, requests: int) -> str:
        """What each of `requests` cost, in ms of CPU: the server, PostgreSQL, the machine."""
        n = max(1, requests)
        text = f"server {1000 * self.server_s / n:.1f} ms"
        if self.postgres_s:
            text += f", PostgreSQL {1000 * self.postgres_s / n:.1f} ms"
        text += f", whole machine {1000 * self.machine_s / n:.1f} ms"
        return f"{text} ({self.cores_busy:.2f} of {os.cpu_count()} cores busy)"


def _machine_busy_s() -> float:
    ticks = [int(n) for n in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks[:8]) - idle - iowait) * TICK_S


def _process_s(pid: str) -> float:
    fields = (PROC / pid / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_S  # utime + stime


def snapshot(server_mark: str) -> CpuUse:
    """The CPU seconds so far; a process that ends between two snapshots takes its time along
    (PostgreSQL's connection processes live as long as the server's pool keeps them)."""
    postgres = server = 0.0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            spent = _process_s(entry.name)
        except OSError:  # gone meanwhile
            continue
        if cmdline.startswith("postgres") or "/bin/postgres " in cmdline:  # children, postmaster
            postgres += spent
        elif "backend_stub" in cmdline and server_mark in cmdline:
            server += spent
    return CpuUse(_machine_busy_s(), postgres, server, time.monotonic())
