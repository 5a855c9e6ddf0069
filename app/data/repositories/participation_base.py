"""What the polls, initiatives and proposals repositories share: the one store, API client and
outbox they write through, the listeners they notify, the sync states of a resident's action and
the refusals the sync engine does not retry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app.data.repositories.outbox import Outbox
from app.data.services.participation_api import ParticipationApi
from app.data.store.database import Database
from app.errors import ApiError
from app.observable import Observable

PENDING, SYNCED, REJECTED = "pending", "synced", "rejected"

Upload = Callable[[str, str], Awaitable[list[str]]]  # (owner kind, owner client id) → media ids
RETRYABLE_STATUSES = frozenset({401, 408, 425, 429})


def permanent(exc: ApiError) -> bool:
    """A refusal the sync engine will not retry (it then marks the outbox entry rejected)."""
    retry = exc.status in RETRYABLE_STATUSES or exc.status >= 500
    return not retry and exc.code != "idempotency_in_progress"


class VoteError(ValueError):
    """The action cannot be taken (already voted, closed, bad choice, bad proposal); `code`
    names why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class ParticipationSection(Observable):
    """The state every participation section works on; listeners hear when the sync engine
    changed rows (an answer, the feed)."""

    def __init__(
        self, db: Database, api: ParticipationApi, outbox: Outbox, *, upload: Upload | None = None
    ) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._outbox = outbox
        self._upload = upload  # the sync engine's resumable upload of `local_media` rows
