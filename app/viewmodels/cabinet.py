"""The personal cabinet (for now: the phone, the language and signing out)."""

from __future__ import annotations

from app import routes
from app.observable import Observable
from app.phone import format_phone
from app.repositories.auth import AuthRepository
from app.viewmodels.language import LanguageViewModel
from app.viewmodels.navigation import Navigation


class CabinetViewModel(Observable):
    def __init__(
        self, auth: AuthRepository, language: LanguageViewModel, navigation: Navigation
    ) -> None:
        super().__init__()
        self._auth = auth
        self._nav = navigation
        self.language = language
        self.busy = False

    @property
    def phone(self) -> str:
        session = self._auth.session
        return format_phone(session.phone) if session else ""

    @property
    def full_name(self) -> str | None:
        session = self._auth.session
        return session.user.full_name if session and session.user else None

    async def sign_out(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.notify()
        try:
            await self._auth.sign_out()
        finally:
            self.busy = False
            self.notify()
        await self._nav.go(routes.HOME)
