"""New appeal (`/appeals/new`): the form, similar appeals nearby, and the emergency path.

Flet only: every decision is in `NewAppealViewModel`; this copies its state onto controls and
forwards the resident's input.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import flet as ft
import flet_map as fm

from app.data.services.picker import MediaPicker
from app.domain.appeals import PreparedMedia
from app.domain.phone import format_phone
from app.i18n import Message
from app.ui.kit import Screen, centered
from app.ui.new_appeal.camera import CameraButton
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.camera import CameraViewModel
from app.viewmodels.new_appeal import (
    APPEAL_TYPES,
    EMERGENCY_SERVICES,
    MAX_TEXT,
    MediaItem,
    NewAppealViewModel,
    address_label,
)

log = logging.getLogger(__name__)

TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ERROR_COLOR = ft.Colors.ERROR
MUTED = ft.Colors.ON_SURFACE_VARIANT


def _client_action(make: Any) -> Any:
    """A client action (tel: link, clipboard); None outside a page (they need its services)."""
    try:
        return make()
    except RuntimeError:
        return None


def _section(title: str, *controls: ft.Control) -> ft.Control:
    return ft.Column(
        [ft.Text(title, weight=ft.FontWeight.W_600, size=15), *controls],
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )


class NewAppealScreen(Screen):
    def __init__(
        self,
        app: AppViewModel,
        vm: NewAppealViewModel,
        picker: MediaPicker,
        route: str,
        camera: CameraViewModel | None = None,
    ) -> None:
        super().__init__(app.tr)
        self.app = app
        self.vm = vm
        self.picker = picker
        self.route = route
        self.camera = camera
        self._input_revision = -1
        self._shown: dict[str, object] = {}  # what each rebuilt section last showed
        self._tasks: set[asyncio.Task[Any]] = set()
        self.watch(vm)
        if camera is not None:
            self.watch(camera)
        _ = self.tr.gettext

        # -- form controls ---------------------------------------------------------------------
        self.emergency_button = ft.OutlinedButton(
            content=_("This is an emergency"),
            icon=ft.Icons.EMERGENCY_OUTLINED,
            style=ft.ButtonStyle(color=ft.Colors.RED_700),
            on_click=self._on_emergency,
        )
        self.text_field = ft.TextField(
            label=_("What happened?"),
            hint_text=_("Describe the problem: what, where, since when"),
            multiline=True,
            min_lines=3,
            max_lines=8,
            error_max_lines=2,
            on_change=self._on_text,
        )
        self.type_chips = ft.Row(wrap=True, spacing=6, run_spacing=6)
        self.category_box = ft.Column(spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.search_field = ft.TextField(
            label=_("Find a category"),
            prefix_icon=ft.Icons.SEARCH,
            on_change=self._on_search,
        )
        self.category_error = ft.Text(color=ERROR_COLOR, size=12, visible=False)

        self.location_icon = ft.Icon(ft.Icons.MY_LOCATION, size=20)
        self.location_text = ft.Text(expand=True)
        self.location_progress = ft.ProgressRing(width=16, height=16, stroke_width=2)
        self.coordinates_text = ft.Text(size=12, color=MUTED)
        self.location_error = ft.Text(color=ERROR_COLOR, size=12, visible=False)
        self.locate_button = ft.TextButton(
            content=_("Find me again"), icon=ft.Icons.GPS_FIXED, on_click=self._on_locate
        )
        self.map_button = ft.TextButton(
            content=_("Choose on the map"), icon=ft.Icons.MAP_OUTLINED, on_click=self._on_map
        )
        self.marker_layer = fm.MarkerLayer(markers=[])
        self.map_view: fm.Map | None = None
        self.map_box = ft.Container(height=280, border_radius=8, visible=False)
        self.map_hint = ft.Text(size=12, color=MUTED, visible=False)
        self.nudge_row = ft.Row(wrap=True, spacing=0, visible=False)

        self.address_field = ft.TextField(
            label=_("Incident address"),
            prefix_icon=ft.Icons.PLACE_OUTLINED,
            error_max_lines=2,
            on_change=self._on_address,
        )
        self.address_progress = ft.ProgressBar(visible=False)
        self.saved_row = ft.Row(wrap=True, spacing=6, run_spacing=6)

        self.share_switch = ft.Switch(
            label=_("Share my name and phone with the appeal"), on_change=self._on_share
        )
        self.name_field = ft.TextField(
            label=_("Your name"), prefix_icon=ft.Icons.PERSON_OUTLINE, on_change=self._on_name
        )
        self.phone_text = ft.Text(color=MUTED)
        self.anonymous_text = ft.Text(
            _("Without a name and phone the executor cannot contact you to clarify."),
            size=12,
            color=MUTED,
        )

        self.media_row = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.media_progress = ft.ProgressBar(visible=False)
        self.media_errors = ft.Column(spacing=4)
        self.add_photo = ft.OutlinedButton(
            content=_("Add photo"), icon=ft.Icons.ADD_A_PHOTO_OUTLINED
        )
        self.add_video = ft.OutlinedButton(content=_("Add video"), icon=ft.Icons.VIDEOCAM_OUTLINED)
        self.camera_button = CameraButton(self.tr, camera) if camera is not None else None

        self.form_error = ft.Text(color=ERROR_COLOR, visible=False)
        self.submit_button = ft.FilledButton(
            content=_("Send appeal"), icon=ft.Icons.SEND, on_click=self._on_submit
        )
        self.discard_button = ft.TextButton(
            content=_("Clear the form"), icon=ft.Icons.DELETE_OUTLINE, on_click=self._on_discard
        )
        self.progress = ft.ProgressBar(visible=False)
        self.offline_note = ft.Text(size=12, color=MUTED, visible=False)

        self.form = ft.Column(spacing=18, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.similar_box = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.emergency_box = ft.Column(
            spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH
        )
        self.service_group = ft.RadioGroup(content=ft.Column(spacing=0), on_change=self._on_service)
        self.emergency_summary = ft.Column(spacing=4)
        self.emergency_offline = ft.Container(visible=False)
        self.emergency_call = ft.Row(wrap=True, spacing=8)
        self.emergency_send = ft.FilledButton(
            icon=ft.Icons.SEND,
            style=ft.ButtonStyle(bgcolor=ft.Colors.RED_700, color=ft.Colors.WHITE),
            on_click=self._on_send_emergency,
        )
        self.service_error = ft.Text(color=ERROR_COLOR, size=12, visible=False)

    # ==========================================================================================
    # building
    # ==========================================================================================

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.picker.on_picked = self.vm.add_picked
        if self.camera is not None:
            self.camera.on_captured = self.vm.add_picked  # a shot goes through the same pipeline
        self.add_photo.action = self.picker.action("photo")
        self.add_video.action = self.picker.action("video")
        self.type_chips.controls = [
            ft.Chip(
                label=ft.Text(_(label)),
                selected=self.vm.type == key,
                on_select=self._type_handler(key),
                show_checkmark=True,
            )
            for key, label in APPEAL_TYPES
        ]
        self.service_group.content = ft.Column(
            [
                ft.Radio(value=code, label=f"{code} — {_(name)}")
                for code, name in EMERGENCY_SERVICES
            ],
            spacing=0,
        )
        self.form.controls = [
            ft.Container(
                content=ft.Column(
                    [
                        ft.Row(
                            [
                                ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.RED_700),
                                ft.Text(
                                    _("Is someone in danger right now?"),
                                    expand=True,
                                    color=ft.Colors.RED_900,
                                ),
                            ]
                        ),
                        self.emergency_button,
                    ],
                    spacing=6,
                    horizontal_alignment=ft.CrossAxisAlignment.START,
                ),
                bgcolor=ft.Colors.RED_50,
                border_radius=8,
                padding=ft.Padding.symmetric(horizontal=12, vertical=8),
            ),
            self.text_field,
            _section(_("Type of appeal"), self.type_chips),
            _section(_("Category"), self.category_box, self.category_error),
            _section(
                _("Location"),
                ft.Row(
                    [self.location_icon, self.location_text, self.location_progress],
                    vertical_alignment=ft.CrossAxisAlignment.CENTER,
                ),
                self.coordinates_text,
                self.location_error,
                ft.Row([self.locate_button, self.map_button], wrap=True, spacing=4),
                self.map_hint,
                self.map_box,
                self.nudge_row,
                self.address_field,
                self.address_progress,
                self.saved_row,
            ),
            _section(
                _("Contact details"),
                self.share_switch,
                self.name_field,
                self.phone_text,
                self.anonymous_text,
            ),
            _section(
                _("Photos and videos"),
                self.media_row,
                self.media_progress,
                self.media_errors,
                ft.Row(
                    [
                        self.add_photo,
                        *([self.camera_button.control] if self.camera_button else []),
                        self.add_video,
                    ],
                    wrap=True,
                    spacing=8,
                ),
                *([self.camera_button.reason] if self.camera_button else []),
                ft.Text(
                    _("Photos are reduced and sent without location or camera data."),
                    size=12,
                    color=MUTED,
                ),
            ),
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
            appbar=ft.AppBar(title=ft.Text(_("New appeal")), actions=[self._language_button()]),
            controls=[centered(self.form, self.similar_box, self.emergency_box)],
        )
        self._spawn(self.vm.open())
        return self.view

    def _language_button(self) -> ft.Control:
        """The other language, by its own name: what is typed stays (it lives in the VM)."""
        lang = self.app.language
        code, name = next((c, n) for c, n in lang.choices if c != lang.current)

        async def switch() -> None:
            await lang.choose(code)

        return ft.TextButton(content=name, icon=ft.Icons.TRANSLATE, on_click=switch)

    def _spawn(self, coro: Any) -> None:
        try:
            task = asyncio.get_running_loop().create_task(coro)
        except RuntimeError:  # built outside the event loop (tests)
            coro.close()
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def dispose(self) -> None:
        super().dispose()
        if self.picker.on_picked == self.vm.add_picked:
            self.picker.on_picked = None
        if self.camera is not None and self.camera.on_captured == self.vm.add_picked:
            self.camera.on_captured = None
        self.vm.leave()

    # ==========================================================================================
    # rendering
    # ==========================================================================================

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        if vm.input_revision != self._input_revision:
            self._input_revision = vm.input_revision
            self.text_field.value = vm.text
            self.address_field.value = vm.address
            self.name_field.value = vm.applicant_name
            self.search_field.value = vm.category_query
        self.form.visible = vm.step == "form"
        self.similar_box.visible = vm.step == "similar"
        self.emergency_box.visible = vm.step == "emergency"

        self.text_field.error = tr.render(vm.errors.get("text"))
        self.text_field.counter = f"{vm.text_length} / {MAX_TEXT}"
        for chip, (key, _label) in zip(self.type_chips.controls, APPEAL_TYPES, strict=False):
            if isinstance(chip, ft.Chip):
                chip.selected = vm.type == key
        self._once("category", self._category_key(), self._render_category)
        self._render_location()
        self.address_field.error = tr.render(vm.errors.get("address"))
        self.address_progress.visible = vm.address_busy
        self._once("saved", (vm.saved_addresses, tr.language), self._render_saved)
        self.share_switch.value = vm.share_personal
        self.name_field.visible = vm.share_personal
        self.name_field.error = tr.render(vm.errors.get("name"))
        self.phone_text.visible = vm.share_personal and bool(vm.phone)
        self.phone_text.value = _("Phone: {phone}").format(phone=format_phone(vm.phone))
        self.anonymous_text.visible = not vm.share_personal
        media_key = (
            tuple(m.media.path for m in vm.media),
            vm.media_busy,
            tuple(vm.media_errors),
            vm.errors.get("media"),
            tr.language,
        )
        self._once("media", media_key, self._render_media)
        if self.camera_button is not None:
            self.camera_button.render(busy=vm.media_busy > 0 or vm.media_full)

        self.form_error.value = tr.render(vm.form_error) or ""
        self.form_error.visible = vm.form_error is not None
        self.progress.visible = vm.busy
        self.submit_button.disabled = not vm.can_submit
        self.offline_note.visible = vm.offline
        self.offline_note.value = _(
            "No connection: the appeal will be saved and sent when the connection returns."
        )
        if vm.step == "similar":
            self._render_similar()
        if vm.step == "emergency":
            self._render_emergency()

    def _once(self, section: str, key: object, build: Any) -> None:
        """Rebuild a section's controls only when what it shows changed (a keystroke must not
        re-send every tile and thumbnail)."""
        if self._shown.get(section) != key:
            self._shown[section] = key
            build()

    def _category_key(self) -> object:
        vm = self.vm
        return (
            vm.subclass_code,
            tuple(s.code for s in vm.suggestions),
            vm.category_query,
            tuple(s.code for g in vm.search_results for s in g.subclasses),
            vm.errors.get("category"),
            vm.classifier.classifier is not None,
            self.tr.language,
        )

    def _render_saved(self) -> None:
        vm, tr = self.vm, self.tr
        self.saved_row.controls = [
            ft.Chip(
                label=ft.Text(f"{tr.render(address_label(a))}: {a.text}", max_lines=1),
                leading=ft.Icon(ft.Icons.BOOKMARK_BORDER, size=16),
                on_click=self._saved_handler(i),
            )
            for i, a in enumerate(vm.saved_addresses)
        ]

    def _render_category(self) -> None:
        vm, _ = self.vm, self.tr.gettext
        self.category_error.value = self.tr.render(vm.errors.get("category")) or ""
        self.category_error.visible = "category" in vm.errors
        chosen = vm.category
        if chosen is not None:
            self.category_box.controls = [
                ft.Card(
                    content=ft.ListTile(
                        leading=ft.Icon(ft.Icons.CATEGORY_OUTLINED),
                        title=ft.Text(vm.category_name(chosen)),
                        subtitle=ft.Text(vm.class_name(chosen)),
                        trailing=ft.TextButton(
                            content=_("Change"), on_click=self._on_clear_category
                        ),
                    )
                )
            ]
            return
        rows: list[ft.Control] = []
        if vm.suggestions:
            rows.append(ft.Text(_("Suggested from your text:"), size=13, color=MUTED))
            rows.extend(
                ft.OutlinedButton(
                    content=vm.category_name(s),
                    icon=ft.Icons.AUTO_AWESOME_OUTLINED,
                    on_click=self._category_handler(s.code),
                )
                for s in vm.suggestions[:4]
            )
        elif vm.classifier.classifier is None:
            rows.append(
                ft.Text(
                    _("The list of categories has not been loaded yet: it needs a connection."),
                    size=12,
                    color=MUTED,
                )
            )
        rows.append(self.search_field)
        for group in vm.search_results:
            rows.append(ft.Text(group.group.name(vm.language), weight=ft.FontWeight.W_600, size=13))
            rows.extend(
                ft.ListTile(
                    title=ft.Text(s.name(vm.language)),
                    dense=True,
                    on_click=self._category_handler(s.code),
                )
                for s in group.subclasses
            )
        if vm.category_query.strip() and not vm.search_results:
            rows.append(ft.Text(_("Nothing found. Try another word."), size=12, color=MUTED))
        self.category_box.controls = rows

    def _render_location(self) -> None:
        vm, tr, _ = self.vm, self.tr, self.tr.gettext
        self.location_text.value = tr.render(vm.location_message) or _(
            "The position is needed to send the appeal to the right service."
        )
        self.location_progress.visible = vm.location_state == "locating"
        found = vm.position is not None
        self.location_icon.icon = ft.Icons.MY_LOCATION if found else ft.Icons.LOCATION_DISABLED
        self.location_icon.color = ft.Colors.GREEN_700 if found else MUTED
        self.coordinates_text.value = tr.render(vm.coordinates) or ""
        self.coordinates_text.visible = found
        self.location_error.value = tr.render(vm.errors.get("location")) or ""
        self.location_error.visible = "location" in vm.errors
        self.locate_button.disabled = vm.location_state == "locating"
        self.map_button.content = _("Hide the map") if vm.map_open else _("Choose on the map")
        self.map_box.visible = vm.map_open
        self.map_hint.visible = vm.map_open
        self.nudge_row.visible = vm.map_open
        self.map_hint.value = _(
            "Tap the map where the problem is. Without internet the map is blank, but the "
            "point and its coordinates still work."
        )
        if vm.map_open:
            self._render_map()

    def _render_map(self) -> None:
        p = self.vm.position
        lat, lon = self.vm.map_centre
        marker = fm.Marker(
            content=ft.Icon(ft.Icons.LOCATION_ON, color=ft.Colors.RED_700, size=36),
            coordinates=fm.MapLatitudeLongitude(lat, lon),
            width=36,
            height=36,
            alignment=ft.Alignment.TOP_CENTER,
        )
        self.marker_layer.markers = [marker] if p else []
        if self.map_view is None:
            self.map_view = fm.Map(
                expand=True,
                initial_center=fm.MapLatitudeLongitude(lat, lon),
                initial_zoom=16 if p else 12,
                bgcolor=ft.Colors.BLUE_GREY_50,
                on_tap=self._on_map_tap,
                layers=[
                    fm.TileLayer(url_template=TILE_URL, user_agent_package_name="kz.city109"),
                    self.marker_layer,
                ],
            )
            # Without exclude_semantics the map is a "button" to assistive tech and browsers
            # with semantics on deliver every tap at its centre; the arrows below serve them.
            self.map_box.content = ft.Semantics(
                label=self.tr.gettext("Map: tap to choose the point"),
                exclude_semantics=True,
                content=self.map_view,
            )
            _ = self.tr.gettext
            self.nudge_row.controls = [
                ft.Text(_("Move the point:"), size=12, color=MUTED),
                *(
                    ft.Semantics(
                        label=label,
                        button=True,
                        content=ft.IconButton(
                            icon=icon, tooltip=label, on_click=self._nudge_handler(key)
                        ),
                    )
                    for key, icon, label in (
                        ("n", ft.Icons.NORTH, _("Move the point north")),
                        ("s", ft.Icons.SOUTH, _("Move the point south")),
                        ("w", ft.Icons.WEST, _("Move the point west")),
                        ("e", ft.Icons.EAST, _("Move the point east")),
                    )
                ),
            ]

    def _render_media(self) -> None:
        vm, tr, _ = self.vm, self.tr, self.tr.gettext
        self.media_row.controls = [self._media_tile(i, m) for i, m in enumerate(vm.media)]
        self.media_progress.visible = vm.media_busy > 0
        errors = list(vm.media_errors)
        if "media" in vm.errors:
            errors.append(vm.errors["media"])
        self.media_errors.controls = [
            ft.Text(tr.render(m) or "", color=ERROR_COLOR, size=12) for m in errors
        ]
        busy = vm.media_busy > 0
        self.add_photo.disabled = busy
        self.add_video.disabled = busy

    def _media_tile(self, index: int, item: MediaItem) -> ft.Control:
        _ = self.tr.gettext
        if item.thumb:
            preview: ft.Control = ft.Image(
                src=item.thumb, width=96, height=96, fit=ft.BoxFit.COVER, border_radius=8
            )
        else:
            preview = ft.Container(
                width=96,
                height=96,
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
                    # the tooltip alone names a node beside the button: give the button its name
                    content=ft.Semantics(
                        label=_("Remove {name}").format(name=item.name),
                        button=True,
                        content=ft.IconButton(
                            icon=ft.Icons.CLOSE,
                            icon_size=16,
                            tooltip=_("Remove {name}").format(name=item.name),
                            on_click=self._remove_handler(index),
                            style=ft.ButtonStyle(
                                bgcolor=ft.Colors.with_opacity(0.7, ft.Colors.WHITE)
                            ),
                        ),
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
            width=96,
            height=96,
        )

    def _render_similar(self) -> None:
        vm, _ = self.vm, self.tr.gettext
        cards: list[ft.Control] = []
        for a in vm.similar:
            own = a.id in vm.own_similar
            lines: list[ft.Control] = [
                ft.Text(
                    _("Appeal No. {number}").format(number=a.number), weight=ft.FontWeight.W_600
                ),
                ft.Text(
                    _("{status} · {m} m from you").format(
                        status=_(vm.status_name(a.status)), m=vm.distance_text(a.distance_m)
                    )
                ),
            ]
            if a.address:
                lines.append(ft.Text(a.address, size=13, color=MUTED))
            if a.repeat_count:
                lines.append(
                    ft.Text(
                        _("Also reported by {n} more").format(n=a.repeat_count),
                        size=13,
                        color=MUTED,
                    )
                )
            if own:
                lines.append(
                    ft.TextButton(
                        content=_("Open my appeal"),
                        icon=ft.Icons.OPEN_IN_NEW,
                        on_click=self._similar_handler(a.id),
                    )
                )
            else:
                lines.append(ft.Text(_("Filed by another resident."), size=12, color=MUTED))
            cards.append(
                ft.Card(content=ft.Container(content=ft.Column(lines, spacing=4), padding=12))
            )
        self.similar_box.controls = [
            ft.Text(
                _("Similar appeals nearby in the last 24 hours"),
                size=18,
                weight=ft.FontWeight.W_600,
            ),
            ft.Text(
                _(
                    "The city may already know about this problem. If you send yours, it is "
                    "counted as a repeat report, which raises its priority."
                )
            ),
            *cards,
            self.form_error,
            self.progress,
            ft.FilledButton(
                content=_("Send mine anyway"), icon=ft.Icons.SEND, on_click=self._on_send_anyway
            ),
            ft.TextButton(
                content=_("Back to editing"), icon=ft.Icons.EDIT, on_click=self._on_back_to_form
            ),
        ]

    def _render_emergency(self) -> None:
        vm, tr, _ = self.vm, self.tr, self.tr.gettext
        number = vm.call_number
        self.service_group.value = vm.emergency_service
        self.service_error.value = tr.render(vm.errors.get("service")) or ""
        self.service_error.visible = "service" in vm.errors
        self.emergency_call.controls = [
            ft.FilledButton(
                content=_("Call {number}").format(number=number),
                icon=ft.Icons.CALL,
                action=_client_action(lambda: ft.OpenUrl(f"tel:{number}")),
                style=ft.ButtonStyle(bgcolor=ft.Colors.RED_700, color=ft.Colors.WHITE),
            ),
            ft.OutlinedButton(
                content=_("Copy the number"),
                icon=ft.Icons.COPY,
                action=_client_action(lambda: ft.CopyToClipboard(number)),
            ),
        ]
        offline = vm.offline
        self.emergency_offline.visible = offline
        self.emergency_offline.content = ft.Row(
            [
                ft.Icon(ft.Icons.WIFI_OFF, color=ft.Colors.RED_900),
                ft.Text(
                    _(
                        "No connection to the server. The appeal will be sent as soon as the "
                        "connection returns. Call {number} now."
                    ).format(number=number),
                    color=ft.Colors.RED_900,
                    weight=ft.FontWeight.W_600,
                    expand=True,
                ),
            ]
        )
        self.emergency_offline.bgcolor = ft.Colors.RED_50
        self.emergency_offline.padding = 12
        self.emergency_offline.border_radius = 8
        self.emergency_summary.controls = self._summary_rows()
        service = vm.service_name()
        self.emergency_send.content = (
            _("Send to {service} ({number})").format(service=_(service), number=number)
            if service
            else _("Send to the emergency service")
        )
        self.emergency_send.disabled = vm.busy
        self.emergency_box.controls = [
            ft.Text(_("Emergency"), size=20, weight=ft.FontWeight.BOLD, color=ft.Colors.RED_800),
            ft.Text(
                _("If a life is in danger, call {number} right away.").format(number=number),
                weight=ft.FontWeight.W_600,
            ),
            self.emergency_call,
            self.emergency_offline,
            ft.Text(_("Which service?"), weight=ft.FontWeight.W_600),
            self.service_group,
            self.service_error,
            ft.Text(_("What will be sent"), weight=ft.FontWeight.W_600),
            ft.Card(content=ft.Container(content=self.emergency_summary, padding=12)),
            self.form_error,
            self.progress,
            self.emergency_send,
            ft.TextButton(
                content=_("Back to the form"),
                icon=ft.Icons.ARROW_BACK,
                on_click=self._on_cancel_emergency,
            ),
        ]

    def _summary_rows(self) -> list[ft.Control]:
        vm, tr, _ = self.vm, self.tr, self.tr.gettext
        missing = _("not given")

        def row(label: str, value: str, error: Message | None = None) -> ft.Control:
            return ft.Column(
                [
                    ft.Text(label, size=12, color=MUTED),
                    ft.Text(value or missing),
                    *(
                        [ft.Text(tr.render(error) or "", color=ERROR_COLOR, size=12)]
                        if error
                        else []
                    ),
                ],
                spacing=0,
            )

        person = (
            ", ".join(x for x in (vm.applicant_name.strip(), format_phone(vm.phone)) if x)
            if vm.share_personal
            else _("not shared")
        )
        return [
            row(_("Text"), vm.text.strip(), vm.errors.get("text")),
            row(_("Location"), tr.render(vm.coordinates) or "", vm.errors.get("location")),
            row(_("Name and phone"), person),
            row(_("Incident address"), vm.address.strip()),
            row(_("Photos and videos"), str(len(vm.media))),
        ]

    # ==========================================================================================
    # handlers (async: they await the view model)
    # ==========================================================================================

    async def _on_text(self) -> None:
        self.vm.set_text(self.text_field.value or "")

    def _type_handler(self, key: str) -> Any:
        async def handler() -> None:
            self.vm.set_type(key)

        return handler

    async def _on_search(self) -> None:
        self.vm.set_category_query(self.search_field.value or "")

    def _category_handler(self, code: str) -> Any:
        async def handler() -> None:
            self.vm.choose_category(code)

        return handler

    async def _on_clear_category(self) -> None:
        self.vm.clear_category()

    async def _on_locate(self) -> None:
        await self.vm.locate()

    async def _on_map(self) -> None:
        self.vm.toggle_map()

    async def _on_map_tap(self, e: Any) -> None:
        await self.vm.choose_point(float(e.coordinates.latitude), float(e.coordinates.longitude))

    def _nudge_handler(self, direction: str) -> Any:
        async def handler() -> None:
            await self.vm.nudge_point(direction)
            p = self.vm.position
            if self.map_view is not None and p is not None:
                try:
                    await self.map_view.move_to(destination=fm.MapLatitudeLongitude(p.lat, p.lon))
                except Exception:  # the camera following is a nicety
                    log.debug("map camera not moved", exc_info=True)

        return handler

    async def _on_address(self) -> None:
        self.vm.set_address(self.address_field.value or "")

    def _saved_handler(self, index: int) -> Any:
        async def handler() -> None:
            self.vm.choose_saved_address(index)

        return handler

    async def _on_share(self) -> None:
        self.vm.set_share(bool(self.share_switch.value))

    async def _on_name(self) -> None:
        self.vm.set_name(self.name_field.value or "")

    def _remove_handler(self, index: int) -> Any:
        async def handler() -> None:
            await self.vm.remove_media(index)

        return handler

    async def _on_submit(self) -> None:
        await self.vm.submit()

    async def _on_discard(self) -> None:
        await self.vm.discard_draft()

    async def _on_send_anyway(self) -> None:
        await self.vm.send_anyway()

    async def _on_back_to_form(self) -> None:
        self.vm.back_to_form()

    def _similar_handler(self, appeal_id: int) -> Any:
        async def handler() -> None:
            await self.vm.open_similar(appeal_id)

        return handler

    async def _on_emergency(self) -> None:
        self.vm.start_emergency()

    async def _on_service(self) -> None:
        self.vm.choose_service(self.service_group.value or "")

    async def _on_cancel_emergency(self) -> None:
        self.vm.cancel_emergency()

    async def _on_send_emergency(self) -> None:
        await self.vm.send_emergency()

    def _size_text(self, media: PreparedMedia) -> str:
        _ = self.tr.gettext
        mb = media.size / (1024 * 1024)
        if mb >= 0.1:
            return _("{n} MB").format(n=f"{mb:.1f}")
        return _("{n} KB").format(n=max(1, media.size // 1024))
