"""Composing and filing a new appeal (Appendix 2: text, automatic geolocation, personal data,
incident address, photos and video, routing by category), and the emergency path.

Plain Python: the screen renders this state and forwards the resident's input.
`NewAppealViewModel` composes one object per section — `AppealForm` (text, type, category,
applicant), `LocationSection` (position, map point, address), `Attachments` (photos and
videos), `EmergencyChoice` (the service), `Submission` (steps, similar appeals, filing) and
`DraftKeeper` (the draft) — and is the one object the screen and tests talk to: each section's
state and actions are reachable on it under their own names. It keeps what spans the sections:
opening (draft, classifier, applicant, position), whether the server is reachable, the field
errors, validation, and emptying the form.

What is typed is saved locally as a draft (debounced), so leaving the screen or a restart loses
nothing; the draft is cleared once the appeal is filed. Filing goes through the appeals
repository (local row + outbox in one transaction), so it works offline and shows "waiting to
send" at once.

Fields the view model itself rewrites (a restored draft, an address found for the position, a
saved address chosen) bump `input_revision`; only then does the screen copy them into its text
fields (echoing what the resident typed would race with keys still on their way).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from app.data.repositories.applicant import Applicant, SavedAddress
from app.data.repositories.classifier import ClassifierRepository
from app.data.repositories.drafts import DraftRepository
from app.data.services.appeal_lookups_api import NewAppealApi, SimilarAppeal
from app.data.services.geocoding import Geocoder
from app.data.services.location import LocationService
from app.data.services.media import MediaPreparer
from app.data.services.picker import PickedFile
from app.domain.appeals import AppealType, EmergencyService, NewAppeal, Position
from app.domain.classifier import SearchGroup, Subclass
from app.i18n import N_, Message
from app.observable import Observable
from app.viewmodels.navigation import Navigation
from app.viewmodels.new_appeal.attachments import Attachments, MediaItem
from app.viewmodels.new_appeal.context import On
from app.viewmodels.new_appeal.draft import DraftKeeper
from app.viewmodels.new_appeal.emergency import EmergencyChoice
from app.viewmodels.new_appeal.form import AppealForm
from app.viewmodels.new_appeal.location import AddressSource, LocationSection, LocationState
from app.viewmodels.new_appeal.submit import AppealFiling, AppealLookup, Step, Submission

log = logging.getLogger(__name__)

REFRESH_EVERY_S = 300.0  # classifier and profile, when the form is opened again

MSG_FIX_ERRORS = N_("Check the marked fields.")


class ApplicantSource(Protocol):
    async def cached(self) -> Applicant: ...

    async def fetch(self) -> tuple[Applicant, bool]: ...


class NewAppealViewModel(Observable):
    # -- the form: text, type, category, applicant ---------------------------------------------
    text = On[str]("form")
    type = On[AppealType]("form")
    subclass_code = On[str | None]("form")
    category_query = On[str]("form")
    search_results = On[list[SearchGroup]]("form")
    suggestions = On[tuple[Subclass, ...]]("form")
    suggestion_source = On[str]("form")
    share_personal = On[bool]("form")
    applicant_name = On[str]("form")
    phone = On[str]("form")
    category = On[Subclass | None]("form")
    text_length = On[int]("form")
    category_name = On[Callable[..., str]]("form")
    class_name = On[Callable[..., str]]("form")
    set_text = On[Callable[[str], None]]("form")
    set_type = On[Callable[[str], None]]("form")
    set_category_query = On[Callable[[str], None]]("form")
    choose_category = On[Callable[[str], None]]("form")
    clear_category = On[Callable[[], None]]("form")
    set_share = On[Callable[[bool], None]]("form")
    set_name = On[Callable[[str], None]]("form")
    # -- the location: position, map point, address ----------------------------------------------
    position = On[Position | None]("location")
    location_state = On[LocationState]("location")
    map_open = On[bool]("location")
    address = On[str]("location")
    address_source = On[AddressSource | None]("location")
    address_busy = On[bool]("location")
    saved_addresses = On[tuple[SavedAddress, ...]]("location")
    location_message = On[Message | None]("location")
    coordinates = On[Message | None]("location")
    map_centre = On[tuple[float, float]]("location")
    locate = On[Callable[[], Awaitable[None]]]("location")
    toggle_map = On[Callable[[], None]]("location")
    choose_point = On[Callable[[float, float], Awaitable[None]]]("location")
    nudge_point = On[Callable[[str], Awaitable[None]]]("location")
    set_address = On[Callable[[str], None]]("location")
    choose_saved_address = On[Callable[[int], None]]("location")
    # -- photos and videos -----------------------------------------------------------------------
    media = On[list[MediaItem]]("attachments")
    media_busy = On[int]("attachments")
    media_errors = On[list[Message]]("attachments")
    media_full = On[bool]("attachments")
    add_picked = On[Callable[[list[PickedFile]], Awaitable[None]]]("attachments")
    remove_media = On[Callable[[int], Awaitable[None]]]("attachments")
    # -- the emergency service -------------------------------------------------------------------
    emergency_service = On[EmergencyService | None]("emergency")
    call_number = On[str]("emergency")
    choose_service = On[Callable[[str], None]]("emergency")
    service_name = On[Callable[..., str]]("emergency")
    # -- steps and filing ------------------------------------------------------------------------
    step = On[Step]("submission")
    similar = On[list[SimilarAppeal]]("submission")
    own_similar = On[set[int]]("submission")
    busy = On[bool]("submission")
    send_anyway = On[Callable[[], Awaitable[None]]]("submission")
    back_to_form = On[Callable[[], None]]("submission")
    open_similar = On[Callable[[int], Awaitable[None]]]("submission")
    status_name = On[Callable[[str], str]]("submission")
    distance_text = On[Callable[[float], str]]("submission")
    cancel_emergency = On[Callable[[], None]]("submission")
    send_emergency = On[Callable[[], Awaitable[None]]]("submission")

    def __init__(
        self,
        *,
        appeals: AppealFiling,
        lookup: AppealLookup,
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
        connectivity: Callable[[], bool | None] | None = None,
    ) -> None:
        super().__init__()
        self.classifier = classifier
        self._applicant = applicant
        self._language = language
        self._tasks: set[asyncio.Task[Any]] = set()
        self._restored = False
        self._refreshed_at: float | None = None
        self.online: bool | None = None  # what the last request said
        # What the sync engine knows (from the composition root): used when we do not know.
        self.connectivity = connectivity
        self.input_revision = 0
        self.errors: dict[str, Message] = {}
        self.form = AppealForm(self, classifier, suggest_delay=suggest_delay)
        self.location = LocationSection(self, location, geocoder)
        self.attachments = Attachments(self, media)
        self.emergency = EmergencyChoice(self)
        self.draft = DraftKeeper(drafts, self._draft_snapshot, delay=save_delay)
        self.submission = Submission(
            self,
            appeals=appeals,
            lookup=lookup,
            api=api,
            navigation=navigation,
            check=lambda emergency: self.validate(emergency=emergency),
            compose=lambda emergency: self.new_appeal(emergency=emergency),
            filed=self._filed,
            keep=self.flush,
        )
        self._reset()

    def _reset(self, *, keep_position: bool = False, keep_applicant: bool = False) -> None:
        """Empty every section; where the resident is, and who, when kept."""
        self.form.reset(keep_applicant=keep_applicant)
        self.location.reset(keep_position=keep_position, keep_saved=keep_applicant)
        self.attachments.reset()
        self.emergency.reset()
        self.submission.reset()
        self.errors = {}
        self.input_revision += 1

    # -- what the sections ask of the flow (`FlowContext`) ---------------------------------------

    @property
    def language(self) -> str:
        return self._language()

    def changed(self) -> None:
        self.notify()
        self.draft.schedule()

    def rewrote(self) -> None:
        self.input_revision += 1

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def settle(self) -> None:
        """Wait for the background work started so far (tests; a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """The page closed: what was entered is saved, then the background work still running
        (the classifier and applicant refreshes, the emergency probe) is cancelled, before the
        API client it uses is closed under it."""
        try:
            await self.flush()
        except Exception:  # closing goes on; the draft keeps its last save
            log.exception("draft not saved at close")
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def set_online(self, online: bool) -> None:
        self.online = online

    def may_be_online(self) -> bool:
        """Worth asking the server: not known to be offline (by us, or by the sync engine
        when it has heard from the server since)."""
        external = self.connectivity() if self.connectivity is not None else None
        if external is True:
            return True
        return self.online is not False and external is not False

    @property
    def offline(self) -> bool:
        """Known to be offline (the form and the emergency step say so)."""
        return not self.may_be_online()

    # -- opening: the draft, the classifier, the applicant, the position -------------------------

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
            self.spawn(self._refresh_online())
        if self.location.position is None and self.location.location_state != "locating":
            self.location.locate_in_background()

    def start(self) -> None:
        """The app started: revalidate the cached classifier (304 when current) in the
        background, so categories work offline later."""
        self.spawn(self._refresh_classifier())

    async def _refresh_classifier(self) -> None:
        if await self.classifier.refresh():
            self.set_online(True)

    async def _refresh_online(self) -> None:
        online = await self.classifier.refresh()
        self.set_online(online)
        try:
            applicant, answered = await self._applicant.fetch()
        except Exception:
            log.exception("applicant not refreshed")
        else:
            if answered:
                self.set_online(True)
            self._apply_applicant(applicant)
        if self.form.text.strip() and not self.form.suggestions:
            await self.form.suggest_now()
        self.notify()

    def _apply_applicant(self, applicant: Applicant) -> None:
        self.location.saved_addresses = applicant.addresses
        self.form.apply_applicant(applicant)

    # -- the draft --------------------------------------------------------------------------------

    def draft_data(self) -> dict[str, Any]:
        return {**self.form.draft(), **self.location.draft(), **self.attachments.draft()}

    @property
    def is_empty(self) -> bool:
        return not (
            self.form.text.strip()
            or self.form.subclass_code
            or self.attachments.media
            or self.location.address.strip()
        )

    def _draft_snapshot(self) -> dict[str, Any] | None:
        return None if self.is_empty and not self.location.position else self.draft_data()

    async def _restore(self) -> None:
        data = await self.draft.load()
        if not data:
            return
        self.form.restore(data)
        self.location.restore(data)
        await self.attachments.restore(data)
        self.input_revision += 1

    async def flush(self) -> None:
        """Save the draft now (leaving the screen, tests)."""
        await self.draft.flush()

    def leave(self) -> None:
        """The screen is going away: save what is there."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a plain call): save synchronously
            self.draft.save_now()
            return
        self.spawn(self.flush())

    def forget(self) -> None:
        """The resident signed out: nothing of theirs stays in memory (the local tables and the
        media files are wiped by sign-out itself)."""
        self.draft.cancel()
        self.form.cancel()
        self.location.cancel()
        self._reset()
        self._restored = False
        self._refreshed_at = None
        self.online = None
        self.notify()

    async def discard_draft(self) -> None:
        """Throw the draft away (and the photos prepared for it)."""
        await self.attachments.discard_all()
        await self.draft.clear()
        self._reset(keep_position=True)
        self.notify()

    async def _filed(self) -> None:
        """The next appeal starts empty, but where the resident is and prefilled the same way."""
        await self.draft.clear()
        self._reset(keep_position=True, keep_applicant=True)
        self.notify()

    # -- validation and filing -------------------------------------------------------------------

    @property
    def can_submit(self) -> bool:
        return not self.submission.busy and self.attachments.media_busy == 0

    def validate(self, *, emergency: bool = False) -> bool:
        self.errors = {
            **self.form.problems(emergency=emergency),
            **self.location.problems(),
            **self.attachments.problems(),
            **(self.emergency.problems() if emergency else {}),
        }
        return not self.errors

    @property
    def form_error(self) -> Message | None:
        if "form" in self.errors:
            return self.errors["form"]
        return Message(MSG_FIX_ERRORS) if self.errors else None

    def new_appeal(self, *, emergency: bool = False) -> NewAppeal:
        form, place = self.form, self.location
        subclass = form.subclass_code
        if emergency and not subclass:
            subclass = self.emergency.subclass()
        name = form.applicant_name.strip() or None
        return NewAppeal(
            text=form.text.strip(),
            subclass_code=subclass or "",
            type=form.type,
            position=place.position,
            address=place.address.strip() or None,
            share_personal=form.share_personal,
            applicant_name=name if form.share_personal else None,
            language="ru" if self.language == "ru" else "kk",
            emergency=emergency,
            emergency_service=self.emergency.emergency_service if emergency else None,
            media=[m.media for m in self.attachments.media],
        )

    async def submit(self) -> None:
        """Check the form; offer similar appeals nearby when online; else file."""
        if self.can_submit:
            await self.submission.submit()

    def start_emergency(self) -> None:
        self.submission.start_emergency()
        self.spawn(self._probe())

    async def _probe(self) -> None:
        """Is the server reachable right now? (the emergency step says so plainly if not)"""
        online = await self.classifier.refresh()
        self.set_online(online)
        self.notify()
