"""Small controls shared by screens."""

from __future__ import annotations

import flet as ft

from app.viewmodels.language import LanguageViewModel


def language_switch(vm: LanguageViewModel) -> ft.SegmentedButton:
    """Қазақша | Русский — switches the whole interface at once."""

    async def on_change(e: ft.Event[ft.SegmentedButton]) -> None:
        selected = e.control.selected
        if selected:
            await vm.choose(selected[0])

    return ft.SegmentedButton(
        segments=[ft.Segment(value=code, label=ft.Text(name)) for code, name in vm.choices],
        selected=[vm.current],
        show_selected_icon=False,
        on_change=on_change,
    )


def logo(size: int = 72) -> ft.Control:
    """The "109" mark: a circle of a fixed size whose number keeps its size at any text scale
    (Flutter's CircleAvatar does not scale its text; a larger text would be cut by the circle)."""
    return ft.CircleAvatar(
        content=ft.Text("109", size=size * 0.38, weight=ft.FontWeight.BOLD),
        radius=size / 2,
        bgcolor=ft.Colors.BLUE_700,
        color=ft.Colors.WHITE,
    )
