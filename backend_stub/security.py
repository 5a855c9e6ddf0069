"""Secrets: one-time codes and opaque tokens, kept only as keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_otp_code() -> str:
    """Six digits from the OS's cryptographic RNG."""
    return f"{secrets.randbelow(1_000_000):06d}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def keyed_hash(secret_key: str, *parts: str) -> str:
    msg = "\x1f".join(parts).encode()
    return hmac.new(secret_key.encode(), msg, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time equality of two secrets as text. Compared as UTF-8 bytes: compare_digest
    refuses non-ASCII `str` with a TypeError, and what a caller sends (a header, a query, a form
    field) may be anything — a wrong secret must be a plain "no", never a 500."""
    return hmac.compare_digest(a.encode(), b.encode())
