"""Emergency alerts (CAP 1.2 as the backend sends it), the emergency map's places and contacts,
and notices — as the app keeps them. Plain data and pure functions: parsing the server's JSON,
whether a point lies in an alert's area, distances, and how an Update or a Cancel changes what
is in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from geopy.distance import distance as geodesic

Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Tone = Literal["red", "orange", "yellow", "blue"]
AlertState = Literal["active", "expired", "superseded", "cancelled"]
PlaceKind = Literal["shelter", "accommodation", "medical"]
PLACE_KINDS: tuple[PlaceKind, ...] = ("shelter", "accommodation", "medical")

SEVERITY_TONE: dict[str, Tone] = {
    "Extreme": "red",
    "Severe": "red",
    "Moderate": "orange",
    "Minor": "yellow",
    "Unknown": "blue",
}
SEVERITY_RANK: dict[str, int] = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1}


def severity_tone(severity: str) -> Tone:
    """The banner colour of a CAP severity: Extreme/Severe red, Moderate orange, Minor yellow,
    anything else blue."""
    return SEVERITY_TONE.get(severity, "blue")


def parse_time(value: Any) -> datetime | None:
    """An ISO datetime from the server; naive ones are UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _time(value: Any) -> datetime:
    moment = parse_time(value)
    if moment is None:
        raise ValueError("a datetime is required")
    return moment


def _lang(lang: str) -> str:
    return "ru" if lang == "ru" else "kk"


def _kk_ru(data: dict[str, Any], name: str) -> dict[str, str]:
    """A text the server sends as `{name}_kk` / `{name}_ru`, as `{"kk": ..., "ru": ...}`."""
    return {lang: str(data.get(f"{name}_{lang}") or "") for lang in ("kk", "ru")}


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lat, lon) points."""
    return float(geodesic(a, b).m)


def point_in_ring(lat: float, lon: float, ring: Sequence[tuple[float, float]]) -> bool:
    """Ray casting on (lat, lon) pairs; fine at a city's scale."""
    inside = False
    n = len(ring)
    if n < 3:
        return False
    j = n - 1
    for i in range(n):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat):
            x_cross = (xj - xi) * (lat - yi) / ((yj - yi) or 1e-12) + xi
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


# ---------------------------------------------------------------- alerts


@dataclass(frozen=True)
class Circle:
    lat: float
    lon: float
    radius_km: float

    def contains(self, lat: float, lon: float) -> bool:
        return distance_m((self.lat, self.lon), (lat, lon)) <= self.radius_km * 1000


@dataclass(frozen=True)
class AlertArea:
    desc: dict[str, str]
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()
    circles: tuple[Circle, ...] = ()
    districts: tuple[str, ...] = ()

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies in one of the area's polygons or circles (districts are
        names only: the server decides about those)."""
        return any(point_in_ring(lat, lon, ring) for ring in self.polygons) or any(
            c.contains(lat, lon) for c in self.circles
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertArea:
        return cls(
            desc={str(k): str(v) for k, v in (data.get("desc") or {}).items()},
            polygons=tuple(
                tuple((float(p[0]), float(p[1])) for p in ring)
                for ring in data.get("polygons") or ()
            ),
            circles=tuple(
                Circle(float(c["lat"]), float(c["lon"]), float(c["radius_km"]))
                for c in data.get("circles") or ()
            ),
            districts=tuple(str(d) for d in data.get("districts") or ()),
        )


@dataclass(frozen=True)
class AlertText:
    event: str
    headline: str
    description: str
    instruction: str
    sender_name: str = ""
    contact: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertText:
        return cls(
            event=str(data.get("event") or ""),
            headline=str(data.get("headline") or ""),
            description=str(data.get("description") or ""),
            instruction=str(data.get("instruction") or ""),
            sender_name=str(data.get("sender_name") or ""),
            contact=data.get("contact"),
        )


def referenced_identifiers(references: Iterable[str]) -> tuple[str, ...]:
    """CAP references are "sender,identifier,sent"; the identifiers they name."""
    out: list[str] = []
    for ref in references:
        parts = ref.split(",")
        ident = parts[1] if len(parts) >= 3 else ref
        ident = ident.strip()
        if ident and ident not in out:
            out.append(ident)
    return tuple(out)


@dataclass(frozen=True)
class Alert:
    """One CAP message. `state` is as the server last said, corrected locally by later
    messages that reference this one (see `apply_messages`)."""

    identifier: str
    sent: datetime
    msg_type: str  # Alert | Update | Cancel
    status: str  # Actual | Exercise
    severity: str
    urgency: str
    certainty: str
    expires: datetime
    texts: dict[str, AlertText]
    areas: tuple[AlertArea, ...]
    state: AlertState = "active"
    exercise: bool = False
    references: tuple[str, ...] = ()  # identifiers of the earlier messages of this alert
    superseded_by: str | None = None
    effective: datetime | None = None
    onset: datetime | None = None
    note: str | None = None
    category: tuple[str, ...] = ()
    response_type: tuple[str, ...] = ()
    web: str | None = None
    reasons: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        state = str(data.get("state") or "active")
        return cls(
            identifier=str(data["identifier"]),
            sent=_time(data["sent"]),
            msg_type=str(data.get("msg_type") or "Alert"),
            status=str(data.get("status") or "Actual"),
            severity=str(data.get("severity") or "Unknown"),
            urgency=str(data.get("urgency") or "Unknown"),
            certainty=str(data.get("certainty") or "Unknown"),
            expires=_time(data["expires"]),
            texts={_lang(k): AlertText.from_json(v) for k, v in (data.get("texts") or {}).items()},
            areas=tuple(AlertArea.from_json(a) for a in data.get("areas") or ()),
            state=state if state in ("active", "expired", "superseded", "cancelled") else "active",  # type: ignore[arg-type]
            exercise=bool(data.get("exercise")) or data.get("status") == "Exercise",
            references=referenced_identifiers(data.get("references") or ()),
            superseded_by=data.get("superseded_by"),
            effective=parse_time(data.get("effective")),
            onset=parse_time(data.get("onset")),
            note=data.get("note"),
            category=tuple(data.get("category") or ()),
            response_type=tuple(data.get("response_type") or ()),
            web=data.get("web"),
            reasons=tuple(data.get("reasons") or ()),
            raw=dict(data),
        )

    def text(self, lang: str) -> AlertText:
        """The info block in the resident's language (the other one if it is missing)."""
        lang = _lang(lang)
        other = "kk" if lang == "ru" else "ru"
        found = self.texts.get(lang) or self.texts.get(other)
        return found or AlertText("", self.identifier, "", "")

    def area_desc(self, lang: str) -> str:
        lang = _lang(lang)
        return "; ".join(
            a.desc.get(lang) or next(iter(a.desc.values()), "") for a in self.areas if a.desc
        )

    @property
    def tone(self) -> Tone:
        return severity_tone(self.severity)

    @property
    def cancelled(self) -> bool:
        return self.msg_type == "Cancel" or self.state == "cancelled"

    def in_force(self, now: datetime) -> bool:
        """Shown as a current alert: not replaced, not withdrawn, not expired."""
        return self.state == "active" and self.msg_type != "Cancel" and self.expires > now

    def covers(self, lat: float, lon: float) -> bool:
        return any(area.contains(lat, lon) for area in self.areas)


def apply_messages(known: dict[str, Alert], incoming: Iterable[Alert]) -> dict[str, Alert]:
    """Merge new CAP messages into the known ones (by identifier), whatever their order.

    An Update supersedes every message it references; a Cancel withdraws them (and is itself
    kept, as the record that the alert was withdrawn). A message that a later one references
    never comes back to life when an older copy of it arrives afterwards.
    """
    merged = dict(known)
    for alert in incoming:
        merged[alert.identifier] = alert
    # Who references whom, from every message we know.
    superseded: dict[str, Alert] = {}
    for alert in merged.values():
        for ref in alert.references:
            previous = superseded.get(ref)
            if previous is None or alert.sent >= previous.sent:
                superseded[ref] = alert
    for ident, later in superseded.items():
        old = merged.get(ident)
        if old is None:
            continue
        if later.msg_type == "Cancel":
            if old.state != "cancelled":
                merged[ident] = replace(old, state="cancelled", superseded_by=later.identifier)
        elif old.state in ("active", "expired"):
            merged[ident] = replace(old, state="superseded", superseded_by=later.identifier)
    # A chain that ended in a Cancel: every message of it is withdrawn.
    for alert in list(merged.values()):
        if alert.msg_type == "Cancel" and alert.state != "cancelled":
            merged[alert.identifier] = replace(alert, state="cancelled")
    return merged


def current_alerts(alerts: Iterable[Alert], now: datetime) -> list[Alert]:
    """In force now, most severe first, then newest."""
    live = [a for a in alerts if a.in_force(now)]
    return sorted(live, key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), -a.sent.timestamp()))


def recent_alerts(alerts: Iterable[Alert], now: datetime, days: float = 7) -> list[Alert]:
    """Ended lately (expired, or withdrawn — shown by their Cancel message), newest first."""
    horizon = now.timestamp() - days * 86400
    out: list[Alert] = []
    for a in alerts:
        if a.state == "superseded":
            continue
        if a.msg_type == "Cancel":
            if a.sent.timestamp() >= horizon:
                out.append(a)
        elif a.state != "cancelled" and a.expires <= now and a.expires.timestamp() >= horizon:
            out.append(a)
    return sorted(out, key=lambda a: -max(a.sent, min(a.expires, now)).timestamp())


# ---------------------------------------------------------------- places and contacts


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
            name=_kk_ru(data, "name"),
            address=_kk_ru(data, "address"),
            lat=float(data["lat"]),
            lon=float(data["lon"]),
            capacity=data.get("capacity"),
            phone=data.get("phone"),
            state=str(data.get("state") or "open"),
            hours=_kk_ru(data, "hours"),
        )

    def name_in(self, lang: str) -> str:
        return self.name.get(_lang(lang)) or self.name.get("kk") or ""

    def address_in(self, lang: str) -> str:
        return self.address.get(_lang(lang)) or self.address.get("kk") or ""

    def hours_in(self, lang: str) -> str:
        return self.hours.get(_lang(lang)) or ""


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
            name=_kk_ru(data, "name"),
            description=_kk_ru(data, "description"),
        )

    def name_in(self, lang: str) -> str:
        return self.name.get(_lang(lang)) or self.name.get("kk") or self.number

    def description_in(self, lang: str) -> str:
        return self.description.get(_lang(lang)) or ""


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


# ---------------------------------------------------------------- notices


@dataclass(frozen=True)
class NoticeArea:
    lat: float
    lon: float
    radius_m: int


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str  # planned | emergency | event
    topic: str
    title: dict[str, str]
    body: dict[str, str]
    districts: tuple[str, ...]
    area: NoticeArea | None
    city_wide: bool
    starts_at: datetime
    ends_at: datetime | None
    state: str  # published | withdrawn
    updated_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notice:
        area = data.get("area")
        return cls(
            id=int(data["id"]),
            kind=str(data.get("kind") or "planned"),
            topic=str(data.get("topic") or "other"),
            title=_kk_ru(data, "title"),
            body=_kk_ru(data, "body"),
            districts=tuple(str(d) for d in data.get("districts") or ()),
            area=NoticeArea(float(area["lat"]), float(area["lon"]), int(area["radius_m"]))
            if area
            else None,
            city_wide=bool(data.get("city_wide")),
            starts_at=_time(data["starts_at"]),
            ends_at=parse_time(data.get("ends_at")),
            state=str(data.get("state") or "published"),
            updated_at=_time(data.get("updated_at") or data["starts_at"]),
        )

    def title_in(self, lang: str) -> str:
        return self.title.get(_lang(lang)) or self.title.get("kk") or ""

    def body_in(self, lang: str) -> str:
        return self.body.get(_lang(lang)) or self.body.get("kk") or ""

    def active(self, now: datetime) -> bool:
        return self.state == "published" and (self.ends_at is None or self.ends_at > now)

    def touches(self, districts: Iterable[str], points: Iterable[tuple[float, float]]) -> bool:
        """Whether the notice concerns this territory: city-wide, one of the districts, or
        its area around one of the points."""
        if self.city_wide:
            return True
        wanted = set(districts)
        if wanted & set(self.districts):
            return True
        if self.area is not None:
            centre = (self.area.lat, self.area.lon)
            return any(distance_m(centre, p) <= self.area.radius_m for p in points)
        return False


@dataclass(frozen=True)
class NoticeFilter:
    """The resident's choice: districts and topics (empty = all)."""

    districts: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def matches(
        self,
        notice: Notice,
        *,
        extra_districts: Iterable[str] = (),
        points: Sequence[tuple[float, float]] = (),
    ) -> bool:
        if self.topics and notice.topic not in self.topics:
            return False
        territory = set(self.districts) | set(extra_districts)
        if not territory and not points:
            return True
        return notice.touches(territory, points)


@dataclass(frozen=True)
class NamedCode:
    code: str
    name: dict[str, str]

    def name_in(self, lang: str) -> str:
        return self.name.get(_lang(lang)) or self.code

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NamedCode:
        return cls(
            code=str(data["code"]),
            name=_kk_ru(data, "name"),
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
