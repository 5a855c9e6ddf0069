"""OS notifications: `plyer.notification` on a desktop where it can work, nothing elsewhere.

Flet 1.0 has no local-notification package; phones and the browser get the in-app banner only
(in web mode the Python process runs on a server, so an OS notification would pop up there,
not on the resident's screen). Showing a notification never raises: a failure is logged.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import sys
import warnings
from collections.abc import Mapping
from typing import Protocol

log = logging.getLogger(__name__)

APP_NAME = "109"


class OsNotifier(Protocol):
    def show(self, title: str, message: str) -> None:
        """Blocking (may talk to D-Bus or start a process): call from a worker thread."""


class NullNotifier:
    """Where the platform has no notifications we can reach."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []  # kept for tests and logs

    def show(self, title: str, message: str) -> None:
        self.shown.append((title, message))


class PlyerNotifier:
    def show(self, title: str, message: str) -> None:
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
    *, web: bool, platform: str | None = None, env: Mapping[str, str] | None = None
) -> OsNotifier:
    """The notifier for this process: plyer on a desktop that can show it, else nothing."""
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    if web or platform in ("android", "ios", "emscripten"):
        return NullNotifier()
    if importlib.util.find_spec("plyer") is None:
        return NullNotifier()
    if platform.startswith("linux") and not _linux_can_notify(env):
        return NullNotifier()
    return PlyerNotifier()
