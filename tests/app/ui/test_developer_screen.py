"""The developer screen and the version line build from their view model without a page, in
Kazakh and Russian; a production build shows only that the screen is not part of it."""

from __future__ import annotations

from dataclasses import replace

import flet as ft
import pytest

from app.composition import AppSession
from app.data.services.server_probe import ServerProbe
from app.ui.developer.screen import DeveloperScreen
from app.ui.developer.version_line import version_line
from app.ui.sign_in.screen import SignInScreen
from app.viewmodels.developer import DeveloperViewModel
from tests.app.ui.test_screens import texts, walk

pytestmark = pytest.mark.anyio


def in_a_testers_build(session: AppSession) -> DeveloperViewModel:
    """The developer view model of the session, as a tester's build has it."""
    return DeveloperViewModel(
        replace(session.config, developer_menu=True, version="1.2.3"),
        session.settings,
        session.navigation,
        check_server=ServerProbe().check,
        waiting_actions=lambda: 0,
    )


async def test_developer_screen_in_kazakh_and_russian(session: AppSession) -> None:
    vm = in_a_testers_build(session)
    await vm.load()
    vm.set_url("not a url")
    await vm.save()
    view = DeveloperScreen(session.app, vm, "/developer").build()
    shown = texts(view)
    assert {"Әзірлеуші баптаулары", "Сервер мекенжайы", "Тексеріп сақтау",
            "Кірістірілген серверге қайтару", "http://backend.test",
            "not a url"} <= shown  # fmt: skip
    assert "Қайдан алынған: әдепкі мән: бұл жинаққа сервер берілмеген" in shown
    assert any("сервер мекенжайы емес" in t for t in shown)  # the field's error
    session.translator.set_language("ru")
    shown = texts(DeveloperScreen(session.app, vm, "/developer").build())
    assert {"Настройки разработчика", "Адрес сервера", "Вернуть встроенный сервер",
            "not a url"} <= shown  # fmt: skip
    assert any("не адрес сервера" in t for t in shown)
    buttons = [c for c in walk(view) if isinstance(c, ft.Button | ft.TextButton)]
    assert buttons and all(isinstance(b.content, str) and b.content for b in buttons)


def test_a_production_build_shows_no_settings(session: AppSession) -> None:
    assert not session.developer.available  # the tests' config is no tester's build
    shown = texts(DeveloperScreen(session.app, session.developer, "/developer").build())
    assert "Бұл жинақта әзірлеуші баптаулары жоқ." in shown
    assert "Сервер мекенжайы" not in shown


async def test_version_line_on_sign_in_counts_taps(session: AppSession) -> None:
    vm = in_a_testers_build(session)
    view = SignInScreen(session.app, session.sign_in, "/", vm).build()
    assert "Нұсқа 1.2.3" in texts(view)
    line = version_line(session.translator, vm)
    assert isinstance(line, ft.Container) and line.on_click is not None
    for _ in range(7):
        await line.on_click(None)  # type: ignore[arg-type]
    assert session.navigation.history == ["/developer"]
