"""Saved addresses in the cabinet (home, work, others): the list, and the editor that takes an
address from the current position, from a point picked on the map, or as typed (found on the
map when online). Saved on the device and queued for the server (offline too)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Literal

from app.data.repositories.profile import ProfileError, ProfileRepository
from app.data.services.address_search import AddressSearch
from app.data.services.geocoding import Geocoder
from app.data.services.location import LocationService
from app.domain.appeals import Position
from app.domain.profile import ADDRESS_LABELS, Address, district_for
from app.i18n import N_, Message
from app.observable import Observable
from app.viewmodels.background import BackgroundTasks
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

ADDRESSES_ROUTE = "/cabinet/addresses"
NEW_ADDRESS_ROUTE = "/cabinet/addresses/new"

LabelKind = Literal["home", "work", "other"]
LABEL_NAMES: dict[str, str] = {"home": N_("Home"), "work": N_("Work"), "other": N_("Other")}
DISTRICT_NAMES: dict[str, str] = {
    "almaty": N_("Almaty district"),
    "baikonur": N_("Baikonur district"),
    "yesil": N_("Yesil district"),
    "saryarka": N_("Saryarka district"),
    "nura": N_("Nura district"),
    "saraishyq": N_("Saraishyq district"),
}
MSG_ADDRESS_EMPTY = N_("Enter the address.")
MSG_ADDRESS_TOO_LONG = N_("The address is too long: at most {max} characters.")
MSG_NO_POSITION = N_("Could not get your position. Pick the point on the map or type the address.")
MSG_POSITION_DENIED = N_(
    "Access to the location is not allowed. Pick the point on the map or type the address."
)
MSG_FOUND = N_("Found on the map.")
MSG_NOT_FOUND = N_("This address was not found on the map; it will be saved as typed.")
MSG_POINT_SET = N_("The point is set.")
MSG_ADDRESS_SAVED = N_("The address is saved.")
MSG_ADDRESS_DELETED = N_("The address is deleted.")
MSG_UNKNOWN_ADDRESS = N_("This address is no longer on this device.")


def label_kind(label: str) -> LabelKind:
    return label if label in ADDRESS_LABELS else "other"  # type: ignore[return-value]


class AddressesViewModel(Observable):
    def __init__(
        self,
        repo: ProfileRepository,
        navigation: Navigation,
        *,
        location: LocationService | None = None,
        geocoder: Geocoder | None = None,
        search: AddressSearch | None = None,
        language: Callable[[], str] = lambda: "kk",
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._repo = repo
        self._nav = navigation
        self._location = location
        self._geocoder = geocoder
        self._search = search
        self._language = language
        self._on_queued = on_queued or (lambda: None)
        self.items: list[Address] = []
        self.notice: Message | None = None
        self.editing_route: str | None = None
        self._reset_editor()
        self._background = BackgroundTasks()
        repo.subscribe(self._repo_changed)

    def _repo_changed(self) -> None:
        """An edit reached the server (or was refused): show the list's new sync marks."""
        self._background.start(self.load)

    # -- the list -------------------------------------------------------------------------------

    def _read(self) -> None:
        self.items = list(self._repo.profile().addresses)

    async def load(self) -> None:
        await asyncio.to_thread(self._read)
        self.notify()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._repo.addresses.delete, key)
        self.notice = Message(MSG_ADDRESS_DELETED)
        await self.load()
        self._on_queued()

    async def add_new(self) -> None:
        self.open_editor(None, force=True)
        await self._nav.go(NEW_ADDRESS_ROUTE)

    async def edit(self, key: str) -> None:
        self.open_editor(key, force=True)
        await self._nav.go(f"{ADDRESSES_ROUTE}/{key}")

    # -- the editor -----------------------------------------------------------------------------

    def _reset_editor(self) -> None:
        self.key: str | None = None
        self.kind: LabelKind = "home"
        self.other_name = ""
        self.text = ""
        self.lat: float | None = None
        self.lon: float | None = None
        self.district: str | None = None
        self.text_error: Message | None = None
        self.editor_notice: Message | None = None
        self.locating = False
        self.busy = False
        self.missing = False
        self.input_revision = getattr(self, "input_revision", 0) + 1

    def open_editor(self, key: str | None, *, force: bool = False) -> None:
        """Start editing `key` (None: a new address) unless that form is open already (a
        rebuild after a language switch keeps what was typed)."""
        route = NEW_ADDRESS_ROUTE if key is None else f"{ADDRESSES_ROUTE}/{key}"
        if self.editing_route == route and not force:
            return
        self._reset_editor()
        self.editing_route = route
        if key is None:
            used = {a.label for a in self.items}
            free: list[LabelKind] = [k for k in ("home", "work") if k not in used]
            self.kind = free[0] if free else "other"
            return
        found = next((a for a in self.items if a.key == key), None)
        if found is None:
            found = next((a for a in self._repo.profile().addresses if a.key == key), None)
        if found is None:
            self.missing = True
            self.editor_notice = Message(MSG_UNKNOWN_ADDRESS)
            return
        self.key = found.key
        self.kind = label_kind(found.label)
        self.other_name = found.label if self.kind == "other" and found.label != "other" else ""
        self.text = found.text
        self.lat, self.lon, self.district = found.lat, found.lon, found.district

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def label(self) -> str:
        if self.kind == "other":
            return " ".join(self.other_name.split()) or "other"
        return self.kind

    def set_kind(self, kind: str) -> None:
        self.kind = label_kind(kind)
        self.notify()

    def set_other_name(self, text: str) -> None:
        self.other_name = text

    def set_text(self, text: str) -> None:
        self.text = text
        if self.text_error is not None and text.strip():
            self.text_error = None
            self.notify()

    def set_district(self, code: str | None) -> None:
        self.district = code or None
        self.notify()

    async def _fill_from_point(self, lat: float, lon: float) -> None:
        self.lat, self.lon = lat, lon
        self.district = district_for(lat, lon) or self.district
        if not self.text.strip() and self._geocoder is not None:
            found = await self._geocoder.reverse(lat, lon, self._language())
            if found and not self.text.strip():
                self.text = found
                self.input_revision += 1

    async def use_current_position(self) -> bool:
        if self._location is None or self.locating:
            self.editor_notice = Message(MSG_NO_POSITION)
            self.notify()
            return False
        self.locating = True
        self.editor_notice = None
        self.notify()
        try:
            position, problem = await self._location.device_position()
            if position is None:
                denied = problem == "denied"
                self.editor_notice = Message(MSG_POSITION_DENIED if denied else MSG_NO_POSITION)
                return False
            await self._fill_from_point(position.lat, position.lon)
            self.editor_notice = Message(MSG_POINT_SET)
            return True
        finally:
            self.locating = False
            self.notify()

    async def pick_point(self, lat: float, lon: float) -> None:
        """A point tapped on the map."""
        self.locating = True
        self.notify()
        try:
            await self._fill_from_point(lat, lon)
            if self._location is not None:
                await self._location.remember(Position(lat, lon, None, "map"))
        finally:
            self.locating = False
            self.editor_notice = Message(MSG_POINT_SET)
            self.notify()

    async def find_typed(self) -> bool:
        """Find the typed address on the map (when online); True if found."""
        if not self.text.strip():
            self.text_error = Message(MSG_ADDRESS_EMPTY)
            self.notify()
            return False
        if self._search is None:
            self.editor_notice = Message(MSG_NOT_FOUND)
            self.notify()
            return False
        self.locating = True
        self.notify()
        try:
            found = await self._search.search(self.text, self._language())
        finally:
            self.locating = False
        if found is None:
            self.editor_notice = Message(MSG_NOT_FOUND)
            self.notify()
            return False
        self.lat, self.lon = found.lat, found.lon
        self.district = district_for(found.lat, found.lon) or self.district
        self.editor_notice = Message(MSG_FOUND)
        self.notify()
        return True

    async def save(self) -> bool:
        if self.busy or self.missing:
            return False
        if not self.text.strip():
            self.text_error = Message(MSG_ADDRESS_EMPTY)
            self.notify()
            return False
        self.busy = True
        self.notify()
        try:
            if not self.has_point and self._search is not None:
                await self.find_typed()  # typed only: find it on the map when online
            if self.key is None:
                await asyncio.to_thread(
                    self._repo.addresses.add,
                    self.label,
                    self.text,
                    self.lat,
                    self.lon,
                    self.district,
                )
            else:
                await asyncio.to_thread(
                    self._repo.addresses.edit,
                    self.key,
                    self.label,
                    self.text,
                    self.lat,
                    self.lon,
                    self.district,
                )
        except ProfileError as exc:
            if exc.code == "address_too_long":
                self.text_error = Message(MSG_ADDRESS_TOO_LONG, dict(exc.params))
            elif exc.code == "address_unknown":
                self.editor_notice = Message(MSG_UNKNOWN_ADDRESS)
            else:
                self.text_error = Message(MSG_ADDRESS_EMPTY)
            return False
        finally:
            self.busy = False
            self.notify()
        self.editing_route = None
        self.notice = Message(MSG_ADDRESS_SAVED)
        await self.load()
        self._on_queued()
        await self._nav.go(ADDRESSES_ROUTE)
        return True

    async def cancel(self) -> None:
        self.editing_route = None
        await self._nav.go(ADDRESSES_ROUTE)
