"""When the OS notifier starts and when the OS is asked for permission to notify: never at first
launch, before the resident knows what the app is for, but right after they sign in (their own
appeals' news is why they would want it); a resident already signed in gets the notifier started
with the session (a tap that launched the app is delivered then), and is asked once if this device
never asked (the app was closed while the dialog was up, or an earlier build signed them in). A
refusal is the OS's answer for this session: the in-app banners still show everything."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from app.data.services.notifications import OsNotifier
from app.viewmodels.background import BackgroundTasks


class NotificationPermission:
    def __init__(
        self,
        notifier: OsNotifier,
        signed_in: Callable[[], bool],
        *,
        asked_before: Callable[[], bool],
        remember_asked: Callable[[], None],
    ) -> None:
        """`asked_before`/`remember_asked`: the device's memory that the OS was asked (blocking
        calls: run in a worker thread)."""
        self._notifier = notifier
        self._signed_in = signed_in
        self._asked_before = asked_before
        self._remember_asked = remember_asked
        self._was_signed_in: bool | None = None  # None: the session has not started
        self._tasks = BackgroundTasks()

    async def start(self) -> None:
        """The session started (on the page's event loop; the saved sign-in restored)."""
        self._was_signed_in = self._signed_in()
        if self._was_signed_in:
            await self._notifier.start()
            if not await asyncio.to_thread(self._asked_before):
                self._tasks.start(self._ask)

    def on_auth_changed(self) -> None:
        """An auth listener: a sign-in after the start asks for permission (in the
        background; the notifier starts first)."""
        if self._was_signed_in is None:
            return
        now = self._signed_in()
        if now and not self._was_signed_in:
            self._tasks.start(self._ask)
        self._was_signed_in = now

    def dispose(self) -> None:
        """The page closed: a dialog still waited for is not waited for any more."""
        self._tasks.cancel_all()

    async def _ask(self) -> None:
        await self._notifier.ask_permission()
        await asyncio.to_thread(self._remember_asked)
