"""Demo places of the emergency map (shelters, accommodation and medical points) from
`data/demo_places.json`, added once (found by their `ref`)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session

from backend_stub.crud import places as places_crud
from backend_stub.schemas.places import PlaceIn

DEMO_PLACES_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_places.json"


def seed_places(db: Session) -> int:
    """Add the demo places that are missing (one feed event for them all); returns how many.
    The caller commits."""
    specs = json.loads(DEMO_PLACES_FILE.read_text(encoding="utf-8"))["places"]
    known = places_crud.external_refs(db)
    missing = [(spec.pop("ref"), spec) for spec in specs if spec["ref"] not in known]
    items = [(ref, PlaceIn.model_validate(spec)) for ref, spec in missing]
    return len(places_crud.create_many(db, items=items))
