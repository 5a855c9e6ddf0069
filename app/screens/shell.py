"""The shell: keeps `page.views` in step with the route (imperative navigation), applies the
language to the whole page, and owns the screens of one page session."""

from __future__ import annotations

import logging

import flet as ft

from app import routes
from app.composition import AppSession
from app.i18n import FLUTTER_LOCALES, LANGUAGES
from app.routes import RouteMatch
from app.screens.appeal import AppealScreen
from app.screens.base import Screen
from app.screens.home import HomeScreen
from app.screens.sign_in import SignInScreen

log = logging.getLogger(__name__)


class Shell:
    def __init__(self, page: ft.Page, session: AppSession) -> None:
        self.page = page
        self.session = session
        self.screens: list[Screen] = []
        self.route = routes.normalize(page.route)

    async def start(self) -> None:
        page, s = self.page, self.session
        page.title = "109"
        page.theme_mode = ft.ThemeMode.LIGHT
        page.theme = ft.Theme(color_scheme_seed=ft.Colors.BLUE_700)
        page.on_route_change = self._on_route_change
        page.on_view_pop = self._on_view_pop
        page.on_close = self._on_close
        s.navigation.attach(self.go)
        s.translator.subscribe(self._on_language)
        s.app.subscribe(self._on_auth_changed)
        self._apply_locale()
        self.show(self.route)

    # -- navigation ----------------------------------------------------------------------------

    async def go(self, route: str) -> None:
        """Navigate (pushes browser history); re-render if it is the route already shown."""
        if routes.normalize(route) == self.route:
            self.show(route)
        else:
            await self.page.push_route(route)

    async def _on_route_change(self, e: ft.RouteChangeEvent) -> None:
        self.show(e.route)

    async def _on_view_pop(self, e: ft.ViewPopEvent) -> None:
        if len(self.page.views) > 1:
            below = self.page.views[-2]
            await self.go(below.route or routes.HOME)

    def show(self, route: str) -> None:
        log.debug("show %s", route)
        self.route = routes.normalize(route)
        stack = self.session.app.resolve(self.route)
        for screen in self.screens:
            screen.dispose()
        self.screens = [self._screen(m) for m in stack]
        self.page.views.clear()
        self.page.views.extend(screen.build() for screen in self.screens)
        self.page.update()

    def _screen(self, m: RouteMatch) -> Screen:
        s = self.session
        if m.name == "sign_in":
            return SignInScreen(s.app, s.sign_in, m.route)
        if m.name == "appeal":
            return AppealScreen(s.app, m.route, m.params["appeal_id"])
        return HomeScreen(s.app, s.home, s.cabinet, m.route, m.params.get("tab", "appeals"))

    # -- session-wide reactions ------------------------------------------------------------------

    def _apply_locale(self) -> None:
        lang = self.session.translator.language
        self.page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[ft.Locale(*FLUTTER_LOCALES[code]) for code in LANGUAGES],
            current_locale=ft.Locale(*FLUTTER_LOCALES[lang]),
        )

    def _on_language(self) -> None:
        self._apply_locale()
        self.show(self.route)  # every screen re-reads its texts; view models keep the input

    def _on_auth_changed(self) -> None:
        self.show(self.route)

    async def _on_close(self, e: ft.Event[ft.Page]) -> None:
        await self.session.close()
