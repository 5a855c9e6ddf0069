"""Emergency alerts, local first: every CAP message that reached this resident is kept in the
local store (with its instruction), so the last known alerts are there with no network.

New messages come from `GET /alerts` (on start and on demand) and from the sync feed's `alert`
rows (pushed within a second over SSE). Updates and Cancels are applied by
`app.domain.alerts.apply_messages`, whatever order the messages arrive in. Listeners are
notified after every change; `arrived` holds the identifiers that were new in the last change.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, delete, select

from app.data.repositories.local_cache import LocalCache, mark_rows_seen, put_pref
from app.data.store.models import AlertCache, SafetyPref
from app.domain.alerts import Alert, apply_messages, current_alerts, recent_alerts
from app.errors import ApiError

log = logging.getLogger(__name__)

KEEP_AFTER_END = timedelta(days=30)
REFRESHED_KEY = "alerts_refreshed_at"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class AlertsRepository(LocalCache):
    def _start_empty(self) -> None:
        self._alerts: dict[str, Alert] = {}
        self._seen: set[str] = set()
        self.arrived: tuple[str, ...] = ()  # identifiers new in the last change
        self.last_refreshed: datetime | None = None

    # -- reading ---------------------------------------------------------------------------

    def get(self, identifier: str) -> Alert | None:
        return self._alerts.get(identifier)

    def current(self) -> list[Alert]:
        return current_alerts(self._alerts.values(), self.now())

    def recent(self) -> list[Alert]:
        return recent_alerts(self._alerts.values(), self.now())

    def latest_of(self, identifier: str) -> Alert | None:
        """The message that now stands for this one (following Updates/Cancels)."""
        alert = self._alerts.get(identifier)
        hops = 0
        while alert is not None and alert.superseded_by and hops < 50:
            nxt = self._alerts.get(alert.superseded_by)
            if nxt is None:
                break
            alert, hops = nxt, hops + 1
        return alert

    def is_seen(self, identifier: str) -> bool:
        return identifier in self._seen

    def unseen(self) -> list[Alert]:
        """Alerts in force whose banner was not dismissed yet (most severe first)."""
        return [a for a in self.current() if a.identifier not in self._seen]

    # -- local store (blocking) ------------------------------------------------------------

    def load(self) -> None:
        with self._db.read() as s:
            rows = s.exec(select(AlertCache)).all()
        alerts: dict[str, Alert] = {}
        seen: set[str] = set()
        for row in rows:
            try:
                data = json.loads(row.data_json)
                data["state"] = row.state
                alert = Alert.from_json(data)
            except (ValueError, KeyError, TypeError):
                log.warning("unreadable cached alert %s dropped", row.identifier)
                continue
            alerts[alert.identifier] = alert
            if row.seen:
                seen.add(alert.identifier)
        self._alerts = apply_messages({}, alerts.values())
        self._seen = seen
        with self._db.read() as s:
            mark = s.get(SafetyPref, REFRESHED_KEY)
        self.last_refreshed = (
            _utc(datetime.fromisoformat(json.loads(mark.value_json))) if mark else None
        )
        self.loaded = True

    def _store(self, changed: Iterable[Alert], dropped: Iterable[str]) -> None:
        now = self.now()
        with self._db.session() as s:
            for alert in changed:
                row = s.get(AlertCache, alert.identifier)
                data = dict(alert.raw)
                data["state"] = alert.state
                data["superseded_by"] = alert.superseded_by
                if row is None:
                    row = AlertCache(
                        identifier=alert.identifier,
                        sent=alert.sent,
                        expires=alert.expires,
                        msg_type=alert.msg_type,
                        state=alert.state,
                        data_json="{}",
                        received_at=now,
                    )
                row.sent, row.expires = alert.sent, alert.expires
                row.msg_type, row.state = alert.msg_type, alert.state
                row.data_json = json.dumps(data, ensure_ascii=False)
                row.seen = alert.identifier in self._seen
                s.add(row)
            for identifier in dropped:
                row = s.get(AlertCache, identifier)
                if row is not None:
                    s.delete(row)
            # Forget what ended long ago.
            s.exec(delete(AlertCache).where(col(AlertCache.expires) < now - KEEP_AFTER_END))
            s.commit()

    def _merge(self, incoming: list[Alert], dropped: set[str]) -> tuple[str, ...]:
        """Apply messages in memory and in the store; returns the identifiers that are new."""
        before = self._alerts
        known = {k: v for k, v in before.items() if k not in dropped}
        merged = apply_messages(known, incoming)
        changed = [a for k, a in merged.items() if before.get(k) != a]
        new = tuple(a.identifier for a in incoming if a.identifier not in before)
        self._store(changed, [d for d in dropped if d in before])
        self._alerts = merged
        return new

    def forget(self) -> None:
        """After sign-out: nothing of the previous resident stays in memory."""
        self._start_empty()
        self.loaded = False
        self.notify()

    # -- actions ---------------------------------------------------------------------------

    async def apply_rows(self, rows: list[dict[str, Any]]) -> tuple[str, ...]:
        """Messages from the sync feed (any state) — the resident's own targeting applied by
        the server already."""
        incoming = _parse(rows)
        if not incoming:
            return ()
        async with self._lock:
            await self.ensure_loaded()
            new = await asyncio.to_thread(self._merge, incoming, set())
        self._changed(new)
        return new

    async def refresh(self) -> tuple[str, ...]:
        """Pull the alerts in force for this resident; learn what became of the ones we had
        that the server no longer lists (replaced, withdrawn, expired, or no longer ours).

        Raises `NetworkError`/`ApiError` when the server cannot be asked (the cache stays)."""
        rows = await self._api.current_alerts()
        async with self._lock:
            await self.ensure_loaded()
            incoming = _parse(rows)
            listed = {a.identifier for a in incoming}
            dropped: set[str] = set()
            for alert in self.current():
                if alert.identifier in listed:
                    continue
                try:
                    fresh = Alert.from_json(await self._api.alert(alert.identifier))
                except ApiError as exc:
                    if exc.status == 404:
                        dropped.add(alert.identifier)
                    continue
                if fresh.state == "active" and fresh.expires > self.now():
                    dropped.add(alert.identifier)  # in force, but no longer concerns us
                else:
                    incoming.append(fresh)
            new = await asyncio.to_thread(self._merge, incoming, dropped)
            self.last_refreshed = at = self.now()  # shown offline: how old the information is
            await asyncio.to_thread(put_pref, self._db, REFRESHED_KEY, at.isoformat(), at)
        self._changed(new)
        return new

    async def mark_seen(self, *identifiers: str) -> None:
        fresh = [i for i in identifiers if i not in self._seen]
        if not fresh:
            return
        self._seen.update(fresh)
        await asyncio.to_thread(mark_rows_seen, self._db, AlertCache, fresh)
        self._changed(())

    def _changed(self, new: tuple[str, ...]) -> None:
        self.arrived = new
        self.notify()


def _parse(rows: Iterable[dict[str, Any]]) -> list[Alert]:
    out: list[Alert] = []
    for row in rows:
        try:
            out.append(Alert.from_json(row))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("alert row skipped: %r", exc)
    return out
