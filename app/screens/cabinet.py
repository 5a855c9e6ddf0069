"""The personal cabinet tab: phone, interface language, sign out."""

from __future__ import annotations

import flet as ft

from app.i18n import Translator
from app.screens.widgets import language_switch
from app.viewmodels.cabinet import CabinetViewModel


class CabinetPanel:
    """The body of the Cabinet tab (the home screen owns the view around it)."""

    def __init__(self, tr: Translator, vm: CabinetViewModel) -> None:
        self.tr = tr
        self.vm = vm
        _ = tr.gettext
        self.sign_out_button = ft.OutlinedButton(
            content=_("Sign out"), icon=ft.Icons.LOGOUT, on_click=self._on_sign_out
        )
        self.phone_tile = ft.ListTile(
            leading=ft.Icon(ft.Icons.PHONE_ANDROID),
            title=ft.Text(vm.phone),
            subtitle=ft.Text(_("Phone number")),
        )

    def build(self) -> ft.Control:
        _ = self.tr.gettext
        rows: list[ft.Control] = [self.phone_tile]
        if self.vm.full_name:
            rows.insert(
                0,
                ft.ListTile(
                    leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                    title=ft.Text(self.vm.full_name),
                    subtitle=ft.Text(_("Full name")),
                ),
            )
        self.render()
        return ft.Column(
            [
                ft.Card(content=ft.Column(rows, spacing=0)),
                ft.Text(_("Interface language"), weight=ft.FontWeight.W_600),
                language_switch(self.vm.language),
                ft.Container(height=8),
                self.sign_out_button,
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def render(self) -> None:
        self.sign_out_button.disabled = self.vm.busy
        self.phone_tile.title = ft.Text(self.vm.phone)

    async def _on_sign_out(self) -> None:
        await self.vm.sign_out()
