"""The "Take photo" button and its capture view (live preview, shutter, close), shared by the
new-appeal form and the chat. Rendering only: `CameraViewModel` decides."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import flet as ft

from app.i18n import Translator
from app.ui.kit import named
from app.viewmodels.camera import CameraViewModel

log = logging.getLogger(__name__)

PREVIEW_W, PREVIEW_H = 320, 240


def _text(tr: Translator, message: Any) -> str:
    return tr.render(message) or ""


class CaptureView:
    """An AlertDialog around the device's preview; closes itself when the view model does."""

    def __init__(self, tr: Translator, vm: CameraViewModel) -> None:
        self.tr = tr
        self.vm = vm
        _ = tr.gettext
        self._page: Any = None
        self._unsubscribe = vm.subscribe(self._changed)
        preview = vm.preview()
        self.status = ft.Text(size=13, text_align=ft.TextAlign.CENTER)
        self.progress = ft.ProgressRing(width=28, height=28, visible=False)
        self.shutter = ft.IconButton(
            icon=ft.Icons.CAMERA,
            icon_size=40,
            tooltip=_("Take the picture"),
            on_click=self._on_shoot,
            style=ft.ButtonStyle(bgcolor=ft.Colors.RED_50),
        )
        self.no_preview = ft.Icon(
            ft.Icons.NO_PHOTOGRAPHY_OUTLINED, size=48, color=ft.Colors.GREY_600
        )
        self.preview = preview
        # the live preview is a picture, not a control (its platform view would be a focusable
        # node with no name): a reader hears the status line below it
        shown = None if preview is None else ft.Semantics(exclude_semantics=True, content=preview)
        self.box = box = ft.Container(
            content=shown or self.no_preview,
            width=PREVIEW_W,
            height=PREVIEW_H,
            bgcolor=ft.Colors.GREY_300,
            border_radius=8,
            alignment=ft.Alignment.CENTER,
        )
        self.dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text(_("Take a photo")),
            content=ft.Column(
                [
                    box,
                    self.progress,
                    ft.Container(content=self.status, width=PREVIEW_W),
                    ft.Row(
                        [named(self.shutter)],
                        alignment=ft.MainAxisAlignment.CENTER,
                    ),
                ],
                tight=True,
                spacing=10,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            actions=[ft.TextButton(content=_("Close"), on_click=self._on_close)],
            on_dismiss=self._on_dismiss,
        )
        self.render()

    def render(self) -> None:
        vm = self.vm
        self.status.value = _text(self.tr, vm.status)
        self.status.color = ft.Colors.RED_800 if vm.state == "failed" else None
        self.progress.visible = vm.state in ("starting", "capturing")
        self.shutter.disabled = not vm.can_shoot
        self.shutter.visible = vm.state != "failed" or vm.can_open  # no shutter without a camera
        if vm.state == "failed" and vm.no_camera:  # nothing to preview: say it with an icon
            self.box.content = self.no_preview

    async def show(self, page: Any) -> None:
        self._page = page
        page.show_dialog(self.dialog)
        await asyncio.sleep(0)  # let the preview reach the page before the camera is asked
        await self.vm.open()

    def _changed(self) -> None:
        if not self.vm.is_open:
            self._unsubscribe()
            if self._page is not None and self.dialog.open:
                self._page.pop_dialog()
            return
        self.render()
        try:
            self.dialog.update()
        except RuntimeError:
            log.debug("capture view not on the page")

    async def _on_shoot(self, e: ft.Event[ft.IconButton]) -> None:
        await self.vm.shoot()

    async def _on_close(self, e: ft.Event[ft.TextButton]) -> None:
        await self.vm.close()

    async def _on_dismiss(self, e: ft.Event[ft.DialogControl]) -> None:
        await self.vm.close()


class CameraButton:
    """The "Take photo" button: opens the capture view, or is disabled with the reason beside it."""

    def __init__(self, tr: Translator, vm: CameraViewModel, *, icon_only: bool = False) -> None:
        self.tr = tr
        self.vm = vm
        _ = tr.gettext
        label = _("Take photo")
        if icon_only:
            self.button: ft.Control = ft.IconButton(
                icon=ft.Icons.PHOTO_CAMERA_OUTLINED, tooltip=label, on_click=self._on_open
            )
            self.control: ft.Control = named(self.button)
        else:
            self.button = ft.OutlinedButton(
                content=label, icon=ft.Icons.PHOTO_CAMERA_OUTLINED, on_click=self._on_open
            )
            self.control = self.button
        self.reason = ft.Text(size=12, color=ft.Colors.ON_SURFACE_VARIANT, visible=False)
        self.render()

    def render(self, busy: bool = False) -> None:
        vm = self.vm
        self.button.disabled = busy or not vm.can_open
        reason = vm.unavailable
        self.reason.value = _text(self.tr, reason)
        self.reason.visible = reason is not None
        if isinstance(self.button, ft.IconButton):
            self.button.tooltip = self.reason.value or self.tr.gettext("Take photo")

    async def _on_open(self, e: ft.Event[Any]) -> None:
        if not self.vm.can_open:
            return
        await CaptureView(self.tr, self.vm).show(e.page)
