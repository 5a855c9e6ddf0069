"""`/contacts`: emergency numbers and city services. On a phone one tap calls (`tel:`); on a
desktop or in a browser the number is copied, with a snackbar saying so."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.ui.kit import ModelScreen, bar_title, centered, named, run_soon
from app.ui.safety.widgets import is_phone
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.contacts import ContactsViewModel, ContactView


class ContactsScreen(ModelScreen[ContactsViewModel]):
    def __init__(self, app: AppViewModel, vm: ContactsViewModel, route: str) -> None:
        super().__init__(app, vm, route)
        self.mobile = is_phone()
        self.emergency = ft.Column(spacing=8)
        self.city = ft.Column(spacing=8)

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.render()
        run_soon(self.vm.start)
        hint = (
            _("Tap a number to call.")
            if self.mobile
            else _("Calls are made from a phone: the button copies the number.")
        )
        self.view = ft.View(
            route=self.route,
            scroll=ft.ScrollMode.AUTO,
            padding=ft.Padding.all(16),
            appbar=ft.AppBar(title=bar_title(_("Emergency contacts"))),
            controls=[
                centered(
                    ft.Text(hint, color=ft.Colors.ON_SURFACE_VARIANT),
                    ft.Text(_("Emergency services"), weight=ft.FontWeight.W_600, size=16),
                    self.emergency,
                    ft.Text(_("City services"), weight=ft.FontWeight.W_600, size=16),
                    self.city,
                    spacing=12,
                )
            ],
        )
        return self.view

    def render(self) -> None:
        self.emergency.controls = [self._row(c) for c in self.vm.emergency]
        self.city.controls = [self._row(c) for c in self.vm.city]

    def _row(self, c: ContactView) -> ft.Control:
        tr = self.tr
        # several services share a number (112, 109): the service is in each button's name
        call_label = f"{c.name}: {tr.render(c.call_label) or c.number}"
        copy_label = f"{c.name}: {tr.render(c.copy_label) or c.number}"
        number = ft.Text(
            c.number,
            size=26 if c.emergency else 18,
            weight=ft.FontWeight.BOLD,
            color=ft.Colors.RED_800 if c.emergency else ft.Colors.BLUE_800,
        )
        if self.mobile:
            main: ft.Control = ft.FilledButton(
                content=ft.Text(tr.gettext("Call"), semantics_label=call_label),
                icon=ft.Icons.CALL,
                action=ft.OpenUrl(c.call_url),
                style=ft.ButtonStyle(bgcolor=ft.Colors.GREEN_800, color=ft.Colors.WHITE),
            )
            side: ft.Control = named(
                ft.IconButton(
                    icon=ft.Icons.COPY,
                    action=ft.CopyToClipboard(c.number),
                    on_click=self._copied(c.number),
                ),
                copy_label,
            )
        else:
            main = ft.FilledTonalButton(
                content=ft.Text(tr.gettext("Copy"), semantics_label=copy_label),
                icon=ft.Icons.COPY,
                action=ft.CopyToClipboard(c.number),
                on_click=self._copied(c.number),
            )
            side = named(
                ft.IconButton(icon=ft.Icons.CALL, action=ft.OpenUrl(c.call_url)), call_label
            )
        return ft.Card(
            content=ft.Container(
                padding=ft.Padding.symmetric(horizontal=12, vertical=10),
                content=ft.Row(
                    [
                        *([number] if c.emergency else []),  # own width: "112" whole at 200 %
                        ft.Column(
                            [
                                ft.Text(c.name, weight=ft.FontWeight.W_600, size=15),
                                ft.Text(c.description, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                                ft.Row(
                                    [main, side] if c.emergency else [number, main, side],
                                    spacing=4,
                                    wrap=True,
                                    vertical_alignment=ft.CrossAxisAlignment.CENTER,
                                ),
                            ],
                            spacing=4,
                            expand=True,
                            tight=True,
                        ),
                    ],
                    spacing=8,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                ),
            )
        )

    def _copied(self, number: str) -> Any:
        async def handler(e: ft.Event[Any]) -> None:
            text = self.tr.render(self.vm.copy_done(number)) or number
            e.page.show_dialog(ft.SnackBar(content=ft.Text(text), duration=ft.Duration(seconds=3)))

        return handler
