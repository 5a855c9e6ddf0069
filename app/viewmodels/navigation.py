"""Navigation requests from view models. The Flet shell attaches the real handler."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

GoHandler = Callable[[str], Awaitable[None]]


class Navigation:
    def __init__(self) -> None:
        self._handler: GoHandler | None = None
        self.history: list[str] = []  # what was asked for (handy in tests and logs)

    def attach(self, handler: GoHandler) -> None:
        self._handler = handler

    async def go(self, route: str) -> None:
        self.history.append(route)
        if self._handler is None:
            log.debug("navigation to %s with no shell attached", route)
            return
        await self._handler(route)
