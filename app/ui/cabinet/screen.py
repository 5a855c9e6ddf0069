"""The personal cabinet tab: who is signed in, the analytics of their appeals as charts, links to
personal data, addresses and notification settings, the interface language, signing out and
deleting this device's data."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft
import flet_charts as fch

from app.domain.analytics import AppealAnalytics
from app.i18n import Translator
from app.ui.language_switch import language_switch
from app.ui.participation.screen import spawn
from app.viewmodels.cabinet import (
    MSG_DELETE_UNSENT,
    MSG_DELETE_WARNING,
    STATUS_NAMES,
    CabinetViewModel,
    duration_message,
)

MUTED = ft.Colors.ON_SURFACE_VARIANT
STATUS_COLORS: dict[str, str] = {
    "created": ft.Colors.BLUE_GREY_300,
    "assigned": ft.Colors.BLUE_300,
    "returned": ft.Colors.ORANGE_300,
    "reassigned": ft.Colors.PURPLE_200,
    "in_progress": ft.Colors.AMBER_400,
    "closed": ft.Colors.GREEN_400,
}
CATEGORY_COLORS = (
    ft.Colors.BLUE_400,
    ft.Colors.TEAL_400,
    ft.Colors.ORANGE_400,
    ft.Colors.PURPLE_300,
    ft.Colors.PINK_300,
    ft.Colors.BLUE_GREY_300,
)


def swatch(color: str) -> ft.Control:
    return ft.Container(width=12, height=12, border_radius=3, bgcolor=color)


def kpi(value: str, caption: str, icon: ft.IconData) -> ft.Control:
    return ft.Container(
        expand=True,
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
            ft.Row(
                [
                    kpi(str(a.total), _("in all"), ft.Icons.FORUM_OUTLINED),
                    kpi(str(a.open), _("open"), ft.Icons.PENDING_OUTLINED),
                    kpi(str(a.closed), _("closed"), ft.Icons.TASK_ALT),
                ],
                spacing=8,
            ),
            ft.Row(
                [
                    kpi(on_time, _("resolved on time"), ft.Icons.TIMER_OUTLINED),
                    kpi(average, _("average time to close"), ft.Icons.HOURGLASS_BOTTOM),
                    kpi(rating, _("my average rating"), ft.Icons.STAR_OUTLINE),
                ],
                spacing=8,
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
        chart = fch.BarChart(
            height=160,
            max_y=top * 1.2,
            interactive=True,
            groups=[
                fch.BarChartGroup(
                    x=i,
                    rods=[
                        fch.BarChartRod(
                            from_y=0,
                            to_y=n,
                            width=20,
                            border_radius=4,
                            color=STATUS_COLORS.get(s, ft.Colors.GREY_400),
                            tooltip=f"{_(STATUS_NAMES.get(s, s))}: {n}",
                        )
                    ],
                )
                for i, (s, n) in enumerate(shown)
            ],
            bottom_axis=fch.ChartAxis(
                labels=[
                    fch.ChartAxisLabel(value=i, label=ft.Text(str(n), size=12))
                    for i, (_s, n) in enumerate(shown)
                ],
                label_size=22,
            ),
            left_axis=fch.ChartAxis(show_labels=False, label_size=0),
            horizontal_grid_lines=fch.ChartGridLines(color=ft.Colors.BLUE_GREY_50, width=1),
        )
        legend = ft.Row(
            [
                ft.Row(
                    [
                        swatch(STATUS_COLORS.get(s, ft.Colors.GREY_400)),
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
        title = _("By status")
        return [
            ft.Text(title, weight=ft.FontWeight.W_600),
            ft.Semantics(label=title, content=chart),
            legend,
        ]

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
                    title_style=ft.TextStyle(size=12, weight=ft.FontWeight.BOLD),
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
        title = _("By category")
        return [
            ft.Text(title, weight=ft.FontWeight.W_600),
            ft.Semantics(label=title, content=chart),
            legend,
        ]


class CabinetPanel:
    """The body of the Cabinet tab (the home screen owns the view around it)."""

    def __init__(self, tr: Translator, vm: CabinetViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self._tasks: set[asyncio.Task[Any]] = set()
        _ = tr.gettext
        self.sign_out_button = ft.OutlinedButton(
            content=_("Sign out"), icon=ft.Icons.LOGOUT, on_click=self._on_sign_out
        )
        self.delete_button = ft.TextButton(
            content=_("Delete my data on this device"),
            icon=ft.Icons.DELETE_FOREVER_OUTLINED,
            style=ft.ButtonStyle(color=ft.Colors.ERROR),
            on_click=self._on_ask_delete,
        )
        self.who = ft.Column(spacing=0)
        self.analytics = ft.Container()
        self.links = ft.Column(spacing=0)
        self.confirm = ft.Container(visible=False)
        self.notice = ft.Text(visible=False, color=ft.Colors.GREEN_800)

    def build(self) -> ft.Control:
        _ = self.tr.gettext
        self.render()
        spawn(self._tasks, self.vm.load())
        return ft.Column(
            [
                ft.Card(content=self.who),
                self.notice,
                self.analytics,
                ft.Card(content=self.links),
                ft.Text(_("Interface language"), weight=ft.FontWeight.W_600),
                language_switch(self.vm.language),
                ft.Container(height=8),
                self.sign_out_button,
                self.delete_button,
                self.confirm,
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        self.sign_out_button.disabled = vm.busy
        self.delete_button.disabled = vm.busy
        self.who.controls = [
            ft.ListTile(
                leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                title=ft.Text(vm.full_name or _("Name not given")),
                subtitle=ft.Text(_("Full name")),
            ),
            ft.ListTile(
                leading=ft.Icon(ft.Icons.PHONE_ANDROID),
                title=ft.Text(vm.phone),
                subtitle=ft.Text(_("Phone number")),
            ),
        ]
        self.analytics.content = (
            AnalyticsCard(tr, vm).build(vm.analytics) if vm.analytics is not None else None
        )
        self.links.controls = [
            ft.ListTile(
                leading=ft.Icon(ft.Icons.BADGE_OUTLINED),
                title=ft.Text(_("Personal data")),
                subtitle=ft.Text(_("Name, phone, IIN")),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                on_click=self._on_personal,
            ),
            ft.ListTile(
                leading=ft.Icon(ft.Icons.HOME_WORK_OUTLINED),
                title=ft.Text(_("My addresses")),
                subtitle=ft.Text(_("Saved: {n}").format(n=vm.address_count)),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                on_click=self._on_addresses,
            ),
            ft.ListTile(
                leading=ft.Icon(ft.Icons.NOTIFICATIONS_ACTIVE_OUTLINED),
                title=ft.Text(_("Notification settings")),
                subtitle=ft.Text(_("Districts, topics, alert levels, statuses")),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                on_click=self._on_notifications,
            ),
        ]
        self.notice.visible = vm.notice is not None
        self.notice.value = tr.render(vm.notice) or ""
        self.confirm.visible = vm.confirming_delete
        if vm.confirming_delete:
            texts: list[ft.Control] = [
                ft.Text(_("Delete the data on this device?"), weight=ft.FontWeight.W_600),
                ft.Text(_(MSG_DELETE_WARNING), size=13),
            ]
            if vm.unsent_actions:
                texts.append(
                    ft.Text(
                        _(MSG_DELETE_UNSENT).format(n=vm.unsent_actions),
                        size=13,
                        color=ft.Colors.ERROR,
                    )
                )
            texts.append(
                ft.Row(
                    [
                        ft.TextButton(content=_("Cancel"), on_click=self._on_cancel_delete),
                        ft.FilledButton(
                            content=_("Delete"),
                            style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR),
                            on_click=self._on_delete,
                        ),
                    ],
                    alignment=ft.MainAxisAlignment.END,
                )
            )
            self.confirm.content = ft.Container(
                padding=12,
                border_radius=10,
                bgcolor=ft.Colors.RED_50,
                content=ft.Column(texts, spacing=8),
            )

    async def _on_sign_out(self) -> None:
        await self.vm.sign_out()

    async def _on_personal(self) -> None:
        await self.vm.open_personal()

    async def _on_addresses(self) -> None:
        await self.vm.open_addresses()

    async def _on_notifications(self) -> None:
        await self.vm.open_notifications()

    async def _on_ask_delete(self) -> None:
        await self.vm.ask_delete()

    async def _on_cancel_delete(self) -> None:
        self.vm.cancel_delete()

    async def _on_delete(self) -> None:
        await self.vm.delete_local_data()
