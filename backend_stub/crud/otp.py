"""SMS one-time codes: issue with cooldown and caps, verify with per-code and per-phone limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.errors import ApiError
from backend_stub.models import OtpChallenge, PhoneLock, utcnow
from backend_stub.security import keyed_hash, new_otp_code, same


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


def check_not_locked(db: Session, phone: str, now: datetime) -> None:
    lock = db.get(PhoneLock, phone)
    if lock and lock.locked_until > now:
        raise _too_many("phone_locked", _retry_after(lock.locked_until, now))


def issue_code(
    db: Session,
    settings: Settings,
    phone: str,
    client_ip: str,
    purpose: str = "login",
    user_id: int | None = None,
) -> IssuedCode:
    """Create a new code for the phone, or raise 429 (locked, cooldown, hourly caps)."""
    now = utcnow()
    check_not_locked(db, phone, now)
    hour_ago = now - timedelta(hours=1)
    last = db.exec(
        select(OtpChallenge)
        .where(OtpChallenge.phone == phone)
        .order_by(col(OtpChallenge.created_at).desc())
        .limit(1)
    ).first()
    if last is not None:
        ready_at = last.created_at + timedelta(seconds=settings.otp_resend_cooldown_s)
        if ready_at > now:
            raise _too_many("resend_cooldown", _retry_after(ready_at, now))
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


def _recent_failures(db: Session, settings: Settings, phone: str, now: datetime) -> int:
    since = now - timedelta(seconds=settings.otp_lock_window_s)
    total = db.exec(
        select(func.coalesce(func.sum(OtpChallenge.wrong_attempts), 0)).where(
            OtpChallenge.phone == phone, col(OtpChallenge.created_at) > since
        )
    ).one()
    return int(total)


def verify_code(
    db: Session, settings: Settings, phone: str, code: str, purpose: str = "login"
) -> OtpChallenge:
    """Consume the phone's latest live code if `code` matches; count and limit failures.

    Failures accumulate per phone across codes (a resend does not reset them); past the limit
    the phone is locked. The answer is the same whether or not the phone has an account.
    Commits the failure count itself so a rollback of the caller cannot undo it.
    """
    now = utcnow()
    check_not_locked(db, phone, now)
    challenge = db.exec(
        select(OtpChallenge)
        .where(OtpChallenge.phone == phone, OtpChallenge.purpose == purpose)
        .order_by(col(OtpChallenge.created_at).desc())
        .limit(1)
    ).first()
    if (
        challenge is None
        or challenge.consumed
        or challenge.expires_at <= now
        or challenge.wrong_attempts >= settings.otp_max_attempts_per_code
    ):
        raise ApiError(400, "code_expired")
    expected = keyed_hash(settings.secret_key, "otp", purpose, phone, code.strip())
    if same(expected, challenge.code_hash):
        challenge.consumed = True
        db.add(challenge)
        return challenge
    challenge.wrong_attempts += 1
    db.add(challenge)
    db.flush()
    failures = _recent_failures(db, settings, phone, now)
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
