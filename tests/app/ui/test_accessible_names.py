"""Names a screen reader reads, as the controls carry them (the browser's side is walked by
`tests/e2e/test_semantics_e2e.py`): an icon-only button is named on itself (`named`), a given
rating is one text, not five disabled buttons, and a dropdown says its label and its value."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import flet as ft
import pytest

from app.composition import AppSession
from app.domain.appeals import NewAppeal
from app.ui.appeals.detail_screen import AppealScreen
from app.ui.kit import name_dropdown, named, toggle_row
from app.ui.new_appeal.screen import NewAppealScreen
from tests.app.data.test_appeals_repository import server_appeal
from tests.app.support.sync_harness import SyncSide
from tests.app.ui.test_appeal_screens import seed

pytestmark = pytest.mark.anyio


def with_parents(obj: Any, parent: Any = None) -> Iterator[tuple[Any, Any]]:
    """Every control under `obj` with the control it sits in."""
    if isinstance(obj, list | tuple):
        for item in obj:
            yield from with_parents(item, parent)
    elif isinstance(obj, ft.BaseControl):
        yield obj, parent
        for f in dataclasses.fields(obj):
            if not f.name.startswith("_") and f.name != "parent":
                yield from with_parents(getattr(obj, f.name, None), obj)


def unnamed_icon_buttons(view: ft.Control) -> list[ft.IconButton]:
    """Icon buttons a reader would meet without a name: not merged with their tooltip, nor
    showing an icon with a label of its own."""
    return [
        c
        for c, parent in with_parents(view)
        if isinstance(c, ft.IconButton)
        and not isinstance(parent, ft.MergeSemantics)
        and not (isinstance(c.icon, ft.Icon) and c.icon.semantics_label)
    ]


def test_named_merges_the_tooltip_into_the_button_itself() -> None:
    button = ft.IconButton(icon=ft.Icons.SYNC)
    wrapped = named(button, "Қазір синхрондау")
    assert isinstance(wrapped, ft.MergeSemantics) and wrapped.content is button
    assert button.tooltip == "Қазір синхрондау"


def test_a_dropdown_is_named_by_its_label_and_its_choice() -> None:
    options = [ft.DropdownOption(key="yesil", text="Есіл"), ft.DropdownOption(key="nura")]
    dropdown = ft.Dropdown(label="Аудан", options=options)
    name_dropdown(dropdown, "Аудан")
    assert dropdown.tooltip == "Аудан"
    dropdown.value = "yesil"
    name_dropdown(dropdown, "Аудан")
    assert dropdown.tooltip == "Аудан: Есіл"
    dropdown.value = "nura"  # an option with no text of its own says its key
    name_dropdown(dropdown, "Аудан")
    assert dropdown.tooltip == "Аудан: nura"


async def test_stars_to_choose_are_named_buttons_and_a_given_rating_is_one_text(
    session: AppSession,
) -> None:
    seed(session)
    vm = session.appeal_detail("31")
    await vm.load()
    view = AppealScreen(session.app, vm, session.sync_status, None, "/appeals/31").build()
    assert unnamed_icon_buttons(view) == []
    stars = [c.tooltip for c, _p in with_parents(view) if isinstance(c, ft.IconButton)]
    assert {"5-тен 1", "5-тен 5"} <= set(stars)

    rated = session.appeals.file_sync(
        NewAppeal(text="Шам жанбайды", subclass_code="01.01", address="Абай 2")
    )
    entry = next(e for e in session.appeals.outbox.entries() if e.target_client_id == rated)
    SyncSide(session.appeals).complete(
        entry, appeal=server_appeal(rated, 32, status="closed", rating=4, result_text="Болды")
    )
    vm = session.appeal_detail("32")
    await vm.load()
    view = AppealScreen(session.app, vm, session.sync_status, None, "/appeals/32").build()
    given = [c for c, _p in with_parents(view) if isinstance(c, ft.Semantics) and c.label]
    assert any(s.label == "Сіздің бағаңыз: 5-тен 4" and s.exclude_semantics for s in given)
    icons = [c for c, _p in with_parents(view) if isinstance(c, ft.IconButton)]
    assert not [b for b in icons if b.icon in (ft.Icons.STAR, ft.Icons.STAR_BORDER)]
    assert unnamed_icon_buttons(view) == []


def test_a_toggle_is_one_node_named_by_a_label_that_wraps() -> None:
    switch, box = ft.Switch(), ft.Checkbox(disabled=True)
    row = toggle_row(switch, "Тек менің аудандарым мен тақырыптарым")
    tile = row.content
    assert isinstance(row, ft.MergeSemantics) and isinstance(tile, ft.ListTile)
    assert tile.trailing is switch and tile.leading is None  # a switch after its label
    assert tile.toggle_inputs  # a tap on the label toggles it
    assert isinstance(tile.title, ft.Text) and tile.title.value.startswith("Тек менің")
    assert switch.label is None  # its own label would be read and laid out on one line
    tile = toggle_row(box, "Төмен").content
    assert isinstance(tile, ft.ListTile) and tile.leading is box and tile.disabled


async def test_the_toggles_of_the_new_appeal_form_wrap_their_labels(
    session: AppSession,
) -> None:
    view = NewAppealScreen(
        session.app, session.new_appeal, session.media_picker, "/appeals/new"
    ).build()
    session.new_appeal.start_emergency()  # the services to choose from are drawn
    toggles = [
        (c, parent)
        for c, parent in with_parents(view)
        if isinstance(c, ft.Switch | ft.Checkbox | ft.Radio)
    ]
    assert len(toggles) == 11  # five types of appeal, share my name and phone, five services
    for toggle, parent in toggles:
        assert not toggle.label, toggle
        assert isinstance(parent, ft.ListTile) and isinstance(parent.title, ft.Text), toggle
    await session.new_appeal.settle()
