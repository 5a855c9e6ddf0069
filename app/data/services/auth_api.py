"""Sign-in endpoints: request an SMS code, verify it, sign out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.data.services.api_client import API_PREFIX, ApiClient
from app.data.services.tokens import TokenReply


@dataclass(frozen=True)
class OtpRequested:
    phone: str
    expires_in: int
    resend_in: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OtpRequested:
        return cls(
            phone=str(data["phone"]),
            expires_in=int(data.get("expires_in") or 0),
            resend_in=int(data.get("resend_in") or 0),
        )


class AuthApi:
    def __init__(self, api: ApiClient) -> None:
        self._api = api

    async def request_code(self, phone: str) -> OtpRequested:
        data = await self._api.post_json(
            f"{API_PREFIX}/auth/otp/request", {"phone": phone}, auth=False
        )
        return OtpRequested.from_json(data)

    async def verify_code(self, phone: str, code: str) -> TokenReply:
        data = await self._api.post_json(
            f"{API_PREFIX}/auth/otp/verify", {"phone": phone, "code": code}, auth=False
        )
        return TokenReply.from_json(data)

    async def logout(self, access_token: str | None = None) -> None:
        """End the current session on the server, or the one of `access_token`."""
        if access_token is None:
            await self._api.post_json(f"{API_PREFIX}/auth/logout")
            return
        await self._api.request(
            "POST",
            f"{API_PREFIX}/auth/logout",
            auth=False,
            headers={"Authorization": f"Bearer {access_token}"},
        )
