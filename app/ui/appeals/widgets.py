"""Controls shared by the appeal screens: the status chip, tags and the connectivity bar."""

from __future__ import annotations

import flet as ft

from app.i18n import Translator
from app.ui.kit import named, on_click, say
from app.viewmodels.appeals import SyncStatusViewModel

STATUS_COLORS: dict[str, tuple[str, str]] = {  # (background, text)
    "created": (ft.Colors.BLUE_50, ft.Colors.BLUE_900),
    "assigned": (ft.Colors.INDIGO_50, ft.Colors.INDIGO_900),
    "returned": (ft.Colors.ORANGE_50, ft.Colors.DEEP_ORANGE_900),
    "reassigned": (ft.Colors.PURPLE_50, ft.Colors.PURPLE_900),
    "in_progress": (ft.Colors.AMBER_100, ft.Colors.BROWN_900),
    "closed": (ft.Colors.GREEN_50, ft.Colors.GREEN_900),
}


def status_chip(tr: Translator, status: str, label_msgid: str) -> ft.Control:
    bg, fg = STATUS_COLORS.get(status, (ft.Colors.GREY_200, ft.Colors.GREY_900))
    return ft.Container(
        content=ft.Text(tr.gettext(label_msgid), size=12, color=fg, weight=ft.FontWeight.W_600),
        bgcolor=bg,
        border_radius=12,
        padding=ft.Padding.symmetric(horizontal=10, vertical=3),
    )


def tag(text: str, *, color: str, bgcolor: str, icon: ft.IconData | None = None) -> ft.Control:
    row: list[ft.Control] = []
    if icon is not None:
        row.append(ft.Icon(icon, size=14, color=color))
    row.append(ft.Text(text, size=12, color=color, weight=ft.FontWeight.W_600))
    return ft.Container(
        content=ft.Row(row, spacing=4, tight=True),
        bgcolor=bgcolor,
        border_radius=12,
        padding=ft.Padding.symmetric(horizontal=8, vertical=3),
    )


class SyncBar:
    """Offline banner, what waits to send, when it last synced, and "sync now"."""

    def __init__(self, tr: Translator, vm: SyncStatusViewModel) -> None:
        self.tr = tr
        self.vm = vm
        _ = tr.gettext
        self.icon = ft.Icon(ft.Icons.CLOUD_DONE_OUTLINED, size=20)
        self.offline = ft.Text(size=13, weight=ft.FontWeight.W_600)
        self.line = ft.Text(size=12, color=ft.Colors.ON_SURFACE_VARIANT)
        self.button = ft.IconButton(icon=ft.Icons.SYNC, on_click=on_click(vm.sync_now))
        self.control = ft.Container(
            content=ft.Row(
                [
                    self.icon,
                    ft.Column([self.offline, self.line], spacing=2, expand=True, tight=True),
                    named(self.button, _("Sync now")),
                ],
                spacing=8,
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            border_radius=10,
            padding=ft.Padding.only(left=12, right=4, top=4, bottom=4),
        )
        self.render()

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        offline = vm.offline
        self.control.bgcolor = ft.Colors.ORANGE_50 if offline else ft.Colors.BLUE_GREY_50
        self.icon.icon = ft.Icons.CLOUD_OFF if offline else ft.Icons.CLOUD_DONE_OUTLINED
        self.icon.color = ft.Colors.DEEP_ORANGE_900 if offline else ft.Colors.GREEN_700
        self.offline.visible = offline
        self.offline.value = say(tr, vm.offline_notice)
        self.offline.color = ft.Colors.DEEP_ORANGE_900
        parts = [say(tr, vm.pending_notice), say(tr, vm.rejected_notice)]
        parts.append(say(tr, vm.last_synced))
        self.line.value = " · ".join(p for p in parts if p)
        self.button.disabled = vm.syncing
