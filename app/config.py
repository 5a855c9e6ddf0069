"""The client's configuration: backend URL and the private data directory.

Read from the environment so that `python -m app`, `flet run` and packaged phone builds all
resolve it the same way: `API_URL`, `APP_DATA_DIR`, then `FLET_APP_STORAGE_DATA` (set by
`flet run` and on phones), then a per-user data directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "city109"
DEFAULT_API_URL = "http://127.0.0.1:8109"
DB_FILE_NAME = "app.db"


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

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE_NAME

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AppConfig:
        env = os.environ if env is None else env
        api_url = (env.get("API_URL") or DEFAULT_API_URL).rstrip("/")
        data_dir_text = env.get("APP_DATA_DIR") or env.get("FLET_APP_STORAGE_DATA")
        data_dir = Path(data_dir_text) if data_dir_text else user_data_dir(env)
        return cls(api_url=api_url, data_dir=data_dir.expanduser())
