"""Endpoints of the resident's profile: personal data, preferences, addresses, phone change."""

from __future__ import annotations

from typing import Any

from app.data.services.api_client import API_PREFIX, ApiClient
from app.data.services.auth_api import OtpRequested

PROFILE = f"{API_PREFIX}/profile"


class ProfileApi:
    def __init__(self, api: ApiClient) -> None:
        self._api = api

    async def get(self) -> dict[str, Any]:
        data: dict[str, Any] = await self._api.get_json(PROFILE)
        return data

    async def patch(self, fields: dict[str, Any]) -> dict[str, Any]:
        response = await self._api.request("PATCH", PROFILE, json=fields)
        data: dict[str, Any] = response.json()
        return data

    async def add_address(self, body: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = await self._api.post_json(f"{PROFILE}/addresses", body)
        return data

    async def edit_address(self, address_id: int, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._api.request("PUT", f"{PROFILE}/addresses/{address_id}", json=body)
        data: dict[str, Any] = response.json()
        return data

    async def delete_address(self, address_id: int) -> None:
        await self._api.request("DELETE", f"{PROFILE}/addresses/{address_id}")

    async def request_phone_change(self, phone: str) -> OtpRequested:
        data = await self._api.post_json(f"{PROFILE}/phone/request", {"phone": phone})
        return OtpRequested.from_json(data)

    async def verify_phone_change(self, phone: str, code: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._api.post_json(
            f"{PROFILE}/phone/verify", {"phone": phone, "code": code}
        )
        return data
