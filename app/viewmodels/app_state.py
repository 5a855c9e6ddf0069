"""The session-wide view model: language, whether someone is signed in, and which screens a
route shows."""

from __future__ import annotations

from app import routes
from app.data.repositories.auth import AuthRepository
from app.i18n import Translator
from app.observable import Observable
from app.routes import RouteMatch
from app.viewmodels.language import LanguageViewModel
from app.viewmodels.navigation import Navigation


class AppViewModel(Observable):
    """Notifies when the resident is signed out — by the cabinet, or because the server refused
    the refresh token — so the shell shows sign-in wherever the resident was."""

    def __init__(
        self,
        translator: Translator,
        language: LanguageViewModel,
        auth: AuthRepository,
        navigation: Navigation,
    ) -> None:
        super().__init__()
        self.tr = translator
        self.language = language
        self.navigation = navigation
        self._auth = auth
        self._requested_route = routes.HOME
        auth.subscribe(self._auth_changed)

    def _auth_changed(self) -> None:
        if not self._auth.signed_in:
            self.notify()

    @property
    def signed_in(self) -> bool:
        return self._auth.signed_in

    def resolve(self, route: str) -> tuple[RouteMatch, ...]:
        stack = routes.resolve(route, signed_in=self.signed_in)
        if not self.signed_in and stack[-1].name == "sign_in":
            path = routes.normalize(route)
            self._requested_route = routes.HOME if path == routes.SIGN_IN else path
        return stack

    def route_after_sign_in(self) -> str:
        """The deep link the resident opened before signing in, else home."""
        route, self._requested_route = self._requested_route, routes.HOME
        return route
