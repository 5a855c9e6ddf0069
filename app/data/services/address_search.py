"""Forward geocoding: the point of a typed address (for saved addresses in the cabinet).

`NominatimAddressSearch` uses geopy's Nominatim (OpenStreetMap), limited to Kazakhstan and
preferring the city's area, with a proper user agent and a timeout, in a worker thread under an
overall deadline. It never raises: an unreachable service gives no result and the address is
kept as typed (without a point). After a failure it waits a while before trying again, so an
offline device does not wait on every address. Tests use a fake.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from app.data.services.geocoding import USER_AGENT

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 6.0
RETRY_AFTER_FAILURE_S = 60.0
# Astana and around: results inside are preferred (not required).
CITY_VIEWBOX = ((51.30, 71.20), (50.95, 71.70))


@dataclass(frozen=True)
class FoundAddress:
    text: str
    lat: float
    lon: float


class AddressSearch(Protocol):
    async def search(self, query: str, language: str) -> FoundAddress | None:
        """The best match of a typed address, or None (not found, or no service)."""
        ...


class NominatimAddressSearch:
    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout: float = DEFAULT_TIMEOUT_S,
        domain: str = "nominatim.openstreetmap.org",
        clock: Callable[[], float] = time.monotonic,
        backend: Any = None,
    ) -> None:
        self._timeout = timeout
        self._clock = clock
        self._backend = backend
        self._user_agent = user_agent
        self._domain = domain
        self._cache: dict[tuple[str, str], FoundAddress | None] = {}
        self._failed_at: float | None = None

    def _nominatim(self) -> Any:
        if self._backend is None:
            from geopy.geocoders import Nominatim

            self._backend = Nominatim(
                user_agent=self._user_agent, timeout=self._timeout, domain=self._domain
            )
        return self._backend

    def _lookup(self, query: str, language: str) -> FoundAddress | None:
        location = self._nominatim().geocode(
            query,
            exactly_one=True,
            language=language,
            country_codes="kz",
            viewbox=CITY_VIEWBOX,
            bounded=False,
            timeout=self._timeout,
        )
        if location is None:
            return None
        return FoundAddress(
            str(location.address), float(location.latitude), float(location.longitude)
        )

    async def search(self, query: str, language: str) -> FoundAddress | None:
        query = " ".join(query.split())
        if len(query) < 3:
            return None
        key = (query.lower(), language)
        if key in self._cache:
            return self._cache[key]
        if self._failed_at is not None and self._clock() - self._failed_at < RETRY_AFTER_FAILURE_S:
            return None
        try:
            found = await asyncio.wait_for(
                asyncio.to_thread(self._lookup, query, language), self._timeout + 1
            )
        except Exception as exc:  # geopy errors, sockets, DNS, the deadline: all "not found"
            log.info("address search unavailable: %s", type(exc).__name__)
            self._failed_at = self._clock()
            return None
        self._failed_at = None
        self._cache[key] = found
        return found
