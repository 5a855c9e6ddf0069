"""The OS notifier in a page session: on a phone it is flet-notifications, and a tap on a
notification opens its route through the session's navigation; the app's lifecycle decides
whether a status change goes to the OS."""

from __future__ import annotations

import pytest

from app.composition import AppSession
from app.composition import notifications as composition
from app.composition.core import Core, build_core
from app.config import AppConfig
from app.data.services.device import Device
from app.data.services.native_notifications import NativeNotifier
from app.data.services.notifications import NullNotifier
from app.data.store.database import Database
from tests.app.conftest import FakeBackend
from tests.app.support.notifier_fakes import TapEvent

pytestmark = pytest.mark.anyio


@pytest.fixture
def core(config: AppConfig, backend: FakeBackend, db: Database) -> Core:
    return build_core(config, transport=backend.transport(), db=db)


async def test_a_tap_on_a_phone_notification_opens_its_route(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(composition, "this_device", lambda: Device(False, "android"))
    notifier = composition.os_notifier(core, web=False)
    assert isinstance(notifier, NativeNotifier)
    await notifier.start()  # the real LocalNotifications, outside a page: not registered
    service = notifier._service
    assert service is not None
    await service.on_tap(TapEvent("/alerts/a1"))
    await service.on_tap(TapEvent("/appeals/42"))
    assert core.navigation.history == ["/alerts/a1", "/appeals/42"]
    core.translator.set_language("ru")  # channel names follow the resident's language
    assert notifier._channel_name("urgent_alerts") == "Срочные экстренные оповещения"


def test_a_browser_tab_gets_the_in_app_banner_only(core: Core) -> None:
    assert isinstance(composition.os_notifier(core, web=True), NullNotifier)
    assert composition.os_notifier(core, web=None) is None  # no page (tests): banners only


def test_the_lifecycle_decides_where_status_changes_go(session: AppSession) -> None:
    assert session.appeal_notifications.in_foreground
    session.foreground(False)
    assert not session.appeal_notifications.in_foreground
    session.foreground(True)
    assert session.appeal_notifications.in_foreground
