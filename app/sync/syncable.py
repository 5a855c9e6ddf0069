"""What a feature gives the sync engine: `Syncable`.

Every feature that works offline (appeals, participation, the profile, safety data) is carried
by sync the same way. It declares

- its outbox action kinds, each with a `Sender`: it sends one entry (its payload, its
  idempotency key) and stores the server's answer; it raises `ApiError` / `NetworkError` (or
  `LocalFileError` when an attachment is gone) and the engine decides: retry with backoff, or
  reject for good (then the sender has already shown the refusal on its own item, if it keeps
  one). When it returns, the engine marks the entry done (a sender may have done so itself, in
  the transaction that stored the answer);
- its sync-feed entity kinds, each with a `Merger` of that kind's rows of one page;
- `changed()`: the engine settled one of its entries or merged its rows (tell the listeners).

Instances are registered on the one engine of the page session (`SyncEngine.register`, in the
composition root); the engine itself knows no feature.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from app.data.store.models import OutboxEntry

Sender = Callable[[OutboxEntry], Awaitable[None]]
Merger = Callable[[list[dict[str, Any]]], Awaitable[object]]


class Syncable(Protocol):
    def senders(self) -> Mapping[str, Sender]:
        """Outbox action kinds this feature queues, with their senders."""
        ...

    def mergers(self) -> Mapping[str, Merger]:
        """Sync-feed entity kinds this feature keeps, with their mergers."""
        ...

    def changed(self) -> None:
        """Sync settled one of this feature's entries or merged its rows."""
        ...
