"""`AppSession`: the view models one page session's screens use, and the lifecycle of its
background work (`start`, `pause`, `resume`, `close`); `build_session` builds it from the
feature builders, in order: the core, appeals (with the sync engine), the city feeds, the
cabinet."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from typing import Any

import httpx

from app.composition.appeals import AppealsViews, build_appeals
from app.composition.cabinet import CabinetViews, build_cabinet
from app.composition.city_feeds import CityFeedViews, build_city_feeds
from app.composition.core import build_core
from app.composition.notifications import notification_permission, os_notifier
from app.config import AppConfig
from app.data.repositories.auth import AuthRepository
from app.data.repositories.settings import SettingsRepository
from app.data.services.api_client import ApiClient
from app.data.services.server_probe import ServerProbe
from app.data.store.database import Database
from app.i18n import Translator
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.developer import DeveloperViewModel
from app.viewmodels.home import HomeViewModel
from app.viewmodels.language import LanguageViewModel
from app.viewmodels.navigation import Navigation
from app.viewmodels.notification_permission import NotificationPermission
from app.viewmodels.sign_in import SignInViewModel

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class AppSession(AppealsViews, CityFeedViews, CabinetViews):
    """What the screens of one page session use, flat (`session.alerts`): the core here, each
    feature's fields from its builder's module (`AppealsViews`, `CityFeedViews`, `CabinetViews`);
    and the lifecycle of the session's background work."""

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
    developer: DeveloperViewModel  # the hidden developer screen (testers' builds)
    notification_permission: NotificationPermission  # when the OS notifier starts, asks
    _closed: bool = field(default=False, repr=False)
    _restored: bool = field(default=False, repr=False)

    async def restore_sign_in(self) -> None:
        """The tokens are read (phones: from secure storage), once: before the first screen
        asks the server anything."""
        if not self._restored:
            self._restored = True
            await self.auth.restore()

    async def start(self) -> None:
        """The page opened: the sign-in restored (if not yet), the sync engine and its event
        stream run, the city feeds are read and refreshed, and the classifier cache
        revalidated (ETag), in the background."""
        await self.restore_sign_in()
        await self.sync.start()
        self.city_feeds.start()
        self.position_watch.start()  # the coarse position for alerts, if already allowed
        self.new_appeal.start()
        await self.notification_permission.start()

    async def pause(self) -> None:
        """The page disconnected (web mode: a reload or a closed tab; Flet keeps the session
        for a while in case it comes back): its background work stops, so a reload never runs
        two sync engines and two event streams for one resident."""
        log.info("page disconnected: its sync engine stops")
        await self.position_watch.stop()  # never a position from the background
        await self.sync.stop()

    async def resume(self) -> None:
        """The same page connected again: sync where it left off."""
        if not self._closed:
            log.info("page connected again: its sync engine resumes")
            await self.sync.start()
            self.position_watch.start()  # a fresh fix is reported at once

    async def close(self) -> None:
        """The page closed: everything stops, for good."""
        if self._closed:
            return
        self._closed = True
        self.sign_in.dispose()
        self.alert_banner.dispose()
        self.appeal_notifications.dispose()
        self.notification_permission.dispose()
        await self.position_watch.stop()
        await self.sync.stop()
        await self.new_appeal.stop()
        await self.api.aclose()

    def foreground(self, active: bool) -> None:
        """The app came to the foreground (True) or left it: status changes of the resident's
        appeals go to the OS notifier only while it is not. The position for alerts is
        watched only in the foreground (never from the background)."""
        self.appeal_notifications.in_foreground = active
        if not active:
            self.position_watch.pause()
        elif self.sync.running and not self._closed:
            self.position_watch.start()


def build_session(
    config: AppConfig,
    *,
    web: bool | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    db: Database | None = None,
) -> AppSession:
    """Build the object graph of one page session (blocking: opens the local database).

    `web`: the page is a browser tab (True: the app runs on a server, so no OS notification)
    or a window on the resident's device (False: OS notifications where the platform has
    them); None (no page: tests) shows only the in-app ones."""
    core = build_core(config, transport=transport, db=db)
    notifier = os_notifier(core, web=web)
    appeals = build_appeals(core, notifier)
    city_feeds = build_city_feeds(core, appeals.sync, notifier)
    cabinet = build_cabinet(core, appeals, city_feeds.position_switch)
    return AppSession(
        config=core.config,
        db=core.db,
        translator=core.translator,
        api=core.api,
        auth=core.auth,
        settings=core.settings,
        navigation=core.navigation,
        app=core.app,
        language=core.language,
        sign_in=SignInViewModel(
            core.auth,
            core.navigation,
            core.app.route_after_sign_in,
            waiting=core.pending_actions,
        ),
        home=HomeViewModel(core.navigation),
        notification_permission=notification_permission(core, notifier),
        developer=DeveloperViewModel(
            core.config,
            core.settings,
            core.navigation,
            check_server=ServerProbe(transport).check,
            waiting_actions=core.pending_actions,
        ),
        **_fields(appeals, AppealsViews),
        **_fields(city_feeds, CityFeedViews),
        **_fields(cabinet, CabinetViews),
    )


def _fields(views: object, kind: type) -> dict[str, Any]:
    """The fields of `kind` (a feature's views, which `AppSession` inherits) taken from `views`
    as keyword arguments (not copied; a builder's extras beyond `kind` stay out)."""
    return {f.name: getattr(views, f.name) for f in fields(kind)}
