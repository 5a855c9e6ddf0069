"""Sign-in: phone number, then the 6-digit SMS code (and, after the server ended a session, what
waits on the phone; or whose data it keeps when another account signs in)."""

from __future__ import annotations

import flet as ft

from app.i18n import Message, Translator
from app.ui.developer.version_line import version_line
from app.ui.kit import ModelScreen, centered
from app.ui.language_switch import language_switch, logo
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.developer import DeveloperViewModel
from app.viewmodels.sign_in import SignInViewModel


class SignInScreen(ModelScreen[SignInViewModel]):
    def __init__(
        self,
        app: AppViewModel,
        vm: SignInViewModel,
        route: str,
        developer: DeveloperViewModel | None = None,
    ) -> None:
        super().__init__(app, vm, route)
        self.app = app
        self.developer = developer  # the version line's 7 taps open its screen
        _ = self.tr.gettext

        self.phone_field = ft.TextField(
            label=_("Phone number"),
            hint_text="+7 7XX XXX XX XX",
            prefix_icon=ft.Icons.PHONE_ANDROID,
            keyboard_type=ft.KeyboardType.PHONE,
            autofill_hints=ft.AutofillHint.TELEPHONE_NUMBER,
            input_filter=ft.InputFilter(regex_string=r"^[0-9+()\- ]*$"),
            error_max_lines=3,
            on_change=self._on_phone_change,
            on_submit=self._on_phone_submit,
        )
        self.phone_button = ft.FilledButton(
            content=_("Get code"), icon=ft.Icons.SMS_OUTLINED, on_click=self._on_phone_submit
        )
        self.code_field = ft.TextField(
            label=_("Code from SMS"),
            keyboard_type=ft.KeyboardType.NUMBER,
            autofill_hints=ft.AutofillHint.ONE_TIME_CODE,
            input_filter=ft.NumbersOnlyInputFilter(),
            error_max_lines=3,
            autofocus=True,
            text_size=22,
            on_change=self._on_code_change,
            on_submit=self._on_code_submit,
        )
        self.code_button = ft.FilledButton(
            content=_("Sign in"), icon=ft.Icons.LOGIN, on_click=self._on_code_submit
        )
        self.sent_text = ft.Text(size=15)
        self.change_button = ft.TextButton(
            content=_("Change number"), icon=ft.Icons.EDIT_OUTLINED, on_click=self._on_change_phone
        )
        self.resend_button = ft.TextButton(
            content=_("Send the code again"), icon=ft.Icons.REFRESH, on_click=self._on_resend
        )
        self.resend_wait = ft.Text(
            color=ft.Colors.ON_SURFACE_VARIANT, text_align=ft.TextAlign.CENTER, size=13
        )
        self.progress = ft.ProgressBar(visible=False)
        # A session the server ended: what to do, and how much waits to be sent.
        self.ended_title = ft.Text(weight=ft.FontWeight.BOLD)
        self.ended_text = ft.Text()
        self.ended_count = ft.Text(weight=ft.FontWeight.W_600)
        self.ended_box = notice_box(self.ended_title, self.ended_text, self.ended_count)
        # Another account signs in where an ended session's data is kept.
        self.kept_title = ft.Text(weight=ft.FontWeight.BOLD)
        self.kept_text = ft.Text()
        self.kept_count = ft.Text(weight=ft.FontWeight.W_600)
        self.replace_button = ft.FilledButton(
            content=_("Delete that data and sign in"),
            icon=ft.Icons.DELETE_OUTLINE,
            style=ft.ButtonStyle(bgcolor=ft.Colors.RED_700, color=ft.Colors.WHITE),
            on_click=self._on_replace,
        )
        self.keep_button = ft.TextButton(
            content=_("Back"), icon=ft.Icons.ARROW_BACK, on_click=self._on_keep
        )
        self.replace_step = ft.Column(
            [
                notice_box(self.kept_title, self.kept_text, self.kept_count),
                self.replace_button,
                ft.Row([self.keep_button], alignment=ft.MainAxisAlignment.CENTER),
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.phone_step = ft.Column(
            [
                self.ended_box,
                ft.Text(_("Enter your mobile number: we will send an SMS with a sign-in code.")),
                self.phone_field,
                self.phone_button,
            ],
            spacing=16,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.code_step = ft.Column(
            [
                self.sent_text,
                self.code_field,
                self.code_button,
                ft.Row([self.resend_button], alignment=ft.MainAxisAlignment.CENTER),
                self.resend_wait,
                ft.Row([self.change_button], alignment=ft.MainAxisAlignment.CENTER),
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def build(self) -> ft.View:
        _ = self.tr.gettext
        header = ft.Column(
            [
                logo(),
                ft.Text(
                    _("City contact centre 109"),
                    size=24,
                    weight=ft.FontWeight.BOLD,
                    text_align=ft.TextAlign.CENTER,
                ),
                ft.Text(
                    _("Appeals, alerts and city news in one place"),
                    text_align=ft.TextAlign.CENTER,
                    color=ft.Colors.ON_SURFACE_VARIANT,
                ),
            ],
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            spacing=8,
        )
        emergency = ft.Row(
            [
                ft.Icon(ft.Icons.EMERGENCY_OUTLINED, color=ft.Colors.RED_700, size=18),
                ft.Text(
                    _("In an emergency, call 112."),
                    color=ft.Colors.RED_700,
                    size=13,
                    expand=True,
                ),
            ],
            spacing=6,
        )
        self.render()
        self.vm.prepare()  # counts what waits for an ended session
        self.view = ft.View(
            route=self.route,
            scroll=ft.ScrollMode.AUTO,
            padding=ft.Padding.symmetric(horizontal=20, vertical=12),
            controls=[
                ft.SafeArea(
                    content=centered(
                        ft.Row(
                            [language_switch(self.app.language)],
                            alignment=ft.MainAxisAlignment.END,
                        ),
                        header,
                        ft.Container(height=8),
                        self.progress,
                        self.phone_step,
                        self.code_step,
                        self.replace_step,
                        ft.Divider(),
                        emergency,
                        *([version_line(self.tr, self.developer)] if self.developer else []),
                    )
                )
            ],
        )
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        if self.inputs_rewritten(vm.input_revision):
            self.phone_field.value = vm.phone_text
            self.code_field.value = vm.code_text
        on_code = vm.step == "code"
        self.phone_step.visible = vm.step == "phone"
        self.code_step.visible = on_code
        self.replace_step.visible = vm.step == "replace"
        self.progress.visible = vm.busy
        fill_notice(tr, vm.ended_notice, self.ended_box, self.ended_title, self.ended_text,
                    self.ended_count)  # fmt: skip
        fill_notice(tr, vm.replace_notice, self.replace_step, self.kept_title, self.kept_text,
                    self.kept_count, hide=False)  # fmt: skip
        self.replace_button.disabled = vm.busy
        self.keep_button.disabled = vm.busy

        self.phone_field.error = tr.render(vm.phone_error)
        self.phone_field.read_only = vm.busy
        self.phone_button.disabled = not vm.can_submit_phone

        self.sent_text.value = tr.render(vm.code_sent_notice) or ""
        self.code_field.error = tr.render(vm.code_error)
        self.code_field.read_only = vm.busy
        self.code_button.disabled = not vm.can_submit_code
        self.resend_button.disabled = not vm.can_resend
        notice = vm.resend_notice
        self.resend_wait.visible = notice is not None
        self.resend_wait.value = tr.render(notice) or ""

    # -- handlers (async: they await the view model) -------------------------------------------

    async def _on_phone_change(self) -> None:
        self.vm.set_phone(self.phone_field.value)

    async def _on_phone_submit(self) -> None:
        await self.vm.submit_phone()

    async def _on_code_change(self) -> None:
        await self.vm.enter_code(self.code_field.value)

    async def _on_code_submit(self) -> None:
        await self.vm.submit_code()

    async def _on_resend(self) -> None:
        await self.vm.resend()

    async def _on_change_phone(self) -> None:
        self.vm.change_phone()

    async def _on_replace(self) -> None:
        await self.vm.replace_kept()

    async def _on_keep(self) -> None:
        await self.vm.keep_kept()


def notice_box(title: ft.Text, text: ft.Text, count: ft.Text) -> ft.Container:
    return ft.Container(
        content=ft.Column([title, text, count], spacing=6),
        padding=12,
        border_radius=8,
        bgcolor=ft.Colors.AMBER_50,
        border=ft.Border.all(1, ft.Colors.AMBER_700),
        visible=False,
    )


def fill_notice(
    tr: Translator,
    notice: tuple[Message, Message, Message | None] | None,
    box: ft.Control,
    title: ft.Text,
    text: ft.Text,
    count: ft.Text,
    *,
    hide: bool = True,
) -> None:
    """Title, text and count of a notice (`hide`: the box too when there is none)."""
    if hide:
        box.visible = notice is not None
    if notice is None:
        return
    title.value = tr.render(notice[0]) or ""
    text.value = tr.render(notice[1]) or ""
    count.value = tr.render(notice[2]) or ""
    count.visible = notice[2] is not None
