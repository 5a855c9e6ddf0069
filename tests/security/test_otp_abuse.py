"""SMS-code abuse: brute force gets nowhere, resend flooding is refused, a lockout does not tell
whether a phone is registered, and no code reaches a production log.

The limits are the real defaults of `Settings`; time is a fake clock inside `crud.otp`, so a
whole day of attack runs in well under a second.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func
from sqlmodel import Session, select

from backend_stub.config import Settings
from backend_stub.crud import otp as otp_crud
from backend_stub.main import create_app
from backend_stub.messages import message
from backend_stub.models import OtpChallenge
from backend_stub.phone import mask_phone
from backend_stub.security import new_otp_code
from tests.conftest import next_phone
from tests.security.bursts import fake_smsc
from tests.security.support import engine_of, formatted, production_settings

DAY_S = 24 * 3600
CODE_SPACE = 10 ** len(new_otp_code())
TARGET = 1e-4  # the bar: below 1 in 10,000 per phone and day


def daily_guess_budget(s: Settings) -> int:
    """The most wrong codes the limits let anyone have checked against one phone in 24 hours.

    - Failures that do not lock: in any stretch shorter than the counting window there are at
      most F-1 of them (the F-th locks). The window counts a code's failures by the code's
      creation time, so a failure may leave it up to one code lifetime early: the window that
      holds is W - ttl, and a day has ceil(day / (W - ttl)) such stretches.
    - Failures that lock: each is followed by a lock of L seconds: at most floor(day / L) + 1.
    - Independently of both: S codes an hour, A tries each.
    """
    window = max(1, s.otp_lock_window_s - s.otp_ttl_s)
    quiet = math.ceil(DAY_S / window) * (s.otp_max_failures_per_phone - 1)
    locking = DAY_S // max(1, s.otp_lock_s) + 1
    by_sends = 24 * s.otp_max_sends_per_phone_hour * s.otp_max_attempts_per_code
    return min(quiet + locking, by_sends)


def success_per_day(s: Settings) -> float:
    """Union bound: each guess is right with probability at most 1 / CODE_SPACE."""
    return daily_guess_budget(s) / CODE_SPACE


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(otp_crud, "utcnow", fake)
    return fake


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    settings.emergency_worker_interval_s = 0
    with TestClient(create_app(settings)) as c:
        yield c


def request_code(client: TestClient, phone: str, lang: str = "ru") -> Response:
    return client.post(
        "/api/v1/auth/otp/request", json={"phone": phone}, headers={"Accept-Language": lang}
    )


def verify(client: TestClient, phone: str, code: str, lang: str = "ru") -> Response:
    return client.post(
        "/api/v1/auth/otp/verify",
        json={"phone": phone, "code": code},
        headers={"Accept-Language": lang},
    )


def inbox_code(client: TestClient, phone: str) -> str:
    return str(client.get("/dev/sms", params={"phone": phone}).json()["messages"][-1]["code"])


def wrong_codes(real: str) -> Iterator[str]:
    for n in range(CODE_SPACE):
        guess = f"{n:06d}"
        if guess != real:
            yield guess


def retry_after(r: Response) -> int:
    value = int(r.headers["Retry-After"])
    assert value > 0
    assert r.json()["error"]["details"]["retry_after"] == value
    return value


def failures_checked(client: TestClient, phone: str) -> int:
    """Wrong codes the server actually compared for this phone (from its own counters)."""
    with Session(engine_of(client)) as db:
        total = db.exec(
            select(func.coalesce(func.sum(OtpChallenge.wrong_attempts), 0)).where(
                OtpChallenge.phone == phone
            )
        ).one()
    return int(total)


def attack_for_a_day(client: TestClient, clock: Clock, phone: str, burst: int, pause_s: int) -> int:
    """Guess wrong codes for one simulated day: `burst` guesses, then `pause_s` of quiet; on a
    refusal wait exactly the Retry-After. Returns how many guesses the server checked."""
    end = clock.now + timedelta(seconds=DAY_S)
    in_burst = 0
    while clock.now < end:
        r = request_code(client, phone)
        if r.status_code == 429:
            clock.advance(retry_after(r))
            continue
        assert r.status_code == 200, r.text
        real = inbox_code(client, phone)
        for guess in wrong_codes(real):
            r = verify(client, phone, guess)
            assert r.status_code != 200, "a wrong code was accepted"
            if r.status_code == 429:
                assert r.json()["error"]["code"] == "phone_locked"
                # locked: the right code does not help either
                assert verify(client, phone, real).status_code == 429
                clock.advance(retry_after(r))
                break
            assert r.status_code == 400, r.text
            in_burst += 1
            if in_burst == burst:
                clock.advance(pause_s)
                in_burst = 0
                break
            if r.json()["error"]["code"] == "code_expired":
                break
    return failures_checked(client, phone)


def test_the_limits_allow_less_than_one_success_in_10000_per_day() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    budget, p = daily_guess_budget(s), success_per_day(s)
    print(
        f"\nSMS-code brute force, one phone, 24 h: at most {budget} guesses checked "
        f"(of {CODE_SPACE:,} codes) → success ≤ {p:.1e} per day (target < {TARGET:.0e}); "
        f"limits: {s.otp_max_attempts_per_code}/code, {s.otp_max_failures_per_phone} per "
        f"{s.otp_lock_window_s // 3600} h → lock {s.otp_lock_s // 60} min, "
        f"{s.otp_max_sends_per_phone_hour} codes/h, resend after {s.otp_resend_cooldown_s} s"
    )
    assert p < TARGET


@pytest.mark.parametrize("strategy", ["as-fast-as-allowed", "paced-under-the-cap"])
def test_a_day_of_brute_force_gets_nowhere(
    app_client: TestClient, settings: Settings, clock: Clock, strategy: str
) -> None:
    if strategy == "as-fast-as-allowed":
        burst, pause = CODE_SPACE, 0
    else:  # stay one under the failure cap, then wait for the window to forget
        burst, pause = settings.otp_max_failures_per_phone - 1, settings.otp_lock_window_s
    phone = next_phone()
    checked = attack_for_a_day(app_client, clock, phone, burst, pause)
    budget = daily_guess_budget(settings)
    print(f"\n{strategy}: {checked} guesses checked in a day (budget {budget})")
    assert 0 < checked <= budget
    assert checked / CODE_SPACE < TARGET


def test_resend_flooding_is_refused_with_retry_after(app_client: TestClient, clock: Clock) -> None:
    s: Settings = app_client.app.state.settings  # type: ignore[attr-defined]
    phone = next_phone()
    assert request_code(app_client, phone).status_code == 200
    flood = [request_code(app_client, phone, lang) for lang in ("kk", "ru") * 10]
    for r, lang in zip(flood, ("kk", "ru") * 10, strict=True):
        assert r.status_code == 429
        body = r.json()["error"]
        wait = retry_after(r)
        assert body["code"] == "resend_cooldown" and 0 < wait <= s.otp_resend_cooldown_s
        assert body["message"] == message("resend_cooldown", lang, retry_after=wait)
    messages = app_client.get("/dev/sms", params={"phone": phone}).json()["messages"]
    assert len(messages) == 1  # one SMS went out, not 21

    # waiting out each cooldown still runs into the hourly cap per phone
    for _ in range(s.otp_max_sends_per_phone_hour - 1):
        clock.advance(s.otp_resend_cooldown_s)
        assert request_code(app_client, phone).status_code == 200
    clock.advance(s.otp_resend_cooldown_s)
    r = request_code(app_client, phone, "kk")
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_requests"
    assert r.json()["error"]["message"] == message("too_many_requests", "kk", retry_after=3600)
    assert retry_after(r) == 3600

    # and one address cannot spray codes over many phones either
    sent = s.otp_max_sends_per_phone_hour
    while sent < s.otp_max_sends_per_ip_hour:
        assert request_code(app_client, next_phone()).status_code == 200
        sent += 1
    r = request_code(app_client, next_phone())
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_requests"


def _normalised(r: Response, phone: str) -> tuple[int, str, str]:
    text = r.text.replace(phone, "<phone>")
    return r.status_code, r.headers.get("Retry-After", ""), text


def test_a_lockout_answers_the_same_for_registered_and_unknown_phones(
    app_client: TestClient, settings: Settings, clock: Clock
) -> None:
    known, unknown = next_phone(), next_phone()
    assert request_code(app_client, known).status_code == 200
    assert verify(app_client, known, inbox_code(app_client, known)).status_code == 200
    clock.advance(settings.otp_resend_cooldown_s)

    transcripts: dict[str, list[tuple[int, str, str]]] = {known: [], unknown: []}

    def step(send: str, lang: str) -> None:
        """The same step for both phones at the same instant of the clock."""
        for phone in (known, unknown):
            if send == "request":
                r = request_code(app_client, phone, lang)
            else:
                real = inbox_code(app_client, phone)
                r = verify(app_client, phone, next(wrong_codes(real)), lang)
            transcripts[phone].append(_normalised(r, phone))

    for lang in ("kk", "ru"):
        step("request", lang)
        for _ in range(settings.otp_max_attempts_per_code):
            step("verify", lang)
        clock.advance(settings.otp_resend_cooldown_s)
    step("request", "kk")  # locked now
    step("verify", "ru")
    clock.advance(123)
    step("request", "ru")
    assert transcripts[known] == transcripts[unknown]
    assert transcripts[known][-1][0] == 429
    assert '"phone_locked"' in transcripts[known][-1][2]


def test_no_code_token_or_phone_in_production_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.backend.test_appeals import appeal_body

    caplog.set_level(logging.DEBUG)
    with fake_smsc() as smsc:
        settings = production_settings(tmp_path / "data", smsc.url)
        phone, new_phone = next_phone(), next_phone()
        secrets: set[str] = set()
        with TestClient(create_app(settings)) as client:
            assert client.get("/dev/sms", params={"phone": phone}).status_code == 404
            assert request_code(client, phone).status_code == 200
            code = smsc.last_code(phone)
            wrong = next(wrong_codes(code))
            assert verify(client, phone, wrong).status_code == 400
            r = verify(client, phone, code)
            assert r.status_code == 200, r.text
            tokens = r.json()
            auth = {"Authorization": f"Bearer {tokens['access_token']}"}
            assert client.post("/api/v1/appeals", json=appeal_body(), headers=auth).status_code
            r = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
            assert r.status_code == 200
            fresh = r.json()
            auth = {"Authorization": f"Bearer {fresh['access_token']}"}
            r = client.post(
                "/api/v1/profile/phone/request", json={"phone": new_phone}, headers=auth
            )
            assert r.status_code == 200
            change_code = smsc.last_code(new_phone)
            r = client.post(
                "/api/v1/profile/phone/verify",
                json={"phone": new_phone, "code": change_code},
                headers=auth,
            )
            assert r.status_code == 200, r.text
            assert client.post("/api/v1/auth/logout", headers=auth).status_code == 204
        secrets |= {code, wrong, change_code}
        secrets |= {tokens["access_token"], tokens["refresh_token"]}
        secrets |= {fresh["access_token"], fresh["refresh_token"]}
    assert len(smsc.texts) == 2 and code in smsc.texts[0][1]  # the codes did go out by SMS
    # the server's records (the test client's own httpx lines name http://testserver)
    lines = [line for line in formatted(caplog.records) if "http://testserver" not in line]
    assert any(mask_phone(phone) in line for line in lines), "the flow logged nothing"
    for line in lines:
        for secret in secrets:
            assert secret not in line, f"secret in log: {line}"
        for p in (phone, new_phone):
            assert p.removeprefix("+") not in line, f"phone in log: {line}"
        assert not re.search(r"\b\d{6}\b", line), f"a 6-digit code-like number in log: {line}"
