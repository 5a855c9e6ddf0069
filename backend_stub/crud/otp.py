"""SMS one-time codes: issue with cooldown and caps, verify with per-code and per-phone limits.

Every limit is decided inside a short transaction that first takes the gates of its keys — the
phone, and when issuing also the client address (`hold_gates`). Until that transaction ends no
other request for the same key counts or checks anything, in this process or any other on the
database, so the limits are exact under any concurrency: of a burst of wrong codes at most 5 per
code are compared, the phone's failure count misses none, one code goes out per cooldown. What
may be checked is decided under the gate before the code is compared, and the count is
committed before the gate opens. Nothing slow happens inside: the caller commits the new code
and only then calls the SMS gateway.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.errors import ApiError
from backend_stub.models import OtpChallenge, PhoneLock, utcnow
from backend_stub.phone import InvalidPhoneError, normalize_kz_mobile
from backend_stub.security import keyed_hash, new_otp_code, same


def parse_phone(raw: str) -> str:
    """A Kazakh mobile number a code may go to, in E.164; 422 `invalid_phone` otherwise."""
    try:
        return normalize_kz_mobile(raw)
    except InvalidPhoneError as exc:
        raise ApiError(422, "invalid_phone") from exc


@dataclass(frozen=True)
class IssuedCode:
    challenge: OtpChallenge
    code: str


def _retry_after(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 0.999))


def _too_many(code: str, retry_after: int) -> ApiError:
    return ApiError(
        429, code, headers={"Retry-After": str(retry_after)}, details={"retry_after": retry_after}
    )


def _gate_id(key: str) -> int:
    """The key as a signed 64-bit PostgreSQL advisory-lock id."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def hold_gates(db: Session, *, keys: list[str]) -> None:
    """Be the only transaction counting or checking for these keys ("phone:…", "ip:…") until
    this one ends. PostgreSQL: an advisory lock per key, taken in one order everywhere (no
    deadlock). SQLite: the database's write lock, which the first write of a transaction takes
    (and which nobody keeps long: no transaction here waits on the network)."""
    if db.get_bind().dialect.name == "postgresql":
        for key in sorted(set(keys)):
            db.exec(select(func.pg_advisory_xact_lock(_gate_id(key)))).all()
        return
    db.exec(update(PhoneLock).where(col(PhoneLock.phone) == "").values(phone=""))


def check_not_locked(db: Session, *, phone: str, now: datetime) -> None:
    lock = db.get(PhoneLock, phone, populate_existing=True)
    if lock and lock.locked_until > now:
        raise _too_many("phone_locked", _retry_after(lock.locked_until, now))


def issue_code(
    db: Session,
    *,
    settings: Settings,
    phone: str,
    client_ip: str,
    purpose: str = "login",
    user_id: int | None = None,
) -> IssuedCode:
    """Add a new code for the phone, or raise 429 (locked, cooldown, hourly caps).

    The limits are checked once without waiting (a flood is refused there) and again under the
    phone's and the address's gates, which the caller's commit opens; send the SMS after it."""
    _refuse_if_limited(db, settings=settings, phone=phone, client_ip=client_ip, now=utcnow())
    hold_gates(db, keys=[f"phone:{phone}", f"ip:{client_ip}"])
    now = utcnow()
    _refuse_if_limited(db, settings=settings, phone=phone, client_ip=client_ip, now=now)
    code = new_otp_code()
    challenge = OtpChallenge(
        phone=phone,
        purpose=purpose,
        user_id=user_id,
        code_hash=keyed_hash(settings.secret_key, "otp", purpose, phone, code),
        client_ip=client_ip,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.otp_ttl_s),
    )
    db.add(challenge)
    db.flush()
    return IssuedCode(challenge, code)


def _refuse_if_limited(
    db: Session, *, settings: Settings, phone: str, client_ip: str, now: datetime
) -> None:
    check_not_locked(db, phone=phone, now=now)
    last = db.exec(
        select(OtpChallenge)
        .where(OtpChallenge.phone == phone)
        .order_by(col(OtpChallenge.created_at).desc(), col(OtpChallenge.id).desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()
    # (a code issued meanwhile may be a hair younger than `now`: no cooldown, no refusal)
    if last is not None and settings.otp_resend_cooldown_s > 0:
        ready_at = last.created_at + timedelta(seconds=settings.otp_resend_cooldown_s)
        if ready_at > now:
            raise _too_many("resend_cooldown", _retry_after(ready_at, now))
    _refuse_over_hourly_caps(db, settings=settings, phone=phone, client_ip=client_ip, now=now)


def _refuse_over_hourly_caps(
    db: Session, *, settings: Settings, phone: str, client_ip: str, now: datetime
) -> None:
    hour_ago = now - timedelta(hours=1)
    sent_to_phone = db.exec(
        select(func.count())
        .select_from(OtpChallenge)
        .where(OtpChallenge.phone == phone, col(OtpChallenge.created_at) > hour_ago)
    ).one()
    sent_from_ip = db.exec(
        select(func.count())
        .select_from(OtpChallenge)
        .where(OtpChallenge.client_ip == client_ip, col(OtpChallenge.created_at) > hour_ago)
    ).one()
    if (
        sent_to_phone >= settings.otp_max_sends_per_phone_hour
        or sent_from_ip >= settings.otp_max_sends_per_ip_hour
    ):
        raise _too_many("too_many_requests", 3600)


def _recent_failures(db: Session, *, settings: Settings, phone: str, now: datetime) -> int:
    since = now - timedelta(seconds=settings.otp_lock_window_s)
    total = db.exec(
        select(func.coalesce(func.sum(OtpChallenge.wrong_attempts), 0)).where(
            OtpChallenge.phone == phone, col(OtpChallenge.created_at) > since
        )
    ).one()
    return int(total)


def verify_code(
    db: Session, *, settings: Settings, phone: str, code: str, purpose: str = "login"
) -> OtpChallenge:
    """Consume the phone's latest live code if `code` matches; count and limit failures.

    Failures accumulate per phone across codes (a resend does not reset them); past the limit
    the phone is locked. The answer is the same whether or not the phone has an account.
    Runs under the phone's gate (one check at a time per phone, see the module); commits the
    failure count itself so a rollback of the caller cannot undo it. On success the caller's
    commit opens the gate.
    """
    check_not_locked(db, phone=phone, now=utcnow())
    hold_gates(db, keys=[f"phone:{phone}"])
    now = utcnow()
    check_not_locked(db, phone=phone, now=now)
    challenge = _checkable(db, settings=settings, phone=phone, purpose=purpose, now=now)
    expected = keyed_hash(settings.secret_key, "otp", purpose, phone, code.strip())
    if same(expected, challenge.code_hash):
        challenge.consumed = True
        db.add(challenge)
        return challenge
    _count_failure(db, settings=settings, challenge=challenge, now=now)


def _checkable(
    db: Session, *, settings: Settings, phone: str, purpose: str, now: datetime
) -> OtpChallenge:
    """The phone's latest code for `purpose`, if it may still be checked; else 400."""
    challenge = db.exec(
        select(OtpChallenge)
        .where(OtpChallenge.phone == phone, OtpChallenge.purpose == purpose)
        .order_by(col(OtpChallenge.created_at).desc(), col(OtpChallenge.id).desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()
    if (
        challenge is None
        or challenge.consumed
        or challenge.expires_at <= now
        or challenge.wrong_attempts >= settings.otp_max_attempts_per_code
    ):
        raise ApiError(400, "code_expired")
    return challenge


def _count_failure(
    db: Session, *, settings: Settings, challenge: OtpChallenge, now: datetime
) -> NoReturn:
    """Count a wrong code, lock the phone at the limit, commit; answer 429 or 400."""
    phone = challenge.phone
    challenge.wrong_attempts += 1
    db.add(challenge)
    db.flush()
    failures = _recent_failures(db, settings=settings, phone=phone, now=now)
    if failures >= settings.otp_max_failures_per_phone:
        lock = db.get(PhoneLock, phone) or PhoneLock(phone=phone)
        lock.locked_until = now + timedelta(seconds=settings.otp_lock_s)
        db.add(lock)
        db.commit()
        raise _too_many("phone_locked", settings.otp_lock_s)
    db.commit()
    left = max(0, settings.otp_max_attempts_per_code - challenge.wrong_attempts)
    if left == 0:
        raise ApiError(400, "code_expired")
    raise ApiError(400, "invalid_code", details={"attempts_left": left})
