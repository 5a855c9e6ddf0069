"""The resident's session: local first (a signed-in resident opens the app offline), with
sign-in by SMS code and sign-out against the server."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from app.observable import Observable
from app.services.api_client import ApiError, NetworkError
from app.services.auth_api import AuthApi, OtpRequested
from app.services.tokens import TokenHolder, TokenReply, UserProfile
from app.store.database import Database
from app.store.models import RESIDENT_TABLES, AuthSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResidentSession:
    phone: str
    user: UserProfile | None


class AuthRepository(Observable):
    """Listeners are notified whenever the resident signs in or out (also when the server
    rejects the refresh token)."""

    def __init__(self, db: Database, api: AuthApi, tokens: TokenHolder) -> None:
        super().__init__()
        self._db = db
        self._api = api
        self._tokens = tokens
        self._session: ResidentSession | None = None
        tokens.on_refreshed = self._on_refreshed
        tokens.on_lost = self._on_lost

    @property
    def session(self) -> ResidentSession | None:
        return self._session

    @property
    def signed_in(self) -> bool:
        return self._session is not None

    # -- local store (blocking; run in a worker thread) --------------------------------------

    def load(self) -> ResidentSession | None:
        """Restore the session saved on this device; no network."""
        with self._db.session() as s:
            row = s.get(AuthSession, 1)
        if row is None:
            self._session = None
            self._tokens.clear()
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

    def _clear_resident_data(self) -> None:
        with self._db.engine.begin() as conn:
            for table in RESIDENT_TABLES:
                conn.execute(text(f'DELETE FROM "{table}"'))

    # -- actions -------------------------------------------------------------------------------

    async def request_code(self, phone: str) -> OtpRequested:
        return await self._api.request_code(phone)

    async def verify_code(self, phone: str, code: str) -> ResidentSession:
        reply = await self._api.verify_code(phone, code)
        await asyncio.to_thread(self._save, reply)
        self._tokens.set(reply.access_token, reply.refresh_token)
        self._session = ResidentSession(reply.user.phone, reply.user)
        log.info("resident signed in")
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
        await asyncio.to_thread(self._clear_resident_data)
        self._tokens.clear()
        was_signed_in = self._session is not None
        self._session = None
        if was_signed_in:
            log.info("resident signed out")
            self.notify()

    async def _on_refreshed(self, reply: TokenReply) -> None:
        await asyncio.to_thread(self._save, reply)
        self._session = ResidentSession(reply.user.phone, reply.user)

    async def _on_lost(self) -> None:
        await self._forget()


def _user_from_json(raw: str) -> UserProfile | None:
    try:
        data = json.loads(raw or "{}")
        return UserProfile.from_json(data) if data else None
    except (ValueError, KeyError, TypeError):
        return None
