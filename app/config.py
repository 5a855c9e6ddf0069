"""The client's configuration: backend URL and the private data directory.

Read from the environment so that `python -m app`, `flet run` and packaged phone builds all
resolve it the same way: `API_URL`, `APP_DATA_DIR`, then `FLET_APP_STORAGE_DATA` (set by
`flet run` and on phones), then a per-user data directory. `SYNC_PERIOD_S` sets how often the
sync engine pulls while online and nothing pushed a change (default 30 s, kept within 5–3600 s:
a typo must not turn the app into a battery drain or make it never pull).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "city109"
DEFAULT_API_URL = "http://127.0.0.1:8109"
DB_FILE_NAME = "app.db"
DEFAULT_SYNC_PERIOD_S = 30.0
SYNC_PERIOD_RANGE_S = (5.0, 3600.0)

log = logging.getLogger(__name__)


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

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE_NAME

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AppConfig:
        env = os.environ if env is None else env
        api_url = (env.get("API_URL") or DEFAULT_API_URL).rstrip("/")
        data_dir_text = env.get("APP_DATA_DIR") or env.get("FLET_APP_STORAGE_DATA")
        data_dir = Path(data_dir_text) if data_dir_text else user_data_dir(env)
        return cls(
            api_url=api_url,
            data_dir=data_dir.expanduser(),
            sync_period_s=sync_period(env.get("SYNC_PERIOD_S")),
        )


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
