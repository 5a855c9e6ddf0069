"""The Participation tab: polls (vote once, results as a chart, closed ones archived),
initiatives of the akimat (support once, withdraw) and residents' proposals (submit, follow,
support, withdraw).

Everything shown comes from the local store, so the tab works offline; `load()` shows what is
there at once and then asks the server for news. A vote, a support and a new proposal are
stored with their outbox entry and sent by the sync engine (`on_queued` wakes it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from app.data.repositories.participation import PAGE_SIZE, ParticipationRepository, VoteError
from app.data.services.geocoding import Geocoder
from app.data.services.location import LocationService
from app.data.services.media import MediaPreparer
from app.data.services.picker import PickedFile
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
from app.i18n import Message
from app.observable import Observable
from app.viewmodels.background import BackgroundTasks
from app.viewmodels.navigation import Navigation
from app.viewmodels.participation_form import ProposalForm
from app.viewmodels.participation_photos import PhotoSource, ProposalPhotos
from app.viewmodels.participation_texts import (
    CATEGORY_NAMES,
    INITIATIVE_STATE_NAMES,
    MSG_PROPOSAL_QUEUED,
    MSG_SUPPORT_QUEUED,
    MSG_VOTE_QUEUED,
    MSG_VOTE_SENT,
    MSG_WITHDRAWAL_QUEUED,
    POLL_STATUS_NAMES,
    PROPOSAL_STATE_NAMES,
    SECTIONS,
    VOTE_ERRORS,
    ResultBar,
    Section,
    proposal_name,
    result_bars,
    vote_error_message,
)

# The tab's screens take the names and the results chart from here too.
__all__ = [
    "CATEGORY_NAMES",
    "INITIATIVE_STATE_NAMES",
    "POLL_STATUS_NAMES",
    "PROPOSAL_STATE_NAMES",
    "SECTIONS",
    "ParticipationViewModel",
    "ResultBar",
    "proposal_name",
    "result_bars",
]

log = logging.getLogger(__name__)

ARCHIVE_PAGE = 20
PARTICIPATION_ROUTE = "/participation"
NEW_PROPOSAL_ROUTE = "/participation/proposals/new"


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
        photo_source: PhotoSource | None = None,
    ) -> None:
        super().__init__()
        self._repo = repo
        self._nav = navigation or Navigation()
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
        self.form = ProposalForm(
            self.notify, location=location, geocoder=geocoder, media=media, language=language
        )
        self.photos = ProposalPhotos(photo_source, self.notify)  # of the proposals shown
        self._background = BackgroundTasks()
        repo.subscribe(self._repo_changed)

    def _repo_changed(self) -> None:
        """The sync engine sent something or merged the feed: read the store again."""
        self._background.start(self.reload_local)

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
        self._background.start(self._load_photos)

    async def _load_photos(self) -> None:
        await self.photos.load(self.my_proposals + self.proposals)

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
        """Support an open initiative, or (`support=False`) withdraw one's support of it."""
        await self._support(self._repo.support_initiative, initiative.id, support)

    async def _support(self, store: Callable[[Any, bool], None], key: Any, support: bool) -> None:
        """Store and queue a support (or withdrawal) of an initiative or a proposal."""
        try:
            await asyncio.to_thread(store, key, support)
        except VoteError as exc:
            self.notice = vote_error_message(exc)
            self.notify()
            return
        queued = MSG_SUPPORT_QUEUED if support else MSG_WITHDRAWAL_QUEUED
        self.notice = Message(queued) if self.offline else None
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
        """Support a published proposal of another resident, or (`support=False`) withdraw."""
        await self._support(self._repo.support_proposal, proposal.key, support)

    # -- the new proposal's form (`ProposalForm` does the work) --------------------------------

    def set_text(self, text: str) -> None:
        self.form.set_text(text)

    def set_category(self, code: str | None) -> None:
        self.form.set_category(code)

    def set_address(self, text: str) -> None:
        self.form.set_address(text)

    def set_point(self, lat: float | None, lon: float | None, address: str | None = None) -> None:
        self.form.set_point(lat, lon, address)

    def set_photo(self, photo: PreparedMedia | None, name: str | None = None) -> None:
        self.form.set_photo(photo, name)

    async def locate(self) -> bool:
        return await self.form.locate()

    async def pick_point(self, lat: float, lon: float) -> None:
        await self.form.pick_point(lat, lon)

    async def add_photo(self, files: list[PickedFile]) -> None:
        await self.form.add_photo(files)

    async def remove_photo(self) -> None:
        await self.form.remove_photo()

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
