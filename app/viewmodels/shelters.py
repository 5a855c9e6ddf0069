"""The shelter map: shelters, temporary accommodation and medical points with the resident's
position, saved places and the areas of the alerts in force — and, beside the map, the nearest
points ordered by distance from where the resident is (or a saved address they choose).

Everything here works from the cached bundle: with no network and no map tiles the points,
areas and the list still show."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from app.data.services.location import LocationResult, SavedPoint
from app.domain.alerts import Tone
from app.domain.appeals import Position
from app.domain.geo import CITY_CENTRE
from app.domain.places import PLACE_KINDS, NearPlace, Place, SavedPlace, nearest, route_url
from app.i18n import N_, Message
from app.sync.city_feeds import CityFeeds
from app.viewmodels.alerts import CONTACTS_ROUTE
from app.viewmodels.city_feeds_common import CityFeedViewModel, distance_message
from app.viewmodels.dates import format_when
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

PAGE = 10

KIND_NAMES: dict[str, str] = {
    "shelter": N_("Shelter"),
    "accommodation": N_("Temporary accommodation"),
    "medical": N_("Medical point"),
}
STATE_NAMES: dict[str, str] = {
    "open": N_("Open now"),
    "closed": N_("Closed now"),
    "full": N_("No free places"),
}
MSG_CAPACITY = N_("Capacity: {n} people")
MSG_FROM_HERE = N_("Distances from your position")
MSG_FROM_LAST = N_("Distances from your last known position ({when})")
MSG_FROM_ADDRESS = N_("Distances from: {address}")
MSG_FROM_MAP = N_("Distances from the point chosen on the map")
MSG_NO_POSITION = N_(
    "Your position is unknown. Allow location access or choose a saved address: "
    "the points are listed by distance from the city centre."
)
MSG_DENIED = N_("Location access is turned off for this app.")
MSG_NO_PLACES = N_(
    "The list of shelters has not been downloaded yet. Connect to the internet once to save it."
)
MSG_BUNDLE_DATE = N_("List of points saved {when}")

OriginKind = Literal["gps", "last_known", "address", "map", "centre"]


class Locator(Protocol):
    async def locate(self, saved: list[SavedPoint] | None = None) -> LocationResult: ...


@dataclass(frozen=True)
class Origin:
    lat: float
    lon: float
    kind: OriginKind
    label: str | None = None  # the saved address, if that is the origin
    at: datetime | None = None  # when a last known position was taken


@dataclass(frozen=True)
class PlaceView:
    id: int
    kind: str
    kind_name: Message
    name: str
    address: str
    capacity: Message | None
    phone: str | None
    state: str
    state_name: Message
    hours: str
    distance: Message
    lat: float
    lon: float


@dataclass(frozen=True)
class AreaView:
    tone: Tone
    polygons: tuple[tuple[tuple[float, float], ...], ...]
    circles: tuple[tuple[float, float, float], ...]
    label: str


class SheltersViewModel(CityFeedViewModel):
    def __init__(
        self,
        service: CityFeeds,
        navigation: Navigation,
        language: Callable[[], str],
        locator: Locator | None,
    ) -> None:
        super().__init__(service, service.places, navigation, language)
        self._places = service.places
        self._locator = locator
        self.origin: Origin | None = None
        self.origin_key = "here"  # "here" or a saved place's key
        self.locating = False
        self.problem: Message | None = None
        self.kinds: set[str] = set(PLACE_KINDS)
        self.limit = PAGE

    # -- state for the screen ---------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self._language()

    @property
    def saved_places(self) -> list[SavedPlace]:
        return [p for p in self._service.notices.saved_places if p.point is not None]

    @property
    def centre(self) -> tuple[float, float]:
        return (self.origin.lat, self.origin.lon) if self.origin else CITY_CENTRE

    @property
    def position(self) -> tuple[float, float] | None:
        """The resident's own position (drawn as "you are here")."""
        if self.origin is not None and self.origin.kind in ("gps", "last_known", "map"):
            return (self.origin.lat, self.origin.lon)
        return self._service.here

    def _filtered(self) -> list[Place]:
        return [p for p in self._places.bundle.places if p.kind in self.kinds]

    def _near(self) -> list[NearPlace]:
        return nearest(self._filtered(), self.centre)

    def _view(self, near: NearPlace) -> PlaceView:
        p, lang = near.place, self.lang
        return PlaceView(
            id=p.id,
            kind=p.kind,
            kind_name=Message(KIND_NAMES.get(p.kind, KIND_NAMES["shelter"])),
            name=p.name_in(lang),
            address=p.address_in(lang),
            capacity=Message(MSG_CAPACITY, {"n": p.capacity}) if p.capacity else None,
            phone=p.phone,
            state=p.state,
            state_name=Message(STATE_NAMES.get(p.state, STATE_NAMES["open"])),
            hours=p.hours_in(lang),
            distance=distance_message(near.distance_m),
            lat=p.lat,
            lon=p.lon,
        )

    @property
    def nearest(self) -> list[PlaceView]:
        """The nearest points first (closed ones after the open ones), one page at a time."""
        return [self._view(n) for n in self._near()[: self.limit]]

    @property
    def has_more(self) -> bool:
        return len(self._filtered()) > self.limit

    @property
    def markers(self) -> list[PlaceView]:
        """Every point of the chosen kinds (for the map)."""
        return [self._view(n) for n in self._near()]

    @property
    def areas(self) -> list[AreaView]:
        out: list[AreaView] = []
        lang = self.lang
        for alert in self._service.alerts.current():
            polygons = tuple(ring for a in alert.areas for ring in a.polygons)
            circles = tuple((c.lat, c.lon, c.radius_km) for a in alert.areas for c in a.circles)
            if polygons or circles:
                out.append(AreaView(alert.tone, polygons, circles, alert.text(lang).headline))
        return out

    @property
    def origin_notice(self) -> Message:
        o = self.origin
        if o is None or o.kind == "centre":
            return Message(MSG_NO_POSITION)
        if o.kind == "address":
            return Message(MSG_FROM_ADDRESS, {"address": o.label or ""})
        if o.kind == "last_known":
            when = format_when(o.at, self.lang) if o.at else "—"
            return Message(MSG_FROM_LAST, {"when": when})
        if o.kind == "map":
            return Message(MSG_FROM_MAP)
        return Message(MSG_FROM_HERE)

    @property
    def empty_notice(self) -> Message | None:
        return None if self._places.bundle.places else Message(MSG_NO_PLACES)

    @property
    def bundle_notice(self) -> Message | None:
        at = self._places.bundle.fetched_at
        return Message(MSG_BUNDLE_DATE, {"when": format_when(at, self.lang)}) if at else None

    def route_link(self, place: PlaceView, mobile: bool) -> str:
        return route_url(place.lat, place.lon, place.name, mobile)

    # -- actions ------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._places.ensure_loaded()
        await self._service.notices.ensure_loaded()
        if self.origin is None:
            here = self._service.position
            if here is not None:
                self.origin = Origin(here.lat, here.lon, "last_known")
            self.notify()
            await self.locate()
        else:
            self.notify()

    async def locate(self) -> None:
        """Use the device's position (asks for permission the first time)."""
        if self.locating:
            return
        self.origin_key = "here"
        self.locating = True
        self.problem = None
        self.notify()
        try:
            result = await self._locate()
        finally:
            self.locating = False
        self._take(result)
        self.notify()
        if result.position is not None and result.outcome == "gps":
            await self._service.report_position(result.position)

    async def _locate(self) -> LocationResult:
        if self._locator is None:
            return LocationResult(None, "none", "unavailable")
        try:
            return await self._locator.locate(self._saved_points())
        except Exception as exc:  # no platform support must not break the map
            log.info("locating failed: %r", exc)
            return LocationResult(None, "none", "unavailable")

    def _saved_points(self) -> list[SavedPoint]:
        return [
            SavedPoint(p.label, p.text, p.lat, p.lon)
            for p in self.saved_places
            if p.lat is not None and p.lon is not None
        ]

    def _take(self, result: LocationResult) -> None:
        self.problem = Message(MSG_DENIED) if result.problem == "denied" else None
        pos: Position | None = result.position
        if pos is None:
            if self.origin is None:
                self.origin = Origin(*CITY_CENTRE, "centre")
            return
        kind: OriginKind = {"gps": "gps", "last_known": "last_known", "address": "address"}.get(
            result.outcome, "gps"
        )  # type: ignore[assignment]
        self.origin = Origin(pos.lat, pos.lon, kind, result.address, result.fixed_at)

    async def choose_origin(self, key: str) -> None:
        """Distances from a saved address (or back to "here")."""
        if key == "here":
            await self.locate()
            return
        for place in self.saved_places:
            if place.key == key and place.lat is not None and place.lon is not None:
                self.origin_key = key
                self.origin = Origin(place.lat, place.lon, "address", place.text or place.label)
                self.limit = PAGE
                self.notify()
                return

    async def pick_on_map(self, lat: float, lon: float) -> None:
        self.origin_key = "map"
        self.origin = Origin(lat, lon, "map")
        self.limit = PAGE
        self.notify()

    def toggle_kind(self, kind: str) -> None:
        if kind in self.kinds and len(self.kinds) > 1:
            self.kinds = self.kinds - {kind}
        else:
            self.kinds = self.kinds | {kind}
        self.limit = PAGE
        self.notify()

    def show_more(self) -> None:
        self.limit += PAGE
        self.notify()

    async def open_contacts(self) -> None:
        await self._nav.go(CONTACTS_ROUTE)
