"""New appeal (`/appeals/new`): the form, similar appeals nearby, and the emergency path.

Flet only: every decision is in `NewAppealViewModel`; this copies its state onto controls and
forwards the resident's input. The screen composes one part per section of the form
(`DetailsSection`, `LocationSection`, `MediaSection`), the two other steps (`SimilarStep`,
`EmergencyStep`), and owns what they share: the form error, the progress bar and sending.
"""

from __future__ import annotations

import flet as ft

from app.data.services.picker import MediaPicker
from app.ui.kit import MUTED, ModelScreen, bar_title, centered, run_soon
from app.ui.new_appeal.camera import CameraButton
from app.ui.new_appeal.details import DetailsSection
from app.ui.new_appeal.emergency import EmergencyStep
from app.ui.new_appeal.location import LocationSection
from app.ui.new_appeal.media import MediaSection
from app.ui.new_appeal.similar import SimilarStep
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.camera import CameraViewModel
from app.viewmodels.new_appeal import NewAppealViewModel


class NewAppealScreen(ModelScreen[NewAppealViewModel]):
    def __init__(
        self,
        app: AppViewModel,
        vm: NewAppealViewModel,
        picker: MediaPicker,
        route: str,
        camera: CameraViewModel | None = None,
    ) -> None:
        super().__init__(app, vm, route)
        self.app = app
        if camera is not None:
            self.watch(camera)
        tr, _ = self.tr, self.tr.gettext
        self.form_error = ft.Text(color=ft.Colors.ERROR, visible=False)
        self.progress = ft.ProgressBar(visible=False)
        self.camera_button = CameraButton(tr, camera) if camera is not None else None
        self.details = DetailsSection(tr, vm)
        self.location = LocationSection(tr, vm)
        self.media = MediaSection(tr, vm, picker, self.camera_button)
        self.similar = SimilarStep(tr, vm, self.form_error, self.progress)
        self.emergency = EmergencyStep(tr, vm, self.form_error, self.progress)
        self.submit_button = ft.FilledButton(
            content=_("Send appeal"), icon=ft.Icons.SEND, on_click=self._on_submit
        )
        self.discard_button = ft.TextButton(
            content=_("Clear the form"), icon=ft.Icons.DELETE_OUTLINE, on_click=self._on_discard
        )
        self.offline_note = ft.Text(size=12, color=MUTED, visible=False)
        self.form = ft.Column(spacing=18, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.form.controls = [
            self.emergency.banner(),
            *self.details.controls(),
            self.location.control(),
            self.details.contact(),
            self.media.control(),
            self.form_error,
            self.progress,
            self.submit_button,
            self.offline_note,
            ft.Row([self.discard_button], alignment=ft.MainAxisAlignment.CENTER),
        ]
        self.render()
        self.view = ft.View(
            route=self.route,
            scroll=ft.ScrollMode.AUTO,
            padding=ft.Padding.symmetric(horizontal=16, vertical=12),
            appbar=ft.AppBar(title=bar_title(_("New appeal")), actions=[self._language_button()]),
            controls=[centered(self.form, self.similar.box, self.emergency.box)],
        )
        run_soon(self.vm.open)
        return self.view

    def _language_button(self) -> ft.Control:
        """The other language, by its own name: what is typed stays (it lives in the VM)."""
        lang = self.app.language
        code, name = next((c, n) for c, n in lang.choices if c != lang.current)

        async def switch() -> None:
            await lang.choose(code)

        return ft.TextButton(content=name, icon=ft.Icons.TRANSLATE, on_click=switch)

    def dispose(self) -> None:
        super().dispose()
        self.media.detach()
        self.vm.leave()

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        if vm.input_revision != self._input_revision:
            self._input_revision = vm.input_revision
            self.details.copy_inputs()
            self.location.copy_inputs()
        self.form.visible = vm.step == "form"
        self.similar.box.visible = vm.step == "similar"
        self.emergency.box.visible = vm.step == "emergency"
        self.details.render()
        self.location.render()
        self.media.render()
        self.form_error.value = tr.render(vm.form_error) or ""
        self.form_error.visible = vm.form_error is not None
        self.progress.visible = vm.busy
        self.submit_button.disabled = not vm.can_submit
        self.offline_note.visible = vm.offline
        self.offline_note.value = tr.gettext(
            "No connection: the appeal will be saved and sent when the connection returns."
        )
        if vm.step == "similar":
            self.similar.render()
        if vm.step == "emergency":
            self.emergency.render()

    async def _on_submit(self) -> None:
        await self.vm.submit()

    async def _on_discard(self) -> None:
        await self.vm.discard_draft()
