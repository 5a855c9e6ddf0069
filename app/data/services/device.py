"""What the page runs on — a phone app (Android, iOS), a desktop window or a browser tab — read
from the Flet page of the current context. Adapters choose by it what the platform offers:
the camera (phones and browsers) and the platform's secure storage (phones); and the languages
the device prefers (`preferred_locales`), which choose the first language of the app."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

PHONE_PLATFORMS = ("android", "ios")
LOCALES_TIMEOUT = 3.0  # seconds the first screen waits for the device to say its languages
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Device:
    web: bool  # a browser tab: the app runs on a server, not on the resident's device
    platform: str  # Flet's `PagePlatform` value, lower case ("android", "ios", "linux", …)

    @property
    def phone(self) -> bool:
        """The app installed on a phone (a phone's browser is a browser, not a phone app)."""
        return not self.web and self.platform in PHONE_PLATFORMS


def device_of(web: bool, platform: str | None) -> Device:
    return Device(web, (platform or "").lower())


def this_device() -> Device | None:
    """The device of the current page; None outside a page (tests, start-up scripts)."""
    import flet as ft

    try:
        page = ft.context.page
    except RuntimeError:
        return None
    platform = getattr(page.platform, "value", page.platform)
    return device_of(bool(page.web), str(platform) if platform else None)


async def preferred_locales(page: Any, timeout: float = LOCALES_TIMEOUT) -> list[str]:
    """The language codes the device (or the browser: `navigator.languages`) prefers, most
    preferred first (`["ru", "en"]`); [] when the page cannot say in time."""
    try:
        info = await asyncio.wait_for(page.get_device_info(), timeout)
    except Exception as exc:  # an old client, a desktop without the plugin, a slow link
        log.info("device locales unavailable: %r", exc)
        return []
    locales = getattr(info, "locales", None) or []
    return [code for code in (getattr(x, "language_code", None) for x in locales) if code]
