"""`/map`: the shelter map (flet-map) and, beside it, the nearest points by distance.

Without network the tiles stay blank, but the points, the alert areas, the resident's position
and saved places still draw, and the list (from the cached bundle) is what matters most."""

from __future__ import annotations

from typing import Any

import flet as ft
import flet_map as fm

from app.ui.kit import (
    ModelScreen,
    bar_title,
    chip_text,
    name_dropdown,
    named,
    on_click,
    run_soon,
    say,
)
from app.ui.point_map import osm_tiles
from app.ui.safety.widgets import info_line, is_phone, notice_bar, set_bar
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.contacts import tel_url
from app.viewmodels.shelters import KIND_NAMES, PlaceView, SheltersViewModel

KIND_STYLE: dict[str, tuple[ft.IconData, str]] = {
    "shelter": (ft.Icons.SHIELD, ft.Colors.INDIGO_700),
    "accommodation": (ft.Icons.HOTEL, ft.Colors.GREEN_800),
    "medical": (ft.Icons.LOCAL_HOSPITAL, ft.Colors.RED_700),
}
STATE_COLORS: dict[str, str] = {
    "open": ft.Colors.GREEN_800,
    "closed": ft.Colors.RED_800,
    "full": ft.Colors.DEEP_ORANGE_900,
}
AREA_COLORS: dict[str, tuple[str, str]] = {
    "red": (ft.Colors.with_opacity(0.25, ft.Colors.RED), ft.Colors.RED_800),
    "orange": (ft.Colors.with_opacity(0.25, ft.Colors.ORANGE), ft.Colors.DEEP_ORANGE_800),
    "yellow": (ft.Colors.with_opacity(0.3, ft.Colors.AMBER), ft.Colors.AMBER_900),
    "blue": (ft.Colors.with_opacity(0.25, ft.Colors.BLUE), ft.Colors.BLUE_800),
}


def _ll(lat: float, lon: float) -> fm.MapLatitudeLongitude:
    return fm.MapLatitudeLongitude(lat, lon)


def _marker(lat: float, lon: float, size: int, label: str, content: ft.Control) -> fm.Marker:
    """A square marker named once for a screen reader (marker buttons have no name of their
    own; what is inside, e.g. a tooltip, is not read again)."""
    return fm.Marker(
        coordinates=_ll(lat, lon),
        width=size,
        height=size,
        content=ft.Semantics(label=label, exclude_semantics=True, content=content),
    )


class SheltersScreen(ModelScreen[SheltersViewModel]):
    def __init__(self, app: AppViewModel, vm: SheltersViewModel, route: str) -> None:
        super().__init__(app, vm, route)
        self.mobile = is_phone()
        _ = self.tr.gettext
        self.polygons = fm.PolygonLayer(polygons=[])
        self.circles = fm.CircleLayer(circles=[])
        self.markers = fm.MarkerLayer(markers=[])
        self.map = fm.Map(
            expand=True,
            initial_center=_ll(*vm.centre),
            initial_zoom=12,
            bgcolor=ft.Colors.BLUE_GREY_50,
            on_tap=self._on_map_tap,
            layers=[
                osm_tiles(),
                self.polygons,
                self.circles,
                self.markers,
                fm.SimpleAttribution(text="OpenStreetMap"),
            ],
        )
        self._centred_on = vm.centre
        self.origin = ft.Dropdown(
            label=_("Distances from"),
            on_select=self._on_origin,
            expand=True,
            dense=True,
        )
        self.locate_button = ft.IconButton(
            icon=ft.Icons.MY_LOCATION, on_click=on_click(self.vm.locate)
        )
        self.kind_chips = ft.Row(wrap=True, spacing=8, run_spacing=4)
        self.origin_text = ft.Text(size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        self.problem = ft.Text(size=13, color=ft.Colors.RED_800, visible=False)
        self.offline = notice_bar(None)
        self.bundle_text = ft.Text(size=12, color=ft.Colors.ON_SURFACE_VARIANT)
        self.empty = notice_bar(None, ft.Icons.INFO_OUTLINE)
        self.progress = ft.ProgressBar(visible=False)
        self.list = ft.Column(spacing=8)
        self.more = ft.OutlinedButton(content=_("Show more"), on_click=self._on_more)

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.render()
        run_soon(self.vm.start)
        map_box = ft.Container(
            content=ft.Semantics(label=_("Map of shelters and help points"), content=self.map),
            height=320,
            border_radius=12,
            clip_behavior=ft.ClipBehavior.HARD_EDGE,
            bgcolor=ft.Colors.BLUE_GREY_50,
        )
        legend = ft.Row(
            [
                self._legend(ft.Icons.MY_LOCATION, ft.Colors.BLUE_700, _("You")),
                self._legend(ft.Icons.HOME, ft.Colors.PURPLE_700, _("Saved places")),
                self._legend(ft.Icons.CROP_SQUARE, ft.Colors.RED_700, _("Alert area")),
            ],
            wrap=True,
            spacing=12,
        )
        left = ft.Column(
            [map_box, legend, self.kind_chips],
            spacing=8,
            col={"xs": 12, "md": 7},
        )
        right = ft.Column(
            [
                ft.Row([self.origin, named(self.locate_button, _("Find my position"))], spacing=4),
                self.progress,
                self.origin_text,
                self.problem,
                self.offline,
                self.empty,
                ft.Text(_("Nearest points"), weight=ft.FontWeight.W_600, size=16),
                self.list,
                self.more,
                self.bundle_text,
                ft.TextButton(
                    content=_("Emergency contacts"),
                    icon=ft.Icons.PHONE_IN_TALK_OUTLINED,
                    on_click=on_click(self.vm.open_contacts),
                ),
            ],
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            col={"xs": 12, "md": 5},
        )
        self.view = ft.View(
            route=self.route,
            scroll=ft.ScrollMode.AUTO,
            padding=ft.Padding.all(12),
            appbar=ft.AppBar(title=bar_title(_("Shelter map"))),
            controls=[ft.ResponsiveRow([left, right], spacing=16, run_spacing=12)],
        )
        return self.view

    @staticmethod
    def _legend(icon: ft.IconData, color: str, text: str) -> ft.Control:
        return ft.Row(
            [ft.Icon(icon, color=color, size=16), ft.Text(text, size=12)], spacing=4, tight=True
        )

    # -- render ---------------------------------------------------------------------------------

    def render(self) -> None:
        tr, vm = self.tr, self.vm
        _ = tr.gettext
        self._render_map()
        self.kind_chips.controls = [
            ft.Chip(
                label=chip_text(_(KIND_NAMES[kind])),
                leading=ft.Icon(icon, color=color, size=18),
                selected=kind in vm.kinds,
                show_checkmark=False,
                on_select=self._kind_handler(kind),
            )
            for kind, (icon, color) in KIND_STYLE.items()
        ]
        options = [ft.DropdownOption(key="here", text=_("My position"))] + [
            ft.DropdownOption(key=p.key, text=p.text or p.label) for p in vm.saved_places
        ]
        if vm.origin_key == "map":
            options.append(ft.DropdownOption(key="map", text=_("Point on the map")))
        self.origin.options = options
        self.origin.value = vm.origin_key
        name_dropdown(self.origin, tr.gettext("Distances from"))
        self.locate_button.disabled = vm.locating
        self.progress.visible = vm.locating
        self.origin_text.value = tr.render(vm.origin_notice) or ""
        self.problem.value = tr.render(vm.problem) or ""
        self.problem.visible = vm.problem is not None
        set_bar(self.offline, tr.render(vm.offline_notice))
        set_bar(self.empty, tr.render(vm.empty_notice), ft.Icons.INFO_OUTLINE)
        self.bundle_text.value = tr.render(vm.bundle_notice) or ""
        self.list.controls = [self._card(p) for p in vm.nearest]
        self.more.visible = vm.has_more
        if vm.centre != self._centred_on and self.view is not None:
            self._centred_on = vm.centre
            run_soon(self._recentre)

    async def _recentre(self) -> None:
        try:
            await self.map.move_to(_ll(*self._centred_on), zoom=13)
        except Exception:  # the map may not be on the page yet
            return

    def _render_map(self) -> None:
        tr, vm = self.tr, self.vm
        _ = tr.gettext
        polygons: list[fm.PolygonMarker] = []
        circles: list[fm.CircleMarker] = []
        for area in vm.areas:
            fill, border = AREA_COLORS.get(area.tone, AREA_COLORS["blue"])
            polygons += [
                fm.PolygonMarker(
                    coordinates=[_ll(lat, lon) for lat, lon in ring],
                    color=fill,
                    border_color=border,
                    border_stroke_width=2,
                )
                for ring in area.polygons
            ]
            circles += [
                fm.CircleMarker(
                    coordinates=_ll(lat, lon),
                    radius=radius_km * 1000,
                    use_radius_in_meter=True,
                    color=fill,
                    border_color=border,
                    border_stroke_width=2,
                )
                for lat, lon, radius_km in area.circles
            ]
        self.polygons.polygons = polygons
        self.circles.circles = circles
        markers: list[fm.Marker] = []
        for place in vm.markers:
            icon, color = KIND_STYLE.get(place.kind, KIND_STYLE["shelter"])
            label = f"{tr.render(place.kind_name)}: {place.name}"
            pin = ft.Container(
                content=ft.Icon(icon, color=ft.Colors.WHITE, size=20),
                bgcolor=color if place.state != "closed" else ft.Colors.GREY_600,
                border_radius=17,
                border=ft.Border.all(2, ft.Colors.WHITE),
                alignment=ft.Alignment.CENTER,
                tooltip=label,
            )
            markers.append(_marker(place.lat, place.lon, 34, label, pin))
        for saved in vm.saved_places:
            if saved.lat is None or saved.lon is None:
                continue
            label = _("Saved place: {name}").format(name=saved.text or saved.label)
            home = ft.Icon(ft.Icons.HOME, color=ft.Colors.PURPLE_700, size=28)
            markers.append(_marker(saved.lat, saved.lon, 30, label, home))
        here = vm.position
        if here is not None:
            dot = ft.Container(
                bgcolor=ft.Colors.BLUE_700,
                border_radius=14,
                border=ft.Border.all(4, ft.Colors.WHITE),
            )
            markers.append(_marker(*here, 28, _("You are here"), dot))
        self.markers.markers = markers

    def _card(self, p: PlaceView) -> ft.Control:
        tr = self.tr
        _ = tr.gettext
        icon, color = KIND_STYLE.get(p.kind, KIND_STYLE["shelter"])
        lines: list[ft.Control] = [
            ft.Row(
                [
                    ft.Icon(icon, color=color, size=22),
                    ft.Text(p.name, weight=ft.FontWeight.W_600, size=15, expand=True),
                    ft.Text(say(tr, p.distance), weight=ft.FontWeight.BOLD, size=15),
                ],
                spacing=8,
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
            ft.Text(
                f"{tr.render(p.kind_name)} · {tr.render(p.state_name)}",
                size=13,
                color=STATE_COLORS.get(p.state, ft.Colors.ON_SURFACE_VARIANT),
                weight=ft.FontWeight.W_600,
            ),
            info_line(ft.Icons.PLACE_OUTLINED, p.address),
        ]
        if p.capacity is not None:
            lines.append(info_line(ft.Icons.GROUPS_OUTLINED, tr.render(p.capacity) or ""))
        if p.hours:
            lines.append(info_line(ft.Icons.SCHEDULE, p.hours))
        actions: list[ft.Control] = [
            ft.FilledTonalButton(  # every card has one: the place is in its name
                content=ft.Text(
                    _("Route"), semantics_label=_("Route: {place}").format(place=p.name)
                ),
                icon=ft.Icons.DIRECTIONS,
                action=ft.OpenUrl(self.vm.route_link(p, self.mobile), target=ft.UrlTarget.BLANK),
            )
        ]
        if p.phone:
            actions.append(
                ft.TextButton(
                    content=p.phone,
                    icon=ft.Icons.CALL,
                    action=ft.OpenUrl(tel_url(p.phone)),
                    tooltip=_("Call {number}").format(number=p.phone),
                )
            )
        lines.append(ft.Row(actions, wrap=True, spacing=8))
        return ft.Card(
            content=ft.Container(content=ft.Column(lines, spacing=4), padding=ft.Padding.all(12))
        )

    # -- handlers -------------------------------------------------------------------------------

    def _kind_handler(self, kind: str) -> Any:
        async def handler(e: ft.Event[ft.Chip]) -> None:
            self.vm.toggle_kind(kind)

        return handler

    async def _on_origin(self, e: ft.Event[ft.Dropdown]) -> None:
        await self.vm.choose_origin(e.control.value or "here")

    async def _on_more(self) -> None:
        self.vm.show_more()

    async def _on_map_tap(self, e: Any) -> None:
        await self.vm.pick_on_map(float(e.coordinates.latitude), float(e.coordinates.longitude))
