"""The photos and video of an appeal: thumbnails (also in chat messages), the "after the work"
row, and the dialogs that show a photo or play a video."""

from __future__ import annotations

import importlib.util
from typing import Any

import flet as ft

from app.domain.appeals import MediaRef
from app.i18n import Translator
from app.ui.kit import named, say, section
from app.ui.photo_viewer import show_photo
from app.viewmodels.appeal_detail import AppealDetailViewModel

HAS_VIDEO = importlib.util.find_spec("flet_video") is not None
THUMB = 96


class MediaSection:
    def __init__(self, tr: Translator, vm: AppealDetailViewModel) -> None:
        self.tr = tr
        self.vm = vm

    def thumb(self, ref: MediaRef) -> ft.Control:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        if ref.kind == "video":

            async def play(e: ft.Event[ft.Container]) -> None:
                await self._show_video(e.page, ref)

            inner: ft.Control = ft.Column(
                [ft.Icon(ft.Icons.PLAY_CIRCLE_OUTLINE, size=40), ft.Text(_("Video"), size=12)],
                alignment=ft.MainAxisAlignment.CENTER,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                spacing=2,
            )
            label, handler = _("Play the video"), play
        else:
            data = vm.images.get(vm.media_key(ref))

            async def view(e: ft.Event[ft.Container]) -> None:
                await self._show_photo(e.page, ref)

            inner = (
                ft.Image(src=data, width=THUMB, height=THUMB, fit=ft.BoxFit.COVER,
                         border_radius=8)
                if data else ft.Icon(ft.Icons.IMAGE_OUTLINED, size=36)
            )  # fmt: skip
            label, handler = _("Open the photo"), view
        box = ft.Container(
            content=inner,
            width=THUMB,
            height=THUMB,
            border_radius=8,
            bgcolor=ft.Colors.GREY_200,
            alignment=ft.Alignment.CENTER,
            on_click=handler,
            tooltip=label,
        )
        if ref.pending:  # waiting to upload: a badge on it, the same one name for a reader
            return named(ft.Stack(
                [box, ft.Container(content=ft.Icon(ft.Icons.SCHEDULE_SEND, size=16,
                                           color=ft.Colors.DEEP_ORANGE_900),
                                   right=4, top=4, bgcolor=ft.Colors.WHITE, border_radius=8,
                                   padding=2)],
                width=THUMB, height=THUMB,
            ))  # fmt: skip
        return named(box)

    def build(self) -> ft.Control | None:
        """The "Photos and video" section (nothing when the appeal has none)."""
        d = self.vm.detail
        if d is None or not d.media:
            return None
        _ = self.tr.gettext
        before = [m for m in d.media if m.role != "after"]
        after = [m for m in d.media if m.role == "after"]
        parts: list[ft.Control] = []
        if before:
            parts.append(ft.Row([self.thumb(m) for m in before], wrap=True, spacing=8))
        if after:
            parts += [
                ft.Text(_("After the work"), size=13, color=ft.Colors.ON_SURFACE_VARIANT),
                ft.Row([self.thumb(m) for m in after], wrap=True, spacing=8),
            ]
        for kind in ("photo", "video"):
            error = say(self.tr, self.vm.errors.get(kind))
            if error:
                parts.append(ft.Text(error, color=ft.Colors.RED_800, size=13))
        return section(_("Photos and video"), *parts)

    async def _show_photo(self, page: Any, ref: MediaRef) -> None:
        data = await self.vm.photo(ref)
        if data:
            show_photo(page, self.tr, data)

    async def _show_video(self, page: Any, ref: MediaRef) -> None:
        _ = self.tr.gettext
        if not HAS_VIDEO:
            return
        url = await self.vm.video_source(ref)  # a signed link: the player sends no token
        if url is None:
            return
        import flet_video as fv

        player = fv.Video(
            playlist=[fv.VideoMedia(url)],
            autoplay=True,
            aspect_ratio=16 / 9,
        )
        dialog = ft.AlertDialog(
            content=ft.Container(content=player, width=360, height=220),
            actions=[ft.TextButton(content=_("Close"), on_click=lambda e: page.pop_dialog())],
        )
        page.show_dialog(dialog)
