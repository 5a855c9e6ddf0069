"""When a failed send is tried again: exponential backoff, and which answers are retryable.

A `NetworkError`, 408/425/429/5xx, and a 409 "still in progress" (`idempotency_in_progress`,
`upload_busy`) are retried with the same idempotency key; a 401 (no valid session) waits for a
new sign-in; any other 4xx is a refusal for good.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.errors import ApiError

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
RETRYABLE_CODES = frozenset({"idempotency_in_progress", "upload_busy"})


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": the n-th retry waits between half and all of
    min(cap, base * 2^(n-1))."""

    base_s: float = 0.5
    cap_s: float = 60.0

    def delay(self, attempts: int, rand: Callable[[], float]) -> float:
        raw = min(self.cap_s, self.base_s * 2 ** max(0, attempts - 1))
        return raw / 2 + rand() * raw / 2


def is_retryable(exc: ApiError) -> bool:
    return exc.status in RETRYABLE_STATUSES or exc.status >= 500 or exc.code in RETRYABLE_CODES


def is_refusal(exc: ApiError) -> bool:
    """The server refused the action for good (neither retryable nor a lost session)."""
    return exc.status != 401 and not is_retryable(exc)
