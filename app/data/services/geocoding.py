"""Reverse geocoding: the address of a point, for the incident address field.

`NominatimGeocoder` uses geopy's Nominatim (OpenStreetMap) with a proper user agent and a
timeout, in a worker thread, under an overall deadline. It never raises: an unreachable service
gives `None` and the resident types the address or picks a saved one. After a failure it waits a
while before trying again, so an offline device does not wait on every point. Tests use a fake.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

USER_AGENT = "city109-app/0.1 (city contact centre 109 resident app)"
DEFAULT_TIMEOUT_S = 6.0
RETRY_AFTER_FAILURE_S = 60.0


class Geocoder(Protocol):
    async def reverse(self, lat: float, lon: float, language: str) -> str | None:
        """The address at the point in `language` (kk/ru), or None if it cannot be had."""
        ...


class NominatimGeocoder:
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
        self._cache: dict[tuple[float, float, str], str] = {}
        self._failed_at: float | None = None

    def _nominatim(self) -> Any:
        if self._backend is None:
            from geopy.geocoders import Nominatim

            self._backend = Nominatim(
                user_agent=self._user_agent, timeout=self._timeout, domain=self._domain
            )
        return self._backend

    def _lookup(self, lat: float, lon: float, language: str) -> str | None:
        location = self._nominatim().reverse(
            (lat, lon), exactly_one=True, language=language, zoom=18, timeout=self._timeout
        )
        if location is None:
            return None
        return short_address(getattr(location, "raw", {}) or {}) or str(location.address)

    async def reverse(self, lat: float, lon: float, language: str) -> str | None:
        key = (round(lat, 5), round(lon, 5), language)
        if key in self._cache:
            return self._cache[key]
        if self._failed_at is not None and self._clock() - self._failed_at < RETRY_AFTER_FAILURE_S:
            return None
        try:
            address = await asyncio.wait_for(
                asyncio.to_thread(self._lookup, lat, lon, language), self._timeout + 1
            )
        except Exception as exc:  # geopy errors, sockets, DNS, the deadline: all "no address"
            log.info("reverse geocoding unavailable: %s", type(exc).__name__)
            self._failed_at = self._clock()
            return None
        self._failed_at = None
        if address:
            self._cache[key] = address
        return address


def short_address(raw: dict[str, Any]) -> str | None:
    """ "Street house, city" from Nominatim's address details (the full line is too long)."""
    parts = raw.get("address") or {}
    street = parts.get("road") or parts.get("pedestrian") or parts.get("neighbourhood")
    house = parts.get("house_number")
    city = parts.get("city") or parts.get("town") or parts.get("village")
    if not street:
        return None
    line = f"{street} {house}" if house else street
    return f"{line}, {city}" if city else line
