"""`/cabinet/personal`: the resident's name and IIN, and changing the phone number with an SMS
code (Flet only; `PersonalDataViewModel` holds the state)."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.ui.kit import MUTED, ModelScreen, note, on_click, page_view, run_soon
from app.viewmodels.personal import PersonalDataViewModel


class PersonalDataScreen(ModelScreen[PersonalDataViewModel]):
    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.name_field = ft.TextField(
            label=_("Full name"), max_length=200, on_change=self._on_name
        )
        self.iin_field = ft.TextField(
            label=_("IIN (optional)"),
            helper=_("12 digits; checked on this phone"),
            keyboard_type=ft.KeyboardType.NUMBER,
            on_change=self._on_iin,
            on_blur=self._on_iin_blur,
        )
        self.save_button = ft.FilledButton(
            content=_("Save"), icon=ft.Icons.SAVE, on_click=on_click(self.vm.save)
        )
        self.notice = note(None)
        self.refused = ft.Container(visible=False)
        self.phone_tile = ft.ListTile(
            leading=ft.Icon(ft.Icons.PHONE_ANDROID), subtitle=ft.Text(_("Phone number"))
        )
        self.change_button = ft.OutlinedButton(
            content=_("Change the number"), icon=ft.Icons.EDIT, on_click=self._on_start_change
        )
        self.new_phone_field = ft.TextField(
            label=_("New phone number"),
            keyboard_type=ft.KeyboardType.PHONE,
            on_change=self._on_new_phone,
        )
        self.code_field = ft.TextField(
            label=_("Code from the SMS"),
            keyboard_type=ft.KeyboardType.NUMBER,
            max_length=6,
            on_change=self._on_code,
        )
        self.request_button = ft.FilledTonalButton(
            content=_("Get a code"), on_click=on_click(self.vm.request_code)
        )
        self.verify_button = ft.FilledButton(
            content=_("Confirm"), on_click=on_click(self.vm.verify_code)
        )
        self.cancel_button = ft.TextButton(content=_("Cancel"), on_click=self._on_cancel_change)
        self.phone_notice = note(None, MUTED)
        self.change_box = ft.Column(
            [
                ft.Text(_("A code will be sent to the new number."), size=13, color=MUTED),
                self.new_phone_field,
                self.request_button,
                self.phone_notice,
                self.code_field,
                ft.Row(
                    [self.cancel_button, self.verify_button], alignment=ft.MainAxisAlignment.END
                ),
            ],
            spacing=10,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.render()
        run_soon(self.vm.load)
        self.view = page_view(
            self.route,
            _("Personal data"),
            self.name_field,
            self.iin_field,
            self.save_button,
            self.notice,
            self.refused,
            ft.Divider(),
            self.phone_tile,
            self.change_button,
            self.change_box,
        )
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        if self.inputs_rewritten(vm.input_revision):
            self.name_field.value = vm.name_text
            self.iin_field.value = vm.iin_text
            self.new_phone_field.value = vm.new_phone_text
            self.code_field.value = vm.code_text
        self.name_field.error = tr.render(vm.name_error)
        self.iin_field.error = tr.render(vm.iin_error)
        self.notice.value = tr.render(vm.notice) or ""
        self.notice.visible = vm.notice is not None
        self.refused.visible = vm.refused is not None
        if vm.refused is not None:
            self.refused.content = ft.Row(
                [
                    ft.Text(tr.render(vm.refused) or "", color=ft.Colors.ERROR, expand=True),
                    ft.TextButton(content=_("OK"), on_click=on_click(self.vm.dismiss_refusal)),
                ]
            )
        self.phone_tile.title = ft.Text(vm.phone_shown)
        self.change_button.visible = not vm.changing_phone
        self.change_box.visible = vm.changing_phone
        self.new_phone_field.error = tr.render(vm.phone_error)
        self.code_field.error = tr.render(vm.code_error)
        self.code_field.visible = vm.new_phone is not None
        self.verify_button.visible = vm.new_phone is not None
        self.phone_notice.value = tr.render(vm.phone_notice) or ""
        self.phone_notice.visible = vm.phone_notice is not None
        for button in (self.save_button, self.request_button, self.verify_button):
            button.disabled = vm.busy

    async def _on_name(self, e: Any) -> None:
        self.vm.set_name(e.control.value or "")

    async def _on_iin(self, e: Any) -> None:
        self.vm.set_iin(e.control.value or "")

    async def _on_iin_blur(self, e: Any) -> None:
        if not self.vm.check_iin():
            self.vm.notify()

    async def _on_start_change(self) -> None:
        self.vm.start_phone_change()

    async def _on_cancel_change(self) -> None:
        self.vm.reset_phone_change()

    async def _on_new_phone(self, e: Any) -> None:
        self.vm.set_new_phone(e.control.value or "")

    async def _on_code(self, e: Any) -> None:
        self.vm.set_code(e.control.value or "")
