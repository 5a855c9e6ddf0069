"""Status changes and operator replies the resident should hear about — unless the resident
turned status updates off in the profile: an in-app banner (the screen layer shows `current`;
tapping it opens the appeal), and, while the app is not in the foreground (in the background,
or its window hidden), an OS notification where the platform has one (the composition root
chooses the notifier); tapping that opens the appeal too.

The banner never goes stale: it is one at a time (a newer update replaces it), it goes away
after `BANNER_SECONDS` or as soon as the resident opens that appeal, and an update about the
appeal on screen is not bannered at all (the card itself shows it, and whatever the resident
does there next — a reopening — is never contradicted by an older banner). The screen layer
renders its text from a `Message`, so it follows a language switch.
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
MSG_NEW_MESSAGE = N_("Appeal No. {number}: new message")  # an operator or an executor
MSG_OPEN = N_("Open the appeal")
BANNER_SECONDS = 8.0


class AppealNotifications(Observable):
    """Listeners are notified when the banner (`current`) comes or goes. `in_foreground`
    follows the app's lifecycle (the session sets it); `opened(route)` is told each route the
    resident opens."""

    def __init__(
        self,
        translator: Translator,
        navigation: Navigation,
        *,
        os_notifier: OsNotifier | None = None,
        enabled: Callable[[], bool] = lambda: True,
        banner_seconds: float = BANNER_SECONDS,
    ) -> None:
        super().__init__()
        self._tr = translator
        self._nav = navigation
        self._os_notifier: OsNotifier = os_notifier or NullNotifier()
        self.enabled = enabled  # blocking (reads the profile): called in a worker thread
        self.banner_seconds = banner_seconds
        self.current: AppealUpdate | None = None  # the banner on screen
        self.in_foreground = True
        self._route = ""  # the route the resident has open
        self._shown = 0  # banners shown so far: a timer ends only its own banner
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

    def _about(self, update: AppealUpdate, route: str) -> bool:
        """Whether `route` is the screen of the appeal `update` is about (by number or by the
        id it had before the server numbered it)."""
        return route in (self.route(update), f"/appeals/{update.client_id}")

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
        news = [u for u in updates if not self._about(u, self._route)]
        if news:
            self._show(news[-1])  # a burst: the newest one is shown
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

    def _show(self, update: AppealUpdate) -> None:
        self.current = update
        self._shown += 1
        shown = self._shown
        self.notify()
        self._tasks.start(lambda: self._expire(shown))

    async def _expire(self, shown: int) -> None:
        await asyncio.sleep(self.banner_seconds)
        if shown == self._shown:  # no newer banner replaced it meanwhile
            self.dismiss()

    def dispose(self) -> None:
        """The page closed: no banner timer or OS notice runs on."""
        self._tasks.cancel_all()

    def dismiss(self) -> None:
        """The banner goes away (its time is up, or the resident closed it)."""
        if self.current is not None:
            self.current = None
            self.notify()

    def opened(self, route: str) -> None:
        """The resident opened `route`: a banner about that appeal has been answered."""
        self._route = route
        if self.current is not None and self._about(self.current, route):
            self.dismiss()

    async def open(self, update: AppealUpdate) -> None:
        await self._nav.go(self.route(update))
