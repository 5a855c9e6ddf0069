"""The bar chart the app draws with flet-charts (the cabinet's analytics, poll results): a rod
per value on a light grid, labelled below, no left axis."""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft
import flet_charts as fch


@dataclass(frozen=True)
class Bar:
    value: int
    color: str
    tooltip: str
    label: str  # under the rod


def bar_chart(
    bars: list[Bar], *, height: int, max_y: float, rod_width: int, label_size: int
) -> fch.BarChart:
    return fch.BarChart(
        height=height,
        interactive=True,
        max_y=max_y,
        groups=[
            fch.BarChartGroup(
                x=i,
                rods=[
                    fch.BarChartRod(
                        from_y=0,
                        to_y=b.value,
                        width=rod_width,
                        color=b.color,
                        border_radius=4,
                        tooltip=b.tooltip,
                    )
                ],
            )
            for i, b in enumerate(bars)
        ],
        bottom_axis=fch.ChartAxis(
            labels=[
                fch.ChartAxisLabel(value=i, label=ft.Text(b.label, size=12))
                for i, b in enumerate(bars)
            ],
            label_size=label_size,
        ),
        left_axis=fch.ChartAxis(show_labels=False, label_size=0),
        horizontal_grid_lines=fch.ChartGridLines(color=ft.Colors.BLUE_GREY_50, width=1),
    )
