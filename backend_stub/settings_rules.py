"""What the settings must satisfy: the shape of URLs and proxy lists everywhere, and in
production a floor for every secret and password, plus the URLs it cannot run without.

Each rule yields the setting's name and what it needs, never its value (a secret stays out of
logs and tracebacks). `config.Settings` raises with the whole list at once.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from backend_stub.config import Settings

DEV_SECRET = "dev-insecure-secret-change-me"
DEV_OPEN311_KEY = "dev-open311-key"
DEV_VALUES = frozenset({DEV_SECRET, DEV_OPEN311_KEY})

MIN_DISTINCT = 6  # different characters: "xxxx…" or "abab…" is not a secret, however long
MIN_LENGTH = {  # production: setting → fewest characters
    "secret_key": 32,
    "open311_api_key": 20,
    "smsc_password": 8,
}


def split_list(value: str) -> list[str]:
    """A comma-separated setting as its items."""
    return [item.strip() for item in value.split(",") if item.strip()]


def url_problem(value: str, schemes: tuple[str, ...]) -> str | None:
    """Why `value` is not an absolute URL of one of `schemes` (None: it is)."""
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if not port_ok or parts.scheme not in schemes or not parts.hostname:
        return f"an absolute {' or '.join(s + '://' for s in schemes)} URL"
    if parts.username or parts.password or parts.query or parts.fragment:
        return "a URL without credentials, query or fragment"
    return None


def proxy_problem(value: str) -> str | None:
    """Why `value` is not a list of proxy addresses or networks (None: it is)."""
    for item in split_list(value):
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            return "IP addresses or networks of the reverse proxies (no names, no *)"
    return None


def _weak(value: str, min_length: int) -> bool:
    return value in DEV_VALUES or len(value) < min_length or len(set(value)) < MIN_DISTINCT


def problems(s: Settings) -> list[str]:
    """Every setting that is wrong, as "NAME (what it needs)"; empty when all is well."""
    found: list[str] = []
    prod = s.app_env == "production"
    https = ("https",) if prod else ("http", "https")
    for name in ("emergency_system_url", "public_base_url"):
        value: str = getattr(s, name)
        if value or prod:
            why = url_problem(value, https)
            if why:
                found.append(f"{name.upper()} ({why})")
    why = proxy_problem(s.trusted_proxies)
    if why:
        found.append(f"TRUSTED_PROXIES ({why})")
    if not prod:
        return found
    for name, length in MIN_LENGTH.items():
        if _weak(getattr(s, name), length):
            need = f"at least {length} characters, {MIN_DISTINCT} different, not a default"
            found.append(f"{name.upper()} ({need})")
    if s.sms_provider == "console":
        found.append("SMS_PROVIDER (smsc: the console inbox is for development)")
    if not s.smsc_login:
        found.append("SMSC_LOGIN (the SMSC.kz account)")
    if "*" in split_list(s.allowed_hosts):
        found.append("ALLOWED_HOSTS (host names, not *)")
    return found
