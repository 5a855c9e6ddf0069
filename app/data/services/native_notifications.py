"""`NativeNotifier`: OS notifications on phones through flet-notifications (`LocalNotifications`,
a Flet service over flutter_local_notifications; its Dart half is built into the phone app).

- The service is created by `start()` on the page's event loop (services register with the current
  page). The session starts it when the resident is signed in, so iOS, which asks for permission
  when the service initialises, never asks at first launch; Android 13+ asks in `ask_permission()`,
  right after sign-in. Refused: nothing is shown by the OS, the in-app banner still is, and the
  resident is not asked again in this session.
- Each notice goes to its channel (created with its name in the resident's language, Android only);
  the payload is the notice's route, and a tap opens it (`open_route`) — also a tap that started
  the app, which the plugin replays when the service starts.
- Every call has a time limit: with no Dart half (flet-web, `flet run` with the stock client) the
  plugin's calls are never answered, and a notification must not hang whoever shows it.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Callable
from typing import Any, Protocol

from app.data.services.notifications import (
    CHANNEL_NAMES,
    Channel,
    OsNotice,
    RouteOpener,
    openable,
)

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 10.0
PERMISSION_TIMEOUT_S = 300.0  # the resident reads the system dialog
CHANNEL_PREFIX = "kz109_"
HIGH_IMPORTANCE: frozenset[Channel] = frozenset({"urgent_alerts"})


class NotificationsService(Protocol):
    """What is used of `flet_notifications.LocalNotifications` (tests give a fake)."""

    on_tap: Any

    async def request_permissions(self) -> bool: ...

    async def create_notification_channel(self, channel: Any) -> None: ...

    async def show(self, id: int, title: str, body: str, payload: str, **details: Any) -> None: ...


def notification_id(route: str) -> int:
    """The same route → the same id: a newer notice replaces the older one in the tray."""
    return zlib.crc32(route.encode()) & 0x7FFFFFFF


def _local_notifications() -> NotificationsService:
    from flet_notifications import LocalNotifications

    service: NotificationsService = LocalNotifications(app_name="109")
    return service


class NativeNotifier:
    def __init__(
        self,
        open_route: RouteOpener,
        channel_name: Callable[[Channel], str] | None = None,
        *,
        factory: Callable[[], NotificationsService] = _local_notifications,
        timeout: float = CALL_TIMEOUT_S,
    ) -> None:
        self._open_route = open_route
        self._channel_name = channel_name or CHANNEL_NAMES.__getitem__
        self._factory = factory
        self._timeout = timeout
        # kept referenced: an unreferenced service is dropped
        self._service: NotificationsService | None = None
        self._channels: dict[Channel, str] = {}  # created, with the name they were given
        self.allowed: bool | None = None  # None: not asked in this session

    async def start(self) -> None:
        if self._service is not None:
            return
        try:
            service = self._factory()
        except Exception as exc:
            log.warning("notifications unavailable: %r", exc)
            return
        service.on_tap = self._on_tap
        self._service = service

    async def ask_permission(self) -> bool:
        await self.start()
        if self._service is None:
            return False
        if self.allowed is not None:
            return self.allowed
        try:
            granted = await asyncio.wait_for(
                self._service.request_permissions(), PERMISSION_TIMEOUT_S
            )
        except Exception as exc:
            log.warning("notification permission not asked: %r", exc)
            granted = False
        self.allowed = bool(granted)
        if not self.allowed:
            log.info("notifications refused: the in-app banner only")
        return self.allowed

    async def show(self, notice: OsNotice) -> None:
        service = self._service
        if service is None or self.allowed is False:
            return  # not started (never signed in this session) or refused: in-app banner only
        try:
            channel_id = await self._channel(service, notice.channel)
            await asyncio.wait_for(
                service.show(
                    notification_id(notice.route),
                    notice.title,
                    notice.body,
                    notice.route,
                    channel_id=channel_id,
                    style=_big_text(notice.body),
                ),
                self._timeout,
            )
        except Exception as exc:  # never let a notification break the app
            log.info("OS notification failed: %r", exc)

    async def _channel(self, service: NotificationsService, channel: Channel) -> str:
        """The channel's id, created (or renamed: the language changed) first. Platforms
        without channels (iOS) refuse once and are not asked again."""
        channel_id = CHANNEL_PREFIX + channel
        name = self._channel_name(channel)
        if self._channels.get(channel) == name:
            return channel_id
        try:
            await asyncio.wait_for(
                service.create_notification_channel(_android_channel(channel_id, name, channel)),
                self._timeout,
            )
        except Exception as exc:
            if getattr(exc, "code", None) != "unsupported_platform":
                raise
        self._channels[channel] = name
        return channel_id

    async def _on_tap(self, e: Any) -> None:
        route = str(getattr(e, "payload", "") or "")
        if not openable(route):
            log.info("notification tap with an unknown payload ignored")
            return
        await self._open_route(route)


def _android_channel(channel_id: str, name: str, channel: Channel) -> Any:
    from flet_notifications import Importance, NotificationChannel

    importance = Importance.HIGH if channel in HIGH_IMPORTANCE else Importance.DEFAULT
    return NotificationChannel(id=channel_id, name=name, importance=importance)


def _big_text(body: str) -> Any:
    from flet_notifications import BigTextStyle

    return BigTextStyle(big_text=body)
