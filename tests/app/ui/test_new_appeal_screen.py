"""The new-appeal screen builds from its view model without a page, in kk and ru, keeps what
was typed when rebuilt after a language switch, and is reached from the Appeals tab."""

from __future__ import annotations

import flet as ft
import pytest

from app import routes
from app.composition import AppSession
from app.ui.home.screen import HomeScreen
from app.ui.new_appeal.screen import NewAppealScreen
from tests.app.ui.test_screens import texts, walk

pytestmark = pytest.mark.anyio


def screen(session: AppSession) -> NewAppealScreen:
    return NewAppealScreen(session.app, session.new_appeal, session.media_picker, "/appeals/new")


def test_route_stacks_on_the_appeals_tab() -> None:
    stack = routes.resolve("/appeals/new", signed_in=True)
    assert [(m.name, m.route) for m in stack] == [("home", "/"), ("new_appeal", "/appeals/new")]
    assert routes.resolve("/appeals/new", signed_in=False)[-1].name == "sign_in"


def test_form_in_kazakh_and_russian(session: AppSession) -> None:
    view = screen(session).build()
    assert view.route == "/appeals/new"
    assert {"Жаңа өтініш", "Не болды?", "Өтінішті жіберу", "Бұл төтенше жағдай", "Фото қосу",
            "Оқиға мекенжайы", "Санатты іздеу"} <= texts(view)  # fmt: skip
    session.translator.set_language("ru")
    view = screen(session).build()
    assert {"Новое обращение", "Что случилось?", "Отправить обращение", "Это экстренный случай",
            "Добавить фото", "Адрес происшествия", "Найти категорию"} <= texts(view)  # fmt: skip
    assert not any("ө" in t or "қ" in t for t in texts(view) if t != "Қазақша")


def test_typed_text_survives_a_language_switch(session: AppSession) -> None:
    first = screen(session)
    first.build()
    session.new_appeal.set_text("Жарық сөніп қалды")
    session.new_appeal.set_address("Сарыарқа 31")
    first.dispose()
    session.translator.set_language("ru")
    second = screen(session)
    second.build()
    assert second.details.text_field.value == "Жарық сөніп қалды"
    assert second.location.address_field.value == "Сарыарқа 31"


async def test_errors_and_emergency_step_render(session: AppSession) -> None:
    s = screen(session)
    view = s.build()
    await session.new_appeal.submit()
    s.render()
    assert s.details.text_field.error == "Мәселені сипаттаңыз."
    assert s.form_error.visible and s.form_error.value == "Белгіленген өрістерді тексеріңіз."
    session.new_appeal.start_emergency()
    session.new_appeal.choose_service("103")
    s.render()
    assert s.form.visible is False and s.emergency.box.visible is True
    shown = texts(view)
    assert "103 нөміріне қоңырау шалу" in shown
    assert "Жіберу: Жедел медициналық жәрдем (103)" in shown
    radios = [c for c in walk(s.emergency.box) if isinstance(c, ft.Radio)]  # not the types
    assert [r.value for r in radios] == ["101", "102", "103", "104", "112"]
    session.new_appeal.cancel_emergency()
    await session.new_appeal.settle()


async def test_appeals_tab_has_the_new_appeal_button(session: AppSession) -> None:
    view = HomeScreen(session.app, session.home, session.cabinet, "/", "appeals").build()
    fab = view.floating_action_button
    # named once, by its text (a tooltip too would be read twice)
    assert isinstance(fab, ft.FloatingActionButton) and fab.content == "Жаңа өтініш"
    assert fab.tooltip is None
    await session.home.open_new_appeal()
    assert session.navigation.history[-1] == "/appeals/new"
    cabinet = HomeScreen(session.app, session.home, session.cabinet, "/cabinet", "cabinet").build()
    assert cabinet.floating_action_button is None


async def test_the_type_is_a_radio_group_that_follows_the_view_model(
    session: AppSession,
) -> None:
    s = screen(session)
    view = s.build()
    group = s.details.type_group
    assert group.value == session.new_appeal.type == "incident"
    radios = [c.value for c in walk(group) if isinstance(c, ft.Radio)]
    assert radios == ["incident", "consultation", "proposal", "complaint", "gratitude"]
    assert "Алғыс" in texts(view)  # each type's name beside its radio
    group.value = "gratitude"  # what the page sends when the resident taps a radio
    await s.details._on_type()
    assert session.new_appeal.type == "gratitude"
    session.new_appeal.set_type("complaint")
    s.render()
    assert group.value == "complaint"
