"""Notices of the city (planned works, accidents, events) as the app keeps them, the resident's
filter of them (districts, topics) and the named codes of their lists. Plain data and pure
functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.geo import distance_m
from app.domain.texts import in_lang, kk_ru, lang_code
from app.domain.timestamps import parse_time, required_time


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
            title=kk_ru(data, "title"),
            body=kk_ru(data, "body"),
            districts=tuple(str(d) for d in data.get("districts") or ()),
            area=NoticeArea(float(area["lat"]), float(area["lon"]), int(area["radius_m"]))
            if area
            else None,
            city_wide=bool(data.get("city_wide")),
            starts_at=required_time(data["starts_at"]),
            ends_at=parse_time(data.get("ends_at")),
            state=str(data.get("state") or "published"),
            updated_at=required_time(data.get("updated_at") or data["starts_at"]),
        )

    def title_in(self, lang: str) -> str:
        return in_lang(self.title, lang)

    def body_in(self, lang: str) -> str:
        return in_lang(self.body, lang)

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
        return self.name.get(lang_code(lang)) or self.code

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NamedCode:
        return cls(
            code=str(data["code"]),
            name=kk_ru(data, "name"),
        )
