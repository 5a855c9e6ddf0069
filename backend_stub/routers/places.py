"""The emergency map and contacts: public reads (no sign-in needed in an emergency), an offline
bundle with ETag, and operator writes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse

from backend_stub.crud import places as crud
from backend_stub.deps import CurrentOperator, DbDep
from backend_stub.presenters.idempotent import answer_once
from backend_stub.presenters.places import bundle_out, contacts_out, nearby_out, place_out
from backend_stub.schemas.common import IdPath
from backend_stub.schemas.places import (
    ContactOut,
    PlaceIn,
    PlaceKind,
    PlaceNear,
    PlaceOut,
    PlacesBundle,
    PlaceStateIn,
)

router = APIRouter(tags=["emergency map"])


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


@router.get("/api/v1/places", response_model=list[PlaceNear])
def list_places(
    db: DbDep,
    near: Annotated[
        str | None, Query(max_length=64, description='"lat,lon"', examples=["51.1282,71.4307"])
    ] = None,
    kind: PlaceKind | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[PlaceNear]:
    """Shelters, temporary accommodation and medical points, nearest first with `distance_m`."""
    point = crud.parse_near(near) if near is not None else None
    return nearby_out(db, near=point, kind=kind, limit=limit)


@router.get(
    "/api/v1/places/bundle",
    response_model=PlacesBundle,
    responses={304: {"description": "the cached bundle is current"}},
)
def places_bundle(
    db: DbDep,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Any:
    """Places and contacts for offline use. ETag = version; `If-None-Match` → 304."""
    data = bundle_out(db)
    etag = f'"{data.version}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return data


@router.get("/api/v1/contacts", response_model=list[ContactOut])
def contacts() -> list[ContactOut]:
    """Emergency numbers (112, 101, 102, 103, 104) and city services (109 and others)."""
    return contacts_out()


@router.post("/api/v1/operator/places", response_model=PlaceOut, status_code=201, tags=["operator"])
def create_place(
    body: PlaceIn,
    op: CurrentOperator,
    db: DbDep,
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
) -> JSONResponse:
    """Add a place. A retry with the same Idempotency-Key returns the first result."""
    assert op.id is not None

    return answer_once(
        db,
        user_id=op.id,
        key=key,
        scope="places.create",
        payload=body.model_dump(mode="json"),
        answer=lambda: place_out(crud.create(db, data=body)),
    )


@router.put("/api/v1/operator/places/{place_id}", response_model=PlaceOut, tags=["operator"])
def edit_place(place_id: IdPath, body: PlaceIn, op: CurrentOperator, db: DbDep) -> PlaceOut:
    place = crud.edit(db, place=crud.get(db, place_id=place_id), data=body)
    db.commit()
    return place_out(place)


@router.post("/api/v1/operator/places/{place_id}/state", response_model=PlaceOut, tags=["operator"])
def change_state(place_id: IdPath, body: PlaceStateIn, op: CurrentOperator, db: DbDep) -> PlaceOut:
    """Open, close or mark full (optionally with new hours text)."""
    place = crud.set_state(db, place=crud.get(db, place_id=place_id), data=body)
    db.commit()
    return place_out(place)
