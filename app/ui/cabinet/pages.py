"""The cabinet's own pages: personal data (`/cabinet/personal`), saved addresses
(`/cabinet/addresses`, `/cabinet/addresses/new`, `/cabinet/addresses/<key>`) and notification
settings (`/cabinet/notifications`). Flet only; the view models hold the state."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import flet as ft

from app.domain.profile import DISTRICTS, Address
from app.routes import RouteMatch
from app.ui.kit import Screen, centered
from app.ui.participation.screen import NewProposalScreen, spawn
from app.ui.point_map import PointMap
from app.viewmodels.addresses import DISTRICT_NAMES, LABEL_NAMES, AddressesViewModel, label_kind
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.notices import NoticePrefsViewModel
from app.viewmodels.notification_settings import MSG_EXTREME_ALWAYS, AlertSettingsViewModel
from app.viewmodels.personal import PersonalDataViewModel

if TYPE_CHECKING:
    from app.composition import AppSession

MUTED = ft.Colors.ON_SURFACE_VARIANT
LABEL_ICONS: dict[str, ft.IconData] = {
    "home": ft.Icons.HOME_OUTLINED,
    "work": ft.Icons.WORK_OUTLINE,
    "other": ft.Icons.PLACE_OUTLINED,
}


def page_view(route: str, title: str, *controls: ft.Control) -> ft.View:
    return ft.View(
        route=route,
        scroll=ft.ScrollMode.AUTO,
        padding=ft.Padding.symmetric(horizontal=16, vertical=12),
        appbar=ft.AppBar(title=ft.Text(title)),
        controls=[centered(*controls)],
    )


def note(text: str | None, color: str = ft.Colors.GREEN_800) -> ft.Text:
    return ft.Text(text or "", color=color, visible=bool(text), size=13)


# ================================================================== personal data


class PersonalDataScreen(Screen):
    def __init__(self, app: AppViewModel, vm: PersonalDataViewModel, route: str) -> None:
        super().__init__(app.tr)
        self.vm = vm
        self.route = route
        self._revision = -1
        self._tasks: set[asyncio.Task[Any]] = set()
        self.watch(vm)

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.name_field = ft.TextField(
            label=_("Full name"), max_length=200, on_change=self._on_name
        )
        self.iin_field = ft.TextField(
            label=_("IIN (optional)"),
            helper=_("12 digits; checked on this phone"),
            keyboard_type=ft.KeyboardType.NUMBER,
            on_change=self._on_iin,
            on_blur=self._on_iin_blur,
        )
        self.save_button = ft.FilledButton(
            content=_("Save"), icon=ft.Icons.SAVE, on_click=self._on_save
        )
        self.notice = note(None)
        self.refused = ft.Container(visible=False)
        self.phone_tile = ft.ListTile(
            leading=ft.Icon(ft.Icons.PHONE_ANDROID), subtitle=ft.Text(_("Phone number"))
        )
        self.change_button = ft.OutlinedButton(
            content=_("Change the number"), icon=ft.Icons.EDIT, on_click=self._on_start_change
        )
        self.new_phone_field = ft.TextField(
            label=_("New phone number"),
            keyboard_type=ft.KeyboardType.PHONE,
            on_change=self._on_new_phone,
        )
        self.code_field = ft.TextField(
            label=_("Code from the SMS"),
            keyboard_type=ft.KeyboardType.NUMBER,
            max_length=6,
            on_change=self._on_code,
        )
        self.request_button = ft.FilledTonalButton(
            content=_("Get a code"), on_click=self._on_request
        )
        self.verify_button = ft.FilledButton(content=_("Confirm"), on_click=self._on_verify)
        self.cancel_button = ft.TextButton(content=_("Cancel"), on_click=self._on_cancel_change)
        self.phone_notice = note(None, MUTED)
        self.change_box = ft.Column(
            [
                ft.Text(_("A code will be sent to the new number."), size=13, color=MUTED),
                self.new_phone_field,
                self.request_button,
                self.phone_notice,
                self.code_field,
                ft.Row(
                    [self.cancel_button, self.verify_button], alignment=ft.MainAxisAlignment.END
                ),
            ],
            spacing=10,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
        self.render()
        spawn(self._tasks, self.vm.load())
        self.view = page_view(
            self.route,
            _("Personal data"),
            self.name_field,
            self.iin_field,
            self.save_button,
            self.notice,
            self.refused,
            ft.Divider(),
            self.phone_tile,
            self.change_button,
            self.change_box,
        )
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        if vm.input_revision != self._revision:
            self._revision = vm.input_revision
            self.name_field.value = vm.name_text
            self.iin_field.value = vm.iin_text
            self.new_phone_field.value = vm.new_phone_text
            self.code_field.value = vm.code_text
        self.name_field.error = tr.render(vm.name_error)
        self.iin_field.error = tr.render(vm.iin_error)
        self.notice.value = tr.render(vm.notice) or ""
        self.notice.visible = vm.notice is not None
        self.refused.visible = vm.refused is not None
        if vm.refused is not None:
            self.refused.content = ft.Row(
                [
                    ft.Text(tr.render(vm.refused) or "", color=ft.Colors.ERROR, expand=True),
                    ft.TextButton(content=_("OK"), on_click=self._on_dismiss),
                ]
            )
        self.phone_tile.title = ft.Text(vm.phone_shown)
        self.change_button.visible = not vm.changing_phone
        self.change_box.visible = vm.changing_phone
        self.new_phone_field.error = tr.render(vm.phone_error)
        self.code_field.error = tr.render(vm.code_error)
        self.code_field.visible = vm.new_phone is not None
        self.verify_button.visible = vm.new_phone is not None
        self.phone_notice.value = tr.render(vm.phone_notice) or ""
        self.phone_notice.visible = vm.phone_notice is not None
        for button in (self.save_button, self.request_button, self.verify_button):
            button.disabled = vm.busy

    async def _on_name(self, e: Any) -> None:
        self.vm.set_name(e.control.value or "")

    async def _on_iin(self, e: Any) -> None:
        self.vm.set_iin(e.control.value or "")

    async def _on_iin_blur(self, e: Any) -> None:
        if not self.vm.check_iin():
            self.vm.notify()

    async def _on_save(self) -> None:
        await self.vm.save()

    async def _on_dismiss(self) -> None:
        await self.vm.dismiss_refusal()

    async def _on_start_change(self) -> None:
        self.vm.start_phone_change()

    async def _on_cancel_change(self) -> None:
        self.vm.reset_phone_change()

    async def _on_new_phone(self, e: Any) -> None:
        self.vm.set_new_phone(e.control.value or "")

    async def _on_code(self, e: Any) -> None:
        self.vm.set_code(e.control.value or "")

    async def _on_request(self) -> None:
        await self.vm.request_code()

    async def _on_verify(self) -> None:
        await self.vm.verify_code()


# ================================================================== addresses


def district_name(tr: Any, code: str | None) -> str:
    return tr.gettext(DISTRICT_NAMES[code]) if code in DISTRICT_NAMES else ""


def address_title(tr: Any, a: Address) -> str:
    kind = label_kind(a.label)
    if kind == "other" and a.label not in ("other", ""):
        return a.label
    return str(tr.gettext(LABEL_NAMES[kind]))


class AddressesScreen(Screen):
    def __init__(self, app: AppViewModel, vm: AddressesViewModel, route: str) -> None:
        super().__init__(app.tr)
        self.vm = vm
        self.route = route
        self._tasks: set[asyncio.Task[Any]] = set()
        self.watch(vm)

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.list = ft.Column(spacing=8)
        self.notice = note(None)
        self.render()
        spawn(self._tasks, self.vm.load())
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
                content=_("Add an address"), icon=ft.Icons.ADD_LOCATION_ALT, on_click=self._on_add
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
                on_click=self._edit_handler(a.key),
                trailing=ft.IconButton(
                    icon=ft.Icons.DELETE_OUTLINE,
                    tooltip=_("Delete the address {name}").format(name=title),
                    on_click=self._delete_handler(a.key),
                ),
            )
        )

    def _edit_handler(self, key: str) -> Callable[[], Awaitable[None]]:
        async def handler() -> None:
            await self.vm.edit(key)

        return handler

    def _delete_handler(self, key: str) -> Callable[[], Awaitable[None]]:
        async def handler() -> None:
            await self.vm.delete(key)

        return handler

    async def _on_add(self) -> None:
        await self.vm.add_new()


class AddressEditorScreen(Screen):
    def __init__(
        self, app: AppViewModel, vm: AddressesViewModel, route: str, key: str | None
    ) -> None:
        super().__init__(app.tr)
        self.vm = vm
        self.route = route
        self._revision = -1
        self.watch(vm)
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
            content=_("Find on the map"), icon=ft.Icons.SEARCH, on_click=self._on_find
        )
        self.locate_button = ft.OutlinedButton(
            content=_("Use my location"), icon=ft.Icons.MY_LOCATION, on_click=self._on_locate
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
            content=_("Save"), icon=ft.Icons.SAVE, on_click=self._on_save
        )
        title = _("New address") if vm.key is None else _("Edit the address")
        self.render()
        self.view = page_view(
            self.route,
            title,
            self.kind,
            self.other_name,
            self.text_field,
            ft.Row([self.find_button, self.locate_button], wrap=True),
            self.progress,
            self.notice,
            self.map.show(vm.lat, vm.lon),
            self.point_text,
            ft.Row([self.district]),
            ft.Row(
                [ft.TextButton(content=_("Cancel"), on_click=self._on_cancel), self.save_button],
                alignment=ft.MainAxisAlignment.END,
            ),
        )
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        if vm.input_revision != self._revision:
            self._revision = vm.input_revision
            self.text_field.value = vm.text
            self.other_name.value = vm.other_name
        self.kind.selected = [vm.kind]
        self.other_name.visible = vm.kind == "other"
        self.text_field.error = tr.render(vm.text_error)
        self.district.value = vm.district
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

    async def _on_find(self) -> None:
        await self.vm.find_typed()

    async def _on_locate(self) -> None:
        await self.vm.use_current_position()

    async def _on_save(self) -> None:
        await self.vm.save()

    async def _on_cancel(self) -> None:
        await self.vm.cancel()


# ================================================================== notification settings


class NotificationSettingsScreen(Screen):
    """Districts and topics of notices (the notices feature's choice), alert levels and status
    updates (the cabinet's)."""

    def __init__(
        self,
        app: AppViewModel,
        vm: AlertSettingsViewModel,
        notices: NoticePrefsViewModel | None,
        route: str,
    ) -> None:
        super().__init__(app.tr)
        self.vm = vm
        self.notices = notices
        self.route = route
        self._tasks: set[asyncio.Task[Any]] = set()
        self.watch(vm)
        if notices is not None:
            self.watch(notices)
            notices.reset()

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.notice_box = ft.Column(spacing=6)
        self.levels = ft.Column(spacing=0)
        self.status_switch = ft.Switch(
            label=_("Status changes of my appeals"), on_change=self._on_status
        )
        self.save_button = ft.FilledButton(
            content=_("Save"), icon=ft.Icons.SAVE, on_click=self._on_save
        )
        self.saved = note(None)
        self.render()
        spawn(self._tasks, self.vm.load())
        self.view = page_view(
            self.route,
            _("Notification settings"),
            self.notice_box,
            ft.Divider(),
            ft.Text(_("Emergency alerts"), size=16, weight=ft.FontWeight.W_600),
            ft.Text(_(MSG_EXTREME_ALWAYS), size=13, color=MUTED),
            self.levels,
            ft.Divider(),
            ft.Text(_("My appeals"), size=16, weight=ft.FontWeight.W_600),
            self.status_switch,
            self.save_button,
            self.saved,
        )
        return self.view

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        self.levels.controls = [
            ft.Checkbox(
                label=_(name),
                value=chosen,
                disabled=not changeable,
                on_change=self._level_handler(code),
            )
            for code, name, chosen, changeable in vm.level_choices
        ]
        self.status_switch.value = vm.status_updates
        self.save_button.disabled = vm.saving or bool(self.notices and self.notices.saving)
        messages = [m for m in (vm.notice,) if m is not None]
        if self.notices is not None:
            messages += [m for m in (self.notices.status,) if m is not None]
        self.saved.value = " ".join(tr.render(m) or "" for m in messages)
        self.saved.visible = bool(messages)
        self.notice_box.controls = self._notice_choices()

    def _notice_choices(self) -> list[ft.Control]:
        _ = self.tr.gettext
        prefs = self.notices
        if prefs is None:
            return []
        rows: list[ft.Control] = [
            ft.Text(_("Planned works and events"), size=16, weight=ft.FontWeight.W_600),
            ft.Text(_("None chosen means all."), size=13, color=MUTED),
            ft.Text(_("Districts"), weight=ft.FontWeight.W_500),
            ft.Row(
                [
                    ft.Chip(
                        label=ft.Text(c.name),
                        selected=c.selected,
                        on_select=self._district_handler(c.code),
                    )
                    for c in prefs.district_choices
                ],
                wrap=True,
                spacing=6,
            ),
            ft.Text(_("Topics"), weight=ft.FontWeight.W_500),
            ft.Row(
                [
                    ft.Chip(
                        label=ft.Text(c.name),
                        selected=c.selected,
                        on_select=self._topic_handler(c.code),
                    )
                    for c in prefs.topic_choices
                ],
                wrap=True,
                spacing=6,
            ),
        ]
        if prefs.error is not None:
            rows.append(ft.Text(self.tr.render(prefs.error) or "", color=ft.Colors.ERROR))
        return rows

    def _level_handler(self, code: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            self.vm.toggle_level(code, bool(e.control.value))

        return handler

    def _district_handler(self, code: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            if self.notices is not None:
                self.notices.toggle_district(code)

        return handler

    def _topic_handler(self, code: str) -> Callable[[Any], Awaitable[None]]:
        async def handler(e: Any) -> None:
            if self.notices is not None:
                self.notices.toggle_topic(code)

        return handler

    async def _on_status(self, e: Any) -> None:
        self.vm.set_status_updates(bool(e.control.value))

    async def _on_save(self) -> None:
        await self.vm.save()
        if self.notices is not None:
            await self.notices.save()


# ================================================================== routing


def page_for(session: AppSession, m: RouteMatch) -> Screen | None:
    """The screen of a cabinet page or of the new proposal, None for other routes."""
    s = session
    if m.name == "cabinet_personal":
        return PersonalDataScreen(s.app, s.personal, m.route)
    if m.name == "cabinet_addresses":
        return AddressesScreen(s.app, s.addresses, m.route)
    if m.name == "address_editor":
        return AddressEditorScreen(s.app, s.addresses, m.route, m.params.get("key"))
    if m.name == "cabinet_notifications":
        return NotificationSettingsScreen(s.app, s.alert_settings, s.notice_prefs, m.route)
    if m.name == "new_proposal":
        return NewProposalScreen(s.app, s.participation, s.media_picker, m.route)
    return None
