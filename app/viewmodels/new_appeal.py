"""Composing and filing a new appeal (Appendix 2: text, automatic geolocation, personal data,
incident address, photos and video, routing by category), and the emergency path.

Plain Python: the screen renders this state and forwards the resident's input. What is typed is
saved locally as a draft (debounced), so leaving the screen or a restart loses nothing; the
draft is cleared once the appeal is filed. Filing goes through the appeals repository (local row
+ outbox in one transaction), so it works offline and shows "waiting to send" at once.

Fields the view model itself rewrites (a restored draft, an address found for the position, a
saved address chosen) bump `input_revision`; only then does the screen copy them into its text
fields (echoing what the resident typed would race with keys still on their way).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from app.data.repositories.applicant import Applicant, SavedAddress
from app.data.repositories.classifier import ClassifierRepository
from app.data.repositories.drafts import DraftRepository
from app.data.services.appeal_lookups_api import NewAppealApi, SimilarAppeal
from app.data.services.geocoding import Geocoder
from app.data.services.location import LocationResult, LocationService, SavedPoint
from app.data.services.media import MSG_MEDIA_FAILED, MediaPreparer, MediaRejected, thumbnail
from app.data.services.picker import PickedFile, UploadFailed
from app.domain.appeals import AppealType, EmergencyService, NewAppeal, Position, PreparedMedia
from app.domain.classifier import SearchGroup, Subclass
from app.errors import ApiError, NetworkError
from app.i18n import N_, Message
from app.observable import Observable
from app.viewmodels.appeal_text import STATUS_LABELS
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

MAX_TEXT = 4000
MAX_NAME = 200
MAX_ADDRESS = 300
MAX_MEDIA = 10
SEARCH_LIMIT = 40
CITY_CENTRE = (51.1282, 71.4307)  # Astana: where the map opens when nothing is known
NUDGE_M = 20.0  # one step of the point-moving buttons
REFRESH_EVERY_S = 300.0  # classifier and profile, when the form is opened again

# Appendix 5 types, in the order offered (the most common first).
APPEAL_TYPES: tuple[tuple[AppealType, str], ...] = (
    ("incident", N_("Incident: a problem that needs fixing")),
    ("consultation", N_("Consultation: I need information")),
    ("proposal", N_("Proposal: an idea for the city")),
    ("complaint", N_("Complaint about the quality of a service")),
    ("gratitude", N_("Gratitude")),
)
EMERGENCY_SERVICES: tuple[tuple[EmergencyService, str], ...] = (
    ("101", N_("Fire service")),
    ("102", N_("Police")),
    ("103", N_("Ambulance")),
    ("104", N_("Gas emergency service")),
    ("112", N_("Unified rescue service")),
)
# The category an emergency is filed under when the resident chose none.
EMERGENCY_SUBCLASS: dict[str, str] = {"104": "10.10"}
EMERGENCY_DEFAULT_SUBCLASS = "43.04"

MSG_TEXT_REQUIRED = N_("Describe the problem.")
MSG_TEXT_TOO_LONG = N_("The text is too long: {n} characters, at most 4000.")
MSG_CATEGORY_REQUIRED = N_("Choose a category.")
MSG_LOCATION_REQUIRED = N_(
    "Give the place: allow location, choose a point on the map or type the address."
)
MSG_NAME_TOO_LONG = N_("The name is too long: at most 200 characters.")
MSG_ADDRESS_TOO_LONG = N_("The address is too long: at most 300 characters.")
MSG_TOO_MANY_MEDIA = N_("At most 10 photos and videos.")
MSG_SERVICE_REQUIRED = N_("Choose the emergency service.")
MSG_UPLOAD_FAILED = N_("Could not receive {name} from the browser. Try again.")
MSG_FILE_FAILED = N_("The appeal could not be saved. Try again.")
MSG_FIX_ERRORS = N_("Check the marked fields.")

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
Step = Literal["form", "similar", "emergency"]
AddressSource = Literal["geocoded", "typed", "saved"]


class AppealsPort(Protocol):
    """What the flow needs of the appeals repository."""

    async def file(self, new: NewAppeal) -> str: ...

    async def detail(self, ref: str) -> Any: ...


class ApplicantSource(Protocol):
    async def cached(self) -> Applicant: ...

    async def fetch(self) -> tuple[Applicant, bool]: ...


@dataclass(frozen=True)
class MediaItem:
    media: PreparedMedia
    name: str
    thumb: bytes | None = None


ADDRESS_LABELS: dict[str, str] = {"home": N_("Home"), "work": N_("Work"), "other": N_("Other")}


def address_label(a: SavedAddress) -> Message:
    """ "Home", "Work" in the resident's language; a label of their own as they wrote it."""
    msgid = ADDRESS_LABELS.get(a.label)
    return Message(msgid) if msgid else Message.text(a.label)


class NewAppealViewModel(Observable):
    def __init__(
        self,
        *,
        appeals: AppealsPort,
        classifier: ClassifierRepository,
        location: LocationService,
        geocoder: Geocoder,
        applicant: ApplicantSource,
        drafts: DraftRepository,
        media: MediaPreparer,
        api: NewAppealApi,
        navigation: Navigation,
        language: Callable[[], str],
        save_delay: float = 0.6,
        suggest_delay: float = 0.5,
    ) -> None:
        super().__init__()
        self._appeals = appeals
        self.classifier = classifier
        self._location = location
        self._geocoder = geocoder
        self._applicant = applicant
        self._drafts = drafts
        self._media = media
        self._api = api
        self._nav = navigation
        self._language = language
        self._save_delay = save_delay
        self._suggest_delay = suggest_delay
        self._tasks: set[asyncio.Task[Any]] = set()
        self._save_task: asyncio.Task[None] | None = None
        self._suggest_task: asyncio.Task[None] | None = None
        self._locate_task: asyncio.Task[None] | None = None
        self._restored = False
        self._draft_lock = asyncio.Lock()  # draft writes and clears never overtake each other
        self._refreshed_at: float | None = None
        self.online: bool | None = None  # what the last request said
        # What the sync engine knows (wired by the composition root): used when we do not know.
        self.connectivity: Callable[[], bool | None] | None = None
        self.input_revision = 0
        self._reset()

    # ==========================================================================================
    # state
    # ==========================================================================================

    def _reset(self) -> None:
        self.text = ""
        self.type: AppealType = "incident"
        self.subclass_code: str | None = None
        self.category_query = ""
        self.search_results: list[SearchGroup] = []
        self.suggestions: tuple[Subclass, ...] = ()
        self.suggestion_source = "none"
        self.position: Position | None = None
        self.location_state: LocationState = "idle"
        self.location_result: LocationResult | None = None
        self.map_open = False
        self.address = ""
        self.address_source: AddressSource | None = None
        self.address_busy = False
        self.saved_addresses: tuple[SavedAddress, ...] = ()
        self.share_personal = True
        self.applicant_name = ""
        self.name_edited = False
        self.phone = ""
        self.media: list[MediaItem] = []
        self.media_busy = 0
        self.media_errors: list[Message] = []
        self.errors: dict[str, Message] = {}
        self.step: Step = "form"
        self.similar: list[SimilarAppeal] = []
        self.own_similar: set[int] = set()
        self.emergency_service: EmergencyService | None = None
        self.busy = False
        self.input_revision += 1

    @property
    def language(self) -> str:
        return self._language()

    @property
    def category(self) -> Subclass | None:
        if not self.subclass_code:
            return None
        return self.classifier.subclass(self.subclass_code) or Subclass(
            self.subclass_code, self.subclass_code.split(".")[0], self.subclass_code,
            self.subclass_code,
        )  # fmt: skip

    def category_name(self, sub: Subclass | None = None) -> str:
        sub = sub or self.category
        return sub.name(self.language) if sub else ""

    def class_name(self, sub: Subclass | None = None) -> str:
        sub = sub or self.category
        data = self.classifier.classifier
        group = data.class_of(sub.code) if sub and data else None
        return group.name(self.language) if group else ""

    @property
    def text_length(self) -> int:
        return len(self.text)

    @property
    def can_submit(self) -> bool:
        return not self.busy and self.media_busy == 0

    @property
    def media_full(self) -> bool:
        """No room for another photo or video (the camera button is disabled then)."""
        return len(self.media) + self.media_busy >= MAX_MEDIA

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

    # ==========================================================================================
    # opening: the draft, the classifier, the applicant, the position
    # ==========================================================================================

    async def open(self) -> None:
        """The screen opened: restore the draft once, then refresh in the background."""
        if not self._restored:
            self._restored = True
            await self.classifier.ensure_loaded()
            await self._restore()
            try:
                self._apply_applicant(await self._applicant.cached())
            except Exception:  # the form works without a prefilled name
                log.exception("applicant not read")
            self.notify()
        if self._refreshed_at is None or (
            self.online is False or time.monotonic() - self._refreshed_at > REFRESH_EVERY_S
        ):
            self._refreshed_at = time.monotonic()
            self._spawn(self._refresh_online())
        if self.position is None and self.location_state != "locating":
            self.locate_in_background()

    def start(self) -> None:
        """The app started: revalidate the cached classifier (304 when current) in the
        background, so categories work offline later."""
        self._spawn(self._refresh_classifier())

    async def _refresh_classifier(self) -> None:
        if await self.classifier.refresh():
            self._set_online(True)

    async def _refresh_online(self) -> None:
        online = await self.classifier.refresh()
        self._set_online(online)
        try:
            applicant, answered = await self._applicant.fetch()
        except Exception:
            log.exception("applicant not refreshed")
        else:
            if answered:
                self._set_online(True)
            self._apply_applicant(applicant)
        if self.text.strip() and not self.suggestions:
            await self._suggest_now()
        self.notify()

    def _apply_applicant(self, applicant: Applicant) -> None:
        self.phone = applicant.phone
        self.saved_addresses = applicant.addresses
        name = applicant.full_name
        if not self.name_edited and name and self.applicant_name != name:
            self.applicant_name = name
            self.input_revision += 1

    def _set_online(self, online: bool) -> None:
        self.online = online

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def settle(self) -> None:
        """Wait for the background work started so far (tests; a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ==========================================================================================
    # draft
    # ==========================================================================================

    def draft_data(self) -> dict[str, Any]:
        p = self.position
        return {
            "text": self.text,
            "type": self.type,
            "subclass_code": self.subclass_code,
            "position": (
                {"lat": p.lat, "lon": p.lon, "accuracy_m": p.accuracy_m, "source": p.source}
                if p
                else None
            ),
            "address": self.address,
            "address_source": self.address_source,
            "share_personal": self.share_personal,
            "applicant_name": self.applicant_name if self.name_edited else None,
            "media": [
                {
                    "path": m.media.path,
                    "kind": m.media.kind,
                    "content_type": m.media.content_type,
                    "size": m.media.size,
                    "name": m.name,
                }
                for m in self.media
            ],
        }

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.subclass_code or self.media or self.address.strip())

    async def _restore(self) -> None:
        data = await asyncio.to_thread(self._drafts.load)
        if not data:
            return
        self.text = str(data.get("text") or "")[: MAX_TEXT * 2]
        if data.get("type") in {k for k, _ in APPEAL_TYPES}:
            self.type = data["type"]
        self.subclass_code = data.get("subclass_code") or None
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
        self.share_personal = bool(data.get("share_personal", True))
        if data.get("applicant_name") is not None:
            self.applicant_name = str(data["applicant_name"])
            self.name_edited = True
        items = []
        for m in data.get("media") or []:
            path = Path(str(m.get("path") or ""))
            if not path.exists():
                continue
            media = PreparedMedia(str(path), m["kind"], m["content_type"], int(m["size"]))
            thumb = await asyncio.to_thread(thumbnail, path) if media.kind == "image" else None
            items.append(MediaItem(media, str(m.get("name") or path.name), thumb))
        self.media = items
        self.input_revision += 1

    def _changed(self) -> None:
        """Something the resident entered changed: notify, and save the draft soon."""
        self.notify()
        self._schedule_save()

    def _schedule_save(self) -> None:
        if self._save_task is not None and not self._save_task.done():
            self._save_task.cancel()
        try:
            self._save_task = asyncio.get_running_loop().create_task(self._save_later())
        except RuntimeError:  # no loop (plain sync use): save now
            self._save_task = None
            self._save_now()

    async def _save_later(self) -> None:
        await asyncio.sleep(self._save_delay)
        async with self._draft_lock:
            await asyncio.to_thread(self._save_now)

    def _save_now(self) -> None:
        if self.is_empty and not self.position:
            self._drafts.clear()
        else:
            self._drafts.save(self.draft_data())

    async def flush(self) -> None:
        """Save the draft now (leaving the screen, tests)."""
        if self._save_task is not None and not self._save_task.done():
            self._save_task.cancel()
        self._save_task = None
        async with self._draft_lock:
            await asyncio.to_thread(self._save_now)

    async def _clear_draft(self) -> None:
        if self._save_task is not None and not self._save_task.done():
            self._save_task.cancel()
        self._save_task = None
        async with self._draft_lock:
            await asyncio.to_thread(self._drafts.clear)

    def leave(self) -> None:
        """The screen is going away: save what is there."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a plain call): save synchronously
            self._save_now()
            return
        self._spawn(self.flush())

    def forget(self) -> None:
        """The resident signed out: nothing of theirs stays in memory (the local tables and the
        media files are wiped by sign-out itself)."""
        for task in (self._save_task, self._suggest_task, self._locate_task):
            if task is not None and not task.done():
                task.cancel()
        self._save_task = self._suggest_task = self._locate_task = None
        self._reset()
        self._restored = False
        self._refreshed_at = None
        self.online = None
        self.notify()

    async def discard_draft(self) -> None:
        """Throw the draft away (and the photos prepared for it)."""
        for item in self.media:
            await asyncio.to_thread(self._media.discard, item.media)
        await self._clear_draft()
        position, state, result = self.position, self.location_state, self.location_result
        self._reset()
        self.position, self.location_state, self.location_result = position, state, result
        self.notify()

    # ==========================================================================================
    # text, type, category
    # ==========================================================================================

    def set_text(self, text: str) -> None:
        self.text = text
        if "text" in self.errors and self._text_error() is None:
            del self.errors["text"]
        self._schedule_suggest()
        self._changed()

    def set_type(self, value: str) -> None:
        for key, _label in APPEAL_TYPES:
            if key == value:
                self.type = key
                self._changed()
                return

    def set_category_query(self, query: str) -> None:
        self.category_query = query
        self.search_results = self.classifier.search(query, limit=SEARCH_LIMIT)
        self.notify()

    def choose_category(self, code: str) -> None:
        self.subclass_code = code
        self.category_query = ""
        self.search_results = []
        self.errors.pop("category", None)
        self.input_revision += 1
        self._changed()

    def clear_category(self) -> None:
        self.subclass_code = None
        self._changed()

    def _schedule_suggest(self) -> None:
        if self._suggest_task is not None and not self._suggest_task.done():
            self._suggest_task.cancel()
        try:
            self._suggest_task = asyncio.get_running_loop().create_task(self._suggest_later())
        except RuntimeError:
            self._suggest_task = None

    async def _suggest_later(self) -> None:
        await asyncio.sleep(self._suggest_delay)
        await self._suggest_now()
        self.notify()

    async def _suggest_now(self) -> None:
        result = await self.classifier.suggest(self.text, online=self._may_be_online())
        if result.reachable is not None:
            self._set_online(result.reachable)
        self.suggestions = result.subclasses
        self.suggestion_source = result.source

    # ==========================================================================================
    # position and address
    # ==========================================================================================

    def locate_in_background(self) -> None:
        if self._locate_task is not None and not self._locate_task.done():
            return
        self._locate_task = self._spawn(self.locate())

    async def locate(self) -> None:
        """Ask the device (permission asked now, when it is used), else fall back."""
        self.location_state = "locating"
        self.notify()
        saved = [
            SavedPoint(a.label, a.text, a.lat, a.lon)
            for a in self.saved_addresses
            if a.lat is not None and a.lon is not None
        ]
        result = await self._location.locate(saved)
        self.location_result = result
        if result.position is None:
            self.location_state = "unavailable"
            if self.position is not None and self.position.source == "map":
                self.location_state = "found"  # keep the point the resident chose
            self.notify()
            return
        if self.position is not None and self.position.source == "map" and result.outcome != "gps":
            self.location_state = "found"
            self.notify()
            return
        self.position = result.position
        self.location_state = "found"
        self.errors.pop("location", None)
        if result.outcome == "address" and result.address and not self.address.strip():
            self._set_address(result.address, "saved")
        self._changed()
        await self._fill_address()

    def toggle_map(self) -> None:
        self.map_open = not self.map_open
        self.notify()

    async def choose_point(self, lat: float, lon: float) -> None:
        """A point tapped on the map (works without tiles: the coordinates are shown)."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return
        self.position = Position(lat, lon, None, "map")
        self.location_state = "found"
        self.errors.pop("location", None)
        self._changed()
        await self._location.remember(self.position)
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
        self.notify()
        try:
            found = await self._geocoder.reverse(p.lat, p.lon, self.language)
        finally:
            self.address_busy = False
        if found and self.position == p and self.address_source != "typed":
            self._set_address(found[:MAX_ADDRESS], "geocoded")
            self._changed()
        else:
            self.notify()

    def _set_address(self, text: str, source: AddressSource) -> None:
        self.address = text
        self.address_source = source
        self.errors.pop("address", None)
        self.errors.pop("location", None)
        self.input_revision += 1

    def set_address(self, text: str) -> None:
        self.address = text
        self.address_source = "typed" if text.strip() else None
        if len(text) <= MAX_ADDRESS:
            self.errors.pop("address", None)
        if text.strip():
            self.errors.pop("location", None)
        self._changed()

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
        self._changed()

    # ==========================================================================================
    # applicant
    # ==========================================================================================

    def set_share(self, share: bool) -> None:
        self.share_personal = bool(share)
        self._changed()

    def set_name(self, name: str) -> None:
        self.applicant_name = name
        self.name_edited = True
        if len(name) <= MAX_NAME:
            self.errors.pop("name", None)
        self._changed()

    # ==========================================================================================
    # photos and videos
    # ==========================================================================================

    async def add_picked(self, files: list[PickedFile]) -> None:
        """Prepare picked files one by one: a refused file says why; the others stay."""
        self.media_errors = []
        self.errors.pop("media", None)
        for file in files:
            if self.media_full:
                self.media_errors.append(Message(MSG_TOO_MANY_MEDIA))
                break
            try:
                self._media.precheck(file.name, file.size)
            except MediaRejected as exc:
                self.media_errors.append(exc.message)
                continue
            self.media_busy += 1
            self.notify()
            try:
                item = await self._prepare(file)
            except MediaRejected as exc:
                self.media_errors.append(exc.message)
            except UploadFailed as exc:
                log.warning("upload of a picked file failed: %s", exc)
                self.media_errors.append(Message(MSG_UPLOAD_FAILED, {"name": file.name}))
            except Exception:  # whatever happens to one file, the others and the form stay
                log.exception("a picked file could not be prepared")
                self.media_errors.append(Message(MSG_MEDIA_FAILED, {"name": file.name}))
            else:
                self.media = [*self.media, item]
            finally:
                self.media_busy -= 1
        self._changed()

    async def _prepare(self, file: PickedFile) -> MediaItem:
        path = await file.fetch()
        try:
            media = await asyncio.to_thread(self._media.prepare, path, file.name)
        finally:
            if file.temporary:
                await asyncio.to_thread(path.unlink, True)
        thumb = await asyncio.to_thread(thumbnail, media.path) if media.kind == "image" else None
        return MediaItem(media, file.name, thumb)

    async def remove_media(self, index: int) -> None:
        if not 0 <= index < len(self.media):
            return
        item = self.media[index]
        self.media = [m for i, m in enumerate(self.media) if i != index]
        self.media_errors = []
        self._changed()
        await asyncio.to_thread(self._media.discard, item.media)

    def dismiss_media_errors(self) -> None:
        self.media_errors = []
        self.notify()

    # ==========================================================================================
    # validation and filing
    # ==========================================================================================

    def _text_error(self) -> Message | None:
        text = self.text.strip()
        if not text:
            return Message(MSG_TEXT_REQUIRED)
        if len(text) > MAX_TEXT:
            return Message(MSG_TEXT_TOO_LONG, {"n": len(text)})
        return None

    def validate(self, *, emergency: bool = False) -> bool:
        errors: dict[str, Message] = {}
        text_error = self._text_error()
        if text_error:
            errors["text"] = text_error
        if not self.subclass_code and not emergency:
            errors["category"] = Message(MSG_CATEGORY_REQUIRED)
        if self.position is None and not self.address.strip():
            errors["location"] = Message(MSG_LOCATION_REQUIRED)
        if len(self.address.strip()) > MAX_ADDRESS:
            errors["address"] = Message(MSG_ADDRESS_TOO_LONG)
        if self.share_personal and len(self.applicant_name.strip()) > MAX_NAME:
            errors["name"] = Message(MSG_NAME_TOO_LONG)
        if len(self.media) > MAX_MEDIA:
            errors["media"] = Message(MSG_TOO_MANY_MEDIA)
        if emergency and self.emergency_service is None:
            errors["service"] = Message(MSG_SERVICE_REQUIRED)
        self.errors = errors
        return not errors

    @property
    def form_error(self) -> Message | None:
        if "form" in self.errors:
            return self.errors["form"]
        return Message(MSG_FIX_ERRORS) if self.errors else None

    def new_appeal(self, *, emergency: bool = False) -> NewAppeal:
        subclass = self.subclass_code
        if emergency and not subclass:
            subclass = EMERGENCY_SUBCLASS.get(
                self.emergency_service or "", EMERGENCY_DEFAULT_SUBCLASS
            )
        name = self.applicant_name.strip() or None
        return NewAppeal(
            text=self.text.strip(),
            subclass_code=subclass or "",
            type=self.type,
            position=self.position,
            address=self.address.strip() or None,
            share_personal=self.share_personal,
            applicant_name=name if self.share_personal else None,
            language="ru" if self.language == "ru" else "kk",
            emergency=emergency,
            emergency_service=self.emergency_service if emergency else None,
            media=[m.media for m in self.media],
        )

    async def submit(self) -> None:
        """Check the form; offer similar appeals nearby when online; else file."""
        if not self.can_submit:
            return
        if not self.validate():
            self.notify()
            return
        self.busy = True
        self.notify()
        try:
            similar = await self._find_similar()
        finally:
            self.busy = False
        if similar:
            self.similar = similar
            self.own_similar = {a.id for a in similar if await self._is_own(a.id)}
            self.step = "similar"
            self.notify()
            return
        await self._file(emergency=False)

    async def _find_similar(self) -> list[SimilarAppeal]:
        p = self.position
        if p is None or not self.subclass_code or not self._may_be_online():
            return []
        try:
            found = await self._api.similar(self.subclass_code, p.lat, p.lon)
        except NetworkError:
            self._set_online(False)
            return []
        except ApiError as exc:
            log.info("similar appeals unavailable: %r", exc)
            return []
        self._set_online(True)
        return found

    @property
    def offline(self) -> bool:
        """Known to be offline (the form and the emergency step say so)."""
        return not self._may_be_online()

    def _may_be_online(self) -> bool:
        """Worth asking the server: not known to be offline (by us, or by the sync engine
        when it has heard from the server since)."""
        external = self.connectivity() if self.connectivity is not None else None
        if external is True:
            return True
        return self.online is not False and external is not False

    async def _is_own(self, server_id: int) -> bool:
        try:
            return await self._appeals.detail(str(server_id)) is not None
        except Exception:  # a lookup must never stop filing
            return False

    async def send_anyway(self) -> None:
        """From the similar-appeals step: file the resident's own appeal."""
        await self._file(emergency=False)

    def back_to_form(self) -> None:
        self.step = "form"
        self.errors.pop("form", None)
        self.notify()

    async def open_similar(self, appeal_id: int) -> None:
        """Open one of the resident's own appeals that is already about this (draft kept)."""
        if appeal_id in self.own_similar:
            await self.flush()
            self.step = "form"
            await self._nav.go(f"/appeals/{appeal_id}")

    def status_name(self, status: str) -> str:
        return STATUS_LABELS.get(status, status)

    @staticmethod
    def distance_text(meters: float) -> str:
        return f"{max(1, math.floor(meters))}"

    async def _file(self, *, emergency: bool) -> None:
        if self.busy:
            return
        self.busy = True
        self.errors.pop("form", None)
        self.notify()
        try:
            client_id = await self._appeals.file(self.new_appeal(emergency=emergency))
        except Exception as exc:
            log.warning("filing failed: %r", exc)
            self.busy = False
            self.errors["form"] = Message(MSG_FILE_FAILED)
            self.notify()
            return
        log.info("appeal filed (emergency=%s)", emergency)
        await self._clear_draft()
        position, state, result = self.position, self.location_state, self.location_result
        saved, phone = self.saved_addresses, self.phone
        name, edited = self.applicant_name, self.name_edited
        self._reset()  # the next appeal starts empty, but where the resident is
        self.position, self.location_state, self.location_result = position, state, result
        self.saved_addresses, self.phone = saved, phone
        self.applicant_name, self.name_edited = name, edited
        self.notify()
        await self._nav.go(f"/appeals/{client_id}")

    # ==========================================================================================
    # emergency
    # ==========================================================================================

    def start_emergency(self) -> None:
        self.step = "emergency"
        self.errors = {}
        self.notify()
        self._spawn(self._probe())

    async def _probe(self) -> None:
        """Is the server reachable right now? (the emergency step says so plainly if not)"""
        online = await self.classifier.refresh()
        self._set_online(online)
        self.notify()

    def choose_service(self, code: str) -> None:
        for key, _name in EMERGENCY_SERVICES:
            if key == code:
                self.emergency_service = key
                self.errors.pop("service", None)
                self.notify()
                return

    def cancel_emergency(self) -> None:
        self.step = "form"
        self.errors = {}
        self.notify()

    @property
    def call_number(self) -> str:
        return self.emergency_service or "112"

    def service_name(self, code: str | None = None) -> str:
        code = code or self.emergency_service
        return next((name for key, name in EMERGENCY_SERVICES if key == code), "")

    async def send_emergency(self) -> None:
        if not self.validate(emergency=True):
            self.notify()
            return
        await self._file(emergency=True)
