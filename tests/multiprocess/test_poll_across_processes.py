"""The unchanged feed poll answered from memory (`services.poll_shortcut`) across two server
processes on one PostgreSQL: a change or a sign-out through B is never hidden by A's memory for
longer than the push bus takes to tell A (well under a second), nor after A's bus connection was
lost."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.backend.test_appeals import appeal_body
from tests.multiprocess.conftest import Pair, call, needs_postgres

pytestmark = needs_postgres


def _at_head(base: str, who: dict[str, str]) -> tuple[int, str]:
    r = call(base, "GET", "/api/v1/sync", who)
    assert r.status_code == 200, r.text
    return r.json()["cursor"], r.headers["ETag"]


def _poll(base: str, who: dict[str, str], cursor: int, etag: str) -> httpx.Response:
    headers = {**who, "If-None-Match": etag}
    return call(base, "GET", "/api/v1/sync", headers, params={"cursor": cursor})


def _until(
    status: int, base: str, who: dict[str, str], cursor: int, etag: str, within: float
) -> Any:
    """Poll until the answer is `status`; how long that took (fails past `within`)."""
    start = time.perf_counter()
    while True:
        r = _poll(base, who, cursor, etag)
        took = time.perf_counter() - start
        if r.status_code == status:
            return took
        assert r.status_code == 304, r.text
        assert took < within, f"still 304 on A {took:.3f} s after B answered"
        time.sleep(0.02)


def _warm(pair: Pair, who: dict[str, str]) -> tuple[int, str]:
    cursor, etag = _at_head(pair.a, who)
    for _ in range(2):  # the second is answered from A's memory
        assert _poll(pair.a, who, cursor, etag).status_code == 304
    return cursor, etag


def test_a_change_through_b_ends_a_s_304_within_a_second(pair: Pair) -> None:
    resident = pair.sign_in(pair.a)
    cursor, etag = _warm(pair, resident)
    r = call(pair.b, "POST", "/api/v1/appeals", resident, json=appeal_body())
    assert r.status_code == 201, r.text
    took = _until(200, pair.a, resident, cursor, etag, within=1.0)
    print(f"A saw B's change after {took * 1000:.0f} ms")


def test_a_sign_out_on_b_ends_a_s_304_within_a_second(pair: Pair) -> None:
    resident = pair.sign_in(pair.a)
    cursor, etag = _warm(pair, resident)
    assert call(pair.b, "POST", "/api/v1/auth/logout", resident).status_code == 204
    _until(401, pair.a, resident, cursor, etag, within=1.0)


def test_what_a_missed_while_its_bus_was_down_is_not_hidden(pair: Pair) -> None:
    resident = pair.sign_in(pair.a)
    cursor, etag = _warm(pair, resident)
    assert pair.listeners(terminate=True) >= 2
    # committed through B while A's listener is gone or coming back: A never hears of it
    r = call(pair.b, "POST", "/api/v1/appeals", resident, json=appeal_body())
    assert r.status_code == 201, r.text
    _until(200, pair.a, resident, cursor, etag, within=10.0)
