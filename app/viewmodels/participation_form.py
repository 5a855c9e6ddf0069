"""The new proposal of the Participation tab: the form's fields and what the resident does on
them before sending (the view model checks, stores and queues it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from app.data.services.geocoding import Geocoder
from app.data.services.location import LocationService
from app.data.services.media import MediaPreparer, MediaRejected, thumbnail
from app.data.services.picker import PickedFile, UploadFailed
from app.domain.appeals import PreparedMedia
from app.i18n import Message
from app.viewmodels.participation_texts import (
    MSG_NO_POSITION,
    MSG_PHOTO_FAILED,
    MSG_PHOTO_ONLY,
    MSG_POSITION_DENIED,
)

log = logging.getLogger(__name__)


class ProposalForm:
    """The new proposal being written (kept while the resident moves around the app), and what
    the resident does on it before sending: text, category, place (typed, from the map or the
    device's position, its address looked up) and one photo (resized, EXIF removed)."""

    def __init__(
        self,
        changed: Callable[[], None],
        *,
        location: LocationService | None = None,
        geocoder: Geocoder | None = None,
        media: MediaPreparer | None = None,
        language: Callable[[], str] = lambda: "kk",
    ) -> None:
        self._changed = changed  # the view model tells its listeners
        self._location = location
        self._geocoder = geocoder
        self._media = media
        self._language = language
        self.revision = 0  # bumped whenever the view model rewrites the fields
        self.clear()

    def clear(self) -> None:
        self.text = ""
        self.category: str | None = None
        self.address = ""
        self.lat: float | None = None
        self.lon: float | None = None
        self.photo: PreparedMedia | None = None
        self.photo_thumb: bytes | None = None
        self.photo_name: str | None = None
        self.text_error: Message | None = None
        self.category_error: Message | None = None
        self.photo_error: Message | None = None
        self.photo_busy = False
        self.locating = False
        self.place_note: Message | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    def set_text(self, text: str) -> None:
        self.text = text
        if self.text_error and text.strip():
            self.text_error = None
            self._changed()

    def set_category(self, code: str | None) -> None:
        self.category = code
        self.category_error = None
        self._changed()

    def set_address(self, text: str) -> None:
        self.address = text

    def set_point(self, lat: float | None, lon: float | None, address: str | None = None) -> None:
        self.lat, self.lon = lat, lon
        if address and not self.address.strip():
            self.address = address
            self.revision += 1
        self._changed()

    def set_photo(self, photo: PreparedMedia | None, name: str | None = None) -> None:
        self.photo = photo
        self.photo_name = name
        self.photo_thumb = None
        self.photo_error = None
        self._changed()

    async def locate(self) -> bool:
        """Put the proposal at the device's current position (address filled when found)."""
        if self._location is None or self.locating:
            return False
        self.locating = True
        self.place_note = None
        self._changed()
        try:
            position, problem = await self._location.device_position()
            if position is None:
                self.place_note = Message(
                    MSG_POSITION_DENIED if problem == "denied" else MSG_NO_POSITION
                )
                return False
            await self.pick_point(position.lat, position.lon)
            return True
        finally:
            self.locating = False
            self._changed()

    async def pick_point(self, lat: float, lon: float) -> None:
        """A point from the map (or the device): the address is looked up when empty."""
        address = None
        if not self.address.strip() and self._geocoder is not None:
            address = await self._geocoder.reverse(lat, lon, self._language())
        self.set_point(lat, lon, address)

    async def add_photo(self, files: list[PickedFile]) -> None:
        """The first picked file becomes the proposal's photo (resized, EXIF removed)."""
        if not files or self._media is None:
            return
        picked = files[0]
        self.photo_busy = True
        self.photo_error = None
        self._changed()
        try:
            prepared = await picked.read(self._media.prepare)
            if prepared.kind != "image":
                await asyncio.to_thread(self._media.discard, prepared)
                self.photo_error = Message(MSG_PHOTO_ONLY)
                return
            if self.photo is not None:
                await asyncio.to_thread(self._media.discard, self.photo)
            self.photo = prepared
            self.photo_name = picked.name
            self.photo_thumb = await asyncio.to_thread(thumbnail, prepared.path)
        except MediaRejected as exc:
            self.photo_error = exc.message
        except (UploadFailed, OSError) as exc:
            log.info("photo not taken: %r", exc)
            self.photo_error = Message(MSG_PHOTO_FAILED)
        finally:
            self.photo_busy = False
            self._changed()

    async def remove_photo(self) -> None:
        if self.photo is not None and self._media is not None:
            await asyncio.to_thread(self._media.discard, self.photo)
        self.set_photo(None)
