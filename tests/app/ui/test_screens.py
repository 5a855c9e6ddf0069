"""Screens build from view models without a page (Flet controls are plain dataclasses), show
the current language, and keep what was typed when rebuilt after a language switch."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import flet as ft
import pytest

from app.composition import AppSession
from app.ui.appeals.detail_screen import AppealScreen
from app.ui.home.screen import HomeScreen
from app.ui.sign_in.screen import SignInScreen
from tests.app.conftest import CODE, PHONE

pytestmark = pytest.mark.anyio


def walk(obj: Any, seen: set[int] | None = None) -> Iterator[Any]:
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, list | tuple):
        for item in obj:
            yield from walk(item, seen)
    elif isinstance(obj, ft.BaseControl):
        yield obj
        for f in dataclasses.fields(obj):
            if not f.name.startswith("_") and f.name != "parent":
                yield from walk(getattr(obj, f.name, None), seen)


def texts(view: ft.View) -> set[str]:
    out: set[str] = set()
    for c in walk(view):
        for attr in ("value", "label", "content", "error", "hint_text"):
            v = getattr(c, attr, None)
            if isinstance(v, str) and v:
                out.add(v)
    return out


def test_sign_in_screen_in_kazakh_and_russian(session: AppSession) -> None:
    view = SignInScreen(session.app, session.sign_in, "/").build()
    assert view.route == "/"
    assert {"Телефон нөмірі", "Код алу", "Қазақша", "Русский"} <= texts(view)
    session.translator.set_language("ru")
    view = SignInScreen(session.app, session.sign_in, "/").build()
    assert {"Номер телефона", "Получить код", "Городской контакт-центр 109"} <= texts(view)


async def test_rebuilt_sign_in_screen_keeps_input_and_translates_the_error(
    session: AppSession,
) -> None:
    session.sign_in.set_phone("8 701")
    await session.sign_in.submit_phone()
    await session.language.choose("ru")
    screen = SignInScreen(session.app, session.sign_in, "/")
    screen.build()
    assert screen.phone_field.value == "8 701"
    assert screen.phone_field.error == (
        "Введите казахстанский мобильный номер, например +7 701 123 45 67."
    )
    assert screen.code_step.visible is False
    screen.dispose()


async def test_code_step_shows_where_the_code_went(session: AppSession) -> None:
    session.sign_in.set_phone(PHONE)
    await session.sign_in.submit_phone()
    screen = SignInScreen(session.app, session.sign_in, "/")
    view = screen.build()
    assert screen.phone_step.visible is False and screen.code_step.visible is True
    assert "Кодты +7 701 123 45 67 нөміріне жібердік." in texts(view)
    session.sign_in.dispose()


async def test_home_tabs_and_cabinet(session: AppSession) -> None:
    await session.auth.request_code(PHONE)
    await session.auth.verify_code(PHONE, CODE)
    view = HomeScreen(session.app, session.home, session.cabinet, "/cabinet", "cabinet").build()
    bar = view.navigation_bar
    assert isinstance(bar, ft.NavigationBar)
    assert bar.selected_index == 4
    assert [d.label for d in bar.destinations] == [
        "Өтініштер", "Ескертулер", "Хабарлар", "Қатысу", "Кабинет"
    ]  # fmt: skip
    assert {"+7 701 123 45 67", "Шығу", "Интерфейс тілі"} <= texts(view)
    alerts = HomeScreen(session.app, session.home, session.cabinet, "/alerts", "alerts").build()
    assert "Жақында" in texts(alerts)


async def test_appeal_deep_link_to_an_unknown_appeal(session: AppSession) -> None:
    session.translator.set_language("ru")
    vm = session.appeal_detail("42")
    await vm.load()
    view = AppealScreen(session.app, vm, session.sync_status, None, "/appeals/42").build()
    assert "Обращение № 42" in texts(view)


def test_render_does_not_overwrite_keys_in_flight(session: AppSession) -> None:
    """A countdown tick re-renders while newer keys are on their way from the browser."""
    screen = SignInScreen(session.app, session.sign_in, "/")
    screen.build()
    session.sign_in.set_phone("8 70")
    screen.phone_field.value = "8 701"  # the browser already has one more digit
    screen.render()
    assert screen.phone_field.value == "8 701"
    session.sign_in.reset()  # the view model rewrites the text: now it is pushed
    screen.render()
    assert screen.phone_field.value == ""
    screen.dispose()
