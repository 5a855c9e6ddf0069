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
from backend_stub.errors import ApiError
from backend_stub.geo import distance_m, district_for
from backend_stub.models import Place, User, utcnow
from backend_stub.schemas.places import (
    ContactOut,
    PlaceIn,
    PlaceNear,
    PlaceOut,
    PlacesBundle,
    PlaceStateIn,
)
from backend_stub.text import clean_text

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CONTACTS_FILE = DATA_DIR / "contacts.json"
DEMO_PLACES_FILE = DATA_DIR / "demo_places.json"
FEED_ENTITY = "places_bundle"


@lru_cache(maxsize=1)
def contacts() -> tuple[ContactOut, ...]:
    data = json.loads(CONTACTS_FILE.read_text(encoding="utf-8"))
    return tuple(ContactOut.model_validate(c) for c in data["contacts"])


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


def _changed(db: Session, place: Place) -> None:
    place.updated_at = utcnow()
    db.add(place)
    db.flush()
    feed.record(db, None, FEED_ENTITY, bundle(db).version)


def create(db: Session, data: PlaceIn, *, external_ref: str | None = None) -> Place:
    place = Place(external_ref=external_ref, **_clean(data))
    _changed(db, place)
    return place


def edit(db: Session, place: Place, data: PlaceIn) -> Place:
    for key, value in _clean(data).items():
        setattr(place, key, value)
    _changed(db, place)
    return place


def set_state(db: Session, place: Place, data: PlaceStateIn) -> Place:
    hours = {
        name: clean_text(value, max_len=200, min_len=0, field=name)
        for name, value in (("hours_kk", data.hours_kk), ("hours_ru", data.hours_ru))
        if value is not None
    }
    place.state = data.state
    for name, value in hours.items():
        setattr(place, name, value)
    _changed(db, place)
    return place


def get(db: Session, place_id: int) -> Place:
    place = db.get(Place, place_id)
    if place is None:
        raise ApiError(404, "not_found")
    return place


def place_out(place: Place) -> PlaceOut:
    assert place.id is not None
    return PlaceOut(
        id=place.id,
        kind=place.kind,
        name_kk=place.name_kk,
        name_ru=place.name_ru,
        address_kk=place.address_kk,
        address_ru=place.address_ru,
        lat=place.lat,
        lon=place.lon,
        capacity=place.capacity,
        phone=place.phone,
        state=place.state,
        hours_kk=place.hours_kk,
        hours_ru=place.hours_ru,
        updated_at=place.updated_at,
    )


def nearby(
    db: Session, near: tuple[float, float] | None, kind: str | None, limit: int
) -> list[PlaceNear]:
    """Places nearest first (all of them in id order without `near`)."""
    query = select(Place)
    if kind:
        query = query.where(Place.kind == kind)
    rows = db.exec(query.order_by(col(Place.id))).all()
    found = [(p, distance_m(near[0], near[1], p.lat, p.lon) if near else None) for p in rows]
    if near:
        found.sort(key=lambda pair: (pair[1] or 0.0, pair[0].id or 0))
    return [
        PlaceNear(**place_out(p).model_dump(), distance_m=None if d is None else round(d, 1))
        for p, d in found[:limit]
    ]


def bundle(db: Session) -> PlacesBundle:
    places = [place_out(p) for p in db.exec(select(Place).order_by(col(Place.id))).all()]
    content = {
        "places": [p.model_dump(mode="json") for p in places],
        "contacts": [c.model_dump(mode="json") for c in contacts()],
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    version = hashlib.sha256(canonical.encode()).hexdigest()[:20]
    return PlacesBundle(version=version, places=places, contacts=list(contacts()))


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """Sync loader: one item with the bundle's current version; the app refetches the bundle."""
    return [{"version": bundle(db).version}]


def seed_places(db: Session) -> int:
    """Add the demo places that are missing (found by external_ref); returns how many."""
    specs = json.loads(DEMO_PLACES_FILE.read_text(encoding="utf-8"))["places"]
    known = set(db.exec(select(Place.external_ref).where(col(Place.external_ref).is_not(None))))
    added = 0
    for spec in specs:
        ref = spec.pop("ref")
        if ref in known:
            continue
        db.add(Place(external_ref=ref, **_clean(PlaceIn.model_validate(spec))))
        added += 1
    if added:
        db.flush()
        feed.record(db, None, FEED_ENTITY, bundle(db).version)  # one refresh for the whole set
        db.commit()
    return added
