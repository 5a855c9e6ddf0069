"""Who is filing: the resident's name and phone and their saved addresses (home, work, ...).

When the cabinet's profile repository is wired in (`profiles`), it is the source: its local
profile (with the saved addresses of this device) and its `refresh()`. Without it, the profile
is read from `GET /api/v1/profile` when the server is reachable and kept in
`resident_cache["profile"]`; offline, that copy, or what sign-in stored (phone, name).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from app.data.repositories.auth import AuthRepository
from app.data.services.appeal_lookups_api import NewAppealApi
from app.data.store.database import Database
from app.data.store.models import ResidentCache
from app.data.store.upsert import sql_now, upsert
from app.errors import ApiError, NetworkError

log = logging.getLogger(__name__)

PROFILE_KEY = "profile"


@dataclass(frozen=True)
class SavedAddress:
    label: str  # home | work | other | the resident's own word
    text: str
    lat: float | None = None
    lon: float | None = None
    district: str | None = None


@dataclass(frozen=True)
class Applicant:
    phone: str
    full_name: str | None
    addresses: tuple[SavedAddress, ...] = ()


def _addresses(data: dict[str, Any]) -> tuple[SavedAddress, ...]:
    out = []
    for a in data.get("addresses") or []:
        if not isinstance(a, dict) or not a.get("text"):
            continue
        lat, lon = a.get("lat"), a.get("lon")
        out.append(
            SavedAddress(
                label=str(a.get("label") or "other"),
                text=str(a["text"]),
                lat=float(lat) if lat is not None else None,
                lon=float(lon) if lon is not None else None,
                district=a.get("district"),
            )
        )
    return tuple(out)


class ProfileSource(Protocol):
    """What the cabinet's profile repository offers (`profile()` blocks; `refresh()` raises
    `NetworkError`/`ApiError`)."""

    def profile(self) -> Any: ...

    async def refresh(self) -> Any: ...


def _from_profile(profile: Any) -> Applicant:
    addresses = tuple(
        SavedAddress(
            label=str(a.label), text=str(a.text), lat=a.lat, lon=a.lon, district=a.district
        )
        for a in getattr(profile, "addresses", ()) or ()
        if getattr(a, "text", "")
    )
    return Applicant(str(profile.phone or ""), profile.full_name, addresses)


class ApplicantRepository:
    def __init__(
        self,
        db: Database,
        api: NewAppealApi,
        auth: AuthRepository,
        profiles: ProfileSource | None = None,
    ) -> None:
        self._db = db
        self._api = api
        self._auth = auth
        self.profiles = profiles

    def _cached(self) -> dict[str, Any] | None:
        with self._db.read() as s:
            row = s.get(ResidentCache, PROFILE_KEY)
        if row is None:
            return None
        try:
            data = json.loads(row.value_json)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _store(self, data: dict[str, Any]) -> None:
        value = json.dumps(data, ensure_ascii=False)
        upsert(
            self._db,
            "resident_cache",
            "key",
            {"key": PROFILE_KEY, "value_json": value, "updated_at": sql_now()},
        )

    def _from(self, data: dict[str, Any] | None) -> Applicant:
        session = self._auth.session
        user = session.user if session else None
        phone = str((data or {}).get("phone") or (session.phone if session else ""))
        name = (data or {}).get("full_name") or (user.full_name if user else None)
        return Applicant(phone, name, _addresses(data or {}))

    async def cached(self) -> Applicant:
        """What the device knows (no network)."""
        if self.profiles is not None:
            applicant = _from_profile(await asyncio.to_thread(self.profiles.profile))
            return self._with_session(applicant)
        return self._from(await asyncio.to_thread(self._cached))

    def _with_session(self, applicant: Applicant) -> Applicant:
        session = self._auth.session
        if session is None:
            return applicant
        name = applicant.full_name or (session.user.full_name if session.user else None)
        return Applicant(applicant.phone or session.phone, name, applicant.addresses)

    async def fetch(self) -> tuple[Applicant, bool]:
        """(the applicant, whether the server answered). Falls back to the cache offline."""
        if self.profiles is not None:
            try:
                profile = await self.profiles.refresh()
            except (NetworkError, ApiError) as exc:
                log.info("profile not refreshed: %r", exc)
                return await self.cached(), False
            return self._with_session(_from_profile(profile)), True
        try:
            data = await self._api.profile()
        except (NetworkError, ApiError) as exc:
            log.info("profile not refreshed: %r", exc)
            return await self.cached(), False
        await asyncio.to_thread(self._store, data)
        return self._from(data), True
