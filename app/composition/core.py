"""The core of a page session, built first: the local store, the translator, the API client,
sign-in, navigation, the one device location and the resident's profile — what every feature
is built on."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from app.config import AppConfig
from app.data.repositories.auth import AuthRepository
from app.data.repositories.outbox import Outbox
from app.data.repositories.position import LastPositionStore
from app.data.repositories.profile import ProfileRepository
from app.data.repositories.settings import SettingsRepository
from app.data.services.api_client import ApiClient
from app.data.services.auth_api import AuthApi
from app.data.services.device import Device, this_device
from app.data.services.location import FletGeolocator, LocationService
from app.data.services.profile_api import ProfileApi
from app.data.services.secure_storage import FletSecureStorage, SecretStore
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database, open_database
from app.i18n import Translator
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.language import LanguageViewModel
from app.viewmodels.navigation import Navigation


@dataclass(frozen=True)
class Core:
    config: AppConfig
    db: Database
    settings: SettingsRepository
    translator: Translator
    api: ApiClient
    auth: AuthRepository
    navigation: Navigation
    language: LanguageViewModel
    app: AppViewModel
    outbox: Outbox  # the store's one outbox: every feature queues its actions in it
    last_position: LastPositionStore
    # One device location for the session: one flet-geolocator service on the page, shared by
    # the new appeal, the shelter map, participation and saved addresses.
    here: LocationService
    # The cabinet's profile: also the name and saved addresses of a new appeal, and the
    # resident's notification settings.
    profile: ProfileRepository

    def lang(self) -> str:
        """The resident's language now."""
        return self.translator.language

    def pending_actions(self) -> int:
        """Actions waiting in the outbox to be sent (blocking: reads the store)."""
        return self.outbox.counts().pending

    def signed_in(self) -> bool:
        return self.auth.signed_in

    def signed_out(self) -> bool:
        """Signed out for good (not a session the server ended: that data waits)."""
        return not self.auth.signed_in and self.auth.ended is None


def build_core(
    config: AppConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    db: Database | None = None,
) -> Core:
    """Blocking: opens (and migrates) the local database unless one is given."""
    db = db or open_database(config.db_path)
    settings = SettingsRepository(db)
    config = config.with_device_override(settings.api_url())  # a tester's server, if saved
    translator = Translator(settings.language() or "kk")
    tokens = TokenHolder()
    api = ApiClient(
        config.api_url,
        language=lambda: translator.language,
        tokens=tokens,
        transport=transport,
    )
    auth = AuthRepository(db, AuthApi(api), tokens, platform_secrets(this_device()))
    auth.load()
    navigation = Navigation()
    language = LanguageViewModel(translator, settings)
    outbox = Outbox(db)
    last_position = LastPositionStore(db)
    return Core(
        config=config,
        db=db,
        settings=settings,
        translator=translator,
        api=api,
        auth=auth,
        navigation=navigation,
        language=language,
        app=AppViewModel(translator, language, auth, navigation),
        outbox=outbox,
        last_position=last_position,
        here=LocationService(FletGeolocator(), last_position),
        profile=ProfileRepository(
            db,
            ProfileApi(api),
            outbox,
            phone=lambda: auth.session.phone if auth.session else "",
        ),
    )


def platform_secrets(device: Device | None) -> SecretStore | None:
    """Where the resident's tokens are kept: the platform's secure storage on a phone; the
    local store (None) in a browser, on a desktop and outside a page."""
    return FletSecureStorage() if device is not None and device.phone else None
