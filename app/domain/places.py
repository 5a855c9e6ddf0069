"""The emergency map's places (shelters, temporary accommodation, medical points), the
emergency and city phone numbers (built in for a first start offline) and the resident's saved
places, as the app keeps them; which places are nearest and how to route to one. Plain data and
pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from app.domain.geo import distance_m
from app.domain.texts import in_lang, kk_ru, lang_code

PlaceKind = Literal["shelter", "accommodation", "medical"]
PLACE_KINDS: tuple[PlaceKind, ...] = ("shelter", "accommodation", "medical")


@dataclass(frozen=True)
class Place:
    id: int
    kind: str  # shelter | accommodation | medical
    name: dict[str, str]
    address: dict[str, str]
    lat: float
    lon: float
    capacity: int | None = None
    phone: str | None = None
    state: str = "open"  # open | closed | full
    hours: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Place:
        return cls(
            id=int(data["id"]),
            kind=str(data.get("kind") or "shelter"),
            name=kk_ru(data, "name"),
            address=kk_ru(data, "address"),
            lat=float(data["lat"]),
            lon=float(data["lon"]),
            capacity=data.get("capacity"),
            phone=data.get("phone"),
            state=str(data.get("state") or "open"),
            hours=kk_ru(data, "hours"),
        )

    def name_in(self, lang: str) -> str:
        return in_lang(self.name, lang)

    def address_in(self, lang: str) -> str:
        return in_lang(self.address, lang)

    def hours_in(self, lang: str) -> str:
        return self.hours.get(lang_code(lang)) or ""


@dataclass(frozen=True)
class Contact:
    id: str
    number: str
    group: str  # emergency | city
    name: dict[str, str]
    description: dict[str, str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Contact:
        return cls(
            id=str(data.get("id") or data["number"]),
            number=str(data["number"]),
            group=str(data.get("group") or "city"),
            name=kk_ru(data, "name"),
            description=kk_ru(data, "description"),
        )

    def name_in(self, lang: str) -> str:
        return in_lang(self.name, lang) or self.number

    def description_in(self, lang: str) -> str:
        return self.description.get(lang_code(lang)) or ""


# Shipped with the app: the numbers are there even on a first start with no network.
BUILT_IN_CONTACTS: tuple[Contact, ...] = (
    Contact(
        "112",
        "112",
        "emergency",
        {"kk": "Бірыңғай құтқару қызметі", "ru": "Единая служба спасения"},
        {
            "kk": "Кез келген төтенше жағдайда: өрт, апат, адам өміріне қауіп.",
            "ru": "При любой чрезвычайной ситуации: пожар, авария, угроза жизни.",
        },
    ),
    Contact(
        "101",
        "101",
        "emergency",
        {"kk": "Өрт сөндіру қызметі", "ru": "Пожарная служба"},
        {"kk": "Өрт, түтін шығу, адамдарды құтқару.", "ru": "Пожар, задымление, спасение людей."},
    ),
    Contact(
        "102",
        "102",
        "emergency",
        {"kk": "Полиция", "ru": "Полиция"},
        {
            "kk": "Құқық бұзушылық, қауіпсіздікке қатер.",
            "ru": "Правонарушение, угроза безопасности.",
        },
    ),
    Contact(
        "103",
        "103",
        "emergency",
        {"kk": "Жедел медициналық жәрдем", "ru": "Скорая медицинская помощь"},
        {"kk": "Өмірге қауіп, ауыр жарақат.", "ru": "Угроза жизни, тяжёлая травма."},
    ),
    Contact(
        "104",
        "104",
        "emergency",
        {"kk": "Газ авариялық қызметі", "ru": "Аварийная газовая служба"},
        {"kk": "Газ иісі шықса.", "ru": "Запах газа."},
    ),
    Contact(
        "109",
        "109",
        "city",
        {"kk": "Әкімдіктің бірыңғай байланыс орталығы", "ru": "Единый контакт-центр акимата"},
        {"kk": "Қала шаруашылығы мәселелері.", "ru": "Вопросы городского хозяйства."},
    ),
)


@dataclass(frozen=True)
class PlacesBundle:
    version: str
    places: tuple[Place, ...]
    contacts: tuple[Contact, ...]
    fetched_at: datetime | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], fetched_at: datetime | None = None) -> PlacesBundle:
        return cls(
            version=str(data.get("version") or ""),
            places=tuple(Place.from_json(p) for p in data.get("places") or ()),
            contacts=tuple(Contact.from_json(c) for c in data.get("contacts") or ()),
            fetched_at=fetched_at,
        )


EMPTY_BUNDLE = PlacesBundle(version="", places=(), contacts=BUILT_IN_CONTACTS)


@dataclass(frozen=True)
class NearPlace:
    place: Place
    distance_m: float


def nearest(
    places: Iterable[Place],
    origin: tuple[float, float],
    kinds: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[NearPlace]:
    """Places ordered by distance from `origin` (ties by id); closed ones last."""
    wanted = set(kinds) if kinds is not None else None
    found = [
        NearPlace(p, distance_m(origin, (p.lat, p.lon)))
        for p in places
        if wanted is None or p.kind in wanted
    ]
    found.sort(key=lambda n: (n.place.state == "closed", n.distance_m, n.place.id))
    return found[:limit] if limit is not None else found


def route_url(lat: float, lon: float, label: str, mobile: bool) -> str:
    """A link that opens the platform's maps: `geo:` on phones, OpenStreetMap directions
    elsewhere."""
    if mobile:
        from urllib.parse import quote

        return f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}({quote(label)})"
    return (
        "https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot"
        f"&route=%3B{lat:.6f}%2C{lon:.6f}#map=16/{lat:.6f}/{lon:.6f}"
    )


@dataclass(frozen=True)
class SavedPlace:
    """A saved address of the resident (home, work, ...) with its point when known."""

    key: str
    label: str
    text: str
    lat: float | None = None
    lon: float | None = None
    district: str | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        if self.lat is None or self.lon is None:
            return None
        return (self.lat, self.lon)
