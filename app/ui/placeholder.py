"""A section that is not built yet: its title and "coming soon"."""

from __future__ import annotations

import flet as ft

from app.i18n import Translator
from app.viewmodels.home import COMING_SOON, COMING_SOON_DETAILS


def coming_soon(tr: Translator, icon: ft.IconData) -> ft.Control:
    """The section's icon and "coming soon" (its title is in the app bar above)."""
    _ = tr.gettext
    return ft.Container(
        padding=ft.Padding.symmetric(vertical=48, horizontal=16),
        content=ft.Column(
            [
                ft.Icon(icon, size=56, color=ft.Colors.BLUE_600),
                ft.Text(
                    _(COMING_SOON),
                    size=20,
                    weight=ft.FontWeight.W_600,
                    text_align=ft.TextAlign.CENTER,
                ),
                ft.Text(
                    _(COMING_SOON_DETAILS),
                    color=ft.Colors.ON_SURFACE_VARIANT,
                    text_align=ft.TextAlign.CENTER,
                ),
            ],
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            spacing=12,
        ),
    )
