"""`/developer`: the server the app talks to and where that came from; another server checked
and saved for the next start; back to the built-in one (Flet only; `DeveloperViewModel` holds
the state)."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.ui.kit import MUTED, ModelScreen, note, on_click, page_view, run_soon, say, section
from app.viewmodels.developer import MSG_UNAVAILABLE, DeveloperViewModel


class DeveloperScreen(ModelScreen[DeveloperViewModel]):
    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.current = ft.Text(weight=ft.FontWeight.W_600)
        self.source = ft.Text(size=13, color=MUTED)
        self.saved = ft.Text(size=13, color=MUTED)
        self.url_field = ft.TextField(
            label=_("Server address"),
            hint_text="https://api.example.kz",
            keyboard_type=ft.KeyboardType.URL,
            autocorrect=False,
            error_max_lines=3,
            on_change=self._on_url,
            on_submit=on_click(self.vm.save),
        )
        self.save_button = ft.FilledButton(
            content=_("Check and save"), icon=ft.Icons.CLOUD_DONE_OUTLINED,
            on_click=on_click(self.vm.save),
        )  # fmt: skip
        self.reset_button = ft.OutlinedButton(
            content=_("Reset to the built-in server"), icon=ft.Icons.RESTART_ALT,
            on_click=on_click(self.vm.reset),
        )  # fmt: skip
        self.confirm_text = ft.Text(color=ft.Colors.ERROR, size=13)
        self.confirm = ft.Column(
            [
                self.confirm_text,
                ft.Row(
                    [
                        ft.TextButton(content=_("Cancel"), on_click=self._on_cancel),
                        ft.FilledButton(
                            content=_("Save anyway"), on_click=on_click(self.vm.save_anyway)
                        ),
                    ],
                    alignment=ft.MainAxisAlignment.END,
                ),
            ],
            visible=False,
        )
        self.progress = ft.ProgressBar(visible=False)
        self.notice = note(None)
        self.render()
        run_soon(self.vm.load)
        if not self.vm.available:
            self.view = page_view(
                self.route,
                _("Developer settings"),
                ft.Text(_(MSG_UNAVAILABLE)),
                self._back_button(),
            )
            return self.view
        self.view = page_view(
            self.route,
            _("Developer settings"),
            section(_("Server in use"), self.current, self.source, self.saved),
            section(_("Another server"), self.url_field, self.progress, self.save_button,
                    self.confirm, self.notice),
            ft.Divider(),
            self.reset_button,
            self._back_button(),
        )  # fmt: skip
        return self.view

    def _back_button(self) -> ft.Control:
        return ft.TextButton(
            content=self.tr.gettext("Back to the app"),
            icon=ft.Icons.ARROW_BACK,
            on_click=on_click(self.vm.close),
        )

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        if self.inputs_rewritten(vm.input_revision):
            self.url_field.value = vm.url_text
        self.current.value = vm.current_url
        self.source.value = _("Source: {source}").format(source=say(tr, vm.source))
        self.saved.visible = vm.saved_url is not None
        self.saved.value = _("From the next start: {url}").format(url=vm.saved_url or "")
        self.url_field.error = tr.render(vm.error)
        self.confirm.visible = vm.confirming is not None
        self.confirm_text.value = say(tr, vm.confirming)
        self.notice.value = say(tr, vm.notice)
        self.notice.visible = vm.notice is not None
        self.progress.visible = vm.busy
        self.save_button.disabled = vm.busy
        self.reset_button.disabled = vm.busy or vm.saved_url is None

    async def _on_url(self, e: Any) -> None:
        self.vm.set_url(e.control.value or "")

    async def _on_cancel(self, e: Any) -> None:
        self.vm.cancel()
