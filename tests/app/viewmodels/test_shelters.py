"""The shelter map and the contacts: the nearest points by distance from the position or a saved
address, the bundle cached offline and refetched only when its version changes, and the
emergency numbers even before the first download."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.data.services.location import LocationResult, SavedPoint
from app.domain.appeals import Position
from app.domain.places import Place, nearest, route_url
from app.i18n import Translator
from app.viewmodels.contacts import ContactsViewModel, tel_url
from app.viewmodels.navigation import Navigation
from app.viewmodels.shelters import SheltersViewModel
from tests.app.support.city_feeds_fakes import (
    INSIDE,
    CityFeedsBackend,
    Clock,
    Safety,
    alert_json,
    build_city_feeds,
    place_json,
)

pytestmark = pytest.mark.anyio

HERE = (51.1280, 71.4300)
PLACES = [
    place_json(1, 51.1800, 71.4300, kind="shelter"),  # ~5.8 km north
    place_json(2, 51.1290, 71.4310, kind="medical"),  # ~130 m
    place_json(3, 51.1400, 71.4300, kind="accommodation"),  # ~1.3 km
    place_json(4, 51.1285, 71.4305, kind="shelter", state="closed"),  # nearest, but closed
    place_json(5, 51.1000, 71.4300, kind="shelter"),  # ~3.1 km south
]


class FakeLocator:
    def __init__(self, result: LocationResult) -> None:
        self.result = result
        self.calls = 0

    async def locate(self, saved: list[SavedPoint] | None = None) -> LocationResult:
        self.calls += 1
        return self.result


def gps(lat: float, lon: float) -> LocationResult:
    return LocationResult(Position(lat, lon, 5.0, "gps"), "gps")


@pytest.fixture
def backend() -> CityFeedsBackend:
    return CityFeedsBackend(places=list(PLACES))


def test_nearest_orders_by_distance_with_closed_points_last() -> None:
    places = [Place.from_json(p) for p in PLACES]
    order = [n.place.id for n in nearest(places, HERE)]
    assert order == [2, 3, 5, 1, 4]
    distances = [n.distance_m for n in nearest(places, HERE)[:4]]
    assert distances == sorted(distances)
    assert [n.place.id for n in nearest(places, HERE, kinds=["shelter"], limit=2)] == [5, 1]


def test_route_links_open_the_maps_app_on_phones_and_a_map_site_elsewhere() -> None:
    assert route_url(51.1, 71.4, "Мектеп № 65", mobile=True).startswith(
        "geo:51.100000,71.400000?q=51.100000,71.400000("
    )
    assert "openstreetmap.org/directions" in route_url(51.1, 71.4, "x", mobile=False)


async def test_list_is_ordered_by_distance_from_the_device_position(
    backend: CityFeedsBackend, safety: Safety
) -> None:
    await safety.places.refresh()
    locator = FakeLocator(gps(*HERE))
    vm = SheltersViewModel(safety.service, Navigation(), lambda: "kk", locator)
    await vm.start()
    assert [p.id for p in vm.nearest] == [2, 3, 5, 1, 4]
    tr = Translator("kk")
    assert tr.render(vm.nearest[0].distance) == "130 м"
    assert vm.nearest[0].phone and vm.nearest[0].capacity is not None
    assert vm.position == HERE
    # The position went to the server (alerts are targeted by it), rounded to ~1 km.
    assert backend.positions == [{"lat": 51.13, "lon": 71.43, "accuracy_m": 700.0}]

    vm.toggle_kind("medical")
    vm.toggle_kind("accommodation")
    assert [p.id for p in vm.nearest] == [5, 1, 4]
    assert {m.kind for m in vm.markers} == {"shelter"}


async def test_a_saved_address_can_be_the_origin(safety: Safety, backend: CityFeedsBackend) -> None:
    backend.profile["addresses"] = [
        {"id": 3, "label": "work", "text": "Сарайшық 5", "lat": 51.18, "lon": 71.43}
    ]
    await safety.service.refresh()
    vm = SheltersViewModel(safety.service, Navigation(), lambda: "ru", FakeLocator(gps(*HERE)))
    await vm.start()
    assert [p.key for p in vm.saved_places] == ["a3"]
    await vm.choose_origin("a3")
    assert vm.nearest[0].id == 1 and vm.origin is not None and vm.origin.kind == "address"
    assert Translator("ru").render(vm.origin_notice) == "Расстояния от: Сарайшық 5"


async def test_no_position_falls_back_to_the_city_centre_and_says_so(safety: Safety) -> None:
    await safety.places.refresh()
    denied = LocationResult(None, "none", "denied")
    vm = SheltersViewModel(safety.service, Navigation(), lambda: "kk", FakeLocator(denied))
    await vm.start()
    assert vm.origin is not None and vm.origin.kind == "centre"
    assert vm.problem is not None and vm.nearest  # still listed
    assert "белгісіз" in (Translator("kk").render(vm.origin_notice) or "")


async def test_bundle_is_cached_offline_and_refetched_only_when_its_version_changes(
    tmp_path: Path, backend: CityFeedsBackend, clock: Clock, safety: Safety
) -> None:
    assert await safety.places.refresh() is True
    assert await safety.places.refresh() is False  # 304
    assert backend.calls("/api/v1/places/bundle")[-1].headers["If-None-Match"] == '"v1"'
    fetched = len(backend.calls("/api/v1/places/bundle"))
    assert await safety.places.apply_rows([{"version": "v1"}]) is False
    assert len(backend.calls("/api/v1/places/bundle")) == fetched
    backend.version = "v2"
    backend.places.append(place_json(6, 51.13, 71.43))
    assert await safety.places.apply_rows([{"version": "v2"}]) is True
    assert len(safety.places.bundle.places) == 6

    backend.offline = True
    again = build_city_feeds(tmp_path / "app.db", backend, clock)
    await again.service.refresh()
    vm = SheltersViewModel(again.service, Navigation(), lambda: "kk", FakeLocator(gps(*HERE)))
    await vm.start()
    assert vm.offline_notice is not None and vm.empty_notice is None
    assert [p.id for p in vm.nearest][:2] == [2, 6]
    contacts = ContactsViewModel(again.places, lambda: "kk")
    assert [c.number for c in contacts.emergency] == ["112", "101", "102", "103", "104"]
    assert "+7 7172 00 00 01" in [c.number for c in contacts.city]
    again.db.close()


async def test_map_draws_the_areas_of_alerts_in_force(safety: Safety) -> None:
    await safety.alerts.apply_rows(
        [
            alert_json("poly", severity="Extreme"),
            alert_json(
                "circle",
                severity="Moderate",
                polygons=[],
                circles=[{"lat": INSIDE[0], "lon": INSIDE[1], "radius_km": 2}],
            ),
            alert_json("districts-only", polygons=[], districts=["nura"]),
        ]
    )
    vm = SheltersViewModel(safety.service, Navigation(), lambda: "kk", None)
    areas = vm.areas
    assert [a.tone for a in areas] == ["red", "orange"]
    assert areas[0].polygons and areas[1].circles == ((INSIDE[0], INSIDE[1], 2.0),)


async def test_contacts_before_any_download_are_the_built_in_numbers(safety: Safety) -> None:
    safety.places.load()
    vm = ContactsViewModel(safety.places, lambda: "ru")
    assert [c.number for c in vm.emergency] == ["112", "101", "102", "103", "104"]
    assert [c.number for c in vm.city] == ["109"]
    assert vm.emergency[0].name == "Единая служба спасения"
    assert vm.emergency[0].call_url == "tel:112"
    assert tel_url("+7 7172 55-00-00") == "tel:+77172550000"
    assert Translator("ru").render(vm.copy_done("112")) == "Номер 112 скопирован"


async def test_paging_of_the_nearest_list(safety: Safety, backend: CityFeedsBackend) -> None:
    backend.places = [place_json(i, 51.10 + i * 0.001, 71.43) for i in range(1, 26)]
    await safety.places.refresh()
    vm = SheltersViewModel(safety.service, Navigation(), lambda: "kk", FakeLocator(gps(*HERE)))
    await vm.start()
    assert len(vm.nearest) == 10 and vm.has_more
    vm.show_more()
    vm.show_more()
    assert len(vm.nearest) == 25 and not vm.has_more
