"""Endpoints of public participation: polls, initiatives, proposals. Answers are the server's
JSON (the repository parses and stores them)."""

from __future__ import annotations

from typing import Any, Literal

from app.data.services.api_client import API_PREFIX, ApiClient
from app.domain.participation import ProposalCategory

PollScope = Literal["open", "closed", "upcoming"]
Json = dict[str, Any]


class ParticipationApi:
    def __init__(self, api: ApiClient) -> None:
        self._api = api

    # -- polls ---------------------------------------------------------------------------------

    async def polls(self, scope: PollScope = "open") -> list[Json]:
        data = await self._api.get_json(f"{API_PREFIX}/polls", params={"scope": scope})
        return list(data or ())

    async def poll(self, poll_id: int) -> Json:
        data: Json = await self._api.get_json(f"{API_PREFIX}/polls/{poll_id}")
        return data

    async def vote(self, poll_id: int, option_ids: list[int], client_id: str) -> Json:
        """Idempotent by `client_id` (the same choice again answers as before)."""
        body = {"option_ids": option_ids, "client_id": client_id}
        data: Json = await self._api.post_json(f"{API_PREFIX}/polls/{poll_id}/vote", body)
        return data

    # -- initiatives ---------------------------------------------------------------------------

    async def initiatives(self) -> list[Json]:
        return list(await self._api.get_json(f"{API_PREFIX}/initiatives") or ())

    async def set_initiative_support(self, initiative_id: int, support: bool) -> Json:
        """Supporting twice (or withdrawing twice) is a harmless retry on the server."""
        method = "POST" if support else "DELETE"
        response = await self._api.request(
            method, f"{API_PREFIX}/initiatives/{initiative_id}/support"
        )
        data: Json = response.json()
        return data

    # -- proposals -----------------------------------------------------------------------------

    async def categories(self) -> list[ProposalCategory]:
        data = await self._api.get_json(f"{API_PREFIX}/proposals/categories", auth=False)
        return [ProposalCategory(c["code"], c["name_kk"], c["name_ru"]) for c in data or ()]

    async def proposals(
        self, *, mine: bool = False, before_id: int | None = None, limit: int = 50
    ) -> tuple[list[Json], int | None]:
        params: dict[str, Any] = {"limit": limit}
        if mine:
            params["mine"] = "true"
        if before_id is not None:
            params["before_id"] = before_id
        data = await self._api.get_json(f"{API_PREFIX}/proposals", params=params) or {}
        return list(data.get("items") or ()), data.get("next_before_id")

    async def create_proposal(self, body: Json) -> Json:
        """Idempotent by `body["client_id"]`."""
        data: Json = await self._api.post_json(f"{API_PREFIX}/proposals", body)
        return data

    @staticmethod
    def photo_url(proposal_id: int, media_id: str) -> str:
        """Where a proposal's photo is read (with the resident's token), as the server says."""
        return f"{API_PREFIX}/proposals/{proposal_id}/photos/{media_id}"

    async def set_proposal_support(self, proposal_id: int, support: bool) -> Json:
        method = "POST" if support else "DELETE"
        response = await self._api.request(method, f"{API_PREFIX}/proposals/{proposal_id}/support")
        data: Json = response.json()
        return data
