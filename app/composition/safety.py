"""Safety in a page session: emergency alerts, the shelter map, emergency contacts and notices
(issue 5) — one service over three caches, carried by the sync engine's feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.composition.core import Core
from app.data.repositories.alerts import AlertsRepository
from app.data.repositories.notices import NoticesRepository
from app.data.repositories.places import PlacesRepository
from app.data.services.notifications import OsNotifier
from app.data.services.safety_api import SafetyApi
from app.data.store.database import Database
from app.domain.appeals import Position
from app.domain.timestamps import utcnow
from app.sync.engine import SyncEngine
from app.sync.safety_refresher import SafetyService
from app.viewmodels.alerts import AlertBannerViewModel, AlertsViewModel
from app.viewmodels.contacts import ContactsViewModel
from app.viewmodels.notices import NoticePrefsViewModel, NoticesViewModel
from app.viewmodels.shelters import SheltersViewModel
from app.viewmodels.tab_badges import TabBadges


def safety_service(
    db: Database,
    api: SafetyApi,
    *,
    clock: Callable[[], datetime] = utcnow,
    signed_in: Callable[[], bool] = lambda: True,
    last_position: Callable[[], tuple[Position, datetime] | None] | None = None,
) -> SafetyService:
    """The safety data: the alerts, places and notices caches over the safety API."""
    return SafetyService(
        api,
        AlertsRepository(db, api, clock=clock),
        PlacesRepository(db, api, clock=clock),
        NoticesRepository(db, api, clock=clock),
        signed_in=signed_in,
        last_position=last_position,
    )


@dataclass(kw_only=True)
class SafetyViews:
    """The safety part of a page session (`AppSession` has these fields)."""

    safety: SafetyService
    alerts: AlertsViewModel
    alert_banner: AlertBannerViewModel
    shelters: SheltersViewModel
    contacts: ContactsViewModel
    notices: NoticesViewModel
    notice_prefs: NoticePrefsViewModel
    tab_badges: TabBadges  # new notices / alerts in force on the home navigation


def build_safety(core: Core, sync: SyncEngine, notifier: OsNotifier | None) -> SafetyViews:
    """`notifier`: the OS notification of a new alert (None: the in-app banner only)."""
    safety = safety_service(
        core.db,
        SafetyApi(core.api),
        signed_in=core.signed_in,
        last_position=core.last_position.load,
    )
    core.auth.subscribe(safety.on_auth_changed)
    sync.register(safety)  # alert, notice, places_bundle rows of the feed
    sync.status.subscribe(lambda: safety.set_online(sync.status.online))
    nav, lang = core.navigation, core.lang
    return SafetyViews(
        safety=safety,
        alerts=AlertsViewModel(safety, nav, lang),
        alert_banner=AlertBannerViewModel(
            safety,
            nav,
            lang,
            notifier,
            wanted_levels=lambda: core.profile.profile().notifications.alert_levels,
        ),
        shelters=SheltersViewModel(safety, nav, lang, core.here),
        contacts=ContactsViewModel(safety.places, lang),
        notices=NoticesViewModel(safety, nav, lang),
        notice_prefs=NoticePrefsViewModel(safety.notices, lang),
        tab_badges=TabBadges(safety),
    )
