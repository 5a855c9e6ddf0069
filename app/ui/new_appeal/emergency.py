"""The emergency path of the new appeal: the banner on the form that opens it, and the step
itself (call the number now, which service, what will be sent, send or go back)."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.domain.phone import format_phone
from app.i18n import Message, Translator
from app.ui.kit import MUTED, toggle_row
from app.ui.new_appeal.parts import Step
from app.viewmodels.new_appeal import EMERGENCY_SERVICES, NewAppealViewModel


def _client_action(make: Any) -> Any:
    """A client action (tel: link, clipboard); None outside a page (they need its services)."""
    try:
        return make()
    except RuntimeError:
        return None


class EmergencyStep(Step):
    def __init__(
        self, tr: Translator, vm: NewAppealViewModel, form_error: ft.Text, progress: ft.ProgressBar
    ) -> None:
        super().__init__(tr, vm, form_error, progress)
        _ = tr.gettext
        self.emergency_button = ft.OutlinedButton(
            content=_("This is an emergency"),
            icon=ft.Icons.EMERGENCY_OUTLINED,
            style=ft.ButtonStyle(color=ft.Colors.RED_800),
            on_click=self._on_emergency,
        )
        self.service_group = ft.RadioGroup(content=ft.Column(spacing=0), on_change=self._on_service)
        self.summary = ft.Column(spacing=4)
        self.offline_note = ft.Container(visible=False)
        self.call_row = ft.Row(wrap=True, spacing=8)
        self.send_button = ft.FilledButton(
            icon=ft.Icons.SEND,
            style=ft.ButtonStyle(bgcolor=ft.Colors.RED_700, color=ft.Colors.WHITE),
            on_click=self._on_send,
        )
        self.service_error = ft.Text(color=ft.Colors.ERROR, size=12, visible=False)

    def banner(self) -> ft.Control:
        """The form's first block: "Is someone in danger right now?" and the button."""
        _ = self.tr.gettext
        self.service_group.content = ft.Column(
            [
                toggle_row(ft.Radio(value=code), f"{code} — {_(name)}")
                for code, name in EMERGENCY_SERVICES
            ],
            spacing=0,
        )
        return ft.Container(
            content=ft.Column(
                [
                    ft.Row(
                        [
                            ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.RED_700),
                            ft.Text(
                                _("Is someone in danger right now?"),
                                expand=True,
                                color=ft.Colors.RED_900,
                            ),
                        ]
                    ),
                    self.emergency_button,
                ],
                spacing=6,
                horizontal_alignment=ft.CrossAxisAlignment.START,
            ),
            bgcolor=ft.Colors.RED_50,
            border_radius=8,
            padding=ft.Padding.symmetric(horizontal=12, vertical=8),
        )

    def render(self) -> None:
        vm, tr, _ = self.vm, self.tr, self.tr.gettext
        number = vm.call_number
        self.service_group.value = vm.emergency_service
        self.service_error.value = tr.render(vm.errors.get("service")) or ""
        self.service_error.visible = "service" in vm.errors
        self.call_row.controls = [
            ft.FilledButton(
                content=_("Call {number}").format(number=number),
                icon=ft.Icons.CALL,
                action=_client_action(lambda: ft.OpenUrl(f"tel:{number}")),
                style=ft.ButtonStyle(bgcolor=ft.Colors.RED_700, color=ft.Colors.WHITE),
            ),
            ft.OutlinedButton(
                content=_("Copy the number"),
                icon=ft.Icons.COPY,
                action=_client_action(lambda: ft.CopyToClipboard(number)),
            ),
        ]
        self.offline_note.visible = vm.offline
        self.offline_note.content = ft.Row(
            [
                ft.Icon(ft.Icons.WIFI_OFF, color=ft.Colors.RED_900),
                ft.Text(
                    _(
                        "No connection to the server. The appeal will be sent as soon as the "
                        "connection returns. Call {number} now."
                    ).format(number=number),
                    color=ft.Colors.RED_900,
                    weight=ft.FontWeight.W_600,
                    expand=True,
                ),
            ]
        )
        self.offline_note.bgcolor = ft.Colors.RED_50
        self.offline_note.padding = 12
        self.offline_note.border_radius = 8
        self.summary.controls = self._summary_rows()
        service = vm.service_name()
        self.send_button.content = (
            _("Send to {service} ({number})").format(service=_(service), number=number)
            if service
            else _("Send to the emergency service")
        )
        self.send_button.disabled = vm.busy
        self.box.controls = [
            ft.Text(_("Emergency"), size=20, weight=ft.FontWeight.BOLD, color=ft.Colors.RED_800),
            ft.Text(
                _("If a life is in danger, call {number} right away.").format(number=number),
                weight=ft.FontWeight.W_600,
            ),
            self.call_row,
            self.offline_note,
            ft.Text(_("Which service?"), weight=ft.FontWeight.W_600),
            self.service_group,
            self.service_error,
            ft.Text(_("What will be sent"), weight=ft.FontWeight.W_600),
            ft.Card(content=ft.Container(content=self.summary, padding=12)),
            self._form_error,
            self._progress,
            self.send_button,
            ft.TextButton(
                content=_("Back to the form"), icon=ft.Icons.ARROW_BACK, on_click=self._on_cancel
            ),
        ]

    def _summary_rows(self) -> list[ft.Control]:
        vm, tr, _ = self.vm, self.tr, self.tr.gettext
        missing = _("not given")

        def row(label: str, value: str, error: Message | None = None) -> ft.Control:
            return ft.Column(
                [
                    ft.Text(label, size=12, color=MUTED),
                    ft.Text(value or missing),
                    *(
                        [ft.Text(tr.render(error) or "", color=ft.Colors.ERROR, size=12)]
                        if error
                        else []
                    ),
                ],
                spacing=0,
            )

        person = (
            ", ".join(x for x in (vm.applicant_name.strip(), format_phone(vm.phone)) if x)
            if vm.share_personal
            else _("not shared")
        )
        return [
            row(_("Text"), vm.text.strip(), vm.errors.get("text")),
            row(_("Location"), tr.render(vm.coordinates) or "", vm.errors.get("location")),
            row(_("Name and phone"), person),
            row(_("Incident address"), vm.address.strip()),
            row(_("Photos and videos"), str(len(vm.media))),
        ]

    # -- handlers -------------------------------------------------------------------------------

    async def _on_emergency(self) -> None:
        self.vm.start_emergency()

    async def _on_service(self) -> None:
        self.vm.choose_service(self.service_group.value or "")

    async def _on_cancel(self) -> None:
        self.vm.cancel_emergency()

    async def _on_send(self) -> None:
        await self.vm.send_emergency()
