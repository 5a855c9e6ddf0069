"""What an unchanged feed poll needs, kept in memory: its 304 then takes no database trip.

Every app polls `GET /api/v1/sync` with the ETag of its feed head; nearly every answer is 304.
Answering that takes two facts: whose token it is, and that resident's feed head. Both are kept
here, per server process (one per engine, on its push `Broker`), and kept exact by what the
broker hears anyway:

- **Feed heads.** Feed rows become visible in id order (`crud.feed`), and the broker hears every
  committed row — its own process's after each commit, the other processes' through the push
  bus. So once this process hears every commit (from `trust()` on), the newest row it heard for
  a resident, or a head read from the database since then, whichever is higher, is that
  resident's head. Rows committed while nothing listened were not heard: when the bus connection
  is lost (`distrust()`) everything is forgotten, and a head read before that is not taken
  (`generation`). A poll that comes between a commit and the broker hearing of it (milliseconds)
  gets the 304 it would have got a moment earlier, and its push stream brings the row.
- **Tokens.** An access token checked by the database is known for `TOKEN_TTL_S` at most (never
  past its expiry). A sign-in ended anywhere is dropped at once (the broker hears that too).
  A token refreshed meanwhile may still get a 304 until then: that says only "nothing new
  since the ETag you sent" to someone who held a live token seconds ago.

SQLite: one process per database file (README), so the broker hears every commit from the
start. PostgreSQL: trusted only while the push bus listens (`push_bus.Listener`). Anything not
known here goes the database's way, which teaches it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from backend_stub.models import utcnow

TOKEN_TTL_S = 30.0
MAX_ENTRIES = 200_000  # per table; past it the table starts again (entries are relearned)


@dataclass(frozen=True)
class KnownToken:
    user_id: int
    session_id: int
    until: float  # monotonic


class FeedRow(Protocol):
    """What the shortcut needs of a committed feed row (the broker's `PushEvent`)."""

    @property
    def cursor(self) -> int: ...

    @property
    def user_id(self) -> int | None: ...


class PollShortcut:
    """Thread-safe: fed from worker threads and the bus listener, read on the event loop."""

    def __init__(self, *, trusted: bool) -> None:
        self._lock = threading.Lock()
        self._trusted = trusted
        self.generation = 0
        self._public: int | None = None  # the newest row for everyone
        self._heads: dict[int, int] = {}  # resident → their newest own row
        self._tokens: dict[str, KnownToken] = {}  # access-token digest → whose, until when

    @property
    def hears_all(self) -> bool:
        """Whether every commit reaches this process now (and has since `generation` changed
        last): then no feed row and no ended sign-in has gone unheard."""
        return self._trusted

    def trust(self) -> None:
        """This process hears every commit from now on (the bus listens again)."""
        self._reset(trusted=True)

    def distrust(self) -> None:
        """Commits may go unheard (the bus connection is lost): forget, and learn nothing."""
        self._reset(trusted=False)

    def _reset(self, *, trusted: bool) -> None:
        with self._lock:
            self._trusted = trusted
            self.generation += 1
            self._public = None
            self._heads.clear()
            self._tokens.clear()

    def head(self, digest: str) -> tuple[int, int] | None:
        """(resident, feed head) for a known live token whose resident's head is known."""
        with self._lock:
            token = self._tokens.get(digest)
            if not self._trusted or token is None or self._public is None:
                return None
            if time.monotonic() >= token.until:
                del self._tokens[digest]
                return None
            own = self._heads.get(token.user_id)
        return None if own is None else (token.user_id, max(own, self._public))

    def learn(
        self,
        generation: int,
        *,
        digest: str,
        user_id: int,
        session_id: int,
        expires_at: datetime,
        own_head: int,
        public_head: int,
    ) -> None:
        """What the database said (read after `generation` was taken) of a live token and its
        resident's feed heads."""
        left = min(TOKEN_TTL_S, (expires_at - utcnow()).total_seconds())
        with self._lock:
            if not self._trusted or generation != self.generation or left <= 0:
                return
            if len(self._tokens) >= MAX_ENTRIES:
                self._tokens.clear()
            self._tokens[digest] = KnownToken(user_id, session_id, time.monotonic() + left)
            self._raise(user_id, own_head)
            self._public = max(self._public or 0, public_head)

    def seen(self, rows: Iterable[FeedRow]) -> None:
        """Committed feed rows (heard by the broker)."""
        with self._lock:
            if not self._trusted:
                return
            for row in rows:
                if row.user_id is None:
                    self._public = max(self._public or 0, row.cursor)
                else:
                    self._raise(row.user_id, row.cursor)

    def signed_out(self, sessions: Iterable[int] = (), users: Iterable[int] = ()) -> None:
        """These sign-ins (or every sign-in of these residents) ended."""
        sessions, users = set(sessions), set(users)
        if not sessions and not users:
            return
        with self._lock:
            gone = [
                digest
                for digest, token in self._tokens.items()
                if token.session_id in sessions or token.user_id in users
            ]
            for digest in gone:
                del self._tokens[digest]

    def _raise(self, user_id: int, cursor: int) -> None:
        if len(self._heads) >= MAX_ENTRIES and user_id not in self._heads:
            self._heads.clear()
        self._heads[user_id] = max(self._heads.get(user_id, 0), cursor)
