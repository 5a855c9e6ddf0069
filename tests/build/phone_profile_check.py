"""Run inside the phone-profile venv (`test_phone_profile.py`), from a copy of the phone bundle:
no system time-zone database, only the client's own dependencies installed. Imports every module
of the client and builds a page session through the composition root, with no server (every
request is refused), starts it, shows a time in both languages, closes it. Prints `PHONE OK`.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
import tempfile
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path

import httpx


def no_time_zone_database() -> None:
    """The profile is what Android gives Python: no zone can be looked up."""
    try:
        zoneinfo.ZoneInfo("Asia/Almaty")
    except zoneinfo.ZoneInfoNotFoundError:
        return
    sys.exit("the profile has a time-zone database (system or tzdata): it proves nothing")


def import_everything() -> int:
    import app

    names = [m.name for m in pkgutil.walk_packages(app.__path__, "app.")]
    for name in names:
        importlib.import_module(name)
    return len(names)


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no server in the phone profile", request=request)


async def session_without_server(data_dir: Path) -> None:
    from app.composition import build_session
    from app.config import AppConfig
    from app.viewmodels.dates import format_when

    config = AppConfig(api_url="http://server.invalid", data_dir=data_dir)
    session = await asyncio.to_thread(
        build_session, config, web=False, transport=httpx.MockTransport(refuse)
    )
    await session.start()
    moment = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)
    for lang in ("kk", "ru"):
        assert "09:30" in format_when(moment, lang), lang
        assert "09:30" in format_when(moment, lang, short=True), lang
    await session.close()
    session.db.close()


def main() -> None:
    no_time_zone_database()
    count = import_everything()
    with tempfile.TemporaryDirectory() as data:
        asyncio.run(session_without_server(Path(data)))
    print(f"PHONE OK: {count} modules imported, a session built, started and closed")


if __name__ == "__main__":
    main()
