"""Notices (planned and emergency works, public events), local first.

Every notice the app saw is kept (the feed sends every notice to every resident; the app applies
the resident's own choice of districts and topics). The choice itself is kept on the device and
sent as the profile's `notify_districts` / `notify_topics` when the server can be reached
(`dirty` until then). The resident's saved addresses (their points and districts) come with the
profile and narrow "my" notices too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import select

from app.data.repositories.local_cache import (
    LocalCache,
    mark_rows_seen,
    put_pref,
    put_reference,
)
from app.data.store.models import NoticeCache, ReferenceCache, SafetyPref
from app.domain.notices import NamedCode, Notice, NoticeFilter
from app.domain.places import SavedPlace
from app.errors import ApiError, NetworkError

log = logging.getLogger(__name__)

PREFS_KEY = "notice_prefs"
PLACES_KEY = "saved_places"
TOPICS_KEY = "notice_topics"
DISTRICTS_KEY = "notice_districts"
ACTIVE_PAGES = 3  # x 100 notices in force (the city publishes a handful a day)
PAGE = 100
FRESH_FOR = timedelta(hours=24)  # a notice newer than this that arrives live is announced

# Names for a first start with no network (the server's lists replace them when fetched).
BUILT_IN_TOPICS: tuple[NamedCode, ...] = tuple(
    NamedCode(code, {"kk": kk, "ru": ru})
    for code, kk, ru in (
        ("water", "Сумен жабдықтау", "Водоснабжение"),
        ("heating", "Жылумен жабдықтау", "Теплоснабжение"),
        ("power", "Электрмен жабдықтау", "Электроснабжение"),
        ("gas", "Газбен жабдықтау", "Газоснабжение"),
        ("roads", "Жолдар мен жол жөндеу", "Дороги и ремонт дорог"),
        ("sewerage", "Кәріз және су бұру", "Канализация и водоотведение"),
        ("transport", "Қоғамдық көлік", "Общественный транспорт"),
        ("events", "Қоғамдық іс-шаралар", "Общественные мероприятия"),
        ("other", "Басқа", "Другое"),
    )
)
BUILT_IN_DISTRICTS: tuple[NamedCode, ...] = tuple(
    NamedCode(code, {"kk": kk, "ru": ru})
    for code, kk, ru in (
        ("almaty", "Алматы ауданы", "район Алматы"),
        ("baikonur", "Байқоңыр ауданы", "район Байконур"),
        ("yesil", "Есіл ауданы", "район Есиль"),
        ("saryarka", "Сарыарқа ауданы", "район Сарыарка"),
        ("nura", "Нұра ауданы", "район Нура"),
        ("saraishyq", "Сарайшық ауданы", "район Сарайшык"),
    )
)


@dataclass(frozen=True)
class PrefsState:
    filter: NoticeFilter
    dirty: bool  # chosen here, not yet on the server
    error: str | None = None  # the server refused the choice (its message)


class PrefsRejectedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoticesRepository(LocalCache):
    # public lists (kept after sign-out): built in until the server's are fetched
    _topics: tuple[NamedCode, ...] = BUILT_IN_TOPICS
    _districts: tuple[NamedCode, ...] = BUILT_IN_DISTRICTS

    def _start_empty(self) -> None:
        """The resident's part: notices, seen marks, choices, saved addresses."""
        self._notices: dict[int, Notice] = {}
        self._seen: set[int] = set()
        self._prefs = PrefsState(NoticeFilter(), dirty=False)
        self._places: tuple[SavedPlace, ...] = ()
        self._archive_before: int | None = None
        self._archive_done = False
        self.arrived: tuple[int, ...] = ()  # notices that arrived live in the last change

    # -- reading ---------------------------------------------------------------------------

    @property
    def prefs(self) -> PrefsState:
        return self._prefs

    @property
    def saved_places(self) -> tuple[SavedPlace, ...]:
        return self._places

    @property
    def topics(self) -> tuple[NamedCode, ...]:
        return self._topics

    @property
    def districts(self) -> tuple[NamedCode, ...]:
        return self._districts

    @property
    def archive_done(self) -> bool:
        return self._archive_done

    def get(self, notice_id: int) -> Notice | None:
        return self._notices.get(notice_id)

    def is_seen(self, notice_id: int) -> bool:
        return notice_id in self._seen

    def territory(self) -> tuple[set[str], list[tuple[float, float]]]:
        """Districts and points of the resident's saved addresses."""
        districts = {p.district for p in self._places if p.district}
        points = [p.point for p in self._places if p.point is not None]
        return districts, points

    def matches(self, notice: Notice, mine: bool = True) -> bool:
        if not mine:
            return True
        districts, points = self.territory()
        return self._prefs.filter.matches(notice, extra_districts=districts, points=points)

    def items(self, scope: str, *, mine: bool = True) -> list[Notice]:
        """Active: in force (upcoming ones too), soonest start first; archive: newest first."""
        now = self.now()
        chosen = [
            n
            for n in self._notices.values()
            if (n.active(now) if scope == "active" else not n.active(now)) and self.matches(n, mine)
        ]
        if scope == "active":
            return sorted(chosen, key=lambda n: (n.starts_at, -n.id))
        return sorted(chosen, key=lambda n: -n.id)

    def unseen_count(self) -> int:
        now = self.now()
        return sum(
            1
            for n in self._notices.values()
            if n.id not in self._seen and n.active(now) and self.matches(n)
        )

    # -- local store (blocking) ------------------------------------------------------------

    def load(self) -> None:
        with self._db.read() as s:
            rows = s.exec(select(NoticeCache)).all()
            prefs = s.get(SafetyPref, PREFS_KEY)
            places = s.get(SafetyPref, PLACES_KEY)
            topics = s.get(ReferenceCache, TOPICS_KEY)
            districts = s.get(ReferenceCache, DISTRICTS_KEY)
        notices: dict[int, Notice] = {}
        seen: set[int] = set()
        for row in rows:
            try:
                notices[row.id] = Notice.from_json(json.loads(row.data_json))
            except (ValueError, KeyError, TypeError):
                continue
            if row.seen:
                seen.add(row.id)
        self._notices, self._seen = notices, seen
        if prefs is not None:
            data = json.loads(prefs.value_json)
            self._prefs = PrefsState(
                NoticeFilter(tuple(data.get("districts") or ()), tuple(data.get("topics") or ())),
                dirty=bool(data.get("dirty")),
            )
        if places is not None:
            self._places = tuple(SavedPlace(**p) for p in json.loads(places.value_json))
        if topics is not None:
            self._topics = tuple(NamedCode.from_json(t) for t in json.loads(topics.value_json))
        if districts is not None:
            self._districts = tuple(
                NamedCode.from_json(d) for d in json.loads(districts.value_json)
            )
        self.loaded = True

    def _put_pref(self, key: str, value: Any) -> None:
        put_pref(self._db, key, value, self.now())

    def _upsert(self, rows: list[dict[str, Any]]) -> list[Notice]:
        """Store notices; returns those that were not known before."""
        new: list[Notice] = []
        parsed: list[tuple[Notice, dict[str, Any]]] = []
        for row in rows:
            try:
                parsed.append((Notice.from_json(row), row))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("notice row skipped: %r", exc)
        with self._db.session() as s:
            for notice, raw in parsed:
                cached = s.get(NoticeCache, notice.id)
                if cached is None:
                    new.append(notice)
                    cached = NoticeCache(id=notice.id, data_json="{}", updated_at=notice.updated_at)
                cached.data_json = json.dumps(raw, ensure_ascii=False)
                cached.updated_at = notice.updated_at
                s.add(cached)
            s.commit()
        for notice, _raw in parsed:
            self._notices[notice.id] = notice
        return new

    def forget(self) -> None:
        """After sign-out: the previous resident's notices state and choices leave memory (the
        public lists of topics and districts stay)."""
        self._start_empty()
        self.loaded = False
        self.notify()

    # -- actions ---------------------------------------------------------------------------

    async def apply_rows(self, rows: list[dict[str, Any]]) -> tuple[int, ...]:
        """Notices from the sync feed. Returns (and notes in `arrived`) the new ones worth a
        quiet notification: fresh, in force, and matching the resident's choice."""
        async with self._lock:
            await self.ensure_loaded()
            first_import = not self._notices  # a new install learns the current ones quietly
            new = await asyncio.to_thread(self._upsert, rows)
        now = self.now()
        announce = tuple(
            n.id
            for n in new
            if n.active(now) and n.updated_at >= now - FRESH_FOR and self.matches(n)
        )
        if first_import:
            announce = ()
        self.arrived = announce
        self.notify()
        return announce

    async def refresh(self) -> None:
        """Send a pending choice, then pull the profile's choice and addresses, the lists of
        topics and districts, the notices in force and the first archive page. Raises
        `NetworkError` when offline (what is cached stays)."""
        await self.ensure_loaded()
        if self._prefs.dirty:
            with contextlib.suppress(PrefsRejectedError):  # shown on the settings sheet
                await self._push_prefs()
        profile, topics, districts = await asyncio.gather(
            self._api.profile(), self._api.notice_topics(), self._api.notice_districts()
        )
        rows: list[dict[str, Any]] = []
        before: int | None = None
        for _ in range(ACTIVE_PAGES):
            page, before = await self._api.notices("active", before_id=before, limit=PAGE)
            rows += page
            if not before:
                break
        archive, archive_before = await self._api.notices("archive", limit=PAGE)
        async with self._lock:
            await asyncio.to_thread(self._upsert, rows + archive)
            self._archive_before = archive_before
            self._archive_done = archive_before is None
            self._topics = tuple(NamedCode.from_json(t) for t in topics) or BUILT_IN_TOPICS
            self._districts = tuple(NamedCode.from_json(d) for d in districts) or BUILT_IN_DISTRICTS
            await asyncio.to_thread(put_reference, self._db, TOPICS_KEY, topics, self.now())
            await asyncio.to_thread(put_reference, self._db, DISTRICTS_KEY, districts, self.now())
            await self._take_profile(profile)
        self.arrived = ()
        self.notify()

    async def _take_profile(self, profile: dict[str, Any]) -> None:
        places = tuple(
            SavedPlace(
                key=f"a{a.get('id')}",
                label=str(a.get("label") or ""),
                text=str(a.get("text") or ""),
                lat=a.get("lat"),
                lon=a.get("lon"),
                district=a.get("district"),
            )
            for a in profile.get("addresses") or ()
        )
        self._places = places
        await asyncio.to_thread(self._put_pref, PLACES_KEY, [p.__dict__ for p in places])
        if not self._prefs.dirty:  # the server's choice wins unless ours is still on its way
            chosen = NoticeFilter(
                tuple(profile.get("notify_districts") or ()),
                tuple(profile.get("notify_topics") or ()),
            )
            self._prefs = PrefsState(chosen, dirty=False)
            await asyncio.to_thread(self._save_prefs_row)

    async def load_more_archive(self) -> int:
        """The next page of older archived notices from the server; how many came."""
        await self.ensure_loaded()
        if self._archive_done:
            return 0
        rows, before = await self._api.notices(
            "archive", before_id=self._archive_before, limit=PAGE
        )
        async with self._lock:
            await asyncio.to_thread(self._upsert, rows)
            self._archive_before = before
            self._archive_done = before is None
        self.arrived = ()
        self.notify()
        return len(rows)

    async def mark_seen(self, ids: Iterable[int]) -> None:
        fresh = [i for i in ids if i not in self._seen]
        if not fresh:
            return
        self._seen.update(fresh)
        await asyncio.to_thread(mark_rows_seen, self._db, NoticeCache, fresh)
        self.arrived = ()
        self.notify()

    def _save_prefs_row(self) -> None:
        f = self._prefs.filter
        self._put_pref(
            PREFS_KEY,
            {"districts": list(f.districts), "topics": list(f.topics), "dirty": self._prefs.dirty},
        )

    async def save_prefs(self, districts: Iterable[str], topics: Iterable[str]) -> PrefsState:
        """Keep the choice here at once, then send it. Offline it waits (`dirty`) and goes with
        the next refresh; a refusal by the server raises `PrefsRejectedError`."""
        await self.ensure_loaded()
        chosen = NoticeFilter(tuple(dict.fromkeys(districts)), tuple(dict.fromkeys(topics)))
        self._prefs = PrefsState(chosen, dirty=True)
        await asyncio.to_thread(self._save_prefs_row)
        self.arrived = ()
        self.notify()
        try:
            await self._push_prefs()
        except NetworkError:
            log.info("notice preferences kept on the device until the server can be reached")
        return self._prefs

    async def _push_prefs(self) -> None:
        f = self._prefs.filter
        try:
            await self._api.save_notice_prefs(list(f.districts), list(f.topics))
        except ApiError as exc:
            self._prefs = PrefsState(f, dirty=False, error=exc.message or exc.code)
            await asyncio.to_thread(self._save_prefs_row)
            self.notify()
            raise PrefsRejectedError(exc.message or exc.code) from exc
        if self._prefs.filter == f:
            self._prefs = PrefsState(f, dirty=False)
            await asyncio.to_thread(self._save_prefs_row)
            self.notify()
