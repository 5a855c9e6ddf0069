"""Where the problem is: the position (the device's, the last known, a saved address's, or a
point chosen on the map), and the incident address (found for the position, typed, or one of
the resident's saved addresses)."""

from __future__ import annotations

import asyncio
import math
from typing import Any, Literal

from app.data.repositories.applicant import SavedAddress
from app.data.services.geocoding import Geocoder
from app.data.services.location import LocationResult, LocationService, SavedPoint
from app.domain.appeals import Position
from app.domain.geo import CITY_CENTRE
from app.i18n import N_, Message
from app.viewmodels.new_appeal.context import FlowContext

MAX_ADDRESS = 300
NUDGE_M = 20.0  # one step of the point-moving buttons

MSG_LOCATION_REQUIRED = N_(
    "Give the place: allow location, choose a point on the map or type the address."
)
MSG_ADDRESS_TOO_LONG = N_("The address is too long: at most 300 characters.")
MSG_LOCATING = N_("Finding your location…")
MSG_LOCATED = N_("Location found, accuracy ±{m} m")
MSG_LOCATED_NO_ACCURACY = N_("Location found")
MSG_LAST_KNOWN = N_("The current location is unavailable: the last known position is used.")
MSG_FROM_SAVED = N_("The current location is unavailable: your saved address is used ({label}).")
MSG_FROM_MAP = N_("Point chosen on the map")
MSG_DENIED = N_("Access to location is denied. Choose a point on the map or type the address.")
MSG_UNAVAILABLE = N_("Location is unavailable. Choose a point on the map or type the address.")
MSG_COORDINATES = N_("Coordinates: {lat}, {lon}")

LocationState = Literal["idle", "locating", "found", "unavailable"]
AddressSource = Literal["geocoded", "typed", "saved"]

ADDRESS_LABELS: dict[str, str] = {"home": N_("Home"), "work": N_("Work"), "other": N_("Other")}


def address_label(a: SavedAddress) -> Message:
    """ "Home", "Work" in the resident's language; a label of their own as they wrote it."""
    msgid = ADDRESS_LABELS.get(a.label)
    return Message(msgid) if msgid else Message.text(a.label)


class LocationSection:
    """The position, the map, the incident address and the saved addresses to choose from."""

    def __init__(self, flow: FlowContext, location: LocationService, geocoder: Geocoder) -> None:
        self._flow = flow
        self._service = location
        self._geocoder = geocoder
        self._locate_task: asyncio.Task[None] | None = None
        self.position: Position | None = None
        self.location_state: LocationState = "idle"
        self.location_result: LocationResult | None = None
        self.saved_addresses: tuple[SavedAddress, ...] = ()
        self.reset()

    def reset(self, *, keep_position: bool = False, keep_saved: bool = False) -> None:
        """No address and a closed map; the position and the saved addresses when kept."""
        if not keep_position:
            self.position = None
            self.location_state = "idle"
            self.location_result = None
        if not keep_saved:
            self.saved_addresses = ()
        self.map_open = False
        self.address = ""
        self.address_source: AddressSource | None = None
        self.address_busy = False

    def cancel(self) -> None:
        """Stop a pending search for the position (signing out)."""
        if self._locate_task is not None and not self._locate_task.done():
            self._locate_task.cancel()
        self._locate_task = None

    # -- what the location row says --------------------------------------------------------------

    @property
    def location_message(self) -> Message | None:
        """What the location row says (state, accuracy, or what to do instead)."""
        if self.location_state == "locating":
            return Message(MSG_LOCATING)
        p = self.position
        if p is not None:
            if p.source == "gps":
                if p.accuracy_m is None:
                    return Message(MSG_LOCATED_NO_ACCURACY)
                return Message(MSG_LOCATED, {"m": max(1, round(p.accuracy_m))})
            if p.source == "last_known":
                return Message(MSG_LAST_KNOWN)
            if p.source == "address":
                label = self._saved_label_at(p) or Message.text("")
                return Message(MSG_FROM_SAVED, {"label": label})
            return Message(MSG_FROM_MAP)
        if self.location_state == "unavailable":
            problem = self.location_result.problem if self.location_result else None
            return Message(MSG_DENIED if problem == "denied" else MSG_UNAVAILABLE)
        return None

    @property
    def coordinates(self) -> Message | None:
        if self.position is None:
            return None
        return Message(
            MSG_COORDINATES, {"lat": f"{self.position.lat:.5f}", "lon": f"{self.position.lon:.5f}"}
        )

    def _saved_label_at(self, p: Position) -> Message | None:
        for a in self.saved_addresses:
            if a.lat is not None and a.lon is not None and (a.lat, a.lon) == (p.lat, p.lon):
                return address_label(a)
        return None

    # -- the position ---------------------------------------------------------------------------

    def locate_in_background(self) -> None:
        if self._locate_task is not None and not self._locate_task.done():
            return
        self._locate_task = self._flow.spawn(self.locate())

    async def locate(self) -> None:
        """Ask the device (permission asked now, when it is used), else fall back."""
        self.location_state = "locating"
        self._flow.notify()
        saved = [
            SavedPoint(a.label, a.text, a.lat, a.lon)
            for a in self.saved_addresses
            if a.lat is not None and a.lon is not None
        ]
        result = await self._service.locate(saved)
        self.location_result = result
        if result.position is None:
            self.location_state = "unavailable"
            if self.position is not None and self.position.source == "map":
                self.location_state = "found"  # keep the point the resident chose
            self._flow.notify()
            return
        if self.position is not None and self.position.source == "map" and result.outcome != "gps":
            self.location_state = "found"
            self._flow.notify()
            return
        self.position = result.position
        self.location_state = "found"
        self._flow.errors.pop("location", None)
        if result.outcome == "address" and result.address and not self.address.strip():
            self._set_address(result.address, "saved")
        self._flow.changed()
        await self._fill_address()

    def toggle_map(self) -> None:
        self.map_open = not self.map_open
        self._flow.notify()

    async def choose_point(self, lat: float, lon: float) -> None:
        """A point tapped on the map (works without tiles: the coordinates are shown)."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return
        self.position = Position(lat, lon, None, "map")
        self.location_state = "found"
        self._flow.errors.pop("location", None)
        self._flow.changed()
        await self._service.remember(self.position)
        if self.address_source != "typed":
            await self._fill_address(force=True)

    @property
    def map_centre(self) -> tuple[float, float]:
        p = self.position
        return (p.lat, p.lon) if p else CITY_CENTRE

    async def nudge_point(self, direction: str) -> None:
        """Move the point ~20 m north/south/west/east (for keyboards and screen readers, which
        cannot tap a spot on a map)."""
        lat, lon = self.map_centre
        d_lat = NUDGE_M / 111_320
        d_lon = NUDGE_M / (111_320 * max(0.01, math.cos(math.radians(lat))))
        moves = {"n": (d_lat, 0.0), "s": (-d_lat, 0.0), "e": (0.0, d_lon), "w": (0.0, -d_lon)}
        if direction not in moves:
            return
        dy, dx = moves[direction]
        await self.choose_point(round(lat + dy, 7), round(lon + dx, 7))

    # -- the address ----------------------------------------------------------------------------

    async def _fill_address(self, *, force: bool = False) -> None:
        """Reverse-geocode the position into the address field, unless the resident typed or
        chose one. Never blocks the form: an unreachable service just leaves the field."""
        p = self.position
        if p is None:
            return
        if self.address.strip() and self.address_source in ("typed", "saved") and not force:
            return
        if self.address_source == "typed":
            return
        self.address_busy = True
        self._flow.notify()
        try:
            found = await self._geocoder.reverse(p.lat, p.lon, self._flow.language)
        finally:
            self.address_busy = False
        if found and self.position == p and self.address_source != "typed":
            self._set_address(found[:MAX_ADDRESS], "geocoded")
            self._flow.changed()
        else:
            self._flow.notify()

    def _set_address(self, text: str, source: AddressSource) -> None:
        self.address = text
        self.address_source = source
        self._flow.errors.pop("address", None)
        self._flow.errors.pop("location", None)
        self._flow.rewrote()

    def set_address(self, text: str) -> None:
        self.address = text
        self.address_source = "typed" if text.strip() else None
        if len(text) <= MAX_ADDRESS:
            self._flow.errors.pop("address", None)
        if text.strip():
            self._flow.errors.pop("location", None)
        self._flow.changed()

    def choose_saved_address(self, index: int) -> None:
        if not 0 <= index < len(self.saved_addresses):
            return
        a = self.saved_addresses[index]
        self._set_address(a.text[:MAX_ADDRESS], "saved")
        if (
            a.lat is not None
            and a.lon is not None
            and (self.position is None or self.position.source != "gps")
        ):
            self.position = Position(a.lat, a.lon, None, "address")
            self.location_state = "found"
        self._flow.changed()

    # -- checks and the draft ---------------------------------------------------------------------

    def problems(self) -> dict[str, Message]:
        errors: dict[str, Message] = {}
        if self.position is None and not self.address.strip():
            errors["location"] = Message(MSG_LOCATION_REQUIRED)
        if len(self.address.strip()) > MAX_ADDRESS:
            errors["address"] = Message(MSG_ADDRESS_TOO_LONG)
        return errors

    def draft(self) -> dict[str, Any]:
        p = self.position
        return {
            "position": (
                {"lat": p.lat, "lon": p.lon, "accuracy_m": p.accuracy_m, "source": p.source}
                if p
                else None
            ),
            "address": self.address,
            "address_source": self.address_source,
        }

    def restore(self, data: dict[str, Any]) -> None:
        pos = data.get("position")
        if isinstance(pos, dict):
            try:
                self.position = Position(
                    float(pos["lat"]), float(pos["lon"]), pos.get("accuracy_m"),
                    pos.get("source") or "map",
                )  # fmt: skip
                self.location_state = "found"
            except (KeyError, TypeError, ValueError):
                self.position = None
        self.address = str(data.get("address") or "")
        self.address_source = data.get("address_source")
