"""Endpoints the new-appeal flow reads: the classifier (with its ETag), category suggestions,
similar appeals nearby, and the resident's profile (name and saved addresses).

Filing itself goes through the appeals repository and its outbox, never from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.data.services.api_client import API_PREFIX, ApiClient


@dataclass(frozen=True)
class ClassifierReply:
    """`body` is None when the server said 304 (what we have is current)."""

    etag: str | None
    body: dict[str, Any] | None


@dataclass(frozen=True)
class ServerSuggestion:
    subclass_code: str
    class_code: str
    name_kk: str
    name_ru: str
    score: float


@dataclass(frozen=True)
class SimilarAppeal:
    """An appeal of the same subclass filed within ~150 m in the last 24 hours."""

    id: int
    number: str
    subclass_code: str
    status: str
    address: str | None
    distance_m: float
    created_at: datetime | None
    repeat_count: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SimilarAppeal:
        created = data.get("created_at")
        try:
            created_at = datetime.fromisoformat(str(created)) if created else None
        except ValueError:
            created_at = None
        return cls(
            id=int(data["id"]),
            number=str(data.get("number") or data["id"]),
            subclass_code=str(data.get("subclass_code") or ""),
            status=str(data.get("status") or "created"),
            address=data.get("address"),
            distance_m=float(data.get("distance_m") or 0.0),
            created_at=created_at,
            repeat_count=int(data.get("repeat_count") or 0),
        )


class NewAppealApi:
    def __init__(self, api: ApiClient) -> None:
        self._api = api

    async def classifier(self, etag: str | None) -> ClassifierReply:
        headers = {"If-None-Match": etag} if etag else None
        response = await self._api.request(
            "GET", f"{API_PREFIX}/classifier", auth=False, headers=headers
        )
        new_etag = response.headers.get("ETag") or etag
        if response.status_code == 304:
            return ClassifierReply(new_etag, None)
        return ClassifierReply(new_etag, response.json())

    async def suggest(self, text: str, limit: int = 5) -> list[ServerSuggestion]:
        data = await self._api.get_json(
            f"{API_PREFIX}/classifier/suggest",
            params={"text": text[:4000], "limit": limit},
            auth=False,
        )
        return [
            ServerSuggestion(
                subclass_code=str(s["subclass_code"]),
                class_code=str(s.get("class_code") or ""),
                name_kk=str(s.get("name_kk") or ""),
                name_ru=str(s.get("name_ru") or ""),
                score=float(s.get("score") or 0),
            )
            for s in data or []
        ]

    async def similar(self, subclass_code: str, lat: float, lon: float) -> list[SimilarAppeal]:
        data = await self._api.get_json(
            f"{API_PREFIX}/appeals/similar",
            params={"subclass_code": subclass_code, "lat": lat, "lon": lon},
        )
        return [SimilarAppeal.from_json(a) for a in data or []]

    async def profile(self) -> dict[str, Any]:
        data = await self._api.get_json(f"{API_PREFIX}/profile")
        return data if isinstance(data, dict) else {}
