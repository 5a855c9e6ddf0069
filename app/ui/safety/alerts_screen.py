"""The Alerts tab (alerts in force, recently ended, quick ways to shelters and contacts) and one
alert's full text."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import Translator
from app.observable import Observable
from app.ui.kit import ModelScreen, named, on_click, page_view, run_soon, say
from app.ui.safety.widgets import (
    alert_card,
    exercise_tag,
    info_line,
    notice_bar,
    set_bar,
    tag,
    tone_colors,
)
from app.viewmodels.alerts import AlertsViewModel, AlertView
from app.viewmodels.app_state import AppViewModel


def quick_actions(tr: Translator, vm: AlertsViewModel) -> ft.Control:
    """The two ways out of an alert: the shelter map and the emergency numbers."""
    _ = tr.gettext
    return ft.ResponsiveRow(
        [
            ft.FilledButton(
                content=_("Nearest shelters"),
                icon=ft.Icons.MAP_OUTLINED,
                on_click=on_click(vm.open_map),
                col={"xs": 12, "sm": 6},
                height=48,
            ),
            ft.FilledTonalButton(
                content=_("Emergency contacts"),
                icon=ft.Icons.PHONE_IN_TALK_OUTLINED,
                on_click=on_click(vm.open_contacts),
                col={"xs": 12, "sm": 6},
                height=48,
            ),
        ],
        spacing=8,
        run_spacing=8,
    )


class AlertsPanel:
    """The body of the Alerts tab."""

    def __init__(self, tr: Translator, vm: AlertsViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self.models: list[Observable] = [vm]
        self.current = ft.Column(spacing=8)
        self.recent = ft.Column(spacing=8)
        self.offline = notice_bar(None)
        self.updated = ft.Text(size=12, color=ft.Colors.ON_SURFACE_VARIANT)
        self.progress = ft.ProgressBar(visible=False)
        self.recent_title = ft.Text(weight=ft.FontWeight.W_600, size=16)

    def build(self) -> ft.Control:
        _ = self.tr.gettext
        self.recent_title.value = _("Recently ended")
        self.render()
        run_soon(self.vm.ensure_loaded)
        return ft.Column(
            [
                quick_actions(self.tr, self.vm),
                self.offline,
                self.progress,
                ft.Row(
                    [
                        ft.Text(_("In force now"), weight=ft.FontWeight.W_600, size=16),
                        named(
                            ft.IconButton(
                                icon=ft.Icons.REFRESH, on_click=on_click(self.vm.refresh)
                            ),
                            _("Refresh"),
                        ),
                    ],
                    alignment=ft.MainAxisAlignment.SPACE_BETWEEN,
                ),
                self.current,
                self.updated,
                self.recent_title,
                self.recent,
            ],
            spacing=12,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def _open(self, identifier: str) -> Any:
        async def handler(e: ft.Event[Any]) -> None:
            await self.vm.open(identifier)

        return handler

    def render(self) -> None:
        tr, vm = self.tr, self.vm
        _ = tr.gettext
        current = vm.current
        self.current.controls = [alert_card(tr, a, self._open(a.identifier)) for a in current] or [
            ft.Container(
                content=info_line(
                    ft.Icons.CHECK_CIRCLE_OUTLINE,
                    _("No alerts for your area right now."),
                    ft.Colors.GREEN_800,
                ),
                padding=ft.Padding.symmetric(vertical=8),
            )
        ]
        recent = vm.recent
        self.recent.controls = [
            alert_card(tr, a, self._open(a.identifier), muted=True) for a in recent
        ]
        self.recent_title.visible = bool(recent)
        set_bar(self.offline, tr.render(vm.offline_notice))
        self.updated.value = tr.render(vm.updated_notice) or ""
        self.progress.visible = vm.refreshing

    def dispose(self) -> None:
        """The view model lives for the session; nothing to release here."""


def alert_details(tr: Translator, view: AlertView) -> list[ft.Control]:
    """The full alert: coloured head, what to do, description, area, times, source."""
    _ = tr.gettext
    bg, fg = tone_colors("blue" if view.withdrawn or view.ended else view.tone)
    head_lines: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(ft.Icons.WARNING_ROUNDED, color=fg, size=28),
                ft.Text(say(tr, view.severity), color=fg, weight=ft.FontWeight.BOLD, size=15),
                ft.Text(say(tr, view.urgency), color=fg, size=13),
            ],
            wrap=True,
            spacing=8,
        ),
    ]
    if view.exercise:
        head_lines.append(exercise_tag(tr))
    head_lines += [
        ft.Text(view.headline, color=fg, size=20, weight=ft.FontWeight.BOLD),
        ft.Text(view.event, color=fg, size=14),
        ft.Text(say(tr, view.status), color=fg, size=14, weight=ft.FontWeight.W_600),
    ]
    if view.updated:
        head_lines.insert(1, tag(_("Updated"), ft.Colors.WHITE, ft.Colors.BLACK))
    head = ft.Container(
        content=ft.Column(head_lines, spacing=8),
        bgcolor=bg,
        border_radius=12,
        padding=ft.Padding.all(16),
    )
    body: list[ft.Control] = [head]
    if view.in_area and not (view.withdrawn or view.ended):
        body.append(
            info_line(ft.Icons.MY_LOCATION, _("You are in the danger area"), ft.Colors.RED_800)
        )
    body += [
        ft.Text(_("What to do"), weight=ft.FontWeight.BOLD, size=18),
        ft.Container(
            content=ft.Text(view.instruction, size=16),
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH,
            border_radius=8,
            padding=ft.Padding.all(12),
        ),
        ft.Text(_("What is happening"), weight=ft.FontWeight.W_600, size=16),
        ft.Text(view.description),
        ft.Text(_("Area"), weight=ft.FontWeight.W_600, size=16),
        ft.Text(view.area or "—"),
        info_line(ft.Icons.SCHEDULE, tr.render(view.issued) or ""),
    ]
    if view.note:
        body.append(info_line(ft.Icons.NOTES, view.note))
    if view.sender:
        body.append(info_line(ft.Icons.ACCOUNT_BALANCE_OUTLINED, view.sender))
    if view.contact:
        body.append(info_line(ft.Icons.CALL_OUTLINED, view.contact))
    return body


class AlertScreen(ModelScreen[AlertsViewModel]):
    """`/alerts/{identifier}`: the alert's full text and the ways to shelters and contacts."""

    def __init__(self, app: AppViewModel, vm: AlertsViewModel, route: str, identifier: str) -> None:
        super().__init__(app, vm, route)
        self.identifier = identifier
        self.body = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def build(self) -> ft.View:
        _ = self.tr.gettext
        self.render()
        run_soon(self.vm.ensure_loaded)
        self.view = page_view(self.route, _("Alert"), self.body, padding=ft.Padding.all(16))
        return self.view

    def render(self) -> None:
        view, note = self.vm.detail(self.identifier)
        controls: list[ft.Control] = []
        if note is not None:
            controls.append(info_line(ft.Icons.INFO_OUTLINE, self.tr.render(note) or ""))
        if view is not None:
            controls += alert_details(self.tr, view)
        controls.append(quick_actions(self.tr, self.vm))
        self.body.controls = controls
