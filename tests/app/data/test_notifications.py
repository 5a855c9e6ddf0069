"""The OS notifier adapters: which one each platform gets, and `NativeNotifier` (flet-notifications
on phones) driven through a fake service — channels by severity, the payload a tap opens, the
permission asked once and a refusal kept, and no hang when the plugin never answers."""

from __future__ import annotations

import time

import pytest
from flet_notifications import Importance

from app.data.services.native_notifications import NativeNotifier, notification_id
from app.data.services.notifications import (
    CHANNEL_NAMES,
    NullNotifier,
    OsNotice,
    PlyerNotifier,
    alert_channel,
    openable,
    os_notifier,
)
from tests.app.support.notifier_fakes import FakeNotificationsService

pytestmark = pytest.mark.anyio

URGENT = OsNotice("Су тасқыны", "Биік жерге шығыңыз.", "/alerts/a1", "urgent_alerts")
STATUS = OsNotice("109", "Обращение № 42: Закрыто", "/appeals/42", "appeals")


class Opened:
    def __init__(self) -> None:
        self.routes: list[str] = []

    async def __call__(self, route: str) -> None:
        self.routes.append(route)


def native(
    service: FakeNotificationsService, timeout: float = 10.0
) -> tuple[NativeNotifier, Opened]:
    opened = Opened()
    names = {"urgent_alerts": "Шұғыл", "alerts": "Басқа", "appeals": "Өтініштер"}
    notifier = NativeNotifier(opened, names.__getitem__, factory=lambda: service, timeout=timeout)
    return notifier, opened


# -- which notifier ------------------------------------------------------------------------------


async def _go(route: str) -> None:
    return None


def test_each_platform_gets_its_notifier() -> None:
    assert isinstance(os_notifier(web=True, platform="android", open_route=_go), NullNotifier)
    assert isinstance(os_notifier(web=False, platform="emscripten"), NullNotifier)
    for phone in ("android", "ios"):
        assert isinstance(os_notifier(web=False, platform=phone, open_route=_go), NativeNotifier)
        # nothing to open a tap with (no page): the in-app banner only
        assert isinstance(os_notifier(web=False, platform=phone), NullNotifier)
    assert isinstance(os_notifier(web=False, platform="linux", env={}), NullNotifier)  # no display
    assert isinstance(os_notifier(web=False, platform="windows", env={}), PlyerNotifier)


async def test_plyer_never_raises() -> None:
    await PlyerNotifier().show(STATUS)  # no display, no D-Bus here: logged, never raised


def test_channels_and_routes_a_tap_may_open() -> None:
    assert alert_channel("Extreme") == alert_channel("Severe") == "urgent_alerts"
    assert alert_channel("Moderate") == alert_channel("Unknown") == "alerts"
    assert set(CHANNEL_NAMES) == {"urgent_alerts", "alerts", "appeals"}
    for route in ("/alerts/a1", "/appeals/42", "/appeals/5f0c-11aa"):
        assert openable(route), route
    for route in ("", "/", "/cabinet", "/appeals/new", "/map", "https://evil.test/alerts/a1"):
        assert not openable(route), route


# -- NativeNotifier ------------------------------------------------------------------------------


async def test_native_shows_on_the_severity_channel_with_the_route_as_payload() -> None:
    service = FakeNotificationsService()
    notifier, _ = native(service)
    await notifier.show(URGENT)
    assert service.shown == []  # not started (signed out): nothing, and no service on the page
    await notifier.start()
    await notifier.show(URGENT)
    await notifier.show(STATUS)
    await notifier.show(URGENT)
    assert [(c.id, c.name, c.importance) for c in service.channels] == [
        ("kz109_urgent_alerts", "Шұғыл", Importance.HIGH),
        ("kz109_appeals", "Өтініштер", Importance.DEFAULT),
    ]  # each channel created once
    first, second, third = service.shown
    assert (first["title"], first["body"], first["payload"]) == (
        "Су тасқыны",
        "Биік жерге шығыңыз.",
        "/alerts/a1",
    )
    assert first["channel_id"] == "kz109_urgent_alerts" and first["style"].big_text == URGENT.body
    assert second["channel_id"] == "kz109_appeals" and second["payload"] == "/appeals/42"
    assert third["id"] == first["id"] == notification_id("/alerts/a1") != second["id"]


async def test_a_language_switch_renames_the_channel() -> None:
    service = FakeNotificationsService()
    names = {"appeals": "Өтініштер"}
    notifier = NativeNotifier(Opened(), lambda c: names[c], factory=lambda: service)
    await notifier.start()
    await notifier.show(STATUS)
    names["appeals"] = "Мои обращения"
    await notifier.show(STATUS)
    assert [c.name for c in service.channels] == ["Өтініштер", "Мои обращения"]


async def test_no_channels_on_ios_still_shows() -> None:
    service = FakeNotificationsService(channels=False)
    notifier, _ = native(service)
    await notifier.start()
    await notifier.show(URGENT)
    await notifier.show(URGENT)
    assert len(service.shown) == 2 and service.channels == []


async def test_a_tap_opens_the_alert_or_appeal_and_nothing_else() -> None:
    service = FakeNotificationsService()
    notifier, opened = native(service)
    await notifier.start()
    await service.tap("/alerts/a1")
    await service.tap("/appeals/42")
    await service.tap("/cabinet/personal")  # not a notification's route
    await service.tap("")
    assert opened.routes == ["/alerts/a1", "/appeals/42"]


async def test_permission_is_asked_once_and_a_refusal_shows_nothing() -> None:
    service = FakeNotificationsService(grant=False)
    notifier, _ = native(service)
    assert await notifier.ask_permission() is False
    assert await notifier.ask_permission() is False
    assert service.permission_asks == 1 and notifier.allowed is False
    await notifier.show(URGENT)
    assert service.shown == []

    granted = FakeNotificationsService()
    notifier, _ = native(granted)
    assert await notifier.ask_permission() is True  # starts the service first
    await notifier.show(STATUS)
    assert len(granted.shown) == 1


async def test_a_plugin_that_never_answers_does_not_hang_the_caller() -> None:
    service = FakeNotificationsService(hang=True)
    notifier, _ = native(service, timeout=0.05)
    await notifier.start()
    began = time.monotonic()
    await notifier.show(URGENT)  # logged, not raised
    assert time.monotonic() - began < 1 and service.shown == []


async def test_no_service_means_no_notifications() -> None:
    def broken() -> FakeNotificationsService:
        raise RuntimeError("no page")

    notifier = NativeNotifier(Opened(), factory=broken)
    assert await notifier.ask_permission() is False
    await notifier.show(URGENT)  # nothing to show it with: logged, not raised
