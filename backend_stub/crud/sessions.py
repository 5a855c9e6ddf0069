"""Sign-in sessions: opaque access/refresh tokens stored only as keyed hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from backend_stub.config import Settings
from backend_stub.models import AuthSession, User, utcnow
from backend_stub.security import keyed_hash, new_token


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _issue(settings: Settings, session: AuthSession) -> TokenPair:
    access, refresh = new_token(), new_token()
    now = utcnow()
    session.access_hash = keyed_hash(settings.secret_key, "access", access)
    session.refresh_hash = keyed_hash(settings.secret_key, "refresh", refresh)
    session.access_expires_at = now + timedelta(seconds=settings.access_token_ttl_s)
    session.refresh_expires_at = now + timedelta(seconds=settings.refresh_token_ttl_s)
    return TokenPair(access, refresh, settings.access_token_ttl_s)


def start_session(db: Session, settings: Settings, user: User) -> TokenPair:
    assert user.id is not None
    auth = AuthSession(user_id=user.id, access_hash="", refresh_hash="")
    pair = _issue(settings, auth)
    db.add(auth)
    return pair


def user_for_access_token(db: Session, settings: Settings, token: str) -> User | None:
    digest = keyed_hash(settings.secret_key, "access", token)
    auth = db.exec(select(AuthSession).where(AuthSession.access_hash == digest)).first()
    if auth is None or auth.revoked or auth.access_expires_at <= utcnow():
        return None
    return db.get(User, auth.user_id)


def session_for_access_token(db: Session, settings: Settings, token: str) -> AuthSession | None:
    digest = keyed_hash(settings.secret_key, "access", token)
    return db.exec(select(AuthSession).where(AuthSession.access_hash == digest)).first()


def rotate(db: Session, settings: Settings, refresh_token: str) -> tuple[User, TokenPair] | None:
    """Swap a live refresh token for a new pair; the old refresh token stops working."""
    digest = keyed_hash(settings.secret_key, "refresh", refresh_token)
    auth = db.exec(select(AuthSession).where(AuthSession.refresh_hash == digest)).first()
    if auth is None or auth.revoked or auth.refresh_expires_at <= utcnow():
        return None
    user = db.get(User, auth.user_id)
    if user is None:
        return None
    pair = _issue(settings, auth)
    db.add(auth)
    return user, pair


def revoke(db: Session, auth: AuthSession) -> None:
    auth.revoked = True
    db.add(auth)


def revoke_all(db: Session, user_id: int) -> None:
    for auth in db.exec(select(AuthSession).where(AuthSession.user_id == user_id)).all():
        auth.revoked = True
        db.add(auth)
