"""Status changes and operator replies the resident should hear about — unless the resident
turned status updates off in the profile: an in-app banner (the screen layer shows what `take()`
gives; tapping it opens the appeal), and, while the app is not in the foreground (in the
background, or its window hidden), an OS notification where the platform has one (the
composition root chooses the notifier); tapping that opens the appeal too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from app.data.services.notifications import APP_NAME, NullNotifier, OsNotice, OsNotifier
from app.domain.appeals import AppealUpdate
from app.i18n import N_, Message, Translator
from app.observable import Observable
from app.viewmodels import appeal_text as t
from app.viewmodels.background import BackgroundTasks
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

MSG_STATUS_CHANGED = N_("Appeal No. {number}: {status}")
MSG_NEW_MESSAGE = N_("Appeal No. {number}: new message from the operator")
MSG_OPEN = N_("Open the appeal")
MAX_QUEUE = 20


class AppealNotifications(Observable):
    """Listeners are notified when a new banner is ready (`take()` it). `in_foreground` follows
    the app's lifecycle (the session sets it)."""

    def __init__(
        self,
        translator: Translator,
        navigation: Navigation,
        *,
        os_notifier: OsNotifier | None = None,
        enabled: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__()
        self._tr = translator
        self._nav = navigation
        self._os_notifier: OsNotifier = os_notifier or NullNotifier()
        self.enabled = enabled  # blocking (reads the profile): called in a worker thread
        self.queue: list[AppealUpdate] = []
        self.in_foreground = True
        self._tasks = BackgroundTasks()

    def text(self, update: AppealUpdate) -> Message:
        number = update.number or "—"
        if update.kind == "status":
            status = Message(t.status_label(update.status))
            return Message(MSG_STATUS_CHANGED, {"number": number, "status": status})
        return Message(MSG_NEW_MESSAGE, {"number": number})

    def route(self, update: AppealUpdate) -> str:
        ref = update.server_id if update.server_id is not None else update.client_id
        return f"/appeals/{ref}"

    def publish(self, updates: list[AppealUpdate]) -> None:
        """From the sync engine (on the event loop): deliver in a task (the setting is read
        from the local store, off the loop)."""
        if not updates:
            return
        self._tasks.start(lambda: self.deliver(updates))

    async def deliver(self, updates: list[AppealUpdate]) -> None:
        if not updates:
            return
        if not await asyncio.to_thread(self._is_enabled):
            return
        self.queue = (self.queue + list(updates))[-MAX_QUEUE:]
        self.notify()
        if self.in_foreground:
            return  # the banner is on the screen the resident looks at
        for update in updates[-3:]:  # a burst shows its last few, not a storm
            await self._os_notifier.show(self.os_notice(update))

    def os_notice(self, update: AppealUpdate) -> OsNotice:
        body = self._tr.render(self.text(update)) or ""
        if update.kind == "message" and update.text:
            body = f"{body}\n{update.text[:120]}"
        return OsNotice(APP_NAME, body, self.route(update), "appeals")

    def _is_enabled(self) -> bool:
        try:
            return bool(self.enabled())
        except Exception:  # a broken setting must not hide everything
            log.exception("status-update setting unreadable")
            return True

    def take(self) -> AppealUpdate | None:
        """The next banner to show (oldest first)."""
        return self.queue.pop(0) if self.queue else None

    async def open(self, update: AppealUpdate) -> None:
        await self._nav.go(self.route(update))
