"""The composition root: everything one page session needs, built in one place.

`build_session(config)` is blocking (it opens and migrates the local database): call it from
`asyncio.to_thread`. Screens get view models from the returned `AppSession`, never the layers
below them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from app.config import AppConfig
from app.i18n import Translator
from app.repositories.auth import AuthRepository
from app.repositories.settings import SettingsRepository
from app.services.api_client import ApiClient
from app.services.auth_api import AuthApi
from app.services.tokens import TokenHolder
from app.store.database import Database, open_database
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.cabinet import CabinetViewModel
from app.viewmodels.home import HomeViewModel
from app.viewmodels.language import LanguageViewModel
from app.viewmodels.navigation import Navigation
from app.viewmodels.sign_in import SignInViewModel


@dataclass
class AppSession:
    config: AppConfig
    db: Database
    translator: Translator
    api: ApiClient
    auth: AuthRepository
    settings: SettingsRepository
    navigation: Navigation
    app: AppViewModel
    language: LanguageViewModel
    sign_in: SignInViewModel
    home: HomeViewModel
    cabinet: CabinetViewModel
    _closed: bool = field(default=False, repr=False)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.sign_in.dispose()
        await self.api.aclose()


def build_session(
    config: AppConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    db: Database | None = None,
) -> AppSession:
    """Build the object graph of one page session (blocking: opens the local database)."""
    db = db or open_database(config.db_path)
    settings = SettingsRepository(db)
    translator = Translator(settings.language() or "kk")
    tokens = TokenHolder()
    api = ApiClient(
        config.api_url,
        language=lambda: translator.language,
        tokens=tokens,
        transport=transport,
    )
    auth = AuthRepository(db, AuthApi(api), tokens)
    auth.load()
    navigation = Navigation()
    language = LanguageViewModel(translator, settings)
    app = AppViewModel(translator, language, auth, navigation)
    return AppSession(
        config=config,
        db=db,
        translator=translator,
        api=api,
        auth=auth,
        settings=settings,
        navigation=navigation,
        app=app,
        language=language,
        sign_in=SignInViewModel(auth, navigation, app.route_after_sign_in),
        home=HomeViewModel(navigation),
        cabinet=CabinetViewModel(auth, language, navigation),
    )
