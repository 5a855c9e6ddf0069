"""The client's configuration: the server URL, the private data directory, the sync period,
and what a build was given (`bundled_settings.json`).

The server URL, decided here and nowhere else, the first of:

1. **saved on the device** by a tester on the hidden developer screen (only in a build whose
   bundled settings enable the developer menu; applied by the composition root when the page
   session starts, `AppConfig.with_device_override`);
2. **`API_URL`** in the environment (development and CI; `python -m app --api-url` sets it);
3. **bundled** at build time: `app/bundled_settings.json`, written by
   `python -m app.configure --api-url https://…` before `flet build`;
4. the **default**, `http://127.0.0.1:8109` (a development backend on this machine).

A production build (developer menu off) talks only https (loopback excepted): `app.configure`
refuses to write anything else, and a bundled http URL edited in by hand is refused at start
with an error in the log — the app then uses the default and stays offline rather than send a
resident's phone number and tokens in clear text. No bundled file at all is a development
checkout: no built-in URL, the developer menu on.

The data directory: `APP_DATA_DIR`, then `FLET_APP_STORAGE_DATA` (set by `flet run` and on
phones), then a per-user data directory. `SYNC_PERIOD_S` sets how often the sync engine pulls
while online and nothing pushed a change (default 30 s, kept within 5–3600 s: a typo must not
turn the app into a battery drain or make it never pull).
"""

from __future__ import annotations

import importlib.metadata
import ipaddress
import json
import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

APP_NAME = "city109"
DEFAULT_API_URL = "http://127.0.0.1:8109"
DB_FILE_NAME = "app.db"
DEFAULT_SYNC_PERIOD_S = 30.0
SYNC_PERIOD_RANGE_S = (5.0, 3600.0)
BUNDLED_SETTINGS_PATH = Path(__file__).resolve().parent / "bundled_settings.json"
DEV_VERSION = "dev"

log = logging.getLogger(__name__)


class ApiUrlSource(StrEnum):
    """Where the server URL in use came from (shown on the developer screen)."""

    DEVICE = "device"
    ENV = "env"
    BUNDLED = "bundled"
    DEFAULT = "default"


class ApiUrlError(ValueError):
    """A server URL the app will not use; `reason` is `not_a_url`, `not_http` or `not_https`."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(text: str, *, https_only: bool) -> str:
    """`text` as a server base URL (no trailing slash), or `ApiUrlError`: an http(s) URL with a
    host and no credentials, query or fragment; with `https_only`, plain http only to loopback."""
    url = text.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number in range
    except ValueError:
        raise ApiUrlError("not_a_url", text) from None
    if parts.scheme.lower() not in ("http", "https"):
        reason = "not_http" if parts.scheme and parts.netloc else "not_a_url"
        raise ApiUrlError(reason, text)
    if not host or " " in url or parts.username or parts.query or parts.fragment:
        raise ApiUrlError("not_a_url", text)
    if https_only and parts.scheme.lower() == "http" and not is_loopback(host):
        raise ApiUrlError("not_https", text)
    return url.rstrip("/")


@dataclass(frozen=True)
class BundledSettings:
    """What `python -m app.configure` wrote into the build (`bundled_settings.json`)."""

    api_url: str | None = None
    developer_menu: bool = True  # no file: a development checkout
    version: str | None = None

    @classmethod
    def load(cls, path: Path = BUNDLED_SETTINGS_PATH) -> BundledSettings:
        """The file's settings; none (a development checkout) when there is no file. An
        unreadable file is a broken build: logged, and treated as production (no menu)."""
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.error("bundled settings %s unreadable (%s): none used", path, exc)
            return cls(developer_menu=False)
        if not isinstance(data, dict):
            log.error("bundled settings %s are not a JSON object: none used", path)
            return cls(developer_menu=False)
        url, version = data.get("api_url"), data.get("version")
        return cls(
            api_url=url if isinstance(url, str) and url else None,
            developer_menu=data.get("developer_menu") is True,
            version=version if isinstance(version, str) and version else None,
        )

    def checked_api_url(self) -> str | None:
        """The bundled URL if the build may use it (https unless a tester's build), else None
        (logged)."""
        if self.api_url is None:
            return None
        try:
            return check_api_url(self.api_url, https_only=not self.developer_menu)
        except ApiUrlError as exc:
            log.error(
                "bundled api_url %r refused (%s): a production build talks only https; using %s",
                self.api_url,
                exc.reason,
                DEFAULT_API_URL,
            )
            return None


def app_version(bundled: BundledSettings) -> str:
    """The version written into the build, else the installed package's, else `dev`."""
    if bundled.version:
        return bundled.version
    try:
        return importlib.metadata.version(APP_NAME)
    except importlib.metadata.PackageNotFoundError:
        return DEV_VERSION


def user_data_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The per-user data directory used when nobody said where the data goes."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    home = Path(env.get("HOME") or Path.home())
    if platform.startswith("win"):
        base = Path(env.get("APPDATA") or home / "AppData" / "Roaming")
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_NAME


@dataclass(frozen=True)
class AppConfig:
    api_url: str
    data_dir: Path
    sync_period_s: float = DEFAULT_SYNC_PERIOD_S
    api_url_source: ApiUrlSource = ApiUrlSource.DEFAULT
    developer_menu: bool = False  # the hidden developer screen may open (testers' builds)
    version: str = DEV_VERSION

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE_NAME

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, bundled: BundledSettings | None = None
    ) -> AppConfig:
        """Everything but the device's own override (that needs the local store: see
        `with_device_override`)."""
        env = os.environ if env is None else env
        bundled = BundledSettings.load() if bundled is None else bundled
        api_url, source = DEFAULT_API_URL, ApiUrlSource.DEFAULT
        if env.get("API_URL"):
            api_url, source = env["API_URL"].rstrip("/"), ApiUrlSource.ENV
        elif (built_in := bundled.checked_api_url()) is not None:
            api_url, source = built_in, ApiUrlSource.BUNDLED
        data_dir_text = env.get("APP_DATA_DIR") or env.get("FLET_APP_STORAGE_DATA")
        data_dir = Path(data_dir_text) if data_dir_text else user_data_dir(env)
        return cls(
            api_url=api_url,
            data_dir=data_dir.expanduser(),
            sync_period_s=sync_period(env.get("SYNC_PERIOD_S")),
            api_url_source=source,
            developer_menu=bundled.developer_menu,
            version=app_version(bundled),
        )

    def with_device_override(self, saved: str | None) -> AppConfig:
        """This configuration with the server URL a tester saved on the device, when there is
        one, the build has the developer menu, and it is still a URL (else logged, unchanged)."""
        if not saved:
            return self
        if not self.developer_menu:
            log.warning("a server URL saved on this device is ignored: not a tester's build")
            return self
        try:
            url = check_api_url(saved, https_only=False)
        except ApiUrlError as exc:
            log.warning("the server URL saved on this device is ignored (%s)", exc.reason)
            return self
        return replace(self, api_url=url, api_url_source=ApiUrlSource.DEVICE)


def sync_period(text: str | None) -> float:
    """`SYNC_PERIOD_S` as seconds; an unreadable value falls back to the default, an extreme
    one is brought into range (both logged)."""
    if not text:
        return DEFAULT_SYNC_PERIOD_S
    try:
        value = float(text)
    except ValueError:
        log.warning("SYNC_PERIOD_S=%r is not a number: using %s s", text, DEFAULT_SYNC_PERIOD_S)
        return DEFAULT_SYNC_PERIOD_S
    low, high = SYNC_PERIOD_RANGE_S
    if not low <= value <= high:  # NaN fails both comparisons and lands here too
        clamped = DEFAULT_SYNC_PERIOD_S if value != value else min(max(value, low), high)
        log.warning("SYNC_PERIOD_S=%s is outside %s–%s s: using %s s", text, low, high, clamped)
        return clamped
    return value
