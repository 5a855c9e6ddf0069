"""The new-appeal form's location block: what is known of the position, "find me again", the
map to tap a point on (with arrows for keyboards and screen readers), the incident address and
the resident's saved addresses."""

from __future__ import annotations

import logging
from typing import Any

import flet as ft
import flet_map as fm

from app.i18n import Translator
from app.ui.kit import MUTED, hover_tip, named, section
from app.ui.new_appeal.parts import Rebuilds, bound
from app.ui.point_map import osm_tiles, point_marker
from app.viewmodels.new_appeal import NewAppealViewModel, address_label

log = logging.getLogger(__name__)


class LocationSection:
    def __init__(self, tr: Translator, vm: NewAppealViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self._rebuilds = Rebuilds()
        _ = tr.gettext
        self.location_icon = ft.Icon(ft.Icons.MY_LOCATION, size=20)
        self.location_text = ft.Text(expand=True)
        self.location_progress = ft.ProgressRing(width=16, height=16, stroke_width=2)
        self.coordinates_text = ft.Text(size=12, color=MUTED)
        self.location_error = ft.Text(color=ft.Colors.ERROR, size=12, visible=False)
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

    def control(self) -> ft.Control:
        return section(
            self.tr.gettext("Location"),
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
        )

    def copy_inputs(self) -> None:
        """The view model rewrote the address (a restored draft, geocoded, a saved one)."""
        self.address_field.value = self.vm.address

    def render(self) -> None:
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
        self.address_field.error = tr.render(vm.errors.get("address"))
        self.address_progress.visible = vm.address_busy
        self._rebuilds.once("saved", (vm.saved_addresses, tr.language), self._render_saved)

    def _render_map(self) -> None:
        p = self.vm.position
        lat, lon = self.vm.map_centre
        self.marker_layer.markers = [point_marker(lat, lon)] if p else []
        if self.map_view is None:
            self.map_view = fm.Map(
                expand=True,
                initial_center=fm.MapLatitudeLongitude(lat, lon),
                initial_zoom=16 if p else 12,
                bgcolor=ft.Colors.BLUE_GREY_50,
                on_tap=self._on_map_tap,
                layers=[osm_tiles(), self.marker_layer],
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
                    named(ft.IconButton(icon=icon, on_click=self._nudge_handler(key)), label)
                    for key, icon, label in (
                        ("n", ft.Icons.NORTH, _("Move the point north")),
                        ("s", ft.Icons.SOUTH, _("Move the point south")),
                        ("w", ft.Icons.WEST, _("Move the point west")),
                        ("e", ft.Icons.EAST, _("Move the point east")),
                    )
                ),
            ]

    def _render_saved(self) -> None:
        vm, tr = self.vm, self.tr
        self.saved_row.controls = [
            ft.Chip(  # a long address is cut with an ellipsis; the whole of it on hover
                label=ft.Text(text, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS),
                tooltip=hover_tip(text),
                leading=ft.Icon(ft.Icons.BOOKMARK_BORDER, size=16),
                on_click=bound(self.vm.choose_saved_address, i),
            )
            for i, a in enumerate(vm.saved_addresses)
            for text in [f"{tr.render(address_label(a))}: {a.text}"]
        ]

    # -- handlers -------------------------------------------------------------------------------

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
