"""Keeps the city feeds fresh — what the city publishes to every resident: alerts (emergency
warnings), the places bundle (shelters, accommodation, medical points, contacts) and notices
(planned and emergency works, events). They are refreshed when the session starts, when the
sync feed brings `alert` / `notice` / `places_bundle` rows (pulled at once on a push), and on
demand. Every step tolerates having no network: the cached data stays
and `online` says what the last attempt found.

It also sends the resident's coarse position to the server when `PositionSharing` says it is
due and allowed (`app/sync/position_sharing.py`: what, how coarse, when), since alerts are
targeted by it, and pulls the alerts again afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from app.data.repositories.alerts import AlertsRepository
from app.data.repositories.notices import NoticesRepository
from app.data.repositories.places import PlacesRepository
from app.data.services.city_feeds_api import CityFeedsApi
from app.domain.appeals import Position
from app.errors import ApiError, NetworkError
from app.observable import Observable
from app.sync.position_sharing import PositionSharing
from app.sync.syncable import Merger, Sender

log = logging.getLogger(__name__)

LAST_KNOWN_FOR = timedelta(hours=6)


class CityFeeds(Observable):
    def __init__(
        self,
        api: CityFeedsApi,
        alerts: AlertsRepository,
        places: PlacesRepository,
        notices: NoticesRepository,
        *,
        signed_in: Callable[[], bool] = lambda: True,
        last_position: Callable[[], tuple[Position, datetime] | None] | None = None,
        sharing: PositionSharing | None = None,
    ) -> None:
        super().__init__()
        self._api = api
        self.alerts = alerts
        self.places = places
        self.notices = notices
        self._signed_in = signed_in
        self._last_known = last_position
        self.sharing = sharing or PositionSharing(api.report_position)
        self.online: bool | None = None  # None: not tried yet
        self.refreshing = False
        self.position: Position | None = None  # the resident's latest known position
        self._refresh_task: asyncio.Task[None] | None = None

    # -- sync (`Syncable`): no outbox actions; the feed's alert, notice, places_bundle rows ---

    def senders(self) -> Mapping[str, Sender]:
        return {}

    def mergers(self) -> Mapping[str, Merger]:
        return {
            "alert": self.alerts.apply_rows,
            "notice": self.notices.apply_rows,
            "places_bundle": self._on_bundle_rows,
        }

    def changed(self) -> None:
        """Nothing to do: each cache tells its listeners when it merges rows."""

    async def _on_bundle_rows(self, rows: list[dict[str, Any]]) -> None:
        try:
            await self.places.apply_rows(rows)
        except (ApiError, NetworkError) as exc:
            log.info("places bundle refresh failed: %r", exc)

    # -- refreshing -----------------------------------------------------------------------

    async def load(self) -> None:
        """Read the caches (no network)."""
        await asyncio.gather(
            self.alerts.ensure_loaded(), self.places.ensure_loaded(), self.notices.ensure_loaded()
        )

    def start(self) -> None:
        """Load and refresh in the background (called when a page session starts)."""
        if self._refresh_task is None or self._refresh_task.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop (a plain sync caller): the next start refreshes
            self._refresh_task = loop.create_task(self._start())

    async def idle(self) -> None:
        """Wait until the background load and refresh (if one runs) has finished."""
        task = self._refresh_task
        if task is not None and not task.done():
            await asyncio.shield(task)

    def on_auth_changed(self) -> None:
        """Signed in: refresh for this resident; signed out: forget their data in memory (the
        store's resident tables are emptied by the sign-out itself)."""
        if self._signed_in():
            self.start()
            return
        self.alerts.forget()
        self.notices.forget()
        self.position = None
        self.sharing.forget()
        self.online = None
        self.notify()

    async def _start(self) -> None:
        await self.load()
        await self.refresh()
        await self._report_last_known()

    async def _report_last_known(self) -> None:
        """The position this device fixed lately (for an appeal, on the map) keeps the alert
        targeting current without asking for location at start."""
        if self._last_known is None or self.position is not None:
            return
        try:
            found = await asyncio.to_thread(self._last_known)
        except Exception as exc:  # an unreadable cache is no reason to fail the start
            log.info("last position unreadable: %r", exc)
            return
        if found is None:
            return
        position, at = found
        if datetime.now(UTC) - at <= LAST_KNOWN_FOR:
            await self.report_position(replace(position, source="last_known"), fresh=True)

    async def refresh(self) -> bool:
        """Everything at once; True if the server answered. Never raises for the network."""
        if self.refreshing:
            return bool(self.online)
        self.refreshing = True
        self.notify()
        steps: list[Awaitable[Any]] = [self.places.refresh()]
        if self._signed_in():
            steps += [self.alerts.refresh(), self.notices.refresh()]
        try:
            results = await asyncio.gather(*steps, return_exceptions=True)
        finally:
            self.refreshing = False
        failures = [r for r in results if isinstance(r, BaseException)]
        for failure in failures:
            if not isinstance(failure, (NetworkError, ApiError)):
                log.error("city feeds refresh failed", exc_info=failure)
        self.online = not any(isinstance(r, NetworkError) for r in failures)
        self.notify()
        return self.online

    def set_online(self, online: bool | None) -> None:
        """What the sync engine found about the network: shown at once; back online, the
        alerts, the bundle and notices are pulled again."""
        if online is None or online == self.online:
            return
        was = self.online
        self.online = online
        self.notify()
        if online and was is False and not self.refreshing:
            self.start()

    async def refresh_alerts(self) -> bool:
        try:
            await self.alerts.refresh()
        except NetworkError:
            self.online = False
            self.notify()
            return False
        except ApiError as exc:
            log.info("alerts refresh refused: %r", exc)
            return False
        self.online = True
        self.notify()
        return True

    # -- position -------------------------------------------------------------------------

    @property
    def here(self) -> tuple[float, float] | None:
        p = self.position
        return (p.lat, p.lon) if p is not None and p.source != "address" else None

    async def report_position(self, position: Position, fresh: bool = False) -> None:
        """Where the resident is: shown at once; a device fix goes to the server (coarse) when
        sharing allows it and it is due (`fresh`: the app (re)started), and then the alerts
        that now concern them are pulled."""
        if position.source in ("gps", "last_known", "map"):
            self.position = position
            self.notify()
        if not self._signed_in() or position.source not in ("gps", "last_known"):
            return
        if await self.sharing.share(position, fresh=fresh):
            await self.refresh_alerts()
