"""The personal cabinet: who is signed in, the analytics of their appeals (from the local store,
so offline too), links to personal data, addresses and notification settings, the interface
language, signing out, and deleting this device's data."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from app import routes
from app.data.repositories.analytics import AppealHistoryRepository
from app.data.repositories.auth import AuthRepository
from app.data.repositories.profile import ProfileRepository
from app.domain.analytics import AppealAnalytics, appeal_analytics
from app.domain.phone import format_phone
from app.domain.profile import Profile
from app.errors import ApiError, NetworkError
from app.i18n import N_, Message, ngettext
from app.observable import Observable
from app.viewmodels.appeal_text import STATUS_LABELS
from app.viewmodels.background import BackgroundTasks
from app.viewmodels.language import LanguageViewModel
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

CABINET_PERSONAL = "/cabinet/personal"
CABINET_ADDRESSES = "/cabinet/addresses"
CABINET_NOTIFICATIONS = "/cabinet/notifications"

STATUS_NAMES = STATUS_LABELS  # Appendix 5 statuses, the same words as the appeals list
MSG_OTHER_CATEGORIES = N_("Other categories")
MSG_DELETED = N_("The data on this device was deleted.")
MSG_DELETE_WARNING = N_(
    "Your appeals, drafts, saved addresses and settings will be removed from this device and "
    "you will be signed out. What is already on the server stays there."
)
MSG_HOURS = N_("{n} h")

ClassName = Callable[[str, str], str | None]  # (class code, language) → name


def duration_message(seconds: float) -> Message:
    """An average time to close: `5 h` under two days, else `3 d 4 h`."""
    hours = round(seconds / 3600)
    if hours < 48:
        return Message(MSG_HOURS, {"n": max(hours, 0)})
    return ngettext("{n} day {h} h", "{n} days {h} h", hours // 24, h=hours % 24)


def unsent_message(n: int) -> Message:
    """What deleting the data would lose: `n` actions not yet sent."""
    return ngettext(
        "{n} action has not been sent yet and will be lost.",
        "{n} actions have not been sent yet and will be lost.",
        n,
    )


class CabinetViewModel(Observable):
    def __init__(
        self,
        auth: AuthRepository,
        language: LanguageViewModel,
        navigation: Navigation,
        *,
        profile: ProfileRepository | None = None,
        history: AppealHistoryRepository | None = None,
        class_name: ClassName | None = None,
        pending_actions: Callable[[], int] | None = None,
        wipe_files: Callable[[], Awaitable[None]] | None = None,
        on_queued: Callable[[], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self._auth = auth
        self._nav = navigation
        self._profile_repo = profile
        self._history = history
        self._class_name = class_name
        self._pending_actions = pending_actions
        self._wipe_files = wipe_files
        self._now = now
        self.language = language
        self.busy = False
        self.profile: Profile | None = None
        self.analytics: AppealAnalytics | None = None
        self.confirming_delete = False
        self.unsent_actions = 0
        self.notice: Message | None = None
        self._on_queued = on_queued or (lambda: None)
        self._tasks = BackgroundTasks()
        self._reloading: asyncio.Task[None] | None = None
        if profile is not None:
            language.tr.subscribe(self._language_switched)

    def _language_switched(self) -> None:
        """The server writes SMS and notices in the resident's language: queue the switch."""
        if not self._auth.signed_in:
            return
        self._tasks.start(self.save_language)

    async def save_language(self) -> None:
        if self._profile_repo is None:
            return
        lang = self.language.current
        await asyncio.to_thread(self._profile_repo.update_language, lang)
        self._on_queued()

    def follow(self, source: Observable) -> None:
        """Read the analytics again when `source` (the appeals' `AppealsChanged`) fires, e.g.
        after the sync engine merged the server's feed."""
        source.subscribe(self._source_changed)

    def _source_changed(self) -> None:
        if self._history is None or (self._reloading is not None and not self._reloading.done()):
            return
        try:
            self._reloading = asyncio.get_running_loop().create_task(self._reload_analytics())
        except RuntimeError:
            return

    async def _reload_analytics(self) -> None:
        await asyncio.sleep(0.3)  # a burst of changes (a feed page) makes one reload
        await asyncio.to_thread(self._read)
        self.notify()

    # -- who --------------------------------------------------------------------------------

    @property
    def phone(self) -> str:
        if self.profile is not None and self.profile.phone:
            return format_phone(self.profile.phone)
        session = self._auth.session
        return format_phone(session.phone) if session else ""

    @property
    def full_name(self) -> str | None:
        if self.profile is not None and self.profile.full_name:
            return self.profile.full_name
        session = self._auth.session
        return session.user.full_name if session and session.user else None

    @property
    def address_count(self) -> int:
        return len(self.profile.addresses) if self.profile else 0

    # -- loading ----------------------------------------------------------------------------

    def _read(self) -> None:
        if self._profile_repo is not None:
            self.profile = self._profile_repo.profile()
        if self._history is not None:
            self.analytics = appeal_analytics(self._history.facts(), self._now())

    async def load(self) -> None:
        """What the device knows at once; then the profile from the server when reachable."""
        await asyncio.to_thread(self._read)
        self.notify()
        if self._profile_repo is None or not self._auth.signed_in:
            return
        try:
            await self._profile_repo.refresh()
        except (NetworkError, ApiError) as exc:
            log.info("profile not refreshed: %r", exc)
            return
        await asyncio.to_thread(self._read)
        self.notify()

    def category_name(self, code: str | None, lang: str) -> str | Message:
        if code is None:
            return Message(MSG_OTHER_CATEGORIES)
        name = self._class_name(code, lang) if self._class_name else None
        return name or code

    # -- navigation -------------------------------------------------------------------------

    async def open_personal(self) -> None:
        await self._nav.go(CABINET_PERSONAL)

    async def open_addresses(self) -> None:
        await self._nav.go(CABINET_ADDRESSES)

    async def open_notifications(self) -> None:
        await self._nav.go(CABINET_NOTIFICATIONS)

    # -- leaving ----------------------------------------------------------------------------

    async def sign_out(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.notify()
        try:
            await self._auth.sign_out()
        finally:
            self.busy = False
            self.notify()
        await self._nav.go(routes.HOME)

    async def ask_delete(self) -> None:
        """Show the confirmation, with how many actions would be lost."""
        count = self._pending_actions
        self.unsent_actions = await asyncio.to_thread(count) if count else 0
        self.confirming_delete = True
        self.notify()

    def cancel_delete(self) -> None:
        self.confirming_delete = False
        self.notify()

    async def delete_local_data(self) -> None:
        """Sign out and erase the resident's data and files on this device (the interface
        language stays: it is the device's, not the resident's)."""
        if self.busy:
            return
        self.confirming_delete = False
        self.busy = True
        self.notify()
        try:
            await self._auth.sign_out()  # clears every resident table
            if self._wipe_files is not None:
                await self._wipe_files()
        finally:
            self.busy = False
            self.profile = None
            self.analytics = None
        self.notice = Message(MSG_DELETED)
        self.notify()
        await self._nav.go(routes.HOME)
