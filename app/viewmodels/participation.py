"""The Participation tab: polls (vote once, results as a chart, closed ones archived),
initiatives of the akimat (support once) and residents' proposals (submit, follow, support).

Everything shown comes from the local store, so the tab works offline; `load()` shows what is
there at once and then asks the server for news. A vote, a support and a new proposal are
stored with their outbox entry and sent by the sync engine (`on_queued` wakes it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from app.data.repositories.participation import PAGE_SIZE, ParticipationRepository, VoteError
from app.data.services.geocoding import Geocoder
from app.data.services.location import LocationService
from app.data.services.media import MediaPreparer, MediaRejected, thumbnail
from app.data.services.picker import PickedFile, UploadFailed
from app.domain.appeals import PreparedMedia
from app.domain.participation import (
    PROPOSAL_CATEGORIES,
    PROPOSAL_MAX_CHARS,
    Initiative,
    NewProposal,
    Poll,
    Proposal,
    ProposalCategory,
)
from app.errors import ApiError, NetworkError
from app.i18n import N_, Message
from app.observable import Observable
from app.viewmodels.navigation import Navigation

log = logging.getLogger(__name__)

Section = Literal["polls", "initiatives", "proposals"]
SECTIONS: tuple[tuple[Section, str], ...] = (
    ("polls", N_("Polls")),
    ("initiatives", N_("Initiatives")),
    ("proposals", N_("Proposals")),
)

MSG_OFFLINE_SHOWN = N_("No connection: showing what was saved on this device.")
MSG_VOTE_QUEUED = N_("Your vote is saved and will be sent when the connection is back.")
MSG_VOTE_SENT = N_("Thank you! Your vote is counted.")
MSG_SUPPORT_QUEUED = N_("Your support is saved and will be sent when the connection is back.")
MSG_PROPOSAL_QUEUED = N_("Your proposal is saved and will be sent for moderation.")
VOTE_ERRORS: dict[str, str] = {
    "already_voted": N_("You have already voted in this poll."),
    "poll_closed": N_("Voting in this poll has ended."),
    "poll_not_for_you": N_("This poll is for residents of other districts."),
    "choose_an_option": N_("Choose an option."),
    "too_many_choices": N_("Choose at most {max_choices} options."),
    "poll_unknown": N_("This poll is no longer available."),
    "initiative_unknown": N_("This initiative is no longer available."),
    "initiative_closed": N_("This initiative no longer takes support."),
    "proposal_unknown": N_("This proposal is no longer available."),
    "proposal_not_published": N_("Only published proposals can be supported."),
    "empty_text": N_("Describe your proposal."),
    "text_too_long": N_("The text is too long: at most {max} characters."),
    "unknown_category": N_("Choose a category."),
}
MSG_UNKNOWN = N_("Something went wrong. Try again later.")
MSG_NO_POSITION = N_("Could not get your position. Pick the point on the map or type the address.")
MSG_POSITION_DENIED = N_(
    "Access to the location is not allowed. Pick the point on the map or type the address."
)
MSG_PHOTO_ONLY = N_("Attach a photo (not a video).")
MSG_PHOTO_FAILED = N_("Could not take this photo. Try another file.")

POLL_STATUS_NAMES: dict[str, str] = {
    "upcoming": N_("Not started yet"),
    "open": N_("Voting is open"),
    "closed": N_("Voting ended"),
    "draft": N_("Draft"),
}
INITIATIVE_STATE_NAMES: dict[str, str] = {
    "proposed": N_("Proposed"),
    "in_progress": N_("Being carried out"),
    "done": N_("Carried out"),
    "rejected": N_("Not accepted"),
}
PROPOSAL_STATE_NAMES: dict[str, str] = {
    "pending": N_("Under moderation"),
    "published": N_("Published"),
    "rejected": N_("Not accepted"),
}
CATEGORY_NAMES: dict[str, str] = {
    "landscaping": N_("Landscaping"),
    "urban_infrastructure": N_("Urban infrastructure"),
    "transport": N_("Transport"),
    "ecology": N_("Ecology"),
    "social": N_("Social sphere"),
    "other": N_("Other"),
}
ARCHIVE_PAGE = 20
PARTICIPATION_ROUTE = "/participation"
NEW_PROPOSAL_ROUTE = "/participation/proposals/new"


def vote_error_message(exc: VoteError) -> Message:
    return Message(VOTE_ERRORS.get(exc.code, MSG_UNKNOWN), dict(exc.params))


@dataclass(frozen=True)
class ResultBar:
    """One bar of a poll's results chart."""

    option_id: int
    text_kk: str
    text_ru: str
    count: int
    share: float  # 0..1 of the residents who voted
    mine: bool

    def text(self, lang: str) -> str:
        return self.text_ru if lang == "ru" else self.text_kk


def result_bars(poll: Poll) -> list[ResultBar]:
    """The chart of a poll's results, options in the poll's order (empty when none yet)."""
    if poll.results is None:
        return []
    chosen = set(poll.voted or ())
    by_id = {r.option_id: r for r in poll.results.options}
    bars = []
    for option in poll.options:
        r = by_id.get(option.id)
        bars.append(
            ResultBar(
                option.id,
                option.text_kk,
                option.text_ru,
                r.count if r else 0,
                r.share if r else 0.0,
                option.id in chosen,
            )
        )
    return bars


class ProposalForm:
    """The new proposal being written (kept while the resident moves around the app)."""

    def __init__(self) -> None:
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


class ParticipationViewModel(Observable):
    def __init__(
        self,
        repo: ParticipationRepository,
        navigation: Navigation | None = None,
        *,
        on_queued: Callable[[], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        location: LocationService | None = None,
        geocoder: Geocoder | None = None,
        media: MediaPreparer | None = None,
        language: Callable[[], str] = lambda: "kk",
    ) -> None:
        super().__init__()
        self._repo = repo
        self._nav = navigation or Navigation()
        self._location = location
        self._geocoder = geocoder
        self._media = media
        self._language = language
        self._on_queued = on_queued or (lambda: None)
        self._now = now
        self.section: Section = "polls"
        self.open_polls: list[Poll] = []
        self.archive: list[Poll] = []
        self.archive_shown = ARCHIVE_PAGE
        self.show_archive = False
        self.initiatives: list[Initiative] = []
        self.proposals: list[Proposal] = []  # others' published ones, a page at a time
        self.my_proposals: list[Proposal] = []
        self.proposals_total = 0
        self.categories: list[ProposalCategory] = [
            ProposalCategory(c, "", "") for c in PROPOSAL_CATEGORIES
        ]
        self.ballots: dict[int, list[int]] = {}  # poll id → options ticked, not sent yet
        self.poll_errors: dict[int, Message] = {}
        self.notice: Message | None = None  # a short confirmation / offline note
        self.offline = False
        self.loading = False
        self.busy = False
        self.form = ProposalForm()
        self._tasks: set[asyncio.Task[None]] = set()
        repo.subscribe(self._repo_changed)

    def _repo_changed(self) -> None:
        """The sync engine sent something or merged the feed: read the store again."""
        try:
            task = asyncio.get_running_loop().create_task(self.reload_local())
        except RuntimeError:
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- loading -------------------------------------------------------------------------------

    def _read(self) -> None:
        """Everything from the local store (blocking)."""
        now = self._now()
        self.open_polls = self._repo.polls(now=now)
        self.archive = self._repo.polls(archive=True, now=now)
        self.initiatives = self._repo.initiatives()
        limit = max(PAGE_SIZE, len(self.proposals))
        self.proposals = self._repo.proposals(mine=False, limit=limit)
        self.proposals_total = self._repo.proposal_count(mine=False)
        self.my_proposals = self._repo.proposals(mine=True, limit=100)

    async def reload_local(self) -> None:
        await asyncio.to_thread(self._read)
        self.notify()

    async def load(self) -> None:
        """Show the store at once, then pull the server's news (quietly offline)."""
        self.loading = True
        await self.reload_local()
        try:
            await self._repo.refresh_polls()
            await self._repo.refresh_initiatives()
            await self._repo.refresh_proposals()
            self.categories = await self._repo.categories()
            self.offline = False
        except NetworkError:
            self.offline = True
        except ApiError as exc:
            log.info("participation not refreshed: %r", exc)
        finally:
            self.loading = False
        await self.reload_local()

    def select_section(self, section: Section) -> None:
        if section != self.section:
            self.section = section
            self.notice = None
            self.notify()

    # -- polls ---------------------------------------------------------------------------------

    def is_open(self, poll: Poll) -> bool:
        """The resident can still vote in it."""
        return poll.votable(self._now())

    def is_closed(self, poll: Poll) -> bool:
        return poll.is_closed(self._now())

    def ballot(self, poll_id: int) -> list[int]:
        return self.ballots.get(poll_id, [])

    def toggle_option(self, poll: Poll, option_id: int) -> None:
        """Tick an option: single choice replaces, multiple choice toggles (up to the limit)."""
        chosen = list(self.ballots.get(poll.id, []))
        self.poll_errors.pop(poll.id, None)
        if not poll.multiple:
            chosen = [option_id]
        elif option_id in chosen:
            chosen.remove(option_id)
        elif len(chosen) >= poll.max_choices:
            self.poll_errors[poll.id] = Message(
                VOTE_ERRORS["too_many_choices"], {"max_choices": poll.max_choices}
            )
        else:
            chosen.append(option_id)
        self.ballots[poll.id] = chosen
        self.notify()

    async def vote(self, poll: Poll) -> bool:
        """Cast the ticked options once; True if the vote was stored (and queued)."""
        if self.busy:
            return False
        chosen = self.ballots.get(poll.id, [])
        self.busy = True
        self.poll_errors.pop(poll.id, None)
        self.notify()
        try:
            await asyncio.to_thread(self._repo.vote, poll.id, chosen, self._now())
        except VoteError as exc:
            self.poll_errors[poll.id] = vote_error_message(exc)
            return False
        finally:
            self.busy = False
        self.ballots.pop(poll.id, None)
        self.notice = Message(MSG_VOTE_QUEUED if self.offline else MSG_VOTE_SENT)
        await self.reload_local()
        self._on_queued()
        return True

    def toggle_archive(self) -> None:
        self.show_archive = not self.show_archive
        self.notify()

    @property
    def archive_page(self) -> list[Poll]:
        return self.archive[: self.archive_shown]

    @property
    def archive_has_more(self) -> bool:
        return len(self.archive) > self.archive_shown

    def more_archive(self) -> None:
        self.archive_shown += ARCHIVE_PAGE
        self.notify()

    # -- initiatives ---------------------------------------------------------------------------

    async def support_initiative(self, initiative: Initiative, support: bool = True) -> None:
        try:
            await asyncio.to_thread(self._repo.support_initiative, initiative.id, support)
        except VoteError as exc:
            self.notice = vote_error_message(exc)
            self.notify()
            return
        self.notice = Message(MSG_SUPPORT_QUEUED) if self.offline else None
        await self.reload_local()
        self._on_queued()

    # -- proposals -----------------------------------------------------------------------------

    @property
    def proposals_have_more(self) -> bool:
        return len(self.proposals) < self.proposals_total

    async def more_proposals(self) -> None:
        page = await asyncio.to_thread(
            self._repo.proposals, mine=False, offset=len(self.proposals), limit=PAGE_SIZE
        )
        self.proposals = self.proposals + page
        self.notify()

    async def support_proposal(self, proposal: Proposal, support: bool = True) -> None:
        try:
            await asyncio.to_thread(self._repo.support_proposal, proposal.key, support)
        except VoteError as exc:
            self.notice = vote_error_message(exc)
            self.notify()
            return
        self.notice = Message(MSG_SUPPORT_QUEUED) if self.offline else None
        await self.reload_local()
        self._on_queued()

    def set_text(self, text: str) -> None:
        self.form.text = text
        if self.form.text_error and text.strip():
            self.form.text_error = None
            self.notify()

    def set_category(self, code: str | None) -> None:
        self.form.category = code
        self.form.category_error = None
        self.notify()

    def set_address(self, text: str) -> None:
        self.form.address = text

    def set_point(self, lat: float | None, lon: float | None, address: str | None = None) -> None:
        self.form.lat, self.form.lon = lat, lon
        if address and not self.form.address.strip():
            self.form.address = address
            self.form.revision += 1
        self.notify()

    def set_photo(self, photo: PreparedMedia | None, name: str | None = None) -> None:
        self.form.photo = photo
        self.form.photo_name = name
        self.form.photo_thumb = None
        self.form.photo_error = None
        self.notify()

    async def locate(self) -> bool:
        """Put the proposal at the device's current position (address filled when found)."""
        if self._location is None or self.form.locating:
            return False
        self.form.locating = True
        self.form.place_note = None
        self.notify()
        try:
            position, problem = await self._location.device_position()
            if position is None:
                self.form.place_note = Message(
                    MSG_POSITION_DENIED if problem == "denied" else MSG_NO_POSITION
                )
                return False
            await self.pick_point(position.lat, position.lon)
            return True
        finally:
            self.form.locating = False
            self.notify()

    async def pick_point(self, lat: float, lon: float) -> None:
        """A point from the map (or the device): the address is looked up when empty."""
        address = None
        if not self.form.address.strip() and self._geocoder is not None:
            address = await self._geocoder.reverse(lat, lon, self._language())
        self.set_point(lat, lon, address)

    async def add_photo(self, files: list[PickedFile]) -> None:
        """The first picked file becomes the proposal's photo (resized, EXIF removed)."""
        if not files or self._media is None:
            return
        picked = files[0]
        self.form.photo_busy = True
        self.form.photo_error = None
        self.notify()
        try:
            path = await picked.fetch()
            try:
                prepared = await asyncio.to_thread(self._media.prepare, path, picked.name)
            finally:
                if picked.temporary:
                    await asyncio.to_thread(path.unlink, True)
            if prepared.kind != "image":
                await asyncio.to_thread(self._media.discard, prepared)
                self.form.photo_error = Message(MSG_PHOTO_ONLY)
                return
            if self.form.photo is not None:
                await asyncio.to_thread(self._media.discard, self.form.photo)
            self.form.photo = prepared
            self.form.photo_name = picked.name
            self.form.photo_thumb = await asyncio.to_thread(thumbnail, prepared.path)
        except MediaRejected as exc:
            self.form.photo_error = exc.message
        except (UploadFailed, OSError) as exc:
            log.info("photo not taken: %r", exc)
            self.form.photo_error = Message(MSG_PHOTO_FAILED)
        finally:
            self.form.photo_busy = False
            self.notify()

    async def remove_photo(self) -> None:
        if self.form.photo is not None and self._media is not None:
            await asyncio.to_thread(self._media.discard, self.form.photo)
        self.set_photo(None)

    async def submit_proposal(self) -> str | None:
        """Check, store and queue the proposal; its client id, or None (errors on the form;
        nothing typed is lost)."""
        form = self.form
        form.text_error = form.category_error = None
        text = form.text.strip()
        if not text:
            form.text_error = Message(VOTE_ERRORS["empty_text"])
        elif len(text) > PROPOSAL_MAX_CHARS:
            form.text_error = Message(VOTE_ERRORS["text_too_long"], {"max": PROPOSAL_MAX_CHARS})
        if not form.category:
            form.category_error = Message(VOTE_ERRORS["unknown_category"])
        if form.text_error or form.category_error or self.busy:
            self.notify()
            return None
        assert form.category is not None
        new = NewProposal(
            text=text,
            category=form.category,
            lat=form.lat,
            lon=form.lon,
            address=form.address.strip() or None,
            photo=form.photo,
        )
        self.busy = True
        self.notify()
        try:
            client_id = await asyncio.to_thread(self._repo.submit_proposal, new)
        except VoteError as exc:
            form.text_error = vote_error_message(exc)
            self.notify()
            return None
        finally:
            self.busy = False
        form.clear()
        form.revision += 1
        self.notice = Message(MSG_PROPOSAL_QUEUED)
        self.section = "proposals"
        await self.reload_local()
        self._on_queued()
        await self._nav.go(PARTICIPATION_ROUTE)
        return client_id

    async def open_new_proposal(self) -> None:
        await self._nav.go(NEW_PROPOSAL_ROUTE)

    async def cancel_proposal(self) -> None:
        await self._nav.go(PARTICIPATION_ROUTE)
