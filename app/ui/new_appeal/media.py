"""The new-appeal form's photos and videos: thumbnails with a remove button and the size,
progress while files are prepared, what was refused, and the add buttons (picker, camera)."""

from __future__ import annotations

import flet as ft

from app.data.services.picker import MediaPicker
from app.domain.appeals import PreparedMedia
from app.i18n import Translator
from app.ui.kit import MUTED, named, section
from app.ui.new_appeal.camera import CameraButton
from app.ui.new_appeal.parts import Rebuilds, bound
from app.viewmodels.new_appeal import MediaItem, NewAppealViewModel

TILE = 96


class MediaSection:
    """`camera_button` is the screen's (absent where no camera view model was given)."""

    def __init__(
        self,
        tr: Translator,
        vm: NewAppealViewModel,
        picker: MediaPicker,
        camera_button: CameraButton | None,
    ) -> None:
        self.tr = tr
        self.vm = vm
        self.picker = picker
        self.camera_button = camera_button
        self._rebuilds = Rebuilds()
        _ = tr.gettext
        self.media_row = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.media_progress = ft.ProgressBar(visible=False)
        self.media_errors = ft.Column(spacing=4)
        self.add_photo = ft.OutlinedButton(
            content=_("Add photo"), icon=ft.Icons.ADD_A_PHOTO_OUTLINED
        )
        self.add_video = ft.OutlinedButton(content=_("Add video"), icon=ft.Icons.VIDEOCAM_OUTLINED)

    def control(self) -> ft.Control:
        """The block, with picked files and camera shots routed to this form."""
        _ = self.tr.gettext
        self.picker.on_picked = self.vm.add_picked
        camera = self.camera_button
        if camera is not None:
            camera.vm.on_captured = self.vm.add_picked  # a shot goes through the same pipeline
        self.add_photo.action = self.picker.action("photo")
        self.add_video.action = self.picker.action("video")
        return section(
            _("Photos and videos"),
            self.media_row,
            self.media_progress,
            self.media_errors,
            ft.Row(
                [self.add_photo, *([camera.control] if camera else []), self.add_video],
                wrap=True,
                spacing=8,
            ),
            *([camera.reason] if camera else []),
            ft.Text(
                _("Photos are reduced and sent without location or camera data."),
                size=12,
                color=MUTED,
            ),
            ft.Text(  # the app takes photos itself but records no video (no microphone asked)
                _("To attach a new clip, record it with the phone's camera, then tap Add video."),
                size=12,
                color=MUTED,
            ),
        )

    def detach(self) -> None:
        """The screen is going away: picked files and shots no longer come here."""
        if self.picker.on_picked == self.vm.add_picked:
            self.picker.on_picked = None
        camera = self.camera_button.vm if self.camera_button is not None else None
        if camera is not None and camera.on_captured == self.vm.add_picked:
            camera.on_captured = None

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        key = (
            tuple(m.media.path for m in vm.media),
            vm.media_busy,
            tuple(vm.media_errors),
            vm.errors.get("media"),
            tr.language,
        )
        self._rebuilds.once("media", key, self._render_media)
        if self.camera_button is not None:
            self.camera_button.render(busy=vm.media_busy > 0 or vm.media_full)

    def _render_media(self) -> None:
        vm, tr = self.vm, self.tr
        self.media_row.controls = [self._media_tile(i, m) for i, m in enumerate(vm.media)]
        self.media_progress.visible = vm.media_busy > 0
        errors = list(vm.media_errors)
        if "media" in vm.errors:
            errors.append(vm.errors["media"])
        self.media_errors.controls = [
            ft.Text(tr.render(m) or "", color=ft.Colors.ERROR, size=12) for m in errors
        ]
        busy = vm.media_busy > 0
        self.add_photo.disabled = busy
        self.add_video.disabled = busy

    def _media_tile(self, index: int, item: MediaItem) -> ft.Control:
        _ = self.tr.gettext
        if item.thumb:
            preview: ft.Control = ft.Image(
                src=item.thumb, width=TILE, height=TILE, fit=ft.BoxFit.COVER, border_radius=8
            )
        else:
            preview = ft.Container(
                width=TILE,
                height=TILE,
                border_radius=8,
                bgcolor=ft.Colors.BLUE_GREY_100,
                alignment=ft.Alignment.CENTER,
                content=ft.Icon(
                    ft.Icons.MOVIE_OUTLINED if item.media.kind == "video" else ft.Icons.IMAGE,
                    size=36,
                ),
            )
        return ft.Stack(
            [
                preview,
                ft.Container(
                    content=named(
                        ft.IconButton(
                            icon=ft.Icons.CLOSE,
                            icon_size=16,
                            on_click=bound(self.vm.remove_media, index),
                            style=ft.ButtonStyle(
                                bgcolor=ft.Colors.with_opacity(0.7, ft.Colors.WHITE)
                            ),
                        ),
                        _("Remove {name}").format(name=item.name),
                    ),
                    right=0,
                    top=0,
                ),
                ft.Container(
                    content=ft.Text(self._size_text(item.media), size=10, color=ft.Colors.WHITE),
                    bgcolor=ft.Colors.with_opacity(0.6, ft.Colors.BLACK),
                    padding=ft.Padding.symmetric(horizontal=4, vertical=1),
                    left=0,
                    bottom=0,
                ),
            ],
            width=TILE,
            height=TILE,
        )

    def _size_text(self, media: PreparedMedia) -> str:
        _ = self.tr.gettext
        mb = media.size / (1024 * 1024)
        if mb >= 0.1:
            return _("{n} MB").format(n=f"{mb:.1f}")
        return _("{n} KB").format(n=max(1, media.size // 1024))
