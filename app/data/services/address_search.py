"""Forward geocoding: the point of a typed address (for saved addresses in the cabinet).

`NominatimAddressSearch` asks OpenStreetMap's Nominatim through its own `NominatimClient` (user
agent, timeout, deadline, pause after a failure), limited to Kazakhstan and preferring the
city's area. It never raises: an unreachable service gives no result and the address is kept as
typed (without a point). Tests use a fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Unpack

from app.data.services.nominatim import NominatimClient, NominatimOptions

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
    def __init__(self, **options: Unpack[NominatimOptions]) -> None:
        self._client = NominatimClient(**options)
        self._cache: dict[tuple[str, str], FoundAddress | None] = {}

    def _lookup(self, query: str, language: str) -> FoundAddress | None:
        location = self._client.geopy().geocode(
            query,
            exactly_one=True,
            language=language,
            country_codes="kz",
            viewbox=CITY_VIEWBOX,
            bounded=False,
            timeout=self._client.timeout,
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
        ok, found = await self._client.ask("address search", self._lookup, query, language)
        if ok:
            self._cache[key] = found
        return found
