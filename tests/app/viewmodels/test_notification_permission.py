"""When the OS notifier starts and when the OS is asked: after a sign-in, never at first launch."""

from __future__ import annotations

import asyncio

import pytest

from app.viewmodels.notification_permission import NotificationPermission
from tests.app.support.notifier_fakes import RecordingNotifier

pytestmark = pytest.mark.anyio


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_first_launch_asks_nothing_a_sign_in_asks_once() -> None:
    signed_in = [False]
    notifier = RecordingNotifier()
    permission = NotificationPermission(notifier, lambda: signed_in[0])
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
    permission = NotificationPermission(notifier, lambda: True)
    permission.on_auth_changed()
    await permission.start()
    permission.on_auth_changed()
    await settle()
    assert (notifier.started, notifier.asked) == (1, 0)
