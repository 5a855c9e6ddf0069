"""What every benchmark module prints: rows of a Markdown table, and figures in ms."""

from __future__ import annotations

import statistics

Row = tuple[str, str, str, str]  # benchmark, result, target, reference (same run)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.0095 else f"{seconds * 1000:.1f}"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * (len(ordered) - 1))))]


def median_p95(values: list[float]) -> str:
    """ "median / p95 ms" of timings in seconds."""
    if not values:
        return "—"
    return f"{ms(statistics.median(values))} / {ms(p95(values))} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def pass_miss(ok: bool) -> str:
    """The load figures' mark beside a target (issue 15 asks for PASS/MISS)."""
    return "PASS" if ok else "**MISS**"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]
