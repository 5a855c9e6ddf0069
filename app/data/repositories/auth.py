"""The resident's session: local first (a signed-in resident opens the app offline), with
sign-in by SMS code and sign-out against the server.

Nothing the resident made on this phone is deleted by an authentication failure. When the
server refuses the refresh token, the session *ends* (`ended`): the tokens are dropped, but the
`auth_session` row (phone, user), every local row and the outbox stay; the app asks the same
resident to sign in again and then sends what waits, with the same idempotency keys. Only an
explicit sign-out (the cabinet's "sign out" / "delete my data") deletes.

If someone else signs in on a phone that keeps an ended session's data (another account: told
by the user id, or the phone when no id is known), that data is not theirs: it is never sent
from their account nor shown to them. `verify_code` raises `OtherResidentError` instead of
signing in; the sign-in screen then offers to delete that data from the phone
(`replace_kept`) or to go back (`decline`, which ends the new server session again).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from app.data.services.auth_api import AuthApi, OtpRequested
from app.data.services.tokens import TokenHolder, TokenReply, UserProfile
from app.data.store.database import Database
from app.data.store.models import RESIDENT_TABLES, AuthSession
from app.errors import ApiError, NetworkError
from app.observable import Observable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResidentSession:
    phone: str
    user: UserProfile | None


class OtherResidentError(Exception):
    """The code was right, but this phone keeps the data of another resident (`kept`)."""

    def __init__(self, reply: TokenReply, kept: ResidentSession) -> None:
        super().__init__("this phone keeps another resident's data")
        self.reply = reply
        self.kept = kept


def same_resident(kept: ResidentSession, user: UserProfile) -> bool:
    """Whether `user` is the resident whose data is kept (by id; by phone when no id)."""
    if kept.user is not None:
        return kept.user.id == user.id
    return kept.phone == user.phone


class AuthRepository(Observable):
    """Listeners are notified whenever the resident signs in or out (also when the server
    rejects the refresh token)."""

    def __init__(self, db: Database, api: AuthApi, tokens: TokenHolder) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._tokens = tokens
        self._session: ResidentSession | None = None
        self._ended: ResidentSession | None = None
        tokens.on_refreshed = self._on_refreshed
        tokens.on_lost = self._on_lost

    @property
    def session(self) -> ResidentSession | None:
        return self._session

    @property
    def signed_in(self) -> bool:
        return self._session is not None

    @property
    def ended(self) -> ResidentSession | None:
        """The resident whose session the server ended; their data is all still here."""
        return self._ended

    # -- local store (blocking; run in a worker thread) --------------------------------------

    def load(self) -> ResidentSession | None:
        """Restore the session saved on this device; no network."""
        with self._db.read() as s:
            row = s.get(AuthSession, 1)
        self._ended = None
        if row is None or not row.refresh_token:
            self._session = None
            self._tokens.clear()
            if row is not None:  # the server ended it: the data waits for the resident
                self._ended = ResidentSession(row.phone, _user_from_json(row.user_json))
            return None
        self._tokens.set(row.access_token, row.refresh_token)
        self._session = ResidentSession(row.phone, _user_from_json(row.user_json))
        return self._session

    def _save(self, reply: TokenReply) -> None:
        now = datetime.now(UTC)
        with self._db.session() as s:
            row = s.get(AuthSession, 1)
            if row is None:
                row = AuthSession(
                    id=1,
                    phone=reply.user.phone,
                    access_token=reply.access_token,
                    refresh_token=reply.refresh_token,
                    signed_in_at=now,
                )
            row.phone = reply.user.phone
            row.access_token = reply.access_token
            row.refresh_token = reply.refresh_token
            row.access_expires_at = reply.access_expires_at(now)
            row.user_json = json.dumps(reply.user.to_json(), ensure_ascii=False)
            s.add(row)
            s.commit()

    def _mark_ended(self) -> None:
        """Forget the tokens, keep the row (phone, user) and everything else."""
        with self._db.begin() as conn:
            conn.execute(
                text(
                    "UPDATE auth_session SET access_token = '', refresh_token = '',"
                    " access_expires_at = NULL WHERE id = 1"
                )
            )

    def _clear_resident_data(self) -> None:
        with self._db.begin() as conn:
            for table in RESIDENT_TABLES:
                conn.execute(text(f'DELETE FROM "{table}"'))

    # -- actions -------------------------------------------------------------------------------

    async def request_code(self, phone: str) -> OtpRequested:
        return await self._api.request_code(phone)

    async def verify_code(self, phone: str, code: str) -> ResidentSession:
        """Sign in; `OtherResidentError` if this phone keeps another resident's data."""
        reply = await self._api.verify_code(phone, code)
        kept = self._ended
        if kept is not None and not same_resident(kept, reply.user):
            log.info("sign-in of another account while this phone keeps an ended session")
            raise OtherResidentError(reply, kept)
        return await self._adopt(reply)

    async def replace_kept(self, reply: TokenReply) -> ResidentSession:
        """The resident chose to delete the data an ended session left on this phone (it is
        never sent), then to sign in with `reply`."""
        await self._forget()
        return await self._adopt(reply)

    async def decline(self, reply: TokenReply) -> None:
        """Do not use this sign-in after all: end that new session on the server (if
        reachable); the kept data stays as it is."""
        try:
            await self._api.logout(reply.access_token)
        except (ApiError, NetworkError) as exc:
            log.info("declined sign-in not ended on the server: %r", exc)

    async def _adopt(self, reply: TokenReply) -> ResidentSession:
        await asyncio.to_thread(self._save, reply)
        self._tokens.set(reply.access_token, reply.refresh_token)
        self._session = ResidentSession(reply.user.phone, reply.user)
        resumed = self._ended is not None
        self._ended = None
        log.info("resident signed in%s", " again: the kept data resumes" if resumed else "")
        self.notify()
        return self._session

    async def sign_out(self) -> None:
        """Revoke the session on the server if reachable; always forget it on this device."""
        if self._tokens.has_tokens:
            try:
                await self._api.logout()
            except (ApiError, NetworkError) as exc:
                log.info("server sign-out skipped: %r", exc)
        await self._forget()

    async def _forget(self) -> None:
        """The explicit sign-out: every resident table emptied (the outbox included)."""
        await asyncio.to_thread(self._clear_resident_data)
        self._tokens.clear()
        had_data = self._session is not None or self._ended is not None
        self._session = self._ended = None
        if had_data:
            log.info("resident signed out; their data deleted from this phone")
            self.notify()

    async def _on_refreshed(self, reply: TokenReply) -> None:
        await asyncio.to_thread(self._save, reply)
        self._session = ResidentSession(reply.user.phone, reply.user)

    async def _on_lost(self) -> None:
        """The server refused the refresh token: the session is over, the resident's data is
        not. Every row stays (the outbox too); the app asks them to sign in again."""
        await asyncio.to_thread(self._mark_ended)
        self._tokens.clear()
        if self._session is not None:
            self._ended = self._session
        self._session = None
        log.info("session ended by the server; everything on this phone is kept")
        self.notify()


def _user_from_json(raw: str) -> UserProfile | None:
    try:
        data = json.loads(raw or "{}")
        return UserProfile.from_json(data) if data else None
    except (ValueError, KeyError, TypeError):
        return None
