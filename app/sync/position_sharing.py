"""The resident's position for alerts: what is sent, how coarse, and when.

The server aims an alert at the residents whose last known position lies in its circles or
polygons (`backend_stub/crud/alert_targeting.py`), so the open app keeps that position current:

- **What:** latitude and longitude rounded to 2 decimals (`coarse`): a cell of about
  1.1 km × 0.7 km in Astana, so the point sent lies at most ~0.66 km from the real one, and
  `accuracy_m` says so. Enough for the server to match an alert area of a kilometre or more;
  too coarse to tell a street or a building. The precise fix stays on the device.
- **Only when allowed:** with location permission the resident has already given (a map or a new
  appeal asked for it; nothing here ever asks), and not at all when they turned sharing off in
  the cabinet (`SettingsRepository.shares_position`, read at every decision).
- **Only while open:** `PositionWatch` runs between the session's start (or resume, or the app
  coming back to the foreground) and its pause (or the app leaving the foreground); nothing is
  sent from the background.
- **When:** at start and on resume (a fresh fix; again only if `MIN_GAP_S`, 1 min, has passed
  since the last one sent: a reload does not resend), and whenever a fix — the check every
  `CHECK_EVERY_S` (2 min) while open, or one the resident took on the map or for an appeal —
  lies `MOVED_M` (300 m) or more from the last position sent and in another cell (so GPS jitter
  at a cell's edge sends nothing). A return to the foreground less than `MIN_GAP_S` after the
  watch's last fix (a system dialog, a quick switch of apps) takes no new fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from app.domain.appeals import Position
from app.domain.geo import distance_m
from app.errors import ApiError, NetworkError
from app.sync.tasks import cancel_and_wait

log = logging.getLogger(__name__)

COARSE_DECIMALS = 2
COARSE_ERROR_M = 700.0  # half the cell's diagonal at Astana (~0.66 km), rounded up
MOVED_M = 300.0
MIN_GAP_S = 60.0
CHECK_EVERY_S = 120.0


def coarse(position: Position) -> Position:
    """The position as it is sent: rounded, its accuracy no better than the rounding."""
    accuracy = max(position.accuracy_m or 0.0, COARSE_ERROR_M)
    return replace(
        position,
        lat=round(position.lat, COARSE_DECIMALS),
        lon=round(position.lon, COARSE_DECIMALS),
        accuracy_m=accuracy,
    )


def _cell(position: Position) -> tuple[float, float]:
    sent = coarse(position)
    return sent.lat, sent.lon


class PositionSharing:
    """Decides whether a position goes to the server, and sends it (coarse). Remembers the
    last one sent in memory only."""

    def __init__(
        self,
        send: Callable[[float, float, float | None], Awaitable[None]],
        *,
        withdraw: Callable[[], Awaitable[None]] | None = None,
        allowed: Callable[[], bool] = lambda: True,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._withdraw = withdraw
        self._allowed = allowed
        self._monotonic = monotonic
        self._last: tuple[Position, float] | None = None  # the fix sent, and when
        self._withdrawn = False  # the server was told to forget it (this session)

    async def allowed(self) -> bool:
        """The resident has not turned sharing off (read from the store each time)."""
        try:
            return await asyncio.to_thread(self._allowed)
        except Exception as exc:  # an unreadable setting: do not share
            log.info("sharing setting unreadable: %r", exc)
            return False

    def due(self, position: Position, *, fresh: bool) -> bool:
        """`fresh`: the app (re)started, so the server should hear where it is now."""
        if self._last is None:
            return True
        last, at = self._last
        moved = distance_m((last.lat, last.lon), (position.lat, position.lon)) >= MOVED_M
        if moved and _cell(last) != _cell(position):
            return True  # somewhere else: an alert there must reach them now
        return fresh and self._monotonic() - at >= MIN_GAP_S

    async def share(self, position: Position, *, fresh: bool = False) -> bool:
        """Send the coarse position if it is due and allowed; True if the server took it."""
        if not self.due(position, fresh=fresh) or not await self.allowed():
            return False
        sent = coarse(position)
        try:
            await self._send(sent.lat, sent.lon, sent.accuracy_m)
        except (NetworkError, ApiError) as exc:
            log.info("position not sent: %r", exc)
            return False
        self._last = (position, self._monotonic())
        self._withdrawn = False
        return True

    async def withdraw(self) -> bool:
        """Sharing is off: ask the server to forget the last position it was sent (once per
        session; offline, it is asked again at the next check: start, resume, every 2 min)."""
        self._last = None
        if self._withdrawn or self._withdraw is None:
            return self._withdrawn
        try:
            await self._withdraw()
        except (NetworkError, ApiError) as exc:
            log.info("position not withdrawn yet: %r", exc)
            return False
        self._withdrawn = True
        return True

    def forget(self) -> None:
        """Signed out: the next resident's position is sent afresh, and withdrawn afresh if
        sharing is off on this device."""
        self._last = None
        self._withdrawn = False


class PositionWatch:
    """While the app is open: a fix (only with permission already given) at start, on resume,
    when asked (`check_soon`: signed in), and every `every_s`; each goes to `report`."""

    def __init__(
        self,
        locate: Callable[[], Awaitable[Position | None]],
        report: Callable[[Position, bool], Awaitable[None]],
        *,
        sharing: PositionSharing,
        signed_in: Callable[[], bool],
        every_s: float = CHECK_EVERY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._locate = locate
        self._report = report
        self._sharing = sharing
        self._signed_in = signed_in
        self.every_s = every_s
        self._monotonic = monotonic
        self._fixed_at: float | None = None  # when this watch last took a fix
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start watching (the session started or resumed): a fresh check at once."""
        if not self.running:
            self._wake.clear()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="position")

    def check_soon(self) -> None:
        """A fresh check now, if watching (e.g. the resident signed in)."""
        self._wake.set()

    def pause(self) -> None:
        """Stop watching now, without waiting (the app went to the background): a fix in
        progress is abandoned and nothing is reported after this."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def stop(self) -> None:
        """Stop watching (the page went away or closed): no fix is taken after this."""
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait(task)

    async def check(self, *, fresh: bool) -> None:
        """One fix and its report, unless signed out or sharing is off (then no fix at all, and
        the server is asked to forget the last position)."""
        if not self._signed_in():
            return
        if not await self._sharing.allowed():
            await self._sharing.withdraw()
            return
        self._fixed_at = self._monotonic()
        position = await self._locate()
        if position is not None:
            await self._report(position, fresh)

    def _fixed_recently(self) -> bool:
        return self._fixed_at is not None and self._monotonic() - self._fixed_at < MIN_GAP_S

    async def _run(self) -> None:
        fresh = True
        skip = self._fixed_recently()  # back in the foreground moments after the last fix
        while True:
            try:
                if not skip:
                    await self.check(fresh=fresh)
            except Exception:  # the watch must outlive any one check
                log.exception("position check failed")
            skip = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.every_s)
            fresh = self._wake.is_set()
            self._wake.clear()


class SharingSwitch:
    """The cabinet's switch over the device setting (`read`/`write`, blocking): kept at once; off,
    the server is asked to forget the last position; on, the position is checked now."""

    def __init__(
        self,
        read: Callable[[], bool],
        write: Callable[[bool], None],
        sharing: PositionSharing,
        watch: PositionWatch,
    ) -> None:
        self._read, self._write = read, write
        self._sharing, self._watch = sharing, watch

    def shares_position(self) -> bool:
        return self._read()

    async def set_shares_position(self, on: bool) -> None:
        await asyncio.to_thread(self._write, on)
        if on:
            self._watch.check_soon()
        else:
            await self._sharing.withdraw()
