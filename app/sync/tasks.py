"""Ending a background task: cancel it and wait until it has ended, without swallowing the
caller's own cancellation and without hanging on a task that ignores its cancel."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

STOP_WAIT_S = 10.0  # how long to wait for a cancelled task before logging where it hangs


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has ended. Its own failure is logged, not raised; a
    cancellation of the caller itself (a stop() cancelled) still propagates."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=STOP_WAIT_S)
    if not done:  # a task that ignores its cancellation: say where it hangs, do not hang too
        log.error("%s did not end %.0f s after its cancel", task.get_name(), STOP_WAIT_S)
        task.print_stack(file=sys.stderr)
    elif not task.cancelled() and task.exception() is not None:
        log.error("%s failed before it stopped", task.get_name(), exc_info=task.exception())
