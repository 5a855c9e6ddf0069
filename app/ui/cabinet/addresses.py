"""`/cabinet/addresses`: the saved addresses, and the editor of one (`/cabinet/addresses/new`,
`/cabinet/addresses/<key>`) with a map point. Flet only; `AddressesViewModel` holds the state."""

from __future__ import annotations

from functools import partial
from typing import Any

import flet as ft

from app.domain.profile import DISTRICTS, Address
from app.ui.kit import (
    MUTED,
    ModelScreen,
    name_dropdown,
    named,
    note,
    on_click,
    page_view,
    run_soon,
    sideways,
)
from app.ui.point_map import PointMap
from app.viewmodels.addresses import DISTRICT_NAMES, LABEL_NAMES, AddressesViewModel, label_kind
from app.viewmodels.app_state import AppViewModel

LABEL_ICONS: dict[str, ft.IconData] = {
    "home": ft.Icons.HOME_OUTLINED,
    "work": ft.Icons.WORK_OUTLINE,
    "other": ft.Icons.PLACE_OUTLINED,
}


def district_name(tr: Any, code: str | None) -> str:
    return tr.gettext(DISTRICT_NAMES[code]) if code in DISTRICT_NAMES else ""


def address_title(tr: Any, a: Address) -> str:
    kind = label_kind(a.label)
    if kind == "other" and a.label not in ("other", ""):
        return a.label
    return str(tr.gettext(LABEL_NAMES[kind]))


class AddressesScreen(ModelScreen[AddressesViewModel]):
    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.list = ft.Column(spacing=8)
        self.notice = note(None)
        self.render()
        run_soon(self.vm.load)
        self.view = page_view(
            self.route,
            _("My addresses"),
            ft.Text(
                _("Your addresses decide which notices and alerts reach you and which shelters "
                  "are listed first."),
                color=MUTED,
                size=13,
            ),
            self.notice,
            self.list,
            ft.FilledButton(
                content=_("Add an address"),
                icon=ft.Icons.ADD_LOCATION_ALT,
                on_click=on_click(self.vm.add_new),
            ),
        )  # fmt: skip
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        self.notice.value = tr.render(vm.notice) or ""
        self.notice.visible = vm.notice is not None
        if not vm.items:
            self.list.controls = [ft.Text(_("No saved addresses yet."), color=MUTED)]
            return
        self.list.controls = [self._tile(a) for a in vm.items]

    def _tile(self, a: Address) -> ft.Control:
        tr = self.tr
        _ = tr.gettext
        title = address_title(tr, a)
        details = [a.text]
        if a.district:
            details.append(district_name(tr, a.district))
        if a.sync_state == "pending":
            details.append(_("waiting to be sent"))
        elif a.sync_state == "rejected" and a.sync_error:
            details.append(_("not saved on the server: {reason}").format(reason=a.sync_error))
        return ft.Card(
            content=ft.ListTile(
                leading=ft.Icon(LABEL_ICONS[label_kind(a.label)]),
                title=ft.Text(title, weight=ft.FontWeight.W_600),
                subtitle=ft.Text(" · ".join(d for d in details if d)),
                on_click=on_click(partial(self.vm.edit, a.key)),
                trailing=named(
                    ft.IconButton(
                        icon=ft.Icons.DELETE_OUTLINE,
                        on_click=on_click(partial(self.vm.delete, a.key)),
                    ),
                    _("Delete the address {name}").format(name=title),
                ),
            )
        )


class AddressEditorScreen(ModelScreen[AddressesViewModel]):
    def __init__(
        self, app: AppViewModel, vm: AddressesViewModel, route: str, key: str | None
    ) -> None:
        super().__init__(app, vm, route)
        vm.open_editor(key)  # a deep link opens the form too; a rebuild keeps what was typed

    def build(self) -> ft.View:
        _ = self.tr.gettext
        vm = self.vm
        self.kind = ft.SegmentedButton(
            segments=[
                ft.Segment(value=k, label=ft.Text(_(name)), icon=ft.Icon(LABEL_ICONS[k]))
                for k, name in LABEL_NAMES.items()
            ],
            selected=[vm.kind],
            show_selected_icon=False,
            on_change=self._on_kind,
        )
        self.other_name = ft.TextField(
            label=_("Name of the place"), max_length=40, on_change=self._on_other_name
        )
        self.text_field = ft.TextField(
            label=_("Address"), max_length=300, multiline=True, on_change=self._on_text
        )
        self.find_button = ft.OutlinedButton(
            content=_("Find on the map"),
            icon=ft.Icons.SEARCH,
            on_click=on_click(self.vm.find_typed),
        )
        self.locate_button = ft.OutlinedButton(
            content=_("Use my location"),
            icon=ft.Icons.MY_LOCATION,
            on_click=on_click(self.vm.use_current_position),
        )
        self.district = ft.Dropdown(
            label=_("District"),
            options=[
                ft.DropdownOption(key=code, text=_(DISTRICT_NAMES[code])) for code in DISTRICTS
            ],
            on_select=self._on_district,
            expand=True,
        )
        self.map = PointMap(_("Map: tap to choose the point"), vm.pick_point, height=240)
        self.point_text = ft.Text(size=12, color=MUTED)
        self.notice = note(None, MUTED)
        self.progress = ft.ProgressBar(visible=False)
        self.save_button = ft.FilledButton(
            content=_("Save"), icon=ft.Icons.SAVE, on_click=on_click(self.vm.save)
        )
        title = _("New address") if vm.key is None else _("Edit the address")
        self.render()
        self.view = page_view(
            self.route,
            title,
            sideways(self.kind),
            self.other_name,
            self.text_field,
            ft.Row([self.find_button, self.locate_button], wrap=True),
            self.progress,
            self.notice,
            self.map.show(vm.lat, vm.lon),
            self.point_text,
            ft.Row([self.district]),
            ft.Row(
                [
                    ft.TextButton(content=_("Cancel"), on_click=on_click(self.vm.cancel)),
                    self.save_button,
                ],
                alignment=ft.MainAxisAlignment.END,
            ),
        )
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        if self.inputs_rewritten(vm.input_revision):
            self.text_field.value = vm.text
            self.other_name.value = vm.other_name
        self.kind.selected = [vm.kind]
        self.other_name.visible = vm.kind == "other"
        self.text_field.error = tr.render(vm.text_error)
        self.district.value = vm.district
        name_dropdown(self.district, _("District"))
        self.map.show(vm.lat, vm.lon)
        if vm.has_point and vm.lat is not None and vm.lon is not None:
            self.point_text.value = _("Point: {lat}, {lon}").format(
                lat=f"{vm.lat:.5f}", lon=f"{vm.lon:.5f}"
            )
        else:
            self.point_text.value = _("No point on the map yet.")
        self.notice.value = tr.render(vm.editor_notice) or ""
        self.notice.visible = vm.editor_notice is not None
        self.progress.visible = vm.locating or vm.busy
        for control in (self.save_button, self.find_button, self.locate_button):
            control.disabled = vm.busy or vm.locating or vm.missing

    async def _on_kind(self, e: ft.Event[ft.SegmentedButton]) -> None:
        if e.control.selected:
            self.vm.set_kind(e.control.selected[0])

    async def _on_other_name(self, e: Any) -> None:
        self.vm.set_other_name(e.control.value or "")

    async def _on_text(self, e: Any) -> None:
        self.vm.set_text(e.control.value or "")

    async def _on_district(self, e: Any) -> None:
        self.vm.set_district(e.control.value)
