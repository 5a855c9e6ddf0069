"""`main(page)`: the entry point of one page session (`flet run` and built phone apps reach it
through the root `main.py`; `python -m app` through the launcher): the session is built for the
page's platform, speaks the device's language until the resident chooses one, its lifecycle
follows the page, its sign-in is restored, the shell shows it, then it starts."""

from __future__ import annotations

import asyncio
import logging

import flet as ft

from app.composition import AppSession, build_session
from app.config import AppConfig
from app.data.services.device import preferred_locales
from app.ui.shell import Shell

log = logging.getLogger(__name__)


async def main(page: ft.Page) -> None:
    log.info("a page session starts")  # web: a reload that found its session keeps it instead
    config = await asyncio.to_thread(AppConfig.from_env)  # reads the bundled settings file
    session = await asyncio.to_thread(build_session, config, web=bool(page.web))
    await session.language.follow_device(await preferred_locales(page))
    follow_page(page, session)
    await session.restore_sign_in()  # the first screen's requests carry the tokens
    Shell(page, session).start()
    await session.start()


def follow_page(page: ft.Page, session: AppSession) -> None:
    """The session's background work follows the page: it pauses while the page is
    disconnected (web mode: a reload or a closed tab), resumes when it connects again, and
    stops for good when the page closes; it knows whether the app is in the foreground."""

    async def on_disconnect(e: ft.Event[ft.Page]) -> None:
        await session.pause()

    async def on_connect(e: ft.Event[ft.Page]) -> None:
        await session.resume()

    async def on_close(e: ft.Event[ft.Page]) -> None:
        await session.close()

    page.on_disconnect = on_disconnect
    page.on_connect = on_connect
    page.on_close = on_close

    def on_lifecycle(e: ft.AppLifecycleStateChangeEvent) -> None:
        session.foreground(e.state == ft.AppLifecycleState.RESUME)

    page.on_app_lifecycle_state_change = on_lifecycle
