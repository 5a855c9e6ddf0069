"""Secrets: one-time codes and opaque tokens, kept only as keyed hashes; staff passwords, kept
only as scrypt hashes."""

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


# Staff passwords: scrypt (RFC 7914) with a per-account random salt; the parameters travel with
# the hash, so stronger ones can be chosen later without breaking the accounts already made.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB, ~50 ms per check


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash` (salt and hash in hex) of a new password."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from (constant-time compare); a stored
    value of another shape is a plain no."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        again = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(again, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=32)
