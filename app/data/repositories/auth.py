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

Where the tokens are kept between runs: in the `auth_session` row on web and desktop; on phones
(`secrets` given) in the platform's secure storage (`SECRET_KEY`), the row holding only the
marker `IN_SECURE_STORAGE`. `restore()` (async: the storage is a Flet service) reads them at
start, and moves the tokens a phone's older build kept in the row into secure storage, once,
scrubbing them from the database file. When secure storage fails, the session ends as if the
server had refused it: the resident signs in again, nothing else is lost; a run whose tokens
could not be kept stays signed in until the app closes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from app.data.services.auth_api import AuthApi, OtpRequested
from app.data.services.secure_storage import SecretStore, SecretStoreFailed
from app.data.services.tokens import TokenHolder, TokenReply, UserProfile
from app.data.store.database import Database
from app.data.store.models import RESIDENT_TABLES, AuthSession
from app.errors import ApiError, NetworkError
from app.observable import Observable

log = logging.getLogger(__name__)

SECRET_KEY = "city109.auth_tokens"
IN_SECURE_STORAGE = "(in secure storage)"  # the row's token columns on a phone: never a token


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

    def __init__(
        self,
        db: Database,
        api: AuthApi,
        tokens: TokenHolder,
        secrets: SecretStore | None = None,
    ) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._tokens = tokens
        self._secrets = secrets
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
        # a phone's data dir where there is no secure storage to read its tokens from
        unreadable = (
            row is not None and row.refresh_token == IN_SECURE_STORAGE and not self._secrets
        )
        if row is None or not row.refresh_token or unreadable:
            self._session = None
            self._tokens.clear()
            if row is not None:  # the session ended: the data waits for the resident
                self._ended = ResidentSession(row.phone, _user_from_json(row.user_json))
            return None
        if row.refresh_token == IN_SECURE_STORAGE:
            self._tokens.clear()  # `restore()` reads them from secure storage
        else:  # web, desktop, or a phone's older build (`restore()` moves them)
            self._tokens.set(row.access_token, row.refresh_token)
        self._session = ResidentSession(row.phone, _user_from_json(row.user_json))
        return self._session

    def _save(self, reply: TokenReply, kept: str | None) -> None:
        """The row of `reply`'s resident; its token columns hold the tokens themselves
        (`kept` None: web, desktop) or `kept` (the marker, or "" for "sign in again")."""
        now = datetime.now(UTC)
        access = reply.access_token if kept is None else kept
        refresh = reply.refresh_token if kept is None else kept
        with self._db.session() as s:
            row = s.get(AuthSession, 1)
            if row is None:
                row = AuthSession(
                    id=1,
                    phone=reply.user.phone,
                    access_token=access,
                    refresh_token=refresh,
                    signed_in_at=now,
                )
            row.phone = reply.user.phone
            row.access_token = access
            row.refresh_token = refresh
            row.access_expires_at = reply.access_expires_at(now)
            row.user_json = json.dumps(reply.user.to_json(), ensure_ascii=False)
            if kept is not None:
                _overwrite_freed_bytes(s.connection())
            s.add(row)
            s.commit()
        if kept is not None:
            self._checkpoint()

    def _set_token_columns(self, value: str) -> None:
        """The row's tokens become `value` ("" ends the session: the row (phone, user) and
        everything else stay); on phones the old tokens' bytes are overwritten in the file."""
        with self._db.begin() as conn:
            if self._secrets is not None:
                _overwrite_freed_bytes(conn)
            conn.execute(
                text(
                    "UPDATE auth_session SET access_token = :v, refresh_token = :v"
                    + (", access_expires_at = NULL" if not value else "")
                    + " WHERE id = 1"
                ),
                {"v": value},
            )
        if self._secrets is not None:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the database file and empty it, so that no earlier
        version of the row (with its tokens) stays in the log file."""
        with self._db.write_lock, self._db.engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:  # a reader kept an older snapshot for the whole busy timeout
            log.warning("the local store's log was not emptied; old tokens may stay in it")

    def _clear_resident_data(self) -> None:
        with self._db.begin() as conn:
            for table in RESIDENT_TABLES:
                conn.execute(text(f'DELETE FROM "{table}"'))

    # -- secure storage (phones) ---------------------------------------------------------------

    async def restore(self) -> None:
        """Phones: the tokens from secure storage, or, when an older build kept them in the
        row, moved there (once). A failure ends the session (`_on_lost`). Elsewhere: nothing."""
        if self._secrets is None:
            return
        if self._session is None:  # signed out: a removal that failed last time, again
            await self._drop_secret()
            return
        try:
            if self._tokens.has_tokens:
                await self._write_secret(self._tokens.access_token, self._tokens.refresh_token)
                await asyncio.to_thread(self._set_token_columns, IN_SECURE_STORAGE)
                log.info("tokens moved from the local store into secure storage")
            else:
                self._tokens.set(*await self._read_secret())
        except SecretStoreFailed as exc:
            log.warning("%s: the resident signs in again; their data stays", exc)
            await self._on_lost()

    async def _read_secret(self) -> tuple[str, str]:
        assert self._secrets is not None
        raw = await self._secrets.read(SECRET_KEY)
        try:
            kept = json.loads(raw or "")
            return str(kept["access"]), str(kept["refresh"])
        except (ValueError, KeyError, TypeError):
            raise SecretStoreFailed("secure storage: no tokens kept") from None

    async def _write_secret(self, access: str | None, refresh: str | None) -> None:
        assert self._secrets is not None
        await self._secrets.write(SECRET_KEY, json.dumps({"access": access, "refresh": refresh}))

    async def _drop_secret(self) -> None:
        if self._secrets is None:
            return
        try:
            await self._secrets.remove(SECRET_KEY)
        except SecretStoreFailed as exc:
            log.warning("%s: removed at the next start", exc)

    async def _keep(self, reply: TokenReply) -> None:
        """Persist `reply`: in the row (web, desktop) or in secure storage (phones). When
        secure storage fails, this run goes on signed in and the next start asks again."""
        kept: str | None = None
        if self._secrets is not None:
            try:
                await self._write_secret(reply.access_token, reply.refresh_token)
                kept = IN_SECURE_STORAGE
            except SecretStoreFailed as exc:
                log.warning("%s: signed in until the app closes", exc)
                kept = ""
        await asyncio.to_thread(self._save, reply, kept)

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
        await self._keep(reply)
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
        await self._drop_secret()
        self._tokens.clear()
        had_data = self._session is not None or self._ended is not None
        self._session = self._ended = None
        if had_data:
            log.info("resident signed out; their data deleted from this phone")
            self.notify()

    async def _on_refreshed(self, reply: TokenReply) -> None:
        await self._keep(reply)
        self._session = ResidentSession(reply.user.phone, reply.user)

    async def _on_lost(self) -> None:
        """The server refused the refresh token (or secure storage lost or refused it): the
        session is over, the resident's data is not. Every row stays (the outbox too); the app
        asks them to sign in again."""
        await asyncio.to_thread(self._set_token_columns, "")
        await self._drop_secret()
        self._tokens.clear()
        if self._session is not None:
            self._ended = self._session
        self._session = None
        log.info("session ended; everything on this phone is kept")
        self.notify()


def _user_from_json(raw: str) -> UserProfile | None:
    try:
        data = json.loads(raw or "{}")
        return UserProfile.from_json(data) if data else None
    except (ValueError, KeyError, TypeError):
        return None


def _overwrite_freed_bytes(conn: Connection) -> None:
    """What this connection deletes or replaces is overwritten with zeros in the file
    (SQLite otherwise leaves old values in the page's free space)."""
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
