"""The Appeals tab of home: the connectivity bar, status filters, and "my appeals" (paged,
"load more" at the bottom). Rendering only: the view models decide everything."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import Translator
from app.observable import Observable
from app.ui.appeals.widgets import SyncBar, status_chip, tag
from app.ui.kit import chip_text, on_click, run_soon, say
from app.viewmodels.appeals import AppealListViewModel, AppealRow, SyncStatusViewModel


class AppealsPanel:
    """The body of the Appeals tab (the home screen owns the view around it)."""

    def __init__(
        self, tr: Translator, vm: AppealListViewModel, status: SyncStatusViewModel
    ) -> None:
        self.tr = tr
        self.vm = vm
        self.status = status
        self.models: list[Observable] = [vm, status]
        self.sync_bar = SyncBar(tr, status)
        self.filters = ft.Row(spacing=6, scroll=ft.ScrollMode.AUTO)
        self.list = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.empty = ft.Text(
            text_align=ft.TextAlign.CENTER, color=ft.Colors.ON_SURFACE_VARIANT, visible=False
        )
        self.more = ft.OutlinedButton(
            content=tr.gettext("Load more"),
            icon=ft.Icons.EXPAND_MORE,
            on_click=on_click(vm.load_more),
            visible=False,
        )
        self.progress = ft.ProgressBar(visible=False)
        self._shown: tuple[Any, ...] | None = None

    def build(self) -> ft.Control:
        # Rows are made again in the current language (dates, category names).
        run_soon(self.vm.refresh if self.vm.loaded else self.vm.load)
        self.render()
        return ft.Column(
            [
                self.sync_bar.control,
                self.filters,
                self.progress,
                self.empty,
                self.list,
                ft.Row([self.more], alignment=ft.MainAxisAlignment.CENTER),
                ft.Container(height=72),  # room above the "new appeal" button
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def dispose(self) -> None:
        """Nothing to release: the home screen unsubscribes from `models`."""

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        self.sync_bar.render()
        self.filters.controls = [self._filter(status, msgid) for status, msgid in vm.filters()]
        self.progress.visible = vm.loading
        empty = vm.empty_notice
        self.empty.visible = empty is not None
        self.empty.value = tr.gettext(empty) if empty else ""
        shown = (tr.language, tuple(vm.rows))
        if shown != self._shown:  # rebuild the cards only when the rows changed
            self._shown = shown
            self.list.controls = [self._card(row) for row in vm.rows]
        self.more.visible = vm.has_more
        self.more.disabled = vm.loading

    def _filter(self, status: str | None, msgid: str) -> ft.Control:
        async def select(e: ft.Event[ft.Chip]) -> None:
            await self.vm.set_filter(status)

        return ft.Chip(
            label=chip_text(self.tr.gettext(msgid)),
            selected=self.vm.filter == status,
            show_checkmark=False,
            on_select=select,
        )

    def _card(self, row: AppealRow) -> ft.Control:
        tr = self.tr
        item = row.item
        top: list[ft.Control] = [
            ft.Text(say(tr, row.number), size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        ]
        if item.server_id is not None:  # not registered yet: no Appendix 5 status
            top.insert(0, status_chip(tr, item.status, row.status))
        if item.emergency:
            top.append(ft.Icon(ft.Icons.EMERGENCY, size=16, color=ft.Colors.RED_700))
        if item.unread:
            top.append(
                tag(str(item.unread), color=ft.Colors.WHITE, bgcolor=ft.Colors.BLUE_700,
                    icon=ft.Icons.CHAT_BUBBLE)
            )  # fmt: skip
        lines: list[ft.Control] = [
            ft.Row(top, spacing=8, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            ft.Text(row.category, weight=ft.FontWeight.W_600, size=15),
            ft.Text(item.text, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS, size=14),
        ]
        bottom: list[ft.Control] = []
        if row.due is not None:
            bottom.append(ft.Text(say(tr, row.due), size=12, color=ft.Colors.ON_SURFACE_VARIANT))
        if row.overdue:
            bottom.append(
                tag(tr.gettext("Overdue"), color=ft.Colors.WHITE, bgcolor=ft.Colors.RED_700,
                    icon=ft.Icons.SCHEDULE)
            )  # fmt: skip
        if row.sync is not None:
            refused = item.sync_state == "rejected"
            bottom.append(
                tag(
                    say(tr, row.sync),
                    color=ft.Colors.RED_900 if refused else ft.Colors.DEEP_ORANGE_900,
                    bgcolor=ft.Colors.RED_50 if refused else ft.Colors.ORANGE_50,
                    icon=ft.Icons.ERROR_OUTLINE if refused else ft.Icons.SCHEDULE_SEND,
                )
            )
        if bottom:
            lines.append(ft.Row(bottom, spacing=8, wrap=True))

        async def open_row(e: ft.Event[ft.Container]) -> None:
            await self.vm.open(row)

        return ft.Card(
            content=ft.Container(
                content=ft.Column(lines, spacing=6),
                padding=ft.Padding.all(12),
                on_click=open_row,
                ink=True,
                border_radius=12,
            ),
        )
