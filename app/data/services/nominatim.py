"""OpenStreetMap's Nominatim as the app asks it: geopy's client built on first use with the
app's user agent and a timeout, each lookup in a worker thread under an overall deadline, and a
pause after a failure so that an offline device does not wait on every lookup. Reverse
geocoding (`geocoding`) and address search (`address_search`) each own one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

USER_AGENT = "city109-app/0.1 (city contact centre 109 resident app)"
DEFAULT_TIMEOUT_S = 6.0
RETRY_AFTER_FAILURE_S = 60.0


class NominatimOptions(TypedDict, total=False):
    """How to reach Nominatim; tests give a fake `backend` and `clock`."""

    user_agent: str
    timeout: float
    domain: str
    clock: Callable[[], float]
    backend: Any  # a geopy Nominatim (or a fake with its `reverse` / `geocode`)


class NominatimClient:
    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout: float = DEFAULT_TIMEOUT_S,
        domain: str = "nominatim.openstreetmap.org",
        clock: Callable[[], float] = time.monotonic,
        backend: Any = None,
    ) -> None:
        self.timeout = timeout
        self._clock = clock
        self._backend = backend
        self._user_agent = user_agent
        self._domain = domain
        self._failed_at: float | None = None

    def geopy(self) -> Any:
        """geopy's Nominatim client (built on first use)."""
        if self._backend is None:
            from geopy.geocoders import Nominatim

            self._backend = Nominatim(
                user_agent=self._user_agent, timeout=self.timeout, domain=self._domain
            )
        return self._backend

    async def ask(self, what: str, lookup: Callable[..., T], *args: Any) -> tuple[bool, T | None]:
        """(True, the lookup's answer), or (False, None) when the service failed (logged as
        "`what` unavailable") or is resting after a failure. Never raises."""
        if self._failed_at is not None and self._clock() - self._failed_at < RETRY_AFTER_FAILURE_S:
            return False, None
        try:
            answer = await asyncio.wait_for(asyncio.to_thread(lookup, *args), self.timeout + 1)
        except Exception as exc:  # geopy errors, sockets, DNS, the deadline: all "no answer"
            log.info("%s unavailable: %s", what, type(exc).__name__)
            self._failed_at = self._clock()
            return False, None
        self._failed_at = None
        return True, answer
