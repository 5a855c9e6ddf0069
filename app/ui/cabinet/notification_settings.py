"""`/cabinet/notifications`: the districts and topics of notices, the alert levels, sending the
approximate location for alerts (with what is sent and why) and the status updates a resident
receives (Flet only; the view models hold the state)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app.ui.kit import MUTED, ModelScreen, chip_text, note, page_view, run_soon, toggle_row
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.notices import Choice, NoticePrefsViewModel
from app.viewmodels.notification_settings import (
    MSG_EXTREME_ALWAYS,
    MSG_POSITION_PRIVACY,
    MSG_SHARE_POSITION,
    AlertSettingsViewModel,
    save_report,
)


def choice_chips(choices: list[Choice], toggle: Callable[[str], None]) -> ft.Control:
    """A wrapping row of selectable chips, one per choice."""

    def handler(code: str) -> Callable[[Any], Awaitable[None]]:
        async def select(e: Any) -> None:
            toggle(code)

        return select

    return ft.Row(
        [ft.Chip(label=chip_text(c.name), selected=c.selected, on_select=handler(c.code))
         for c in choices],
        wrap=True,
        spacing=6,
    )  # fmt: skip


class NotificationSettingsScreen(ModelScreen[AlertSettingsViewModel]):
    """Districts and topics of notices (the notices feature's choice), alert levels and status
    updates (the cabinet's)."""

    def __init__(
        self,
        app: AppViewModel,
        vm: AlertSettingsViewModel,
        notices: NoticePrefsViewModel | None,
        route: str,
    ) -> None:
        super().__init__(app, vm, route)
        self.notices = notices
        if notices is not None:
            self.watch(notices)
            notices.reset()

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.notice_box = ft.Column(spacing=6)
        self.levels = ft.Column(spacing=0)
        self.status_switch = ft.Switch(on_change=self._on_status)
        self.position_switch = ft.Switch(on_change=self._on_position)
        position_part: list[ft.Control] = [
            ft.Text(_("Location for alerts"), size=16, weight=ft.FontWeight.W_600),
            toggle_row(self.position_switch, _(MSG_SHARE_POSITION)),
            ft.Text(_(MSG_POSITION_PRIVACY), size=13, color=MUTED),
            ft.Divider(),
        ]
        self.save_button = ft.FilledButton(
            content=_("Save"), icon=ft.Icons.SAVE, on_click=self._on_save
        )
        self.saved = note(None)
        self.render()
        run_soon(self.vm.load)
        self.view = page_view(
            self.route,
            _("Notification settings"),
            self.notice_box,
            ft.Divider(),
            ft.Text(_("Emergency alerts"), size=16, weight=ft.FontWeight.W_600),
            ft.Text(_(MSG_EXTREME_ALWAYS), size=13, color=MUTED),
            self.levels,
            ft.Divider(),
            *(position_part if self.vm.has_position_switch else []),
            ft.Text(_("My appeals"), size=16, weight=ft.FontWeight.W_600),
            toggle_row(self.status_switch, _("Status changes of my appeals")),
            self.save_button,
            self.saved,
        )
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        self.levels.controls = [
            toggle_row(
                ft.Checkbox(
                    value=chosen, disabled=not changeable, on_change=self._level_handler(code)
                ),
                _(name),
            )
            for code, name, chosen, changeable in vm.level_choices
        ]
        self.status_switch.value = vm.status_updates
        self.position_switch.value = vm.shares_position
        self.save_button.disabled = vm.saving or bool(self.notices and self.notices.saving)
        report = save_report(vm.notice, self.notices.status if self.notices else None)
        self.saved.value = tr.render(report) or ""
        self.saved.visible = report is not None
        self.notice_box.controls = self._notice_choices()

    def _notice_choices(self) -> list[ft.Control]:
        _ = self.tr.gettext
        prefs = self.notices
        if prefs is None:
            return []
        rows: list[ft.Control] = [
            ft.Text(_("Planned works and events"), size=16, weight=ft.FontWeight.W_600),
            ft.Text(_("None chosen means all."), size=13, color=MUTED),
            ft.Text(_("Districts"), weight=ft.FontWeight.W_500),
            choice_chips(prefs.district_choices, prefs.toggle_district),
            ft.Text(_("Topics"), weight=ft.FontWeight.W_500),
            choice_chips(prefs.topic_choices, prefs.toggle_topic),
        ]
        if prefs.error is not None:
            rows.append(ft.Text(self.tr.render(prefs.error) or "", color=ft.Colors.ERROR))
        return rows

    def _level_handler(self, code: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            self.vm.toggle_level(code, bool(e.control.value))

        return handler

    async def _on_position(self, e: Any) -> None:
        await self.vm.set_shares_position(bool(e.control.value))

    async def _on_status(self, e: Any) -> None:
        self.vm.set_status_updates(bool(e.control.value))

    async def _on_save(self) -> None:
        await self.vm.save()
        if self.notices is not None:
            await self.notices.save()
