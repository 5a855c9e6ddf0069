"""The appeal banner and OS notifications: what is shown, when it goes away (its time is up, the
resident opens that appeal, a newer update replaces it), that an update about the appeal on
screen is never bannered over its card, and the profile setting that turns them off."""

from __future__ import annotations

import asyncio

import pytest

from app.data.services.notifications import NullNotifier, OsNotice
from app.domain.appeals import AppealUpdate
from app.i18n import Translator
from app.viewmodels.appeal_notifications import AppealNotifications
from app.viewmodels.navigation import Navigation

pytestmark = pytest.mark.anyio

CLOSED = AppealUpdate("c-1", 42, "109-2607-000042", "status", status="closed")
MESSAGE = AppealUpdate("c-1", 42, "109-2607-000042", "message", text="Готово")
OTHER = AppealUpdate("c-2", 43, "109-2607-000043", "status", status="in_progress")


def notifications(
    enabled: list[bool] | None = None, seconds: float = 60.0
) -> tuple[AppealNotifications, Navigation, NullNotifier]:
    nav, os_side, on = Navigation(), NullNotifier(), enabled or [True]
    vm = AppealNotifications(
        Translator("ru"), nav, os_notifier=os_side, enabled=lambda: on[0], banner_seconds=seconds
    )
    return vm, nav, os_side


async def test_the_banner_in_the_foreground_and_os_notices_in_the_background() -> None:
    vm, nav, os_side = notifications()
    heard: list[str] = []
    vm.subscribe(lambda: heard.append("banner"))
    await vm.deliver([CLOSED])
    assert vm.current == CLOSED and heard == ["banner"] and os_side.shown == []
    vm.in_foreground = False  # the app went to the background
    await vm.deliver([CLOSED, MESSAGE])
    assert vm.current == MESSAGE  # a burst shows its newest
    assert os_side.shown == [
        OsNotice("109", "Обращение № 109-2607-000042: Закрыто", "/appeals/42", "appeals"),
        OsNotice(
            "109",
            "Обращение № 109-2607-000042: новое сообщение\nГотово",
            "/appeals/42",
            "appeals",
        ),
    ]
    await vm.open(MESSAGE)
    assert nav.history == ["/appeals/42"]


async def test_status_updates_turned_off_in_the_profile_show_nothing() -> None:
    enabled = [False]
    vm, _nav, os_side = notifications(enabled)
    vm.in_foreground = False
    await vm.deliver([CLOSED])
    assert vm.current is None and os_side.shown == []


async def test_the_banner_goes_away_when_its_time_is_up() -> None:
    vm, _nav, _os = notifications(seconds=0.05)
    await vm.deliver([CLOSED])
    assert vm.current == CLOSED
    await asyncio.sleep(0.2)
    assert vm.current is None


async def test_a_newer_banner_replaces_the_old_one_and_keeps_its_own_time() -> None:
    vm, _nav, _os = notifications(seconds=0.15)
    await vm.deliver([CLOSED])
    await asyncio.sleep(0.1)
    await vm.deliver([OTHER])
    await asyncio.sleep(0.08)  # the first banner's time is up, not the second's
    assert vm.current == OTHER
    await asyncio.sleep(0.15)
    assert vm.current is None


async def test_opening_the_appeal_answers_its_banner_and_another_appeal_does_not() -> None:
    vm, _nav, _os = notifications()
    await vm.deliver([CLOSED])
    vm.opened("/appeals/43")
    assert vm.current == CLOSED
    vm.opened("/appeals/42")
    assert vm.current is None


async def test_the_appeal_on_screen_is_not_bannered_over_its_card() -> None:
    """On the appeal's screen (by number or by the id it had before) its news is on the card:
    no banner that a reopening there would contradict; another appeal's news still shows."""
    vm, _nav, os_side = notifications()
    for route in ("/appeals/42", "/appeals/c-1"):
        vm.opened(route)
        await vm.deliver([CLOSED])
        assert vm.current is None
    await vm.deliver([CLOSED, OTHER])
    assert vm.current == OTHER
    vm.in_foreground = False
    await vm.deliver([CLOSED])  # in the background the OS still tells
    assert [n.route for n in os_side.shown] == ["/appeals/42"]
