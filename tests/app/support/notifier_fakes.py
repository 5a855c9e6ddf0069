"""Fakes of the OS notifications: `FakeNotificationsService` stands in for flet-notifications'
`LocalNotifications` under `NativeNotifier` (what it was asked, and taps the OS would deliver);
`RecordingNotifier` is an `OsNotifier` that keeps what view models gave it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from app.data.services.notifications import OsNotice


@dataclass
class TapEvent:
    """What flet-notifications hands `on_tap`: the notification's payload."""

    payload: str


class FakeNotificationsService:
    """`grant`: the resident's answer to the permission dialog. `hang`: no Dart half (flet-web,
    the stock desktop client): calls are never answered. `channels`: the platform has Android
    channels (iOS refuses with "unsupported_platform")."""

    def __init__(self, *, grant: bool = True, hang: bool = False, channels: bool = True) -> None:
        self.grant = grant
        self.hang = hang
        self.has_channels = channels
        self.on_tap: Any = None
        self.permission_asks = 0
        self.channels: list[Any] = []
        self.shown: list[dict[str, Any]] = []

    async def _answer(self) -> None:
        if self.hang:
            await asyncio.Event().wait()

    async def request_permissions(self) -> bool:
        self.permission_asks += 1
        await self._answer()
        return self.grant

    async def create_notification_channel(self, channel: Any) -> None:
        await self._answer()
        if not self.has_channels:
            from flet_notifications import NotificationError

            raise NotificationError("unsupported_platform", "channels are Android-only")
        self.channels.append(channel)

    async def show(self, id: int, title: str, body: str, payload: str, **details: Any) -> None:
        await self._answer()
        self.shown.append({"id": id, "title": title, "body": body, "payload": payload, **details})

    async def tap(self, payload: str) -> None:
        """The resident taps a notification carrying `payload`."""
        await self.on_tap(TapEvent(payload))


class RecordingNotifier:
    """An `OsNotifier` that keeps what it was given; `grant` answers `ask_permission`."""

    def __init__(self, *, grant: bool = True) -> None:
        self.grant = grant
        self.started = 0
        self.asked = 0
        self.shown: list[OsNotice] = []

    async def start(self) -> None:
        self.started += 1

    async def ask_permission(self) -> bool:
        self.asked += 1
        return self.grant

    async def show(self, notice: OsNotice) -> None:
        self.shown.append(notice)
