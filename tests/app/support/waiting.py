"""Waiting in an async test for something the code does in the background: polled every
10 ms, failing after a deadline (never a fixed sleep standing in for the wait)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(done: Callable[[], bool], seconds: float = 5.0, what: str = "") -> None:
    for _ in range(int(seconds / 0.01)):
        if done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out after {seconds} s waiting for {what or done}")
