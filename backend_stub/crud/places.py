"""The emergency map: places (shelters, accommodation and medical points), emergency contacts,
and the versioned offline bundle of both.

The bundle's version is a hash of its content, so any change to a place changes it; every write
also adds a public feed event (entity "places_bundle", id = the new version) so apps refresh.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from backend_stub.crud import feed
from backend_stub.crud.records import get_or_404
from backend_stub.errors import ApiError
from backend_stub.geo import distance_m, district_for
from backend_stub.models import Place, utcnow
from backend_stub.schemas.places import PlaceIn, PlaceStateIn
from backend_stub.text import clean_text

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CONTACTS_FILE = DATA_DIR / "contacts.json"
FEED_ENTITY = "places_bundle"


@lru_cache(maxsize=1)
def contacts() -> tuple[dict[str, Any], ...]:
    """The emergency and city contacts, as stored in `data/contacts.json`."""
    data = json.loads(CONTACTS_FILE.read_text(encoding="utf-8"))
    return tuple(data["contacts"])


def parse_near(text: str) -> tuple[float, float]:
    """ "lat,lon" → floats, or 422 `invalid_near`."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise ApiError(422, "invalid_near") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ApiError(422, "invalid_near")
    return lat, lon


def _clean(data: PlaceIn) -> dict[str, Any]:
    """Texts trimmed and checked, the point inside the city; 422 otherwise."""
    if district_for(data.lat, data.lon) is None:
        raise ApiError(422, "outside_city", details={"field": "lat"})
    values = data.model_dump()
    for name, limit in (
        ("name_kk", 200),
        ("name_ru", 200),
        ("address_kk", 300),
        ("address_ru", 300),
    ):
        values[name] = clean_text(values[name], max_len=limit, field=name)
    for name in ("hours_kk", "hours_ru"):
        values[name] = clean_text(values[name], max_len=200, min_len=0, field=name)
    if values["phone"] is not None:
        values["phone"] = " ".join(values["phone"].split()) or None
    return values


def _changed(db: Session, *, place: Place) -> None:
    place.updated_at = utcnow()
    db.add(place)
    db.flush()
    feed.record(db, user_id=None, entity=FEED_ENTITY, entity_id=bundle_version(db))


def create(db: Session, *, data: PlaceIn, external_ref: str | None = None) -> Place:
    place = Place(external_ref=external_ref, **_clean(data))
    _changed(db, place=place)
    return place


def create_many(db: Session, *, items: list[tuple[str, PlaceIn]]) -> list[Place]:
    """New places by (external_ref, content), with one feed event for the whole set."""
    places = [Place(external_ref=ref, **_clean(data)) for ref, data in items]
    if places:
        db.add_all(places)
        db.flush()
        feed.record(db, user_id=None, entity=FEED_ENTITY, entity_id=bundle_version(db))
    return places


def edit(db: Session, *, place: Place, data: PlaceIn) -> Place:
    for key, value in _clean(data).items():
        setattr(place, key, value)
    _changed(db, place=place)
    return place


def set_state(db: Session, *, place: Place, data: PlaceStateIn) -> Place:
    hours = {
        name: clean_text(value, max_len=200, min_len=0, field=name)
        for name, value in (("hours_kk", data.hours_kk), ("hours_ru", data.hours_ru))
        if value is not None
    }
    place.state = data.state
    for name, value in hours.items():
        setattr(place, name, value)
    _changed(db, place=place)
    return place


def get(db: Session, *, place_id: int) -> Place:
    return get_or_404(db, model=Place, key=place_id)


def external_refs(db: Session) -> set[str]:
    """The upstream ids of places that have one."""
    rows = db.exec(select(Place.external_ref).where(col(Place.external_ref).is_not(None)))
    return {ref for ref in rows if ref is not None}


def all_places(db: Session, *, kind: str | None = None) -> list[Place]:
    """Every place (of one kind), in id order."""
    query = select(Place)
    if kind:
        query = query.where(Place.kind == kind)
    return list(db.exec(query.order_by(col(Place.id))).all())


def nearby(
    db: Session, *, near: tuple[float, float] | None, kind: str | None, limit: int
) -> list[tuple[Place, float | None]]:
    """Places with their distance in metres, nearest first (all of them in id order, with no
    distance, without `near`)."""
    found = [
        (p, distance_m(near[0], near[1], p.lat, p.lon) if near else None)
        for p in all_places(db, kind=kind)
    ]
    if near:
        found.sort(key=lambda pair: (pair[1] or 0.0, pair[0].id or 0))
    return found[:limit]


def bundle_version(db: Session) -> str:
    """A hash of everything the offline bundle holds: the places as residents see them (not
    their upstream ids) and the contacts."""
    content = {
        "places": [
            p.model_dump(mode="json", exclude={"external_ref", "created_at"})
            for p in all_places(db)
        ],
        "contacts": list(contacts()),
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]
