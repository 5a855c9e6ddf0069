"""An in-memory `SecretStore` (the platform's secure storage of a phone) that can be told to
fail like a Keystore does."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.data.services.secure_storage import SecretStoreFailed


@dataclass
class MemorySecretStore:
    values: dict[str, str] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)  # of "read", "write", "remove"
    writes: int = 0

    def _maybe_fail(self, what: str) -> None:
        if what in self.failing:
            raise SecretStoreFailed(f"secure storage: {what} failed (KeyStoreException)")

    async def read(self, key: str) -> str | None:
        self._maybe_fail("read")
        return self.values.get(key)

    async def write(self, key: str, value: str) -> None:
        self._maybe_fail("write")
        self.writes += 1
        self.values[key] = value

    async def remove(self, key: str) -> None:
        self._maybe_fail("remove")
        self.values.pop(key, None)
