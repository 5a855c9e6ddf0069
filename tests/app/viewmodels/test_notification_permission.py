"""When the OS notifier starts and when the OS is asked: after a sign-in, never at first launch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from app.viewmodels.notification_permission import NotificationPermission
from tests.app.support.notifier_fakes import RecordingNotifier

pytestmark = pytest.mark.anyio


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.001)  # the device memory is read and written in a worker thread


class DeviceMemory:
    """The device setting "the OS was asked"."""

    def __init__(self, asked: bool = False) -> None:
        self.asked = asked

    def permission(
        self, notifier: RecordingNotifier, signed_in: Callable[[], bool]
    ) -> NotificationPermission:
        def remember() -> None:
            self.asked = True

        return NotificationPermission(
            notifier,
            signed_in,
            asked_before=lambda: self.asked,
            remember_asked=remember,
        )


async def test_first_launch_asks_nothing_a_sign_in_asks_once() -> None:
    signed_in = [False]
    notifier = RecordingNotifier()
    permission = DeviceMemory().permission(notifier, lambda: signed_in[0])
    permission.on_auth_changed()  # before the session started (the saved sign-in restored)
    await permission.start()
    assert (notifier.started, notifier.asked) == (0, 0)  # signed out: no service, no dialog

    signed_in[0] = True
    permission.on_auth_changed()
    permission.on_auth_changed()  # a token refresh: the same resident
    await settle()
    assert notifier.asked == 1

    signed_in[0] = False
    permission.on_auth_changed()  # signed out, then in again: asked again
    signed_in[0] = True
    permission.on_auth_changed()
    await settle()
    assert notifier.asked == 2


async def test_a_signed_in_resident_gets_the_notifier_started_without_a_dialog() -> None:
    notifier = RecordingNotifier()
    permission = DeviceMemory(asked=True).permission(notifier, lambda: True)
    permission.on_auth_changed()
    await permission.start()
    permission.on_auth_changed()
    await settle()
    assert (notifier.started, notifier.asked) == (1, 0)


async def test_a_device_that_never_asked_asks_once_at_start_when_signed_in() -> None:
    memory = DeviceMemory()  # the app was closed while the dialog was up, or an old build
    first = RecordingNotifier()
    await memory.permission(first, lambda: True).start()
    await settle()
    assert (first.started, first.asked, memory.asked) == (1, 1, True)

    again = RecordingNotifier()  # the next start: asked already, no dialog
    await memory.permission(again, lambda: True).start()
    await settle()
    assert (again.started, again.asked) == (1, 0)
