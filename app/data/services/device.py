"""What the page runs on — a phone app (Android, iOS), a desktop window or a browser tab — read
from the Flet page of the current context. Adapters choose by it what the platform offers:
the camera (phones and browsers) and the platform's secure storage (phones)."""

from __future__ import annotations

from dataclasses import dataclass

PHONE_PLATFORMS = ("android", "ios")


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
