"""The app's version line (the cabinet, sign-in): tapped 7 times in a tester's build, it opens
the developer screen (`DeveloperViewModel.tap_version` counts)."""

from __future__ import annotations

import flet as ft

from app.i18n import Translator
from app.ui.kit import MUTED, on_click
from app.viewmodels.developer import DeveloperViewModel


def version_line(tr: Translator, vm: DeveloperViewModel) -> ft.Control:
    text = tr.gettext("Version {version}").format(version=vm.version)
    return ft.Container(
        content=ft.Text(text, size=12, color=MUTED, text_align=ft.TextAlign.CENTER),
        padding=ft.Padding.symmetric(vertical=8),
        alignment=ft.Alignment.CENTER,
        on_click=on_click(vm.tap_version),
    )
