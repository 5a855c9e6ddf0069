"""The resident's tokens in memory, shared by the API client (which sends and refreshes them)
and the auth repository (which persists them). Token values never appear in reprs or logs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class UserProfile:
    id: int
    phone: str
    full_name: str | None = None
    language: str | None = None
    role: str = "resident"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UserProfile:
        return cls(
            id=int(data["id"]),
            phone=str(data["phone"]),
            full_name=data.get("full_name"),
            language=data.get("language"),
            role=str(data.get("role") or "resident"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phone": self.phone,
            "full_name": self.full_name,
            "language": self.language,
            "role": self.role,
        }


@dataclass(frozen=True)
class TokenReply:
    """The body of a successful verify or refresh."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    user: UserProfile

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenReply:
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_in=int(data.get("expires_in") or 0),
            user=UserProfile.from_json(data["user"]),
        )

    def access_expires_at(self, now: datetime | None = None) -> datetime | None:
        if self.expires_in <= 0:
            return None
        return (now or datetime.now(UTC)) + timedelta(seconds=self.expires_in)


RefreshedHook = Callable[[TokenReply], Awaitable[None]]
LostHook = Callable[[], Awaitable[None]]


class TokenHolder:
    """Current access/refresh tokens. Hooks let the owner persist a refresh or react to a lost
    session (refresh token rejected)."""

    def __init__(self) -> None:
        self._access: str | None = None
        self._refresh: str | None = None
        self.on_refreshed: RefreshedHook | None = None
        self.on_lost: LostHook | None = None

    def __repr__(self) -> str:
        return f"TokenHolder(signed_in={self.has_tokens})"

    @property
    def access_token(self) -> str | None:
        return self._access

    @property
    def refresh_token(self) -> str | None:
        return self._refresh

    @property
    def has_tokens(self) -> bool:
        return self._access is not None

    def set(self, access_token: str | None, refresh_token: str | None) -> None:
        self._access = access_token
        self._refresh = refresh_token

    def clear(self) -> None:
        self.set(None, None)

    async def refreshed(self, reply: TokenReply) -> None:
        self.set(reply.access_token, reply.refresh_token)
        if self.on_refreshed is not None:
            await self.on_refreshed(reply)

    async def lost(self) -> None:
        self.clear()
        if self.on_lost is not None:
            await self.on_lost()
