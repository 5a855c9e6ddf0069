"""Sending the new appeal: which step is shown (the form, similar appeals nearby, the emergency
step), the similar appeals offered when online, and filing through the appeals repository (a
local row and an outbox entry in one transaction, so it works offline and shows "waiting to
send" at once)."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol

from app.data.services.appeal_lookups_api import NewAppealApi, SimilarAppeal
from app.domain.appeals import NewAppeal
from app.errors import ApiError, NetworkError
from app.i18n import N_, Message
from app.viewmodels.appeal_text import status_label
from app.viewmodels.navigation import Navigation
from app.viewmodels.new_appeal.context import FlowContext

log = logging.getLogger(__name__)

MSG_FILE_FAILED = N_("The appeal could not be saved. Try again.")

Step = Literal["form", "similar", "emergency"]


class AppealFiling(Protocol):
    """Filing the appeal (the resident's actions, `AppealsRepository`)."""

    async def file(self, new: NewAppeal) -> str: ...


class AppealLookup(Protocol):
    """Whether a similar appeal is the resident's own (`AppealQueries`)."""

    async def detail(self, ref: str) -> Any: ...


class Submission:
    """The step shown, the similar appeals offered, and whether filing is under way.

    `check(emergency)` validates the sections, `compose(emergency)` builds what is filed,
    `filed()` clears the draft and empties the form, `keep()` saves the draft now."""

    def __init__(
        self,
        flow: FlowContext,
        *,
        appeals: AppealFiling,
        lookup: AppealLookup,
        api: NewAppealApi,
        navigation: Navigation,
        check: Callable[[bool], bool],
        compose: Callable[[bool], NewAppeal],
        filed: Callable[[], Awaitable[None]],
        keep: Callable[[], Awaitable[None]],
    ) -> None:
        self._flow = flow
        self._appeals = appeals
        self._lookup = lookup
        self._api = api
        self._nav = navigation
        self._check = check
        self._compose = compose
        self._filed = filed
        self._keep = keep
        self.reset()

    def reset(self) -> None:
        self.step: Step = "form"
        self.similar: list[SimilarAppeal] = []
        self.own_similar: set[int] = set()
        self.busy = False

    async def submit(self) -> None:
        """Check the form; offer similar appeals nearby when online; else file."""
        if not self._check(False):
            self._flow.notify()
            return
        self.busy = True
        self._flow.notify()
        try:
            similar = await self._find_similar()
        finally:
            self.busy = False
        if similar:
            self.similar = similar
            self.own_similar = {a.id for a in similar if await self._is_own(a.id)}
            self.step = "similar"
            self._flow.notify()
            return
        await self._file(emergency=False)

    async def _find_similar(self) -> list[SimilarAppeal]:
        new = self._compose(False)
        p = new.position
        if p is None or not new.subclass_code or not self._flow.may_be_online():
            return []
        try:
            found = await self._api.similar(new.subclass_code, p.lat, p.lon)
        except NetworkError:
            self._flow.set_online(False)
            return []
        except ApiError as exc:
            log.info("similar appeals unavailable: %r", exc)
            return []
        self._flow.set_online(True)
        return found

    async def _is_own(self, server_id: int) -> bool:
        try:
            return await self._lookup.detail(str(server_id)) is not None
        except Exception:  # a lookup must never stop filing
            return False

    # -- the similar-appeals step ---------------------------------------------------------------

    async def send_anyway(self) -> None:
        """From the similar-appeals step: file the resident's own appeal."""
        await self._file(emergency=False)

    def back_to_form(self) -> None:
        self.step = "form"
        self._flow.errors.pop("form", None)
        self._flow.notify()

    async def open_similar(self, appeal_id: int) -> None:
        """Open one of the resident's own appeals that is already about this (draft kept)."""
        if appeal_id in self.own_similar:
            await self._keep()
            self.step = "form"
            await self._nav.go(f"/appeals/{appeal_id}")

    def status_name(self, status: str) -> str:
        return status_label(status)

    @staticmethod
    def distance_text(meters: float) -> str:
        return f"{max(1, math.floor(meters))}"

    # -- the emergency step ---------------------------------------------------------------------

    def start_emergency(self) -> None:
        self.step = "emergency"
        self._flow.errors = {}
        self._flow.notify()

    def cancel_emergency(self) -> None:
        self.step = "form"
        self._flow.errors = {}
        self._flow.notify()

    async def send_emergency(self) -> None:
        if not self._check(True):
            self._flow.notify()
            return
        await self._file(emergency=True)

    # -- filing ---------------------------------------------------------------------------------

    async def _file(self, *, emergency: bool) -> None:
        if self.busy:
            return
        self.busy = True
        self._flow.errors.pop("form", None)
        self._flow.notify()
        try:
            client_id = await self._appeals.file(self._compose(emergency))
        except Exception as exc:
            log.warning("filing failed: %r", exc)
            self.busy = False
            self._flow.errors["form"] = Message(MSG_FILE_FAILED)
            self._flow.notify()
            return
        log.info("appeal filed (emergency=%s)", emergency)
        await self._filed()
        await self._nav.go(f"/appeals/{client_id}")
