"""The classifier (Appendix 4), cached in the local store so that choosing a category works
offline.

`refresh()` asks the server with the cached ETag (`If-None-Match`): 304 keeps what we have, 200
replaces it. Search by name (kk/ru) and the offline suggestion run on the cached copy;
`suggest()` asks the server first when it is reachable. `name_of(code, lang)` is what lists use
to show a category name (no I/O: it reads the copy loaded in memory).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from app.data.services.appeal_lookups_api import NewAppealApi
from app.data.store.database import Database
from app.data.store.models import ClassifierCache
from app.data.store.upsert import sql_now, upsert
from app.domain.classifier import Classifier, SearchGroup, Subclass
from app.errors import ApiError, NetworkError
from app.observable import Observable

log = logging.getLogger(__name__)

# Parsed classifiers shared by the page sessions of this process, by version (immutable).
_parsed: dict[str, Classifier] = {}
_parsed_lock = threading.Lock()


def _parse(version: str, body_json: str) -> Classifier:
    with _parsed_lock:
        found = _parsed.get(version)
        if found is None:
            found = _parsed[version] = Classifier.from_json(json.loads(body_json))
        return found


@dataclass(frozen=True)
class SuggestionResult:
    """Subclasses suggested for a text, best first, and where they came from."""

    subclasses: tuple[Subclass, ...]
    source: Literal["server", "local", "none"]
    reachable: bool | None = None  # whether the server answered (None: not asked)


class ClassifierRepository(Observable):
    """Listeners hear when a newer classifier was stored."""

    def __init__(self, db: Database, api: NewAppealApi) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._classifier: Classifier | None = None
        self._etag: str | None = None
        self._refresh_lock = asyncio.Lock()
        self.refreshed_at: datetime | None = None

    # -- local store (blocking) ----------------------------------------------------------------

    def load(self) -> Classifier | None:
        """Read the cached classifier into memory (blocking; no network)."""
        with self._db.read() as s:
            row = s.get(ClassifierCache, 1)
        if row is None:
            return None
        try:
            self._classifier = _parse(row.version, row.body_json)
        except (ValueError, KeyError, TypeError):
            log.warning("cached classifier unreadable; it will be fetched again")
            return None
        self._etag = row.etag
        return self._classifier

    def _store(self, etag: str | None, body: dict[str, object]) -> Classifier:
        body_json = json.dumps(body, ensure_ascii=False)
        version = str(body.get("version") or etag or "")
        classifier = _parse(version, body_json)
        upsert(
            self._db,
            "classifier_cache",
            "id",
            {"id": 1, "version": version, "etag": etag, "body_json": body_json,
             "fetched_at": sql_now()},
        )  # fmt: skip
        return classifier

    # -- reading -------------------------------------------------------------------------------

    @property
    def classifier(self) -> Classifier | None:
        return self._classifier

    @property
    def version(self) -> str | None:
        return self._classifier.version if self._classifier else None

    async def ensure_loaded(self) -> Classifier | None:
        if self._classifier is None:
            await asyncio.to_thread(self.load)
        return self._classifier

    def name_of(self, subclass_code: str, lang: str) -> str | None:
        """The subclass's name in `lang` (kk/ru), or None if the classifier is not cached."""
        return self._classifier.name_of(subclass_code, lang) if self._classifier else None

    def subclass(self, code: str) -> Subclass | None:
        return self._classifier.subclass(code) if self._classifier else None

    def search(self, query: str, *, limit: int = 60) -> list[SearchGroup]:
        return self._classifier.search(query, limit=limit) if self._classifier else []

    # -- network -------------------------------------------------------------------------------

    async def refresh(self) -> bool:
        """Bring the cache up to date; True if the server answered (200 or 304)."""
        async with self._refresh_lock:
            await self.ensure_loaded()
            etag = self._etag if self._classifier is not None else None
            try:
                reply = await self._api.classifier(etag)
            except (NetworkError, ApiError) as exc:
                log.info("classifier refresh skipped: %r", exc)
                return False
            self.refreshed_at = datetime.now(UTC)
            if reply.body is None:
                return True
            self._classifier = await asyncio.to_thread(self._store, reply.etag, reply.body)
            self._etag = reply.etag
        self.notify()
        return True

    async def suggest(self, text: str, *, limit: int = 5, online: bool = True) -> SuggestionResult:
        """Ask the server (when `online`); on no connection, match the cached keywords."""
        text = text.strip()
        if not text:
            return SuggestionResult((), "none")
        await self.ensure_loaded()
        reachable: bool | None = None
        if online:
            try:
                found = await self._api.suggest(text, limit)
            except NetworkError:
                reachable = False
            except ApiError as exc:
                log.debug("server suggestion unavailable: %r", exc)
                reachable = True
            else:
                subs = []
                for s in found:
                    sub = self.subclass(s.subclass_code) or Subclass(
                        s.subclass_code, s.class_code, s.name_kk, s.name_ru
                    )
                    subs.append(sub)
                return SuggestionResult(tuple(subs), "server", True)
        return self.suggest_locally(text, limit=limit, reachable=reachable)

    def suggest_locally(
        self, text: str, *, limit: int = 5, reachable: bool | None = None
    ) -> SuggestionResult:
        if self._classifier is None:
            return SuggestionResult((), "none", reachable)
        found = self._classifier.suggest(text, limit=limit)
        return SuggestionResult(tuple(s.subclass for s in found), "local", reachable)
