"""A small map to pick a point on (flet-map): tap to set the marker. Without network the tiles
stay blank but the marker still draws, and the screen keeps the other ways to give a place
(position, typed address). Also the pieces every map of the app uses: the OpenStreetMap tile
layer (`osm_tiles`) and the red pin of a chosen point (`point_marker`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft
import flet_map as fm

from app.domain.geo import CITY_CENTRE

TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

OnPoint = Callable[[float, float], Awaitable[None]]


def osm_tiles() -> fm.TileLayer:
    """The OpenStreetMap tiles, fetched under the app's own name."""
    return fm.TileLayer(url_template=TILE_URL, user_agent_package_name="kz.city109")


def point_marker(lat: float, lon: float) -> fm.Marker:
    """The red pin of a chosen point, its tip on the point."""
    return fm.Marker(
        content=ft.Icon(ft.Icons.LOCATION_ON, color=ft.Colors.RED_700, size=36),
        coordinates=fm.MapLatitudeLongitude(lat, lon),
        width=36,
        height=36,
        alignment=ft.Alignment.TOP_CENTER,
    )


class PointMap:
    """The map control and its marker; `show(lat, lon)` moves the marker."""

    def __init__(self, label: str, on_point: OnPoint, *, height: int = 260) -> None:
        self._on_point = on_point
        self.marker_layer = fm.MarkerLayer(markers=[])
        self.map: fm.Map | None = None
        self.box = ft.Container(
            height=height,
            border_radius=12,
            clip_behavior=ft.ClipBehavior.HARD_EDGE,
            bgcolor=ft.Colors.BLUE_GREY_50,
        )
        self._label = label

    def show(self, lat: float | None, lon: float | None) -> ft.Control:
        has_point = lat is not None and lon is not None
        centre = (lat, lon) if has_point else CITY_CENTRE
        assert centre[0] is not None and centre[1] is not None
        self.marker_layer.markers = [point_marker(centre[0], centre[1])] if has_point else []
        if self.map is None:
            self.map = fm.Map(
                expand=True,
                initial_center=fm.MapLatitudeLongitude(centre[0], centre[1]),
                initial_zoom=15 if has_point else 11,
                bgcolor=ft.Colors.BLUE_GREY_50,
                on_tap=self._on_tap,
                layers=[osm_tiles(), self.marker_layer],
            )
            self.box.content = ft.Semantics(label=self._label, content=self.map)
        return self.box

    async def _on_tap(self, e: Any) -> None:
        await self._on_point(float(e.coordinates.latitude), float(e.coordinates.longitude))
