"""The small pieces of the Participation tab: a coloured state chip, "you support this", and a
button's text that names the item the button acts on."""

from __future__ import annotations

import flet as ft

STATE_COLORS: dict[str, str] = {
    "proposed": ft.Colors.BLUE_100,
    "in_progress": ft.Colors.AMBER_100,
    "done": ft.Colors.GREEN_100,
    "rejected": ft.Colors.RED_100,
    "pending": ft.Colors.AMBER_100,
    "published": ft.Colors.GREEN_100,
}


def chip(text: str, color: str) -> ft.Control:
    return ft.Container(
        content=ft.Text(text, size=12, weight=ft.FontWeight.W_500),
        bgcolor=color,
        border_radius=12,
        padding=ft.Padding.symmetric(horizontal=10, vertical=3),
    )


def supported_mark(text: str) -> ft.Control:
    """ "You support this": said once, not a button that does nothing."""
    return ft.Row(
        [
            ft.Icon(ft.Icons.FAVORITE, size=18, color=ft.Colors.RED_400),
            ft.Text(text, weight=ft.FontWeight.W_500),
        ],
        tight=True,
        spacing=6,
    )


def named_text(text: str, name: str) -> ft.Text:
    """A button's short text, read by a screen reader as `name` (which says the item: a list of
    cards must not offer ten buttons all called "Vote"); the button takes it as its name."""
    return ft.Text(text, semantics_label=name)
