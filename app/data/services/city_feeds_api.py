"""Endpoints of emergency alerts, the emergency map (places bundle, contacts) and notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.data.services.api_client import API_PREFIX, ApiClient


@dataclass(frozen=True)
class BundleReply:
    """`data` is None when the server said 304 (the cached bundle is current)."""

    data: dict[str, Any] | None
    etag: str | None


class CityFeedsApi:
    def __init__(self, api: ApiClient) -> None:
        self._api = api

    # -- alerts ----------------------------------------------------------------------------

    async def current_alerts(self) -> list[dict[str, Any]]:
        data = await self._api.get_json(f"{API_PREFIX}/alerts")
        return list((data or {}).get("items") or [])

    async def alert(self, identifier: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._api.get_json(f"{API_PREFIX}/alerts/{identifier}")
        return data

    async def report_position(self, lat: float, lon: float, accuracy_m: float | None) -> None:
        body = {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}
        await self._api.post_json(f"{API_PREFIX}/profile/position", body)

    async def forget_position(self) -> None:
        """The resident turned sharing off: the server drops the last position it was sent."""
        await self._api.request("DELETE", f"{API_PREFIX}/profile/position")

    # -- places and contacts (public) -------------------------------------------------------

    async def places_bundle(self, etag: str | None) -> BundleReply:
        headers = {"If-None-Match": etag} if etag else None
        response = await self._api.request(
            "GET", f"{API_PREFIX}/places/bundle", auth=False, headers=headers
        )
        new_etag = response.headers.get("ETag")
        if response.status_code == 304:
            return BundleReply(None, new_etag or etag)
        return BundleReply(response.json(), new_etag)

    # -- notices ----------------------------------------------------------------------------

    async def notices(
        self, scope: str, *, before_id: int | None = None, limit: int = 100
    ) -> tuple[list[dict[str, Any]], int | None]:
        params: dict[str, Any] = {"scope": scope, "limit": limit}
        if before_id:
            params["before_id"] = before_id
        data = await self._api.get_json(f"{API_PREFIX}/notices", params=params) or {}
        return list(data.get("items") or []), data.get("next_before_id")

    async def notice_topics(self) -> list[dict[str, Any]]:
        return list(await self._api.get_json(f"{API_PREFIX}/notices/topics") or [])

    async def notice_districts(self) -> list[dict[str, Any]]:
        return list(await self._api.get_json(f"{API_PREFIX}/notices/districts") or [])

    # -- profile parts this feature reads and writes -----------------------------------------

    async def profile(self) -> dict[str, Any]:
        data: dict[str, Any] = await self._api.get_json(f"{API_PREFIX}/profile")
        return data

    async def save_notice_prefs(self, districts: list[str], topics: list[str]) -> dict[str, Any]:
        response = await self._api.request(
            "PATCH",
            f"{API_PREFIX}/profile",
            json={"notify_districts": districts, "notify_topics": topics},
        )
        data: dict[str, Any] = response.json()
        return data
