"""Notices: planned and emergency works and public events — in force and archive, narrowed to
the resident's districts / saved addresses and chosen topics, paged with "load more"; one
notice's details; and the settings of districts and topics (`NoticePrefsViewModel`, also used
by the cabinet's notification settings)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from app.data.repositories.notices import NoticesRepository, PrefsRejectedError
from app.domain.notices import Notice
from app.i18n import N_, Message, ngettext
from app.observable import Observable
from app.sync.city_feeds import CityFeeds
from app.viewmodels.city_feeds_common import MSG_OFFLINE_CACHED, CityFeedViewModel
from app.viewmodels.dates import format_when
from app.viewmodels.navigation import Navigation
from app.viewmodels.notification_settings import MSG_SETTINGS_QUEUED, MSG_SETTINGS_SAVED

log = logging.getLogger(__name__)

Scope = Literal["active", "archive"]
PAGE = 30
NOTICES_ROUTE = "/notices"

KIND_NAMES: dict[str, str] = {
    "planned": N_("Planned works"),
    "emergency": N_("Emergency works"),
    "event": N_("Public event"),
}
MSG_FROM = N_("From {start}, until further notice")
MSG_CITY_WIDE = N_("The whole city")
MSG_RADIUS = N_("Within {n} m of the point on the map")
MSG_WITHDRAWN = N_("Withdrawn")
MSG_ENDED = N_("Ended")
MSG_UPCOMING = N_("Starts {start}")
MSG_NEW_ONE = N_("New notice: {title}")
MSG_FILTERED = N_("Showing notices for your districts and topics")
MSG_ALL_SHOWN = N_("Showing all notices of the city")
MSG_EMPTY_ACTIVE = N_("No current notices for your districts and topics.")
MSG_EMPTY_ARCHIVE = N_("The archive is empty.")
MSG_NOT_FOUND = N_("This notice is not on this phone.")


@dataclass(frozen=True)
class NoticeView:
    id: int
    kind: str
    kind_name: Message
    topic: str
    topic_name: str
    title: str
    body: str
    dates: Message
    area: Message | str
    state: Message | None  # ended / withdrawn / upcoming
    unseen: bool
    area_point: tuple[float, float, int] | None


class NoticesViewModel(CityFeedViewModel):
    """The Notices tab and the notice detail screen."""

    def __init__(
        self,
        service: CityFeeds,
        navigation: Navigation,
        language: Callable[[], str],
    ) -> None:
        super().__init__(service, service.notices, navigation, language)
        self._repo: NoticesRepository = service.notices
        self.scope: Scope = "active"
        self.mine = True
        self.limit = PAGE
        self.loading_more = False
        self.error: Message | None = None
        self._fresh: set[int] = set()  # new when the list was opened: still marked "new"

    # -- views --------------------------------------------------------------------------------

    def _topic_name(self, code: str, lang: str) -> str:
        for t in self._repo.topics:
            if t.code == code:
                return t.name_in(lang)
        return code

    def _district_names(self, codes: Iterable[str], lang: str) -> str:
        names = {d.code: d.name_in(lang) for d in self._repo.districts}
        return ", ".join(names.get(c, c) for c in codes)

    def view(self, n: Notice) -> NoticeView:
        lang = self._language()
        now = self._repo.now()
        start = format_when(n.starts_at, lang)
        dates = (
            Message.text(f"{start} — {format_when(n.ends_at, lang)}")  # a range needs no words
            if n.ends_at
            else Message(MSG_FROM, {"start": start})
        )
        if n.city_wide:
            area: Message | str = Message(MSG_CITY_WIDE)
        elif n.districts:
            area = self._district_names(n.districts, lang)
        elif n.area is not None:
            area = Message(MSG_RADIUS, {"n": n.area.radius_m})
        else:
            area = Message(MSG_CITY_WIDE)
        if n.state == "withdrawn":
            state: Message | None = Message(MSG_WITHDRAWN)
        elif not n.active(now):
            state = Message(MSG_ENDED)
        elif n.starts_at > now:
            state = Message(MSG_UPCOMING, {"start": start})
        else:
            state = None
        return NoticeView(
            id=n.id,
            kind=n.kind,
            kind_name=Message(KIND_NAMES.get(n.kind, KIND_NAMES["planned"])),
            topic=n.topic,
            topic_name=self._topic_name(n.topic, lang),
            title=n.title_in(lang),
            body=n.body_in(lang),
            dates=dates,
            area=area,
            state=state,
            unseen=(not self._repo.is_seen(n.id) or n.id in self._fresh) and n.active(now),
            area_point=(n.area.lat, n.area.lon, n.area.radius_m) if n.area else None,
        )

    def _all(self) -> list[Notice]:
        return self._repo.items(self.scope, mine=self.mine)

    @property
    def items(self) -> list[NoticeView]:
        return [self.view(n) for n in self._all()[: self.limit]]

    @property
    def has_more(self) -> bool:
        if len(self._all()) > self.limit:
            return True
        return self.scope == "archive" and not self._repo.archive_done

    @property
    def filter_notice(self) -> Message:
        return Message(MSG_FILTERED) if self.mine else Message(MSG_ALL_SHOWN)

    @property
    def empty_notice(self) -> Message:
        return Message(MSG_EMPTY_ACTIVE if self.scope == "active" else MSG_EMPTY_ARCHIVE)

    @property
    def unseen_count(self) -> int:
        return self._repo.unseen_count()

    def on_arrivals(self, listener: Callable[[Message], None]) -> Callable[[], None]:
        """Call `listener` with a quiet word each time new notices arrive (once per batch)."""

        def changed() -> None:
            message = self.arrivals()
            if message is not None:
                listener(message)

        return self._repo.subscribe(changed)

    def arrivals(self) -> Message | None:
        """A quiet word about notices that just arrived (for a snackbar), if any."""
        ids = self._repo.arrived
        if not ids:
            return None
        if len(ids) == 1:
            notice = self._repo.get(ids[0])
            if notice is not None:
                return Message(MSG_NEW_ONE, {"title": notice.title_in(self._language())})
        return ngettext("{n} new notice", "{n} new notices", len(ids))

    def detail(self, notice_id: int) -> tuple[NoticeView | None, Message | None]:
        notice = self._repo.get(notice_id)
        if notice is None:
            return None, Message(MSG_NOT_FOUND)
        return self.view(notice), None

    # -- actions ------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._repo.ensure_loaded()
        self.notify()

    def set_scope(self, scope: Scope) -> None:
        if scope != self.scope:
            self.scope = scope
            self.limit = PAGE
            self.notify()

    def set_mine(self, mine: bool) -> None:
        if mine != self.mine:
            self.mine = mine
            self.limit = PAGE
            self.notify()

    async def load_more(self) -> None:
        """The next page: from the phone, and for the archive from the server once the phone
        has no more."""
        if self.loading_more:
            return
        self.limit += PAGE
        need_server = (
            self.scope == "archive"
            and not self._repo.archive_done
            and len(self._all()) < self.limit
        )
        if not need_server:
            self.notify()
            return
        self.loading_more = True
        self.error = None
        self.notify()
        try:
            await self._repo.load_more_archive()
        except Exception as exc:  # offline or refused: what is here stays
            log.info("archive page failed: %r", exc)
            self.error = Message(MSG_OFFLINE_CACHED)
        finally:
            self.loading_more = False
            self.notify()

    async def mark_shown_seen(self) -> None:
        """The resident looked at the list: what it lists (every page) is no longer new, and
        the badge on the Notices tab is cleared."""
        if self.scope == "active":
            fresh = [n.id for n in self._all() if not self._repo.is_seen(n.id)]
            self._fresh = set(fresh)  # still shown as "new" during this visit
            await self._repo.mark_seen(fresh)

    async def open_list(self) -> None:
        self.set_scope("active")
        await self._nav.go(NOTICES_ROUTE)

    async def open(self, notice_id: int) -> None:
        await self._repo.mark_seen([notice_id])
        await self._nav.go(f"{NOTICES_ROUTE}/{notice_id}")


@dataclass(frozen=True)
class Choice:
    code: str
    name: str
    selected: bool


class NoticePrefsViewModel(Observable):
    """Districts and topics the resident wants notices about (none chosen = all). Edits a
    draft; `save()` keeps it on the phone at once and sends it to the profile when online."""

    def __init__(self, notices: NoticesRepository, language: Callable[[], str]) -> None:
        super().__init__()
        self._repo = notices
        self._language = language
        self.districts: set[str] = set()
        self.topics: set[str] = set()
        self.saving = False
        self.status: Message | None = None
        self.error: Message | None = None
        self.reset()

    def reset(self) -> None:
        """Start the draft from what is saved."""
        f = self._repo.prefs.filter
        self.districts, self.topics = set(f.districts), set(f.topics)
        self.status = Message(MSG_SETTINGS_QUEUED) if self._repo.prefs.dirty else None
        self.error = Message.text(self._repo.prefs.error) if self._repo.prefs.error else None
        self.notify()

    @property
    def district_choices(self) -> list[Choice]:
        lang = self._language()
        return [
            Choice(d.code, d.name_in(lang), d.code in self.districts) for d in self._repo.districts
        ]

    @property
    def topic_choices(self) -> list[Choice]:
        lang = self._language()
        return [Choice(t.code, t.name_in(lang), t.code in self.topics) for t in self._repo.topics]

    def toggle_district(self, code: str, on: bool | None = None) -> None:
        self.districts = _toggle(self.districts, code, on)
        self.status = None
        self.notify()

    def toggle_topic(self, code: str, on: bool | None = None) -> None:
        self.topics = _toggle(self.topics, code, on)
        self.status = None
        self.notify()

    async def save(self) -> bool:
        if self.saving:
            return False
        self.saving = True
        self.error = None
        self.notify()
        order_d = [d.code for d in self._repo.districts if d.code in self.districts]
        order_t = [t.code for t in self._repo.topics if t.code in self.topics]
        try:
            state = await self._repo.save_prefs(order_d, order_t)
        except PrefsRejectedError as exc:
            self.error = Message.text(exc.message)
            return False
        finally:
            self.saving = False
            self.notify()
        self.status = Message(MSG_SETTINGS_QUEUED if state.dirty else MSG_SETTINGS_SAVED)
        self.notify()
        return True


def _toggle(values: set[str], code: str, on: bool | None) -> set[str]:
    want = (code not in values) if on is None else on
    return values | {code} if want else values - {code}
