"""The Notices tab (in force / archive, "mine" or all, load more), a notice's details, and the
settings sheet of districts and topics (`NoticePrefsSheet`, reusable from the cabinet)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import flet as ft

from app.i18n import Translator
from app.observable import Observable
from app.ui.kit import ModelScreen, page_view, run_soon, toggle_row
from app.ui.safety.widgets import info_line, notice_bar, set_bar, tag
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.notices import NoticePrefsViewModel, NoticesViewModel, NoticeView

KIND_STYLE: dict[str, tuple[ft.IconData, str]] = {
    "planned": (ft.Icons.ENGINEERING_OUTLINED, ft.Colors.BLUE_800),
    "emergency": (ft.Icons.WARNING_AMBER_ROUNDED, ft.Colors.DEEP_ORANGE_900),
    "event": (ft.Icons.CELEBRATION_OUTLINED, ft.Colors.GREEN_800),
}


def _text(tr: Translator, value: Any) -> str:
    return value if isinstance(value, str) else (tr.render(value) or "")


def notice_card(
    tr: Translator, v: NoticeView, on_click: Callable[[ft.Event[Any]], Any]
) -> ft.Control:
    _ = tr.gettext
    icon, color = KIND_STYLE.get(v.kind, KIND_STYLE["planned"])
    tags: list[ft.Control] = [tag(tr.render(v.kind_name) or "", color, ft.Colors.WHITE)]
    tags.append(tag(v.topic_name, ft.Colors.BLUE_GREY_50, ft.Colors.BLACK))
    if v.state is not None:
        tags.append(tag(tr.render(v.state) or "", ft.Colors.GREY_300, ft.Colors.BLACK))
    if v.unseen:
        tags.append(tag(_("New"), ft.Colors.RED_700, ft.Colors.WHITE))
    return ft.Card(
        content=ft.Container(
            padding=ft.Padding.all(12),
            on_click=on_click,
            ink=True,
            border_radius=12,
            content=ft.Column(
                [
                    ft.Row(tags, wrap=True, spacing=6, run_spacing=4),
                    ft.Row(
                        [
                            ft.Icon(icon, color=color, size=22),
                            ft.Text(v.title, size=16, weight=ft.FontWeight.W_600, expand=True),
                        ],
                        vertical_alignment=ft.CrossAxisAlignment.START,
                    ),
                    info_line(ft.Icons.EVENT, tr.render(v.dates) or ""),
                    info_line(ft.Icons.PLACE_OUTLINED, _text(tr, v.area)),
                ],
                spacing=6,
            ),
        )
    )


class NoticePrefsSheet:
    """A bottom sheet: districts and topics to get notices about (none = all), Save."""

    def __init__(self, tr: Translator, vm: NoticePrefsViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self.districts = ft.Column(spacing=0)
        self.topics = ft.Column(spacing=0)
        self.status = ft.Text(size=13, color=ft.Colors.GREEN_800)
        self.error = ft.Text(size=13, color=ft.Colors.RED_800)
        self.save_button = ft.FilledButton(
            content=tr.gettext("Save"), icon=ft.Icons.SAVE, on_click=self._on_save
        )
        self.sheet: ft.BottomSheet | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def open(self, page: ft.Page) -> None:
        _ = self.tr.gettext
        self.vm.reset()
        self.render()
        self.sheet = ft.BottomSheet(
            scrollable=True,
            show_drag_handle=True,
            on_dismiss=self._on_dismiss,
            content=ft.Container(
                padding=ft.Padding.symmetric(horizontal=20, vertical=8),
                content=ft.Column(
                    [
                        ft.Column(  # the choices scroll; Save stays on the screen below them
                            [
                                ft.Text(_("Notice settings"), size=20, weight=ft.FontWeight.BOLD),
                                ft.Text(
                                    _(
                                        "Choose districts and topics. "
                                        "Nothing chosen means all of them."
                                    ),
                                    color=ft.Colors.ON_SURFACE_VARIANT,
                                ),
                                ft.Text(_("Districts"), weight=ft.FontWeight.W_600, size=16),
                                self.districts,
                                ft.Text(_("Topics"), weight=ft.FontWeight.W_600, size=16),
                                self.topics,
                            ],
                            spacing=8,
                            scroll=ft.ScrollMode.AUTO,
                            expand=True,
                            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                        ),
                        self.status,
                        self.error,
                        self.save_button,
                    ],
                    spacing=8,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                ),
            ),
        )
        self._unsubscribe = self.vm.subscribe(self._changed)
        page.show_dialog(self.sheet)

    def render(self) -> None:
        tr, vm = self.tr, self.vm
        self.districts.controls = [
            toggle_row(ft.Checkbox(value=c.selected, on_change=self._toggle(c.code, True)), c.name)
            for c in vm.district_choices
        ]
        self.topics.controls = [
            toggle_row(ft.Checkbox(value=c.selected, on_change=self._toggle(c.code, False)), c.name)
            for c in vm.topic_choices
        ]
        self.status.value = tr.render(vm.status) or ""
        self.status.visible = vm.status is not None
        self.error.value = tr.render(vm.error) or ""
        self.error.visible = vm.error is not None
        self.save_button.disabled = vm.saving

    def _changed(self) -> None:
        self.render()
        if self.sheet is not None and self.sheet.open:
            with contextlib.suppress(RuntimeError):  # the sheet left the page
                self.sheet.update()

    def _toggle(self, code: str, district: bool) -> Any:
        async def handler(e: ft.Event[ft.Checkbox]) -> None:
            on = bool(e.control.value)
            if district:
                self.vm.toggle_district(code, on)
            else:
                self.vm.toggle_topic(code, on)

        return handler

    async def _on_save(self) -> None:
        if await self.vm.save() and self.sheet is not None:
            self.sheet.open = False
            self.sheet.update()

    async def _on_dismiss(self, e: Any) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


class NoticesPanel:
    """The body of the Notices tab."""

    def __init__(self, tr: Translator, vm: NoticesViewModel, prefs: NoticePrefsViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self.models: list[Observable] = [vm]
        self.prefs_sheet = NoticePrefsSheet(tr, prefs)
        _ = tr.gettext
        self.scope = ft.SegmentedButton(
            segments=[
                ft.Segment(value="active", label=ft.Text(_("Current"))),
                ft.Segment(value="archive", label=ft.Text(_("Archive"))),
            ],
            selected=[vm.scope],
            show_selected_icon=False,
            on_change=self._on_scope,
        )
        self.mine = ft.Switch(on_change=self._on_mine)
        self.filter_text = ft.Text(size=12, color=ft.Colors.ON_SURFACE_VARIANT)
        self.offline = notice_bar(None)
        self.list = ft.Column(spacing=8)
        self.empty = ft.Text(color=ft.Colors.ON_SURFACE_VARIANT)
        self.more = ft.OutlinedButton(content=_("Load more"), on_click=self._on_more)
        self.error = ft.Text(size=13, color=ft.Colors.RED_800)

    def build(self) -> ft.Control:
        _ = self.tr.gettext
        self.render()
        run_soon(self._opened)
        return ft.Column(
            [
                ft.Row(
                    [
                        self.scope,
                        ft.TextButton(
                            content=_("Settings"),
                            icon=ft.Icons.TUNE,
                            tooltip=_("Notice settings"),
                            on_click=self._on_settings,
                        ),
                    ],
                    alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                    wrap=True,  # large text: the settings button goes under the tabs
                    run_spacing=8,
                ),
                toggle_row(self.mine, _("Only my districts and topics")),
                self.filter_text,
                self.offline,
                self.list,
                self.empty,
                self.error,
                self.more,
            ],
            spacing=10,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    async def _opened(self) -> None:
        await self.vm.start()
        await self.vm.mark_shown_seen()

    def render(self) -> None:
        tr, vm = self.tr, self.vm
        self.scope.selected = [vm.scope]
        self.mine.value = vm.mine
        self.filter_text.value = tr.render(vm.filter_notice) or ""
        set_bar(self.offline, tr.render(vm.offline_notice))
        items = vm.items
        self.list.controls = [notice_card(tr, v, self._open(v.id)) for v in items]
        self.empty.value = tr.render(vm.empty_notice) or ""
        self.empty.visible = not items
        self.more.visible = vm.has_more
        self.more.disabled = vm.loading_more
        self.error.value = tr.render(vm.error) or ""
        self.error.visible = vm.error is not None

    def _open(self, notice_id: int) -> Any:
        async def handler(e: ft.Event[Any]) -> None:
            await self.vm.open(notice_id)

        return handler

    async def _on_scope(self, e: ft.Event[ft.SegmentedButton]) -> None:
        selected = e.control.selected
        if selected:
            self.vm.set_scope("archive" if selected[0] == "archive" else "active")
            await self.vm.mark_shown_seen()

    async def _on_mine(self, e: ft.Event[ft.Switch]) -> None:
        self.vm.set_mine(bool(e.control.value))

    async def _on_more(self) -> None:
        await self.vm.load_more()

    async def _on_settings(self, e: ft.Event[Any]) -> None:
        self.prefs_sheet.open(e.page)

    def dispose(self) -> None:
        """The view models live for the session; nothing to release here."""


class NoticeScreen(ModelScreen[NoticesViewModel]):
    """`/notices/{id}`: one notice in full."""

    def __init__(self, app: AppViewModel, vm: NoticesViewModel, route: str, notice_id: int) -> None:
        super().__init__(app, vm, route)
        self.notice_id = notice_id
        self.body = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.render()
        run_soon(self.vm.start)
        self.view = page_view(self.route, _("Notice"), self.body, padding=ft.Padding.all(16))
        return self.view

    def render(self) -> None:
        tr = self.tr
        _ = tr.gettext
        view, note = self.vm.detail(self.notice_id)
        if view is None:
            self.body.controls = [info_line(ft.Icons.INFO_OUTLINE, tr.render(note) or "")]
            return
        icon, color = KIND_STYLE.get(view.kind, KIND_STYLE["planned"])
        tags: list[ft.Control] = [
            tag(tr.render(view.kind_name) or "", color, ft.Colors.WHITE),
            tag(view.topic_name, ft.Colors.BLUE_GREY_50, ft.Colors.BLACK),
        ]
        if view.state is not None:
            tags.append(tag(tr.render(view.state) or "", ft.Colors.GREY_300, ft.Colors.BLACK))
        self.body.controls = [
            ft.Row(tags, wrap=True, spacing=6),
            ft.Row(
                [
                    ft.Icon(icon, color=color, size=28),
                    ft.Text(view.title, size=20, weight=ft.FontWeight.BOLD, expand=True),
                ],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
            ft.Text(_("When"), weight=ft.FontWeight.W_600),
            ft.Text(tr.render(view.dates) or ""),
            ft.Text(_("Where"), weight=ft.FontWeight.W_600),
            ft.Text(_text(tr, view.area)),
            ft.Divider(),
            ft.Text(view.body, size=15),
        ]
