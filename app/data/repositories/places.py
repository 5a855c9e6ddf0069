"""The emergency map's bundle (shelters, accommodation and medical points, and the emergency
contacts), kept on the device for offline use and refreshed only when its version changes
(`If-None-Match` → 304; the sync feed's `places_bundle` rows carry the new version).

Public data: kept across sign-outs. Before the first download the app still has the emergency
numbers (`BUILT_IN_CONTACTS`)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from app.data.repositories.local_cache import LocalCache
from app.data.store.models import ReferenceCache
from app.domain.places import BUILT_IN_CONTACTS, EMPTY_BUNDLE, PlacesBundle

log = logging.getLogger(__name__)

BUNDLE_KEY = "places_bundle"


class PlacesRepository(LocalCache):
    def _start_empty(self) -> None:
        self._bundle: PlacesBundle = EMPTY_BUNDLE
        self._etag: str | None = None

    @property
    def bundle(self) -> PlacesBundle:
        return self._bundle

    @property
    def cached(self) -> bool:
        """Whether a bundle was ever downloaded (else only the built-in numbers are known)."""
        return bool(self._bundle.version)

    # -- local store (blocking) ------------------------------------------------------------

    def load(self) -> None:
        with self._db.read() as s:
            row = s.get(ReferenceCache, BUNDLE_KEY)
        if row is not None:
            try:
                self._bundle = _with_contacts(
                    PlacesBundle.from_json(json.loads(row.value_json), row.fetched_at)
                )
                self._etag = row.etag
            except (ValueError, KeyError, TypeError):
                log.warning("unreadable places bundle dropped")
        self.loaded = True

    def _save(self, data: dict[str, Any], etag: str | None) -> PlacesBundle:
        now = self._clock()
        bundle = _with_contacts(PlacesBundle.from_json(data, now))
        with self._db.session() as s:
            row = s.get(ReferenceCache, BUNDLE_KEY) or ReferenceCache(
                key=BUNDLE_KEY, value_json="{}", fetched_at=now
            )
            row.version = bundle.version
            row.etag = etag
            row.value_json = json.dumps(data, ensure_ascii=False)
            row.fetched_at = now
            s.add(row)
            s.commit()
        return bundle

    # -- actions ---------------------------------------------------------------------------

    async def refresh(self) -> bool:
        """Download the bundle if it changed; True if it did. Network errors propagate."""
        async with self._lock:
            await self.ensure_loaded()
            reply = await self._api.places_bundle(self._etag if self.cached else None)
            if reply.data is None:
                return False
            self._bundle = await asyncio.to_thread(self._save, reply.data, reply.etag)
            self._etag = reply.etag
        log.info("places bundle %s: %d places", self._bundle.version, len(self._bundle.places))
        self.notify()
        return True

    async def apply_rows(self, rows: list[dict[str, Any]]) -> bool:
        """Sync feed rows `{"version": ...}`: refetch when the version is not ours."""
        await self.ensure_loaded()
        versions = {str(r.get("version") or "") for r in rows}
        if not versions or versions == {self._bundle.version}:
            return False
        return await self.refresh()


def _with_contacts(bundle: PlacesBundle) -> PlacesBundle:
    """A bundle always carries the emergency numbers, even if the server's list lacks one."""
    have = {c.number for c in bundle.contacts}
    missing = tuple(c for c in BUILT_IN_CONTACTS if c.number not in have)
    if not missing:
        return bundle
    return PlacesBundle(bundle.version, bundle.places, missing + bundle.contacts, bundle.fetched_at)
