"""`/participation/proposals/new`: the form of a resident's proposal (Flet only; the state is in
`ParticipationViewModel`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app.data.services.picker import MediaPicker
from app.ui.kit import MUTED, ModelScreen, chip_text, named, on_click, page_view
from app.ui.point_map import PointMap
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.participation import CATEGORY_NAMES, ParticipationViewModel


class NewProposalScreen(ModelScreen[ParticipationViewModel]):
    """`/participation/proposals/new`: text, category, an optional place and photo."""

    def __init__(
        self, app: AppViewModel, vm: ParticipationViewModel, picker: MediaPicker, route: str
    ) -> None:
        super().__init__(app, vm, route)
        self.picker = picker
        picker.on_picked = vm.add_photo

    def build(self) -> ft.View:
        _ = self.tr.gettext
        vm = self.vm
        self.text_field = ft.TextField(
            label=_("Your proposal"),
            multiline=True,
            min_lines=4,
            max_lines=10,
            max_length=2000,
            on_change=self._on_text,
        )
        self.category = ft.Row(wrap=True, spacing=6, run_spacing=6)
        self.category_error = ft.Text(size=12, color=ft.Colors.ERROR, visible=False)
        self.address_field = ft.TextField(label=_("Address (optional)"), on_change=self._on_address)
        self.map = PointMap(_("Map: tap to choose the point"), self.vm.pick_point, height=220)
        self.place_note = ft.Text(size=12, color=MUTED)
        self.locate_button = ft.OutlinedButton(
            content=_("Use my location"), icon=ft.Icons.MY_LOCATION, on_click=on_click(vm.locate)
        )
        self.photo_button = ft.OutlinedButton(
            content=_("Add a photo"),
            icon=ft.Icons.ADD_A_PHOTO_OUTLINED,
            action=self.picker.action("photo"),
        )
        self.photo_row = ft.Row(wrap=True)
        self.photo_error = ft.Text(size=12, color=ft.Colors.ERROR)
        self.submit_button = ft.FilledButton(
            content=_("Send proposal"), icon=ft.Icons.SEND, on_click=on_click(vm.submit_proposal)
        )
        form = ft.Column(
            [
                ft.Text(
                    _("Suggest what to improve: landscaping, urban infrastructure, transport…"),
                    color=MUTED,
                ),
                self.text_field,
                ft.Text(_("Category"), weight=ft.FontWeight.W_600),
                self.category,
                self.category_error,
                ft.Text(_("Place (optional)"), weight=ft.FontWeight.W_600),
                self.address_field,
                self.locate_button,
                self.map.show(vm.form.lat, vm.form.lon),
                self.place_note,
                ft.Text(_("Photo (optional)"), weight=ft.FontWeight.W_600),
                self.photo_button,
                self.photo_row,
                self.photo_error,
                self.submit_button,
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.render()
        self.view = page_view(self.route, _("New proposal"), form)
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        form = vm.form
        if self.inputs_rewritten(form.revision):
            self.text_field.value = form.text
            self.address_field.value = form.address
        self.text_field.error = tr.render(form.text_error)
        self.category.controls = [
            ft.Chip(
                label=chip_text(_(name)),
                selected=form.category == code,
                on_select=self._category_handler(code),
            )
            for code, name in CATEGORY_NAMES.items()
        ]
        self.category_error.value = tr.render(form.category_error) or ""
        self.category_error.visible = form.category_error is not None
        self.map.show(form.lat, form.lon)
        if form.has_point and form.lat is not None and form.lon is not None:
            self.place_note.value = _("Point: {lat}, {lon}").format(
                lat=f"{form.lat:.5f}", lon=f"{form.lon:.5f}"
            )
        else:
            self.place_note.value = tr.render(form.place_note) or ""
        self.locate_button.disabled = form.locating
        self.photo_button.disabled = form.photo_busy
        self.photo_row.controls = (
            [
                ft.Image(src=form.photo_thumb or b"", width=96, height=96, fit=ft.BoxFit.COVER,
                         border_radius=8),
                named(ft.IconButton(icon=ft.Icons.DELETE_OUTLINE,
                                    on_click=on_click(vm.remove_photo)), _("Remove the photo")),
            ]
            if form.photo is not None
            else ([ft.ProgressRing(width=24, height=24)] if form.photo_busy else [])
        )  # fmt: skip
        self.photo_error.value = tr.render(form.photo_error) or ""
        self.submit_button.disabled = vm.busy

    def dispose(self) -> None:
        super().dispose()
        if self.picker.on_picked == self.vm.add_photo:
            self.picker.on_picked = None

    async def _on_text(self, e: Any) -> None:
        self.vm.set_text(e.control.value or "")

    def _category_handler(self, code: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            self.vm.set_category(code)

        return handler

    async def _on_address(self, e: Any) -> None:
        self.vm.set_address(e.control.value or "")
