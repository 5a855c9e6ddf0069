"""The platform's secure storage for secrets (Android Keystore, iOS Keychain) through the
official `flet-secure-storage` extension; used on phones only (`device.Device.phone`).

The auth repository sees only `SecretStore`. Every failure of the platform (a Keystore error, a
Keychain that is locked, a client that never answers) arrives as `SecretStoreFailed`, whose text
never carries the value; the caller decides what it means (the resident signs in again).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

CALL_TIMEOUT_S = 10.0


class SecretStoreFailed(Exception):
    """The platform's secure storage refused or did not answer in time."""


class SecretStore(Protocol):
    async def read(self, key: str) -> str | None:
        """The value kept under `key`, None when there is none. Raises `SecretStoreFailed`."""
        ...

    async def write(self, key: str, value: str) -> None:
        """Keep `value` under `key`, replacing what was there. Raises `SecretStoreFailed`."""
        ...

    async def remove(self, key: str) -> None:
        """Forget `key` (nothing happens when it is absent). Raises `SecretStoreFailed`."""
        ...


class FletSecureStorage:
    """The adapter over flet-secure-storage's `SecureStorage` service, created on first use
    inside the page (services register with the current page) and kept referenced."""

    def __init__(self, factory: Any = None) -> None:
        self._factory = factory
        self._service: Any = None

    def _storage(self) -> Any:
        if self._service is None:
            self._service = self._factory() if self._factory else _platform_storage()
        return self._service

    async def _call(self, what: str, method: str, key: str, *value: str) -> Any:
        try:
            return await asyncio.wait_for(
                getattr(self._storage(), method)(key, *value), CALL_TIMEOUT_S
            )
        except TimeoutError:
            raise SecretStoreFailed(f"secure storage: no answer to {what}") from None
        except Exception as exc:  # the platform's error, as a string from the client
            reason = f"{type(exc).__name__}: {exc}"[:300]
            for secret in value:  # never in a log, even if the platform echoed it
                reason = reason.replace(secret, "…")
            raise SecretStoreFailed(f"secure storage: {what} failed ({reason})") from None

    async def read(self, key: str) -> str | None:
        value = await self._call("read", "get", key)
        return None if value is None else str(value)

    async def write(self, key: str, value: str) -> None:
        await self._call("write", "set", key, value)

    async def remove(self, key: str) -> None:
        await self._call("remove", "remove", key)


def _platform_storage() -> Any:
    import flet_secure_storage as fss

    # reset_on_error: a Keystore that can no longer decrypt what it kept (a restored backup, a
    # changed lock screen) is wiped instead of failing forever; the tokens are then gone and
    # the resident signs in again. The Keychain item stays on this device (no iCloud copy).
    return fss.SecureStorage(
        android_options=fss.AndroidOptions(reset_on_error=True),
        ios_options=fss.IOSOptions(
            accessibility=fss.KeychainAccessibility.FIRST_UNLOCK_THIS_DEVICE
        ),
    )
