"""The step of a background loop (the emergency worker, the demo autopilot), run to its end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


async def step_in_thread(step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run one blocking step in a worker thread. A cancellation waits for the step to finish
    (so the engine is not disposed under a running transaction) and then goes on up; the
    step's own errors reach the caller."""
    work = asyncio.ensure_future(asyncio.to_thread(step, *args, **kwargs))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await work
        raise
