"""What residents see of the emergency map: `PlaceOut`, places near a point, the contacts, the
versioned offline bundle of both, and the sync-feed row that tells apps to refetch it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from backend_stub.crud import places as crud
from backend_stub.models import Place, User
from backend_stub.schemas.places import ContactOut, PlaceNear, PlaceOut, PlacesBundle


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


def contacts_out() -> list[ContactOut]:
    return [ContactOut.model_validate(c) for c in crud.contacts()]


def nearby_out(
    db: Session, *, near: tuple[float, float] | None, kind: str | None, limit: int
) -> list[PlaceNear]:
    """Places nearest first with `distance_m` (all of them in id order without `near`)."""
    return [
        PlaceNear(**place_out(p).model_dump(), distance_m=None if d is None else round(d, 1))
        for p, d in crud.nearby(db, near=near, kind=kind, limit=limit)
    ]


def bundle_out(db: Session) -> PlacesBundle:
    return PlacesBundle(
        version=crud.bundle_version(db),
        places=[place_out(p) for p in crud.all_places(db)],
        contacts=contacts_out(),
    )


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """Sync loader: one item with the bundle's current version; the app refetches the bundle."""
    return [{"version": crud.bundle_version(db)}]
