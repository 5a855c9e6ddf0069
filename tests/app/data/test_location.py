"""Where the resident is: the device's fix, else the last known position, else a saved address;
permission asked only when used; reverse geocoding that never blocks or fails the flow."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest

from app.data.repositories.position import LastPositionStore
from app.data.services.geocoding import NominatimGeocoder, short_address
from app.data.services.location import LocationService, SavedPoint
from app.data.store.database import Database
from app.domain.appeals import Position
from tests.app.support.new_appeal_fakes import FakeGeolocator

pytestmark = pytest.mark.anyio

FIX = Position(51.128, 71.43, 8.0, "gps")
HOME = SavedPoint("home", "Мәңгілік Ел 55", 51.09, 71.41)


def service(db: Database, geo: FakeGeolocator | None, timeout: float = 0.2) -> LocationService:
    return LocationService(geo, LastPositionStore(db), timeout=timeout)


async def test_a_fix_is_used_and_remembered(db: Database) -> None:
    geo = FakeGeolocator(FIX)
    loc = service(db, geo)
    assert geo.permission_asked == 0  # nothing asked until the position is needed
    result = await loc.locate([HOME])
    assert (result.position, result.outcome, result.problem) == (FIX, "gps", None)
    assert geo.permission_asked == 1
    last = LastPositionStore(db).load()
    assert last is not None and (last[0].lat, last[0].lon) == (FIX.lat, FIX.lon)
    assert last[0].source == "last_known"


@pytest.mark.parametrize(
    ("geo", "problem"),
    [
        (FakeGeolocator(fail=True), "unavailable"),
        (FakeGeolocator(FIX, hang=True), "timeout"),
        (FakeGeolocator(FIX, permission="denied"), "denied"),
        (None, "unavailable"),  # a platform with no location at all
    ],
)
async def test_fallback_order(db: Database, geo: FakeGeolocator | None, problem: str) -> None:
    # Nothing known yet: the saved address with coordinates.
    started = time.monotonic()
    result = await service(db, geo).locate([HOME])
    assert time.monotonic() - started < 2
    assert result.outcome == "address" and result.problem == problem
    assert result.position == Position(HOME.lat, HOME.lon, None, "address")
    assert result.address == HOME.text
    # Once the device had a fix, that last known position comes before the address.
    await service(db, FakeGeolocator(FIX)).locate()
    result = await service(db, geo).locate([HOME])
    assert result.outcome == "last_known" and result.problem == problem
    assert result.position is not None and (result.position.lat, result.position.lon) == (
        FIX.lat,
        FIX.lon,
    )
    assert result.fixed_at is not None
    if geo is not None and problem == "denied":
        assert geo.positions_asked == 0  # a refusal is respected


async def test_nothing_at_all(db: Database) -> None:
    result = await service(db, FakeGeolocator(fail=True)).locate([])
    assert (result.position, result.outcome, result.problem) == (None, "none", "unavailable")


async def test_a_point_chosen_on_the_map_becomes_the_last_known(db: Database) -> None:
    loc = service(db, FakeGeolocator(fail=True))
    await loc.remember(Position(51.2, 71.5, None, "map"))
    result = await loc.locate()
    assert result.outcome == "last_known" and result.position is not None
    assert (result.position.lat, result.position.lon) == (51.2, 71.5)


# -- reverse geocoding --------------------------------------------------------------------------


class Unreachable:
    def __init__(self) -> None:
        self.calls = 0

    def reverse(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        from geopy.exc import GeocoderUnavailable

        raise GeocoderUnavailable("no network")


class Slow:
    def reverse(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(1.5)
        return None


class Found:
    def __init__(self) -> None:
        self.kwargs: dict[str, Any] = {}

    def reverse(self, query: Any, **kwargs: Any) -> Any:
        self.kwargs = kwargs
        raw = {"address": {"road": "Қабанбай батыр даңғылы", "house_number": "11",
                           "city": "Астана"}}  # fmt: skip
        return SimpleNamespace(raw=raw, address="11, Қабанбай батыр даңғылы, Есіл ауданы, Астана")


async def test_unreachable_geocoder_gives_no_address_and_is_not_retried_at_once() -> None:
    backend = Unreachable()
    now = [100.0]
    geo = NominatimGeocoder(backend=backend, clock=lambda: now[0])
    assert await geo.reverse(51.1, 71.4, "kk") is None
    assert await geo.reverse(51.1, 71.4, "kk") is None
    assert backend.calls == 1  # an offline device does not wait on every point
    now[0] += 120
    assert await geo.reverse(51.1, 71.4, "kk") is None
    assert backend.calls == 2


async def test_a_hanging_geocoder_is_cut_off_by_the_deadline() -> None:
    geo = NominatimGeocoder(backend=Slow(), timeout=0.1)
    started = time.monotonic()
    assert await geo.reverse(51.1, 71.4, "ru") is None
    assert time.monotonic() - started < 1.4
    await asyncio.sleep(1.5)  # let the worker thread finish before the test ends


async def test_found_address_is_short_and_in_the_language_asked() -> None:
    backend = Found()
    geo = NominatimGeocoder(backend=backend)
    assert await geo.reverse(51.1, 71.4, "kk") == "Қабанбай батыр даңғылы 11, Астана"
    assert backend.kwargs["language"] == "kk"
    assert short_address({}) is None


def test_the_user_agent_names_the_app() -> None:
    geo = NominatimGeocoder()
    nominatim = geo._nominatim()
    assert "city109" in nominatim.headers["User-Agent"]
