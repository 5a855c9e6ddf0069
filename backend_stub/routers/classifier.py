"""The official classifier (Appendix 4) for clients to cache, and category suggestion."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel

from backend_stub import classifier

router = APIRouter(prefix="/api/v1/classifier", tags=["classifier"])


class SuggestionOut(BaseModel):
    subclass_code: str
    class_code: str
    name_kk: str
    name_ru: str
    score: float


@router.get("", responses={304: {"description": "the cached version is current"}})
def get_classifier(
    response: Response, if_none_match: Annotated[str | None, Header()] = None
) -> Any:
    """The whole classifier with its version; send the version back as If-None-Match."""
    data = classifier.load_classifier()
    etag = f'"{data.version}"'
    if if_none_match == etag:
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=3600"
    return classifier.raw_data()


@router.get("/suggest", response_model=list[SuggestionOut])
def suggest(
    text: Annotated[str, Query(min_length=1, max_length=4000)],
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
) -> list[SuggestionOut]:
    """Ranked subclasses for a free text in Kazakh or Russian; the resident confirms one."""
    data = classifier.load_classifier()
    out = []
    for s in classifier.suggest(text, limit=limit):
        sub = data.subclass(s.subclass_code)
        out.append(
            SuggestionOut(
                subclass_code=sub.code,
                class_code=data.class_of(sub.code).code,
                name_kk=sub.name_kk,
                name_ru=sub.name_ru,
                score=round(s.score, 3),
            )
        )
    return out
