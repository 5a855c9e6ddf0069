"""Sign-in under concurrency, over real sockets: bursts of 50-80 requests at once, against one
server in a thread and against two server processes on one database (SQLite, or PostgreSQL with
TEST_DATABASE_URL) splitting each burst.

- Guessing: at most 5 wrong codes are ever checked per code, and the per-phone failure count is
  exact (so the 10th failure locks the phone), whatever the concurrency.
- Sending: one SMS per cooldown and no more than the hourly caps, whatever the concurrency; no
  database transaction is open while the SMS gateway is called; a slow gateway causes no 5xx.
- Refresh: one refresh token spent by many parallel calls rotates once (all callers get the one
  new pair: the grace window); replayed after the grace window it revokes the whole session.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import otp as otp_crud
from backend_stub.models import AuthSession, OtpChallenge, PhoneLock, utcnow
from backend_stub.security import same
from tests.conftest import next_phone
from tests.live import burst
from tests.security.bursts import (
    TOPOLOGIES,
    Service,
    Smsc,
    bearer,
    fake_smsc,
    open_transactions,
    post_burst,
    server_errors,
    service,
    sign_in,
    tally,
)
from tests.security.test_otp_abuse import CODE_SPACE, DAY_S, TARGET, Clock, daily_guess_budget

pytestmark = pytest.mark.timeout(240)

GUESSES = 80
REQUESTS = 60
# Bursts on routes behind the bearer token stay at 30 for now: past ~40 at once, ANY such route
# (GET /api/v1/profile too) answers 500 after 30 s — `deps.current_user` keeps its pooled
# connection while the request waits for a worker thread, until the pool (15 on SQLite, 30 on
# PostgreSQL) is held by requests that have no thread and the 40 threads wait for the pool.
SIGNED_IN_REQUESTS = 30

T = 30.0  # a single call's timeout: a busy machine answers late, never wrong (httpx: 5 s)


@pytest.fixture(params=TOPOLOGIES)
def topology(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def smsc() -> Iterator[Smsc]:
    with fake_smsc() as fake:
        yield fake


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def wrong(real: str, i: int) -> str:
    return f"{(int(real) + 1 + i) % 1_000_000:06d}"


def failures_stored(svc: Service, phone: str) -> list[int]:
    """The server's own wrong-try counters of the phone's codes, oldest first."""
    with Session(svc.engine) as db:
        rows = db.exec(
            select(OtpChallenge.wrong_attempts)
            .where(OtpChallenge.phone == phone)
            .order_by(col(OtpChallenge.id))
        ).all()
    return list(rows)


def phone_locked(svc: Service, phone: str) -> bool:
    with Session(svc.engine) as db:
        lock = db.get(PhoneLock, phone)
    return lock is not None and lock.locked_until > utcnow()


def attempts_left(responses: list[httpx.Response]) -> list[int]:
    return sorted(
        r.json()["error"]["details"]["attempts_left"]
        for r in responses
        if r.status_code == 400 and r.json()["error"]["code"] == "invalid_code"
    )


class CountingCompare:
    """Counts the code comparisons of the server in this process (thread-safe)."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def __call__(self, a: str, b: str) -> bool:
        with self._lock:
            self.n += 1
        return same(a, b)


# ------------------------------------------------------------------ item 2: code guessing


def test_a_burst_of_wrong_codes_gets_five_checked_per_code_and_the_tenth_locks(
    topology: str, data_dir: Path, smsc: Smsc, monkeypatch: pytest.MonkeyPatch
) -> None:
    compares = CountingCompare()
    monkeypatch.setattr(otp_crud, "same", compares)  # seen only by the in-thread server
    phone = next_phone()
    with service(topology, data_dir, smsc, otp_resend_cooldown_s=0) as svc:
        for round_no in (1, 2):
            r = httpx.post(
                svc.urls[0] + "/api/v1/auth/otp/request", json={"phone": phone}, timeout=T
            )
            assert r.status_code == 200, r.text
            real = smsc.last_code(phone)
            body = {"phone": phone}
            rs = post_burst(
                svc,
                GUESSES,
                "/api/v1/auth/otp/verify",
                lambda i, real=real: {"phone": phone, "code": wrong(real, i)},
            )
            counts = tally(rs)
            stored = failures_stored(svc, phone)
            print(f"\n{topology} round {round_no}: {dict(counts)}; stored per code {stored}")
            assert not server_errors(rs)
            assert attempts_left(rs) == [1, 2, 3, 4], counts  # each slot checked once
            assert stored == [5] * round_no  # exact: every check counted, none lost
            if round_no == 1:
                assert counts == {"400 invalid_code": 4, "400 code_expired": GUESSES - 4}
                assert not phone_locked(svc, phone)
                verify = svc.urls[-1] + "/api/v1/auth/otp/verify"
                r = httpx.post(verify, json={**body, "code": real}, timeout=T)
                assert r.status_code == 400 and r.json()["error"]["code"] == "code_expired"
            else:  # the 10th failure of the phone is the 5th check of this code: it locks
                assert counts["429 phone_locked"] >= 1, counts
                assert set(counts) <= {"400 invalid_code", "400 code_expired", "429 phone_locked"}
                assert phone_locked(svc, phone)
        r = httpx.post(svc.urls[-1] + "/api/v1/auth/otp/request", json={"phone": phone}, timeout=T)
        assert r.status_code == 429 and r.json()["error"]["code"] == "phone_locked"
    if topology == "one-server":
        print(f"codes compared by the server: {compares.n}")
        assert compares.n == 10


def test_a_day_of_concurrent_brute_force_stays_within_the_daily_budget(
    data_dir: Path, smsc: Smsc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget of tests/security/test_otp_abuse.py (at most 43 checked a day with the default
    limits) is counted for one check at a time. Here every code gets 80 guesses at once, for a
    simulated day (a fake clock in `crud.otp`; any number of client addresses): still within."""
    clock, compares = Clock(), CountingCompare()
    monkeypatch.setattr(otp_crud, "utcnow", clock)
    monkeypatch.setattr(otp_crud, "same", compares)
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    budget = daily_guess_budget(defaults)
    phone, end, bursts = next_phone(), clock.now + timedelta(seconds=DAY_S), 0
    with service("one-server", data_dir, smsc, otp_max_sends_per_ip_hour=100_000) as svc:
        while clock.now < end:
            r = httpx.post(
                svc.urls[0] + "/api/v1/auth/otp/request", json={"phone": phone}, timeout=T
            )
            if r.status_code == 429:
                clock.advance(int(r.headers["Retry-After"]))
                continue
            assert r.status_code == 200, r.text
            real = smsc.last_code(phone)
            rs = post_burst(
                svc,
                GUESSES,
                "/api/v1/auth/otp/verify",
                lambda i, real=real: {"phone": phone, "code": wrong(real, i)},
            )
            bursts += 1
            assert not server_errors(rs) and not any(r.is_success for r in rs)
            waits = [int(r.headers["Retry-After"]) for r in rs if r.status_code == 429]
            clock.advance(max(waits, default=0))
        stored = sum(failures_stored(svc, phone))
    checked = compares.n  # every comparison the server made (none of them matched)
    print(
        f"\n{bursts} bursts of {GUESSES} guesses in a simulated day: {checked} compared, "
        f"{stored} counted (budget {budget}) → success ≤ {checked / CODE_SPACE:.1e}"
    )
    assert checked == stored
    assert 0 < checked <= budget
    assert budget / CODE_SPACE < TARGET


# ------------------------------------------------------------------ item 3: sending


def test_a_burst_of_code_requests_sends_one_sms(topology: str, data_dir: Path, smsc: Smsc) -> None:
    smsc.delay_s = 0.2  # a real gateway takes a while: the window a race needs
    phone = next_phone()
    with service(topology, data_dir, smsc) as svc:
        rs = post_burst(svc, REQUESTS, "/api/v1/auth/otp/request", lambda i: {"phone": phone})
        counts = tally(rs)
        print(f"\n{topology}: {dict(counts)}; SMS sent {smsc.sent_to(phone)}")
        assert not server_errors(rs)
        assert smsc.sent_to(phone) == 1
        assert counts == {"200": 1, "429 resend_cooldown": REQUESTS - 1}
        with Session(svc.engine) as db:
            n = db.exec(select(func.count()).where(OtpChallenge.phone == phone)).one()
        assert n == 1


def test_a_burst_of_phone_change_requests_sends_one_sms(
    topology: str, data_dir: Path, smsc: Smsc
) -> None:
    smsc.delay_s = 0.2
    new_phone = next_phone()
    n = SIGNED_IN_REQUESTS
    with service(topology, data_dir, smsc) as svc:
        headers = bearer(sign_in(svc, smsc, next_phone()))
        rs = burst(
            n,
            lambda c, i: c.post(
                svc.url(i) + "/api/v1/profile/phone/request",
                json={"phone": new_phone},
                headers=headers,
            ),
        )
        counts = tally(rs)
        print(f"\n{topology}: {dict(counts)}; SMS sent {smsc.sent_to(new_phone)}")
        assert not server_errors(rs)
        assert smsc.sent_to(new_phone) == 1
        assert counts == {"200": 1, "429 resend_cooldown": n - 1}


def test_bursts_cannot_pass_the_hourly_caps(topology: str, data_dir: Path, smsc: Smsc) -> None:
    smsc.delay_s = 0.1
    phone = next_phone()
    with service(topology, data_dir, smsc, otp_resend_cooldown_s=0) as svc:
        rs = post_burst(svc, REQUESTS, "/api/v1/auth/otp/request", lambda i: {"phone": phone})
        counts = tally(rs)
        print(f"\n{topology}, one phone: {dict(counts)}; SMS {smsc.sent_to(phone)}")
        assert not server_errors(rs)
        assert counts == {"200": 5, "429 too_many_requests": REQUESTS - 5}
        assert smsc.sent_to(phone) == 5
        # one address, many phones: 30 an hour in all (5 of them spent above)
        phones = [next_phone() for _ in range(REQUESTS)]
        rs = post_burst(svc, REQUESTS, "/api/v1/auth/otp/request", lambda i: {"phone": phones[i]})
        counts = tally(rs)
        print(f"{topology}, one address: {dict(counts)}; SMS in all {smsc.total()}")
        assert not server_errors(rs)
        assert counts == {"200": 25, "429 too_many_requests": REQUESTS - 25}
        assert smsc.total() == 30


def test_no_transaction_is_open_during_the_sms_call(data_dir: Path, smsc: Smsc) -> None:
    """Sign-in and phone change each call the gateway; a probe at the fake SMSC looks at the
    database at that moment. And a 3 s gateway does not hold up anyone else's writes."""
    smsc.probe = open_transactions(data_dir)
    smsc.delay_s = 0.5
    with service("one-server", data_dir, smsc) as svc:
        tokens = sign_in(svc, smsc, next_phone())
        with httpx.Client(base_url=svc.urls[0], timeout=30, headers=bearer(tokens)) as c:
            r = c.post("/api/v1/profile/phone/request", json={"phone": next_phone()})
            assert r.status_code == 200, r.text
            print(f"\nprobe findings: {smsc.findings}")
            assert smsc.findings == []
            smsc.probe, smsc.delay_s = None, 3.0
            sending = threading.Thread(
                target=httpx.post,
                args=(svc.urls[0] + "/api/v1/auth/otp/request",),
                kwargs={"json": {"phone": next_phone()}, "timeout": 30},
            )
            sending.start()
            deadline = time.monotonic() + 5
            while smsc.arrived < 3 and time.monotonic() < deadline:  # wait for it to be inside
                time.sleep(0.02)
            time.sleep(0.3)
            started = time.perf_counter()
            r = c.patch("/api/v1/profile", json={"full_name": "Әлия"})
            took = time.perf_counter() - started
            sending.join(30)
        print(f"a profile write while a 3 s SMS call is in flight: {took * 1000:.0f} ms")
        assert r.status_code == 200, r.text
        assert took < 1.0


def test_parallel_sign_ins_with_a_slow_gateway_get_no_5xx(
    topology: str, data_dir: Path, smsc: Smsc
) -> None:
    smsc.delay_s = 1.0
    phones = [next_phone() for _ in range(50)]
    with service(topology, data_dir, smsc, otp_max_sends_per_ip_hour=1000) as svc:
        started = time.perf_counter()
        path = "/api/v1/auth/otp/request"
        rs = post_burst(svc, len(phones), path, lambda i: {"phone": phones[i]})
        took = time.perf_counter() - started
        counts = tally(rs)
        print(f"\n{topology}: 50 code requests, 1 s gateway: {dict(counts)} in {took:.1f} s")
        assert not server_errors(rs), server_errors(rs)[:3]
        assert counts == {"200": len(phones)}
        rs = post_burst(
            svc,
            len(phones),
            "/api/v1/auth/otp/verify",
            lambda i: {"phone": phones[i], "code": smsc.last_code(phones[i])},
        )
        counts = tally(rs)
        print(f"{topology}: 50 sign-ins: {dict(counts)}")
        assert not server_errors(rs)
        assert counts == {"200": len(phones)}


# ------------------------------------------------------------------ item 4: refresh tokens


def refresh(svc: Service, token: str, i: int = 0) -> httpx.Response:
    return httpx.post(svc.url(i) + "/api/v1/auth/refresh", json={"refresh_token": token}, timeout=T)


def works(svc: Service, tokens: dict[str, Any]) -> bool:
    r = httpx.get(svc.urls[0] + "/api/v1/profile", headers=bearer(tokens), timeout=T)
    return r.status_code == 200


def test_one_refresh_token_spent_in_parallel_rotates_once(
    topology: str, data_dir: Path, smsc: Smsc
) -> None:
    with service(topology, data_dir, smsc) as svc:
        tokens = sign_in(svc, smsc, next_phone())
        old = tokens["refresh_token"]
        rs = post_burst(svc, REQUESTS, "/api/v1/auth/refresh", lambda i: {"refresh_token": old})
        counts = tally(rs)
        pairs = {(r.json()["access_token"], r.json()["refresh_token"]) for r in rs if r.is_success}
        print(f"\n{topology}: {dict(counts)}; distinct new pairs: {len(pairs)}")
        assert not server_errors(rs)
        assert counts == {"200": REQUESTS}  # the losers are inside the grace window
        assert len(pairs) == 1  # exactly one rotation
        ((access, new_refresh),) = pairs
        assert works(svc, {"access_token": access})
        assert not works(svc, tokens)  # the old access token ended with the rotation
        r = refresh(svc, new_refresh, 1)
        assert r.status_code == 200, r.text
        assert works(svc, r.json())


def test_a_replayed_refresh_token_revokes_the_session(
    topology: str, data_dir: Path, smsc: Smsc
) -> None:
    grace = 1
    over = {"refresh_reuse_grace_s": grace, "otp_resend_cooldown_s": 0}
    with service(topology, data_dir, smsc, **over) as svc:
        phone = next_phone()
        tokens = sign_in(svc, smsc, phone)
        first = refresh(svc, tokens["refresh_token"], 0)
        assert first.status_code == 200
        # the answer was lost: the app sends the same token again, inside the grace window
        again = refresh(svc, tokens["refresh_token"], 1)
        assert again.status_code == 200
        assert again.json()["refresh_token"] == first.json()["refresh_token"]
        assert again.json()["access_token"] == first.json()["access_token"]
        assert works(svc, again.json())
        other_device = sign_in(svc, smsc, phone)  # the same resident on another phone
        time.sleep(grace + 0.5)
        # now a replay of the spent token means two holders: the whole session ends
        rs = post_burst(
            svc, 50, "/api/v1/auth/refresh", lambda i: {"refresh_token": tokens["refresh_token"]}
        )
        counts = tally(rs)
        print(f"\n{topology}: replay after the grace window: {dict(counts)}")
        assert not server_errors(rs)
        assert counts == {"401 invalid_token": 50}
        assert not works(svc, first.json()), "the session survived a refresh-token replay"
        r = refresh(svc, first.json()["refresh_token"], 1)
        assert r.status_code == 401
        assert works(svc, other_device), "a replay ends its own session only"
        with Session(svc.engine) as db:
            revoked = db.exec(select(AuthSession.revoked).order_by(col(AuthSession.id))).all()
        assert revoked == [True, False]


def test_only_the_latest_rotation_is_repeatable_in_the_grace_window(
    topology: str, data_dir: Path, smsc: Smsc
) -> None:
    with service(topology, data_dir, smsc) as svc:
        tokens = sign_in(svc, smsc, next_phone())
        second = refresh(svc, tokens["refresh_token"], 0).json()
        third = refresh(svc, second["refresh_token"], 1).json()
        assert works(svc, third)
        # the first token is two rotations old: whoever sends it is not the app that holds
        # the third pair, so the session ends even inside the grace window
        r = refresh(svc, tokens["refresh_token"], 0)
        assert r.status_code == 401
        assert not works(svc, third)
