"""Sign-in sessions: opaque access/refresh tokens stored only as keyed hashes.

One sign-in is one `AuthSession` row (the token family). Its refresh token is rotated on every
use by a compare-and-set on the stored hash, so of any number of parallel uses, in any number of
processes, exactly one rotates. The spent token stays known, as its hash, in `RotatedToken`:

- sent again within `refresh_reuse_grace_s` of its rotation, while the pair it was swapped for is
  still the session's current one, it gets that same pair again: a client whose answer was lost,
  or that sent one refresh twice, stays signed in. The pair is derived rather than stored:
  HMAC(secret key, per-rotation nonce, spent token), the nonce kept beside the spent token's hash.
  Re-deriving it takes the key, the database row and the spent token itself; nothing in the
  database alone yields a usable token, and a token older than the last rotation yields nothing;
- sent at any other time, it means two parties hold the session's tokens (RFC 9700 §4.14.2): the
  session is revoked and its push streams end; both must sign in again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.models import AuthSession, User, utcnow
from backend_stub.models.accounts import RotatedToken
from backend_stub.security import keyed_hash, new_token, same
from backend_stub.services import push


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


def start_session(db: Session, *, settings: Settings, user: User) -> TokenPair:
    assert user.id is not None
    auth = AuthSession(user_id=user.id, access_hash="", refresh_hash="")
    pair = _issue(settings, auth)
    db.add(auth)
    return pair


def session_for_access_token(db: Session, *, settings: Settings, token: str) -> AuthSession | None:
    digest = keyed_hash(settings.secret_key, "access", token)
    return db.exec(select(AuthSession).where(AuthSession.access_hash == digest)).first()


@dataclass(frozen=True)
class LiveSignIn:
    user: User
    session_id: int
    expires_at: datetime  # the access token's


# Every signed-in request asks this first: built once (building the expression each time cost
# more than running it).
_LIVE_SIGN_IN = (
    select(User, AuthSession.id, AuthSession.access_expires_at)
    .join(AuthSession, col(AuthSession.user_id) == col(User.id))
    .where(
        AuthSession.access_hash == bindparam("digest"),
        col(AuthSession.revoked).is_(False),
        col(AuthSession.access_expires_at) > bindparam("now"),
    )
)


def live_sign_in(db: Session, *, settings: Settings, token: str) -> LiveSignIn | None:
    """The account and sign-in of a live (known, not revoked, not expired) access token, in one
    query."""
    digest = keyed_hash(settings.secret_key, "access", token)
    found = db.exec(_LIVE_SIGN_IN, params={"digest": digest, "now": utcnow()}).first()
    return LiveSignIn(*found) if found is not None else None


def user_for_access_token(db: Session, *, settings: Settings, token: str) -> User | None:
    found = live_sign_in(db, settings=settings, token=token)
    return found.user if found else None


def still_signed_in(db: Session, *, session_id: int) -> bool:
    """Whether a sign-in still stands (not revoked, e.g. from another device)."""
    auth = db.get(AuthSession, session_id)
    return auth is not None and not auth.revoked


Rotated = tuple[User, TokenPair]


def rotate(db: Session, *, settings: Settings, refresh_token: str) -> Rotated | None:
    """Swap a live refresh token for a new pair, exactly once however many send it at once
    (the others get the same pair); a spent one is handled by `_sent_again`. None: refused.
    The caller commits a rotation; a revocation is committed here."""
    digest = keyed_hash(settings.secret_key, "refresh", refresh_token)
    now = utcnow()
    auth = db.exec(select(AuthSession).where(AuthSession.refresh_hash == digest)).first()
    if auth is not None and _live(auth, now):
        pair = _swap(db, settings=settings, auth=auth, spent=refresh_token, now=now)
        if pair is not None:
            return _with_user(db, auth=auth, pair=pair)
    return _sent_again(db, settings=settings, spent=refresh_token, digest=digest, now=now)


def _live(auth: AuthSession, now: datetime) -> bool:
    return not auth.revoked and auth.refresh_expires_at > now


def _with_user(db: Session, *, auth: AuthSession, pair: TokenPair) -> Rotated | None:
    user = db.get(User, auth.user_id)
    return (user, pair) if user is not None else None


def _derived(settings: Settings, nonce: str, spent: str) -> tuple[str, str]:
    """The (access, refresh) pair a rotation with `nonce` gives the spent refresh token."""

    def token(kind: str) -> str:
        msg = "\x1f".join(("rotate", kind, nonce, spent)).encode()
        digest = hmac.new(settings.secret_key.encode(), msg, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    return token("access"), token("refresh")


def _swap(
    db: Session, *, settings: Settings, auth: AuthSession, spent: str, now: datetime
) -> TokenPair | None:
    """Compare-and-set: the new pair replaces the spent token only if it is still the
    session's (and the session live); None if another request got there first."""
    digest = auth.refresh_hash
    nonce = secrets.token_hex(16)
    access, refresh = _derived(settings, nonce, spent)
    swapped = db.exec(
        update(AuthSession)
        .where(
            col(AuthSession.id) == auth.id,
            col(AuthSession.refresh_hash) == digest,
            col(AuthSession.revoked).is_(False),
        )
        .values(
            access_hash=keyed_hash(settings.secret_key, "access", access),
            refresh_hash=keyed_hash(settings.secret_key, "refresh", refresh),
            access_expires_at=now + timedelta(seconds=settings.access_token_ttl_s),
            refresh_expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s),
        )
        .execution_options(synchronize_session=False)
    )
    if swapped.rowcount != 1:
        return None
    assert auth.id is not None
    spent_row = RotatedToken(
        refresh_hash=digest,
        session_id=auth.id,
        nonce=nonce,
        rotated_at=now,
        expires_at=auth.refresh_expires_at,
    )
    db.add(spent_row)
    db.exec(
        delete(RotatedToken).where(
            col(RotatedToken.session_id) == auth.id, col(RotatedToken.expires_at) <= now
        )
    )
    return TokenPair(access, refresh, settings.access_token_ttl_s)


def _sent_again(
    db: Session, *, settings: Settings, spent: str, digest: str, now: datetime
) -> Rotated | None:
    """A spent refresh token: the same pair inside the grace window, else the session ends."""
    old = db.get(RotatedToken, digest, populate_existing=True)
    if old is None:
        return None
    auth = db.get(AuthSession, old.session_id, populate_existing=True)
    if auth is None or not _live(auth, now):
        return None
    pair = _repeated(settings, auth, old, spent, now)
    if pair is not None:
        return _with_user(db, auth=auth, pair=pair)
    revoke(db, auth=auth)
    db.commit()  # the caller answers 401 (and would roll back): the revocation must stay
    return None


def _repeated(
    settings: Settings, auth: AuthSession, old: RotatedToken, spent: str, now: datetime
) -> TokenPair | None:
    """The pair `spent` was swapped for, if that was within the grace window and the pair is
    still the session's current one."""
    if (now - old.rotated_at).total_seconds() > settings.refresh_reuse_grace_s:
        return None
    access, refresh = _derived(settings, old.nonce, spent)
    key = settings.secret_key
    current = same(auth.refresh_hash, keyed_hash(key, "refresh", refresh)) and same(
        auth.access_hash, keyed_hash(key, "access", access)
    )
    if not current:
        return None
    left = int((auth.access_expires_at - now).total_seconds())
    return TokenPair(access, refresh, max(0, left))


def revoke(db: Session, *, auth: AuthSession) -> None:
    """End one sign-in: its tokens stop working, and its push streams end once committed."""
    auth.revoked = True
    db.add(auth)
    _forget_sessions(db, ids=[auth.id] if auth.id is not None else [])


def revoke_others(db: Session, *, user_id: int, keep: int | None) -> None:
    """End every sign-in of the resident but `keep` (the caller's own, if any)."""
    others = [col(AuthSession.user_id) == user_id, col(AuthSession.revoked).is_(False)]
    if keep is not None:
        others.append(col(AuthSession.id) != keep)
    revoked = db.exec(
        update(AuthSession)
        .where(*others)
        .values(revoked=True)
        .returning(col(AuthSession.id))
        .execution_options(synchronize_session=False)
    )
    _forget_sessions(db, ids=list(revoked.scalars().all()))


def _forget_sessions(db: Session, *, ids: Sequence[int]) -> None:
    """Their spent tokens need no watching any more; their streams end after the commit."""
    if ids:
        db.exec(delete(RotatedToken).where(col(RotatedToken.session_id).in_(ids)))
        push.end_streams_after_commit(db, sessions=ids)
