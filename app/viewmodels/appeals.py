""" "My appeals": the list (filtered by status, paged with "load more") and the connectivity
line above it (offline banner, what waits to send, when it last synced, "sync now").

Both read only the local store; they refresh when the appeals (`AppealsChanged`) or the engine
say something changed. No Flet here: tests drive them directly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_queries import PAGE_SIZE, AppealQueries, PageKey
from app.domain.appeals import AppealItem
from app.domain.timestamps import utcnow
from app.i18n import N_, Message
from app.observable import Observable
from app.sync.engine import SyncEngine, SyncStatus
from app.viewmodels import appeal_text as t
from app.viewmodels.dates import format_when
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

CategoryName = Callable[[str, str], str | None]  # (subclass code, language) -> name

FILTERS: tuple[str | None, ...] = (None, *t.STATUS_LABELS)

MSG_OFFLINE = N_("Offline: your actions are kept and will be sent when the connection is back.")
MSG_PENDING = N_("Waiting to send: {n}")
MSG_REJECTED_COUNT = N_("Not accepted: {n}")
MSG_SYNCED_AT = N_("Synced at {time}")
MSG_NEVER_SYNCED = N_("Not synced yet")
MSG_SYNCING = N_("Syncing…")
MSG_EMPTY = N_("You have no appeals yet. Tap \u201cNew appeal\u201d to file one.")
MSG_EMPTY_FILTER = N_("No appeals with this status.")


@dataclass(frozen=True)
class AppealRow:
    """One row of the list as the screen shows it."""

    item: AppealItem
    category: str  # the subclass's name (or its code when the classifier is not cached)
    number: Message
    status: str  # msgid
    due: Message | None  # the deadline while the appeal is open
    overdue: bool
    sync: Message | None  # waiting / refused mark
    route: str


def appeal_route(item: AppealItem) -> str:
    return f"/appeals/{item.server_id if item.server_id is not None else item.client_id}"


def sync_mark(item: AppealItem) -> Message | None:
    if item.sync_state == "pending":
        return Message(t.MSG_WAITING)
    if item.sync_state == "rejected":
        if item.sync_error:
            return Message(t.MSG_REJECTED, {"reason": Message.text(item.sync_error)})
        return Message(t.MSG_REJECTED_NO_REASON)
    return None


class SyncStatusViewModel(Observable):
    """The engine's state in words; "sync now"."""

    def __init__(
        self,
        engine: SyncEngine,
        language: Callable[[], str],
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__()
        self._engine = engine
        self._language = language
        self._now = now
        engine.status.subscribe(self.notify)

    @property
    def status(self) -> SyncStatus:
        return self._engine.status

    @property
    def offline(self) -> bool:
        return self.status.online is False

    @property
    def syncing(self) -> bool:
        return self.status.syncing

    @property
    def offline_notice(self) -> Message | None:
        return Message(MSG_OFFLINE) if self.offline else None

    @property
    def pending_notice(self) -> Message | None:
        n = self.status.pending
        return Message(MSG_PENDING, {"n": n}) if n else None

    @property
    def rejected_notice(self) -> Message | None:
        n = self.status.rejected
        return Message(MSG_REJECTED_COUNT, {"n": n}) if n else None

    @property
    def last_synced(self) -> Message:
        if self.syncing:
            return Message(MSG_SYNCING)
        at = self.status.last_synced_at
        if at is None:
            return Message(MSG_NEVER_SYNCED)
        return Message(
            MSG_SYNCED_AT, {"time": format_when(at, self._language(), short=True, now=self._now())}
        )

    async def sync_now(self) -> None:
        await self._engine.sync_now(manual=True)


class AppealListViewModel(Observable):
    def __init__(
        self,
        queries: AppealQueries,
        changes: AppealsChanged,
        navigation: Navigation,
        *,
        language: Callable[[], str],
        category_name: CategoryName | None = None,
        refresh_categories: Callable[[], Coroutine[Any, Any, object]] | None = None,
        now: Callable[[], datetime] = utcnow,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__()
        self._queries = queries
        self._nav = navigation
        self._language = language
        self._category = category_name
        self._refresh_categories = refresh_categories
        self._categories_task: asyncio.Task[object] | None = None
        self._now = now
        self.page_size = page_size
        self.filter: str | None = None
        self.rows: list[AppealRow] = []
        self.has_more = False
        self.loading = False
        self.loaded = False
        self._next: PageKey | None = None
        self._refresh_task: asyncio.Task[None] | None = None
        self._again = False
        changes.subscribe(self.reload_soon)  # one list per session: listens for its lifetime

    def reload_soon(self) -> None:
        """The store (or the category names) changed: re-read the rows shown."""
        if not self.loaded:
            return  # nobody has looked at the list yet: it loads when shown
        if self._refresh_task is not None and not self._refresh_task.done():
            self._again = True  # one refresh at a time, and one more after it
            return
        try:
            self._refresh_task = asyncio.get_running_loop().create_task(self.refresh())
        except RuntimeError:  # no loop (a test calling from outside): nothing to refresh
            self._refresh_task = None

    # -- loading ---------------------------------------------------------------------------------

    def filters(self) -> list[tuple[str | None, str]]:
        """(status or None, msgid) of each filter chip."""
        return [(None, t.MSG_ALL), *((s, t.STATUS_LABELS[s]) for s in t.STATUS_LABELS)]

    async def load(self) -> None:
        """The first page of the current filter."""
        if self._refresh_categories is not None and self._categories_task is None:
            # category names come from the cached classifier: bring it up to date once
            self._categories_task = asyncio.get_running_loop().create_task(
                self._refresh_categories()
            )
        self.loading = True
        self.notify()
        try:
            page = await self._queries.list_page(self.filter, None, self.page_size)
        finally:
            self.loading = False
        self.rows = [self._row(i) for i in page.items]
        self._next = page.next
        self.has_more = page.next is not None
        self.loaded = True
        self.notify()

    async def load_more(self) -> None:
        if not self.has_more or self.loading or self._next is None:
            return
        self.loading = True
        self.notify()
        try:
            page = await self._queries.list_page(self.filter, self._next, self.page_size)
        finally:
            self.loading = False
        known = {r.item.client_id for r in self.rows}
        self.rows = self.rows + [self._row(i) for i in page.items if i.client_id not in known]
        self._next = page.next
        self.has_more = page.next is not None
        self.notify()

    async def refresh(self) -> None:
        """Re-read as many rows as are shown (the store changed, or the language did)."""
        while True:
            self._again = False
            shown = max(self.page_size, len(self.rows))
            page = await self._queries.list_page(self.filter, None, shown)
            self.rows = [self._row(i) for i in page.items]
            self._next = page.next
            self.has_more = page.next is not None
            self.loaded = True
            self.notify()
            if not self._again:
                return

    async def set_filter(self, status: str | None) -> None:
        if status == self.filter:
            return
        self.filter = status
        self.rows = []
        await self.load()

    async def open(self, row: AppealRow) -> None:
        await self._nav.go(row.route)

    async def new_appeal(self) -> None:
        await self._nav.go("/appeals/new")

    # -- rows ------------------------------------------------------------------------------------

    @property
    def empty_notice(self) -> str | None:
        if not self.loaded or self.rows:
            return None
        return MSG_EMPTY if self.filter is None else MSG_EMPTY_FILTER

    def _row(self, item: AppealItem) -> AppealRow:
        lang = self._language()
        name = None
        if self._category is not None:
            try:
                name = self._category(item.subclass_code, lang)
            except Exception:  # a missing classifier must not break the list
                name = None
        number = (
            Message(t.MSG_NUMBER, {"n": item.number})
            if item.number
            else Message(t.MSG_NOT_NUMBERED)
        )
        due = (
            Message(
                t.MSG_DUE, {"when": format_when(item.due_at, lang, short=True, now=self._now())}
            )
            if item.due_at and item.status != "closed"
            else None
        )
        return AppealRow(
            item=item,
            category=name or item.subclass_code,
            number=number,
            status=t.STATUS_LABELS.get(item.status, item.status),
            due=due,
            overdue=item.overdue,
            sync=sync_mark(item),
            route=appeal_route(item),
        )
