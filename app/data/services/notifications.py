"""OS notifications: what one says (`OsNotice`), the notifier every platform gets (`OsNotifier`),
and `os_notifier`, which picks it.

- Phones (Android, iOS): `NativeNotifier` (`native_notifications`, over flet-notifications, whose
  Dart half is in every built phone app): channels by severity, a tap opens the notice's route.
- Desktop: `plyer.notification` where it can work (no tap: plyer has no callback).
- Web mode, or a platform with nothing we can reach: `NullNotifier` — the in-app banner only (the
  Python process runs on a server, so an OS notification would pop up there; and flet-notifications
  has no Dart half in flet-web, where every call of it waits forever — tried).

Showing a notification never raises: a failure is logged and the in-app banner still shows.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import shutil
import sys
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from app import routes
from app.i18n import N_

log = logging.getLogger(__name__)

APP_NAME = "109"

Channel = Literal["urgent_alerts", "alerts", "appeals"]
"""Android notification channels (the resident can silence each in the phone's settings):
alerts of extreme or severe danger (high importance: sound, heads-up), other alerts, and the
resident's own appeals."""

CHANNEL_NAMES: dict[Channel, str] = {
    "urgent_alerts": N_("Urgent emergency alerts"),
    "alerts": N_("Other emergency alerts"),
    "appeals": N_("My appeals"),
}
URGENT_SEVERITIES = frozenset({"Extreme", "Severe"})
OPENABLE_SCREENS = frozenset({"alert", "appeal"})  # what a tap on a notification may open


def alert_channel(severity: str) -> Channel:
    return "urgent_alerts" if severity in URGENT_SEVERITIES else "alerts"


def openable(route: str) -> bool:
    """Whether a notification's payload is a route a tap may open (an alert or an appeal)."""
    stack = routes.resolve(route, signed_in=True)
    return routes.normalize(route) == stack[-1].route and stack[-1].name in OPENABLE_SCREENS


@dataclass(frozen=True)
class OsNotice:
    """One OS notification: texts already in the resident's language; `route` is what a tap
    opens (`/alerts/<identifier>`, `/appeals/<ref>`); a newer notice with the same route
    replaces the older one in the tray."""

    title: str
    body: str
    route: str
    channel: Channel


RouteOpener = Callable[[str], Awaitable[None]]


class OsNotifier(Protocol):
    async def start(self) -> None:
        """Taps start arriving (on the page's event loop; with the resident signed in)."""

    async def ask_permission(self) -> bool:
        """Ask the OS (Android 13+, iOS) once, after sign-in; False: refused or unavailable."""

    async def show(self, notice: OsNotice) -> None:
        """Never raises; blocking work is done off the event loop."""


class NullNotifier:
    """Where the platform has no notifications we can reach: the in-app banner only."""

    def __init__(self) -> None:
        self.shown: list[OsNotice] = []  # kept for tests and logs

    async def start(self) -> None:
        return None

    async def ask_permission(self) -> bool:
        return False

    async def show(self, notice: OsNotice) -> None:
        self.shown.append(notice)


class PlyerNotifier:
    """A desktop notification through plyer (D-Bus, a process): no permission, no tap."""

    async def start(self) -> None:
        return None

    async def ask_permission(self) -> bool:
        return True

    async def show(self, notice: OsNotice) -> None:
        await asyncio.to_thread(self._notify, notice.title, notice.body)

    @staticmethod
    def _notify(title: str, message: str) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from plyer import notification

                notification.notify(
                    title=title[:64], message=message[:256], app_name=APP_NAME, timeout=10
                )
        except Exception as exc:  # never let a notification crash the app
            log.info("OS notification failed: %s", type(exc).__name__)


def _linux_can_notify(env: Mapping[str, str]) -> bool:
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return False
    return shutil.which("notify-send") is not None or importlib.util.find_spec("dbus") is not None


def os_notifier(
    *,
    web: bool,
    platform: str | None = None,
    open_route: RouteOpener | None = None,
    channel_name: Callable[[Channel], str] | None = None,
    env: Mapping[str, str] | None = None,
) -> OsNotifier:
    """The notifier for this page. `platform`: Flet's `page.platform` value ("android", "ios",
    "linux", ...; on a phone Python's `sys.platform` may say "linux"), else `sys.platform`.
    `open_route`: what a tap on a phone notification does; `channel_name`: a channel's name
    in the resident's language."""
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    if web or platform == "emscripten":
        return NullNotifier()
    if platform in ("android", "ios"):
        if importlib.util.find_spec("flet_notifications") is None or open_route is None:
            return NullNotifier()
        from app.data.services.native_notifications import NativeNotifier

        return NativeNotifier(open_route, channel_name)
    if importlib.util.find_spec("plyer") is None:
        return NullNotifier()
    if platform.startswith("linux") and not _linux_can_notify(env):
        return NullNotifier()
    return PlyerNotifier()
