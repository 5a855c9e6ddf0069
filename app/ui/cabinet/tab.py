"""The Cabinet tab: who is signed in, the analytics of their appeals, links to personal data,
addresses and notification settings, the interface language, signing out and deleting this
device's data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app.i18n import Translator
from app.ui.cabinet.analytics import AnalyticsCard
from app.ui.developer.version_line import version_line
from app.ui.kit import on_click, run_soon
from app.ui.language_switch import language_switch
from app.viewmodels.cabinet import MSG_DELETE_WARNING, CabinetViewModel, unsent_message
from app.viewmodels.developer import DeveloperViewModel


def link(
    icon: ft.IconData, title: str, subtitle: str, action: Callable[[], Awaitable[Any]]
) -> ft.Control:
    """A tile that opens one of the cabinet's pages."""
    return ft.ListTile(
        leading=ft.Icon(icon),
        title=ft.Text(title),
        subtitle=ft.Text(subtitle),
        trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
        on_click=on_click(action),
    )


class CabinetPanel:
    """The body of the Cabinet tab (the home screen owns the view around it)."""

    def __init__(
        self, tr: Translator, vm: CabinetViewModel, developer: DeveloperViewModel | None = None
    ) -> None:
        self.tr = tr
        self.vm = vm
        self.developer = developer  # the version line's 7 taps open its screen
        _ = tr.gettext
        self.sign_out_button = ft.OutlinedButton(
            content=_("Sign out"), icon=ft.Icons.LOGOUT, on_click=on_click(self.vm.sign_out)
        )
        self.delete_button = ft.TextButton(
            content=_("Delete my data on this device"),
            icon=ft.Icons.DELETE_FOREVER_OUTLINED,
            style=ft.ButtonStyle(color=ft.Colors.ERROR),
            on_click=on_click(self.vm.ask_delete),
        )
        self.who = ft.Column(spacing=0)
        self.analytics = ft.Container()
        self.links = ft.Column(spacing=0)
        self.confirm = ft.Container(visible=False)
        self.notice = ft.Text(visible=False, color=ft.Colors.GREEN_800)

    def build(self) -> ft.Control:
        _ = self.tr.gettext
        self.render()
        run_soon(self.vm.load)
        return ft.Column(
            [
                ft.Card(content=self.who),
                self.notice,
                self.analytics,
                ft.Card(content=self.links),
                ft.Text(_("Interface language"), weight=ft.FontWeight.W_600),
                language_switch(self.vm.language),
                ft.Container(height=8),
                self.sign_out_button,
                self.delete_button,
                self.confirm,
                *([version_line(self.tr, self.developer)] if self.developer else []),
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        self.sign_out_button.disabled = vm.busy
        self.delete_button.disabled = vm.busy
        self.who.controls = [
            ft.ListTile(
                leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                title=ft.Text(vm.full_name or _("Name not given")),
                subtitle=ft.Text(_("Full name")),
            ),
            ft.ListTile(
                leading=ft.Icon(ft.Icons.PHONE_ANDROID),
                title=ft.Text(vm.phone),
                subtitle=ft.Text(_("Phone number")),
            ),
        ]
        self.analytics.content = (
            AnalyticsCard(tr, vm).build(vm.analytics) if vm.analytics is not None else None
        )
        self.links.controls = [
            link(ft.Icons.BADGE_OUTLINED, _("Personal data"), _("Name, phone, IIN"),
                 vm.open_personal),
            link(ft.Icons.HOME_WORK_OUTLINED, _("My addresses"),
                 _("Saved: {n}").format(n=vm.address_count), vm.open_addresses),
            link(ft.Icons.NOTIFICATIONS_ACTIVE_OUTLINED, _("Notification settings"),
                 _("Districts, topics, alert levels, statuses"), vm.open_notifications),
        ]  # fmt: skip
        self.notice.visible = vm.notice is not None
        self.notice.value = tr.render(vm.notice) or ""
        self.confirm.visible = vm.confirming_delete
        if vm.confirming_delete:
            texts: list[ft.Control] = [
                ft.Text(_("Delete the data on this device?"), weight=ft.FontWeight.W_600),
                ft.Text(_(MSG_DELETE_WARNING), size=13),
            ]
            if vm.unsent_actions:
                texts.append(
                    ft.Text(
                        tr.render(unsent_message(vm.unsent_actions)) or "",
                        size=13,
                        color=ft.Colors.ERROR,
                    )
                )
            texts.append(
                ft.Row(
                    [
                        ft.TextButton(content=_("Cancel"), on_click=self._on_cancel_delete),
                        ft.FilledButton(
                            content=_("Delete"),
                            style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR),
                            on_click=on_click(self.vm.delete_local_data),
                        ),
                    ],
                    alignment=ft.MainAxisAlignment.END,
                )
            )
            self.confirm.content = ft.Container(
                padding=12,
                border_radius=10,
                bgcolor=ft.Colors.RED_50,
                content=ft.Column(texts, spacing=8),
            )

    async def _on_cancel_delete(self) -> None:
        self.vm.cancel_delete()
