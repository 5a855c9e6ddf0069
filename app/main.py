"""`main(page)`: the entry point of one page session (`flet run` uses it via pyproject's
`[tool.flet.app] module = "app.main"`; `python -m app` via the launcher): the session is built
for the page's platform, its lifecycle follows the page, the shell shows it, then it starts."""

from __future__ import annotations

import asyncio

import flet as ft

from app.composition import AppSession, build_session
from app.config import AppConfig
from app.ui.shell import Shell


async def main(page: ft.Page) -> None:
    config = AppConfig.from_env()
    session = await asyncio.to_thread(build_session, config, web=bool(page.web))
    follow_page(page, session)
    Shell(page, session).start()
    await session.start()


def follow_page(page: ft.Page, session: AppSession) -> None:
    """The session's background work follows the page: it pauses while the page is
    disconnected (web mode: a reload or a closed tab), resumes when it connects again, and
    stops for good when the page closes."""

    async def on_disconnect(e: ft.Event[ft.Page]) -> None:
        await session.pause()

    async def on_connect(e: ft.Event[ft.Page]) -> None:
        await session.resume()

    async def on_close(e: ft.Event[ft.Page]) -> None:
        await session.close()

    page.on_disconnect = on_disconnect
    page.on_connect = on_connect
    page.on_close = on_close


if __name__ == "__main__":  # `python app/main.py` / `flet run app/main.py`
    ft.run(main)
