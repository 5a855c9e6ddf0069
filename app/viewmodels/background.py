"""Work started and not waited for — a view model reading the store again after the sync engine
changed it, a screen loading its view model (`app.ui.kit.run_soon`): `BackgroundTasks` runs it
on the running event loop and holds each task until it ends, so none is dropped half-way."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any


class BackgroundTasks:
    """Tasks started with `start` and still running."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[Any]] = set()

    def start(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """Run `make()` on the running loop; with none (a caller outside the loop, as in a
        plain test) nothing starts."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(make())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def cancel_all(self) -> None:
        """The owner is going away (its page closed): nothing it started runs on."""
        for task in list(self._running):
            task.cancel()
