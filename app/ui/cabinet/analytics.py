"""The analytics card of the Cabinet tab: the resident's appeals in figures and as flet-charts
charts (by status, by category), drawn from `AppealAnalytics`."""

from __future__ import annotations

import flet as ft
import flet_charts as fch

from app.domain.analytics import AppealAnalytics
from app.i18n import Translator
from app.ui.charts import Bar, bar_chart
from app.ui.kit import MUTED
from app.viewmodels.cabinet import STATUS_NAMES, CabinetViewModel, duration_message

STATUS_COLORS: dict[str, str] = {
    "created": ft.Colors.BLUE_GREY_500,
    "assigned": ft.Colors.BLUE_600,
    "returned": ft.Colors.RED_400,
    "reassigned": ft.Colors.PURPLE_300,
    "in_progress": ft.Colors.ORANGE_900,
    "closed": ft.Colors.GREEN_700,
}
CATEGORY_COLORS = (
    ft.Colors.BLUE_800,
    ft.Colors.TEAL_700,
    ft.Colors.DEEP_ORANGE_900,
    ft.Colors.PURPLE_700,
    ft.Colors.PINK_700,
    ft.Colors.BLUE_GREY_600,
)


def swatch(color: str) -> ft.Control:
    return ft.Container(width=12, height=12, border_radius=3, bgcolor=color)


def kpi(value: str, caption: str, icon: ft.IconData) -> ft.Control:
    return ft.Container(
        padding=10,
        border_radius=10,
        bgcolor=ft.Colors.BLUE_50,
        content=ft.Column(
            [
                ft.Icon(icon, size=20, color=ft.Colors.BLUE_700),
                ft.Text(value, size=20, weight=ft.FontWeight.BOLD),
                ft.Text(caption, size=12, color=MUTED),
            ],
            spacing=2,
        ),
    )


def titled_chart(title: str, chart: ft.Control, legend: ft.Control) -> list[ft.Control]:
    """A chart under its title (also its name for a screen reader), the legend below."""
    return [
        ft.Text(title, weight=ft.FontWeight.W_600),
        ft.Semantics(label=title, content=chart),
        legend,
    ]


class AnalyticsCard:
    """The charts of "my appeals" (flet-charts), from `AppealAnalytics`."""

    def __init__(self, tr: Translator, vm: CabinetViewModel) -> None:
        self.tr = tr
        self.vm = vm

    def build(self, a: AppealAnalytics) -> ft.Control:
        _ = self.tr.gettext
        if a.empty:
            return ft.Card(
                content=ft.Container(
                    padding=16,
                    content=ft.Column(
                        [
                            ft.Text(_("My appeals"), size=16, weight=ft.FontWeight.W_600),
                            ft.Text(
                                _("No appeals yet: the analytics appear after your first one."),
                                color=MUTED,
                            ),
                        ]
                    ),
                )
            )
        on_time = f"{round(a.on_time_share * 100)}%" if a.on_time_share is not None else "—"
        average = (
            self.tr.render(duration_message(a.average_close.total_seconds()))
            if a.average_close is not None
            else "—"
        ) or "—"
        rating = f"{a.average_rating:.1f} / 5" if a.average_rating is not None else "—"
        rows: list[ft.Control] = [
            ft.Text(_("My appeals"), size=16, weight=ft.FontWeight.W_600),
            ft.Row(  # as many tiles to a line as fit: never a word broken at large text
                [
                    kpi(str(a.total), _("in all"), ft.Icons.FORUM_OUTLINED),
                    kpi(str(a.open), _("open"), ft.Icons.PENDING_OUTLINED),
                    kpi(str(a.closed), _("closed"), ft.Icons.TASK_ALT),
                    kpi(on_time, _("resolved on time"), ft.Icons.TIMER_OUTLINED),
                    kpi(average, _("average time to close"), ft.Icons.HOURGLASS_BOTTOM),
                    kpi(rating, _("my average rating"), ft.Icons.STAR_OUTLINE),
                ],
                spacing=8,
                run_spacing=8,
                wrap=True,
            ),
        ]
        if a.overdue_open:
            rows.append(
                ft.Text(
                    _("Overdue now: {n}").format(n=a.overdue_open),
                    color=ft.Colors.ERROR,
                    size=13,
                )
            )
        rows += self._by_status(a)
        rows += self._by_category(a)
        return ft.Card(
            content=ft.Container(padding=16, content=ft.Column(rows, spacing=10)),
        )

    def _by_status(self, a: AppealAnalytics) -> list[ft.Control]:
        _ = self.tr.gettext
        shown = [(s, n) for s, n in a.by_status if n]
        top = max((n for _s, n in shown), default=1)
        chart = bar_chart(
            [
                Bar(n, STATUS_COLORS.get(s, ft.Colors.GREY_600),
                    f"{_(STATUS_NAMES.get(s, s))}: {n}", str(n))
                for s, n in shown
            ],
            height=160,
            max_y=top * 1.2,
            rod_width=20,
            label_size=22,
        )  # fmt: skip
        legend = ft.Row(
            [
                ft.Row(
                    [
                        swatch(STATUS_COLORS.get(s, ft.Colors.GREY_600)),
                        ft.Text(f"{_(STATUS_NAMES.get(s, s))} — {n}", size=12),
                    ],
                    spacing=4,
                    tight=True,
                )
                for s, n in shown
            ],
            wrap=True,
            spacing=12,
            run_spacing=4,
        )
        return titled_chart(_("By status"), chart, legend)

    def _by_category(self, a: AppealAnalytics) -> list[ft.Control]:
        _ = self.tr.gettext
        lang = self.tr.language
        names = []
        for code, _n in a.by_category:
            name = self.vm.category_name(code, lang)
            names.append(name if isinstance(name, str) else self.tr.render(name) or "")
        chart = fch.PieChart(
            height=180,
            sections_space=2,
            center_space_radius=36,
            sections=[
                fch.PieChartSection(
                    value=n,
                    radius=50,
                    color=CATEGORY_COLORS[i % len(CATEGORY_COLORS)],
                    title=str(n),
                    title_style=ft.TextStyle(
                        size=12, weight=ft.FontWeight.BOLD, color=ft.Colors.WHITE
                    ),
                )
                for i, (_c, n) in enumerate(a.by_category)
            ],
        )
        legend = ft.Column(
            [
                ft.Row(
                    [
                        swatch(CATEGORY_COLORS[i % len(CATEGORY_COLORS)]),
                        ft.Text(f"{names[i]} — {n}", size=12, expand=True),
                    ],
                    spacing=6,
                )
                for i, (_c, n) in enumerate(a.by_category)
            ],
            spacing=2,
        )
        return titled_chart(_("By category"), chart, legend)
