"""Home: an app bar, the selected section, and the navigation bar of the five sections."""

from __future__ import annotations

import flet as ft

from app.ui.cabinet.tab import CabinetPanel
from app.ui.kit import Screen, TabPanel, bar_title, centered
from app.ui.participation.tab import ParticipationPanel
from app.ui.placeholder import coming_soon
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.cabinet import CabinetViewModel
from app.viewmodels.developer import DeveloperViewModel
from app.viewmodels.home import HomeViewModel
from app.viewmodels.participation import ParticipationViewModel
from app.viewmodels.tab_badges import TabBadges

# (icon, selected icon) of each tab key
TAB_ICONS: dict[str, tuple[ft.IconData, ft.IconData]] = {
    "appeals": (ft.Icons.FORUM_OUTLINED, ft.Icons.FORUM),
    "alerts": (ft.Icons.WARNING_AMBER_OUTLINED, ft.Icons.WARNING_AMBER),
    "notices": (ft.Icons.NOTIFICATIONS_OUTLINED, ft.Icons.NOTIFICATIONS),
    "participation": (ft.Icons.HOW_TO_VOTE_OUTLINED, ft.Icons.HOW_TO_VOTE),
    "cabinet": (ft.Icons.PERSON_OUTLINE, ft.Icons.PERSON),
}


class HomeScreen(Screen):
    def __init__(
        self,
        app: AppViewModel,
        vm: HomeViewModel,
        cabinet: CabinetViewModel,
        route: str,
        tab: str,
        participation: ParticipationViewModel | None = None,
        panel: TabPanel | None = None,
        badges: TabBadges | None = None,
        developer: DeveloperViewModel | None = None,
    ) -> None:
        super().__init__(app.tr)
        self.vm = vm
        self.route = route
        self.index = vm.index_of(tab)
        self.cabinet = CabinetPanel(app.tr, cabinet, developer) if tab == "cabinet" else None
        if self.cabinet is not None:
            self.watch(cabinet)
        self.participation = (
            ParticipationPanel(app.tr, participation)
            if tab == "participation" and participation is not None
            else None
        )
        if self.participation is not None and participation is not None:
            self.watch(participation)
        self.panel = panel  # another tab's body (alerts, notices), built by the shell
        for model in panel.models if panel is not None else ():
            self.watch(model)
        self.badges = badges  # counts on the destinations (new notices, alerts in force)
        if badges is not None:
            self.watch(badges)

    def build(self) -> ft.View:
        _ = self.tr.gettext
        tab = self.vm.tabs[self.index]
        if self.cabinet is not None:
            body = self.cabinet.build()
        elif self.participation is not None:
            body = self.participation.build()
        elif self.panel is not None:
            body = self.panel.build()
        else:
            body = coming_soon(self.tr, TAB_ICONS[tab.key][1])
        self.view = ft.View(
            route=self.route,
            scroll=ft.ScrollMode.AUTO,
            padding=ft.Padding.all(16),
            appbar=ft.AppBar(title=bar_title(_(tab.title)), automatically_imply_leading=False),
            navigation_bar=ft.NavigationBar(
                selected_index=self.index,
                on_change=self._on_tab,
                destinations=self._destinations(),
            ),
            controls=[centered(body)],
        )
        if tab.key == "appeals":  # filing a new appeal (route /appeals/new)
            self.view.floating_action_button = ft.FloatingActionButton(
                icon=ft.Icons.ADD,
                content=_("New appeal"),  # named by its text: a tooltip would say it twice
                on_click=self._on_new_appeal,
            )
        return self.view

    def _destinations(self) -> list[ft.NavigationBarDestination]:
        _ = self.tr.gettext
        badge = self.badges.label if self.badges is not None else (lambda key: None)
        return [
            ft.NavigationBarDestination(
                icon=ft.Icon(TAB_ICONS[t.key][0], badge=badge(t.key)),
                selected_icon=ft.Icon(TAB_ICONS[t.key][1], badge=badge(t.key)),
                label=_(t.label),
            )
            for t in self.vm.tabs
        ]

    def render(self) -> None:
        if self.view is not None and self.view.navigation_bar is not None:
            self.view.navigation_bar.destinations = self._destinations()
        if self.cabinet is not None:
            self.cabinet.render()
        if self.participation is not None:
            self.participation.render()
        if self.panel is not None:
            self.panel.render()

    async def _on_tab(self, e: ft.Event[ft.NavigationBar]) -> None:
        await self.vm.select(e.control.selected_index)

    async def _on_new_appeal(self) -> None:
        await self.vm.open_new_appeal()
