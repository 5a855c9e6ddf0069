"""One appeal (deep link `/appeals/<id>`): a placeholder until the appeals feature lands."""

from __future__ import annotations

import flet as ft

from app.screens.base import Screen, centered
from app.screens.placeholder import coming_soon
from app.viewmodels.app_state import AppViewModel


class AppealScreen(Screen):
    def __init__(self, app: AppViewModel, route: str, appeal_id: str) -> None:
        super().__init__(app.tr)
        self.route = route
        self.appeal_id = appeal_id

    def build(self) -> ft.View:
        _ = self.tr.gettext
        title = _("Appeal No. {number}").format(number=self.appeal_id)
        self.view = ft.View(
            route=self.route,
            scroll=ft.ScrollMode.AUTO,
            appbar=ft.AppBar(title=ft.Text(title)),
            controls=[centered(coming_soon(self.tr, ft.Icons.FORUM))],
        )
        return self.view
