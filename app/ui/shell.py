"""The shell: keeps `page.views` in step with the route (imperative navigation), applies the
language to the whole page, and owns the screens of one page session. It starts no background
work: the session does (`AppSession.start`, called by `app.main`)."""

from __future__ import annotations

import logging

import flet as ft

from app import routes
from app.composition import AppSession
from app.i18n import FLUTTER_LOCALES, LANGUAGES
from app.routes import RouteMatch
from app.ui import palette
from app.ui.appeals.banner import AppealBanner
from app.ui.appeals.detail_screen import AppealScreen
from app.ui.appeals.list_screen import AppealsPanel
from app.ui.cabinet.pages import page_for
from app.ui.developer.screen import DeveloperScreen
from app.ui.home.screen import HomeScreen
from app.ui.kit import Screen, TabPanel
from app.ui.new_appeal.screen import NewAppealScreen
from app.ui.notices.screen import NoticeScreen, NoticesPanel
from app.ui.safety.alert_banner import AlertBannerHost
from app.ui.safety.alerts_screen import AlertScreen, AlertsPanel
from app.ui.safety.contacts_screen import ContactsScreen
from app.ui.safety.shelters_screen import SheltersScreen
from app.ui.sign_in.screen import SignInScreen

log = logging.getLogger(__name__)


class Shell:
    def __init__(self, page: ft.Page, session: AppSession) -> None:
        self.page = page
        self.session = session
        self.screens: list[Screen] = []
        self.route = routes.normalize(page.route)

    def start(self) -> None:
        page, s = self.page, self.session
        page.title = "109"
        page.theme_mode = ft.ThemeMode.LIGHT
        page.theme = palette.theme()
        page.on_route_change = self._on_route_change
        page.on_view_pop = self._on_view_pop
        s.navigation.attach(self.go)
        s.translator.subscribe(self._on_language)
        s.app.subscribe(self._on_auth_changed)
        self._apply_locale()
        self.show(self.route)
        # A new alert's banner on whatever screen is open; a snackbar when an appeal changes.
        self.alert_banner = AlertBannerHost(page, s.translator, s.alert_banner, s.notices)
        self.alert_banner.show_current()
        self.appeal_banner = AppealBanner(page, s.translator, s.appeal_notifications)

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
        self.session.appeal_notifications.opened(self.route)  # its banner is answered
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
            return SignInScreen(s.app, s.sign_in, m.route, s.developer)
        if m.name == "new_appeal":
            return NewAppealScreen(s.app, s.new_appeal, s.media_picker, m.route, s.camera)
        if m.name == "appeal":
            appeal = s.appeal_detail(m.params["appeal_id"])
            return AppealScreen(s.app, appeal, s.sync_status, s.media_picker, m.route, s.camera)
        if m.name == "alert":
            return AlertScreen(s.app, s.alerts, m.route, m.params["identifier"])
        if m.name == "shelters":
            return SheltersScreen(s.app, s.shelters, m.route)
        if m.name == "contacts":
            return ContactsScreen(s.app, s.contacts, m.route)
        if m.name == "developer":
            return DeveloperScreen(s.app, s.developer, m.route)
        if m.name == "notice":
            return NoticeScreen(s.app, s.notices, m.route, int(m.params["notice_id"]))
        page = page_for(s, m)  # the cabinet's pages and the new proposal
        if page is not None:
            return page
        return HomeScreen(
            s.app,
            s.home,
            s.cabinet,
            m.route,
            m.params.get("tab", "appeals"),
            participation=s.participation,
            panel=self._panel(m.params.get("tab", "appeals")),
            badges=s.tab_badges,
            developer=s.developer,
        )

    def _panel(self, tab: str) -> TabPanel | None:
        s = self.session
        if tab == "appeals":
            return AppealsPanel(s.translator, s.appeal_list, s.sync_status)
        if tab == "alerts":
            return AlertsPanel(s.translator, s.alerts)
        if tab == "notices":
            return NoticesPanel(s.translator, s.notices, s.notice_prefs)
        return None

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
