"""The two failures every layer may meet when talking to the server: the server said no
(`ApiError`, with its code and a message in the asked language), or nothing we trust answered
(`NetworkError`). View models and the sync engine catch these without importing the HTTP
adapter."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """The server answered with an error. `message` is in the language that was asked for."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str = "",
        retry_after: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.details = details or {}

    def __repr__(self) -> str:
        return f"ApiError(status={self.status}, code={self.code!r}, retry_after={self.retry_after})"


class NetworkError(Exception):
    """The server could not be reached (offline, DNS, refused, timeout), or what answered was
    not our API (a captive portal, a proxy's error page)."""
