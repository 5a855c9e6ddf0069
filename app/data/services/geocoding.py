"""Reverse geocoding: the address of a point, for the incident address field.

`NominatimGeocoder` asks OpenStreetMap's Nominatim through its own `NominatimClient` (user
agent, timeout, deadline, pause after a failure). It never raises: an unreachable service gives
`None` and the resident types the address or picks a saved one. Tests use a fake.
"""

from __future__ import annotations

from typing import Any, Protocol, Unpack

from app.data.services.nominatim import NominatimClient, NominatimOptions


class Geocoder(Protocol):
    async def reverse(self, lat: float, lon: float, language: str) -> str | None:
        """The address at the point in `language` (kk/ru), or None if it cannot be had."""
        ...


class NominatimGeocoder:
    def __init__(self, **options: Unpack[NominatimOptions]) -> None:
        self._client = NominatimClient(**options)
        self._cache: dict[tuple[float, float, str], str] = {}

    def _nominatim(self) -> Any:
        return self._client.geopy()

    def _lookup(self, lat: float, lon: float, language: str) -> str | None:
        timeout = self._client.timeout
        location = self._nominatim().reverse(
            (lat, lon), exactly_one=True, language=language, zoom=18, timeout=timeout
        )
        if location is None:
            return None
        return short_address(getattr(location, "raw", {}) or {}) or str(location.address)

    async def reverse(self, lat: float, lon: float, language: str) -> str | None:
        key = (round(lat, 5), round(lon, 5), language)
        if key in self._cache:
            return self._cache[key]
        _ok, address = await self._client.ask("reverse geocoding", self._lookup, lat, lon, language)
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
