"""A photo opened large in a dialog (zoom and pan), shared by the appeal detail and the
proposals of the Participation tab."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import Translator


def show_photo(page: Any, tr: Translator, data: bytes) -> None:
    dialog = ft.AlertDialog(
        content=ft.InteractiveViewer(content=ft.Image(src=data, fit=ft.BoxFit.CONTAIN)),
        actions=[ft.TextButton(content=tr.gettext("Close"), on_click=lambda e: page.pop_dialog())],
    )
    page.show_dialog(dialog)
