"""The appeals' objects over one local store, wired as the composition root wires them: one
"appeals changed" signal told by the actions and the refused-action admin, the queries beside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_queries import AppealQueries
from app.data.repositories.appeal_refusals import RefusedActions
from app.data.repositories.appeals import AppealsRepository
from app.data.repositories.outbox import Outbox
from app.data.store.database import Database
from app.domain.timestamps import utcnow


@dataclass(frozen=True)
class LocalAppeals:
    changes: AppealsChanged
    actions: AppealsRepository
    queries: AppealQueries
    refused: RefusedActions

    @classmethod
    def over(
        cls, db: Database, outbox: Outbox | None = None, *, now: Callable[[], datetime] = utcnow
    ) -> LocalAppeals:
        """`outbox`: the store's one outbox (a new one when not given)."""
        outbox = outbox or Outbox(db, now=now)
        changes = AppealsChanged()
        return cls(
            changes=changes,
            actions=AppealsRepository(db, outbox, changes, now=now),
            queries=AppealQueries(db, now=now),
            refused=RefusedActions(db, outbox, changes),
        )

    def for_detail(self) -> dict[str, Any]:
        """The keyword arguments `AppealDetailViewModel` takes of these."""
        return {
            "queries": self.queries,
            "actions": self.actions,
            "refused": self.refused,
            "changes": self.changes,
        }
