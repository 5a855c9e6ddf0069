"""Polls, initiatives and proposals: local first, the resident's actions through the outbox.

`ParticipationRepository` is the one object the participation tab and the sync engine see; its
sections live beside it: `participation_polls`, `participation_initiatives`,
`participation_proposals` (their shared state and errors in `participation_base`).

Reads come from the local store (so the tab works offline); `refresh_*` pull the server's lists
into it, and the sync feed's `poll` / `initiative` / `proposal` rows land here through
`entity_handlers`. A vote, a support and a new proposal are written locally **and** queued in
the outbox in one transaction; the sync engine sends them once (the vote's and the proposal's
client id are their idempotency keys) and calls back the `send_*` handlers of `action_handlers`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from app.data.repositories.outbox import OutboxEntry
from app.data.repositories.participation_base import VoteError
from app.data.repositories.participation_initiatives import (
    INITIATIVE_SUPPORT,
    InitiativesRepository,
)
from app.data.repositories.participation_polls import POLL_VOTE, PollsRepository
from app.data.repositories.participation_proposals import (
    PAGE_SIZE,
    PROPOSAL_CREATE,
    PROPOSAL_SUPPORT,
    ProposalsRepository,
)

__all__ = ["KINDS", "PAGE_SIZE", "ParticipationRepository", "VoteError"]

log = logging.getLogger(__name__)

KINDS = (POLL_VOTE, INITIATIVE_SUPPORT, PROPOSAL_CREATE, PROPOSAL_SUPPORT)  # its outbox kinds


class ParticipationRepository(PollsRepository, InitiativesRepository, ProposalsRepository):
    """The three sections over one store, API client and outbox (one set of listeners: the tab
    hears any change once), and their registration with the sync engine."""

    def entity_handlers(self) -> dict[str, Callable[[list[dict[str, Any]]], Awaitable[None]]]:
        """Mergers of the sync feed's `poll`, `initiative` and `proposal` rows."""

        def merging(store: Callable[[list[dict[str, Any]]], None]) -> Any:
            async def merge(rows: list[dict[str, Any]]) -> None:
                try:
                    await asyncio.to_thread(store, rows)
                except Exception:  # a bad row must not stop the pull; the tab refreshes anyway
                    log.exception("participation rows from the feed not merged")
                self.notify()

            return merge

        return {
            "poll": merging(self.store_polls),
            "initiative": merging(self.store_initiatives),
            "proposal": merging(self.store_proposals),
        }

    def action_handlers(self) -> dict[str, Callable[[OutboxEntry], Awaitable[None]]]:
        return {
            POLL_VOTE: self.send_vote,
            INITIATIVE_SUPPORT: self.send_initiative_support,
            PROPOSAL_CREATE: self.send_proposal,
            PROPOSAL_SUPPORT: self.send_proposal_support,
        }
