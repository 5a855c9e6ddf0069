"""Where the resident is: the device's position when it can be had, else a fallback.

`LocationService.locate()` asks for permission only when called (the form asks when it opens),
waits for a fix at most `timeout` seconds, and falls back in this order: the last known position
(kept on the device after every fix, through a `PositionMemory`), then a saved address with
coordinates. When nothing works it says so (`position=None`) and the form offers a point on the
map or a typed address. `fix_if_allowed()` never asks: a fix only when the resident has already
allowed location (the position the app shares for alerts while open).

`Geolocator` is the device adapter: `FletGeolocator` wraps flet-geolocator (phones, and browsers
in web mode — which ask the user); tests use a fake.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from app.domain.appeals import Position

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 12.0

Permission = Literal["granted", "denied", "denied_forever", "unavailable"]
Outcome = Literal["gps", "last_known", "address", "none"]
Problem = Literal["denied", "timeout", "unavailable"] | None


class LocationUnavailable(Exception):
    """The device has no position to give (no service, no permission, an error)."""


class Geolocator(Protocol):
    async def request_permission(self) -> Permission: ...

    async def permission_status(self) -> Permission:
        """What the resident has allowed so far, without asking them."""
        ...

    async def current_position(self) -> Position: ...


@dataclass(frozen=True)
class SavedPoint:
    """A saved address that has coordinates (home, work, ...)."""

    label: str
    text: str
    lat: float
    lon: float


@dataclass(frozen=True)
class LocationResult:
    position: Position | None
    outcome: Outcome
    problem: Problem = None  # why the device gave no fix, if it did not
    address: str | None = None  # the saved address used as the position, if any
    fixed_at: datetime | None = None  # when a last-known position was taken


class PositionMemory(Protocol):
    """Where the last fixed position is kept (`repositories.position.LastPositionStore`)."""

    def load(self) -> tuple[Position, datetime] | None: ...

    def save(self, position: Position) -> None: ...


class LocationService:
    def __init__(
        self,
        geolocator: Geolocator | None,
        last_positions: PositionMemory,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._geo = geolocator
        self._last = last_positions
        self.timeout = timeout

    async def device_position(self) -> tuple[Position | None, Problem]:
        """A fresh fix from the device, or why there is none."""
        if self._geo is None:
            return None, "unavailable"
        try:
            permission = await asyncio.wait_for(self._geo.request_permission(), self.timeout)
        except TimeoutError:
            return None, "timeout"
        except Exception as exc:  # any platform failure means "no position", never a crash
            log.info("location permission unavailable: %r", exc)
            return None, "unavailable"
        if permission in ("denied", "denied_forever"):
            return None, "denied"
        try:
            position = await asyncio.wait_for(self._geo.current_position(), self.timeout)
        except TimeoutError:
            return None, "timeout"
        except Exception as exc:
            log.info("no position from the device: %r", exc)
            return None, "unavailable"
        await asyncio.to_thread(self._last.save, position)
        return position, None

    async def fix_if_allowed(self) -> Position | None:
        """A fresh fix only if the resident has already allowed location: never asks (for the
        position the app shares for alerts at start, on resume and while open)."""
        if self._geo is None:
            return None
        try:
            permission = await asyncio.wait_for(self._geo.permission_status(), self.timeout)
            if permission != "granted":
                return None
            position = await asyncio.wait_for(self._geo.current_position(), self.timeout)
        except Exception as exc:  # a timeout or no platform support: no position this time
            log.info("no quiet position: %r", exc)
            return None
        await asyncio.to_thread(self._last.save, position)
        return position

    async def locate(self, saved: list[SavedPoint] | None = None) -> LocationResult:
        position, problem = await self.device_position()
        if position is not None:
            return LocationResult(position, "gps")
        last = await asyncio.to_thread(self._last.load)
        if last is not None:
            return LocationResult(last[0], "last_known", problem, fixed_at=last[1])
        if saved:
            point = saved[0]
            return LocationResult(
                Position(point.lat, point.lon, None, "address"), "address", problem, point.text
            )
        return LocationResult(None, "none", problem)

    async def remember(self, position: Position) -> None:
        """Keep a point the resident chose (map) as the last known position too."""
        await asyncio.to_thread(self._last.save, position)


# -- the Flet adapter ---------------------------------------------------------------------------


class FletGeolocator:
    """flet-geolocator, created on first use inside the page (services register with the
    current page) and kept referenced for the session."""

    def __init__(self, factory: Callable[[], Any] | None = None) -> None:
        self._factory = factory
        self._control: Any = None

    def _geo(self) -> Any:
        if self._control is None:
            if self._factory is not None:
                self._control = self._factory()
            else:
                import flet_geolocator as ftg

                self._control = ftg.Geolocator(
                    configuration=ftg.GeolocatorConfiguration(
                        accuracy=ftg.GeolocatorPositionAccuracy.HIGH
                    )
                )
        return self._control

    async def request_permission(self) -> Permission:
        # Undetermined after asking: the platform asks by itself when the position is used.
        return _permission(await self._geo().request_permission(), unknown="granted")

    async def permission_status(self) -> Permission:
        # Undetermined without asking: using the position might ask, so it counts as not given.
        return _permission(await self._geo().get_permission_status(), unknown="unavailable")

    async def current_position(self) -> Position:
        p = await self._geo().get_current_position()
        if p is None or p.latitude is None or p.longitude is None:
            raise LocationUnavailable("no coordinates")
        accuracy = float(p.accuracy) if p.accuracy is not None else None
        return Position(float(p.latitude), float(p.longitude), accuracy, "gps")


def _permission(status: Any, *, unknown: Permission) -> Permission:
    """flet-geolocator's permission status in this module's words (`unknown`: what an
    undetermined one means to the caller)."""
    import flet_geolocator as ftg

    mapping: dict[Any, Permission] = {
        ftg.GeolocatorPermissionStatus.WHILE_IN_USE: "granted",
        ftg.GeolocatorPermissionStatus.ALWAYS: "granted",
        ftg.GeolocatorPermissionStatus.UNABLE_TO_DETERMINE: unknown,
        ftg.GeolocatorPermissionStatus.DENIED: "denied",
        ftg.GeolocatorPermissionStatus.DENIED_FOREVER: "denied_forever",
    }
    return mapping.get(status, "unavailable")
