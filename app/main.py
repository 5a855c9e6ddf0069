"""`main(page)`: the entry point of one page session (`flet run` uses it via pyproject's
`[tool.flet.app] module = "app.main"`; `python -m app` via the launcher)."""

from __future__ import annotations

import asyncio
import logging

import flet as ft

from app.composition import build_session
from app.config import AppConfig
from app.ui.shell import Shell

log = logging.getLogger(__name__)


async def main(page: ft.Page) -> None:
    config = AppConfig.from_env()
    session = await asyncio.to_thread(build_session, config)
    shell = Shell(page, session)
    await shell.start()


if __name__ == "__main__":  # `python app/main.py` / `flet run app/main.py`
    ft.run(main)
