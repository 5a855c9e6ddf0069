"""The cabinet's switch for sending the approximate location for alerts: kept on the device at
once (no "Save"), read by the position sharing before every send, and shown with its privacy
text in Kazakh and Russian."""

from __future__ import annotations

import pytest

from app.composition import AppSession
from app.i18n import Message
from app.ui.cabinet.notification_settings import NotificationSettingsScreen
from app.viewmodels.notification_settings import (
    MSG_POSITION_PRIVACY,
    MSG_SETTINGS_QUEUED,
    MSG_SETTINGS_SAVED,
    save_report,
)
from tests.app.conftest import CODE, PHONE
from tests.app.ui.test_screens import texts

pytestmark = pytest.mark.anyio


async def signed_in(session: AppSession) -> None:
    await session.auth.request_code(PHONE)
    await session.auth.verify_code(PHONE, CODE)


async def test_the_switch_is_kept_at_once_and_the_sharing_obeys_it(session: AppSession) -> None:
    await signed_in(session)
    vm = session.alert_settings
    await vm.load()
    assert vm.has_position_switch and vm.shares_position  # on until turned off
    assert await session.city_feeds.sharing.allowed()
    await vm.set_shares_position(False)
    assert vm.shares_position is False
    assert session.settings.shares_position() is False  # stored, no "Save" needed
    assert not await session.city_feeds.sharing.allowed()  # respected at once
    await vm.load()
    assert vm.shares_position is False  # read back from the device
    await vm.set_shares_position(True)
    assert await session.city_feeds.sharing.allowed()


async def test_the_switch_and_its_privacy_text_in_kazakh_and_russian(session: AppSession) -> None:
    await signed_in(session)
    for lang, expected in (
        ("kk", {"Ескертулерге арналған орын", "Ескертулер үшін шамамен орнымды жіберу"}),
        (
            "ru",
            {"Местоположение для оповещений", "Передавать примерное местоположение для оповещений"},
        ),
    ):
        session.translator.set_language(lang)
        view = NotificationSettingsScreen(
            session.app, session.alert_settings, session.notice_prefs, "/cabinet/notifications"
        ).build()
        shown = texts(view)
        assert expected <= shown
        privacy = session.translator.gettext(MSG_POSITION_PRIVACY)
        assert privacy != MSG_POSITION_PRIVACY and privacy in shown
        assert ("1 км" in privacy) and ("300 м" in privacy)


async def test_one_save_of_the_page_reports_once(session: AppSession) -> None:
    """Alert settings and notice preferences share the Save button and both report: the page
    says it once, not «Баптаулар сақталды. Баптаулар сақталды»."""
    await signed_in(session)
    session.translator.set_language("kk")
    screen = NotificationSettingsScreen(
        session.app, session.alert_settings, session.notice_prefs, "/cabinet/notifications"
    )
    screen.build()
    await session.alert_settings.save()
    assert session.alert_settings.notice is not None and session.notice_prefs is not None
    session.notice_prefs.status = session.alert_settings.notice  # what its save reports
    screen.render()
    assert screen.saved.visible
    assert screen.saved.value == session.translator.render(session.alert_settings.notice)


def test_the_report_of_a_page_says_waiting_when_any_part_waits() -> None:
    saved, queued = Message(MSG_SETTINGS_SAVED), Message(MSG_SETTINGS_QUEUED)
    assert save_report(saved, saved) == saved
    assert save_report(saved, queued) == queued
    assert save_report(None, saved) == saved
    assert save_report(None, None) is None
