"""A minimal observer: view models and the translator notify their listeners on change."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Listener = Callable[[], None]


class Observable:
    """Keeps listeners; `notify()` calls each one; `subscribe()` returns an unsubscribe function."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def notify(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # a broken listener must not break the others
                log.exception("listener failed")
