"""OS notifications in a page session: the notifier for the page's platform (`os_notifier`), its
taps opening routes through the session's navigation, its channel names in the resident's
language, and when the OS is asked for permission (`NotificationPermission`)."""

from __future__ import annotations

from app.composition.core import Core
from app.data.services.device import this_device
from app.data.services.notifications import CHANNEL_NAMES, Channel, NullNotifier, OsNotifier
from app.data.services.notifications import os_notifier as notifier_for
from app.viewmodels.notification_permission import NotificationPermission


def os_notifier(core: Core, *, web: bool | None) -> OsNotifier | None:
    """None outside a page (tests): the in-app banners only."""
    if web is None:
        return None
    device = this_device()

    def channel_name(channel: Channel) -> str:
        return core.translator.gettext(CHANNEL_NAMES[channel])

    return notifier_for(
        web=web,
        platform=(device.platform or None) if device is not None else None,
        open_route=core.navigation.go,
        channel_name=channel_name,
    )


def notification_permission(core: Core, notifier: OsNotifier | None) -> NotificationPermission:
    permission = NotificationPermission(
        notifier or NullNotifier(),
        core.signed_in,
        asked_before=core.settings.notifications_asked,
        remember_asked=core.settings.remember_notifications_asked,
    )
    core.auth.subscribe(permission.on_auth_changed)
    return permission
