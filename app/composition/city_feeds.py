"""Safety in a page session: emergency alerts, the shelter map, emergency contacts and notices
(issue 5) — one service over three caches, carried by the sync engine's feed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.composition.core import Core
from app.data.repositories.alerts import AlertsRepository
from app.data.repositories.notices import NoticesRepository
from app.data.repositories.places import PlacesRepository
from app.data.services.city_feeds_api import CityFeedsApi
from app.data.services.notifications import OsNotifier
from app.data.store.database import Database
from app.domain.appeals import Position
from app.domain.timestamps import utcnow
from app.sync.city_feeds import CityFeeds
from app.sync.engine import SyncEngine
from app.sync.position_sharing import PositionSharing, PositionWatch, SharingSwitch
from app.viewmodels.alerts import AlertBannerViewModel, AlertsViewModel
from app.viewmodels.contacts import ContactsViewModel
from app.viewmodels.notices import NoticePrefsViewModel, NoticesViewModel
from app.viewmodels.shelters import SheltersViewModel
from app.viewmodels.tab_badges import TabBadges


def city_feeds_service(
    db: Database,
    api: CityFeedsApi,
    *,
    clock: Callable[[], datetime] = utcnow,
    signed_in: Callable[[], bool] = lambda: True,
    last_position: Callable[[], tuple[Position, datetime] | None] | None = None,
    shares_position: Callable[[], bool] = lambda: True,
    monotonic: Callable[[], float] = time.monotonic,
) -> CityFeeds:
    """The city feeds: the alerts, places and notices caches over their API; the resident's
    position goes to it only while `shares_position()` (the cabinet's switch)."""
    return CityFeeds(
        api,
        AlertsRepository(db, api, clock=clock),
        PlacesRepository(db, api, clock=clock),
        NoticesRepository(db, api, clock=clock),
        signed_in=signed_in,
        last_position=last_position,
        sharing=PositionSharing(
            api.report_position,
            withdraw=api.forget_position,
            allowed=shares_position,
            monotonic=monotonic,
        ),
    )


@dataclass(kw_only=True)
class CityFeedViews:
    """The city feeds part of a page session (`AppSession` has these fields)."""

    city_feeds: CityFeeds
    alerts: AlertsViewModel
    alert_banner: AlertBannerViewModel
    shelters: SheltersViewModel
    contacts: ContactsViewModel
    notices: NoticesViewModel
    notice_prefs: NoticePrefsViewModel
    tab_badges: TabBadges  # new notices / alerts in force on the home navigation
    position_watch: PositionWatch  # the coarse position for alerts, while the app is open
    position_switch: SharingSwitch  # the cabinet's switch of that


def build_city_feeds(core: Core, sync: SyncEngine, notifier: OsNotifier | None) -> CityFeedViews:
    """`notifier`: the OS notification of a new alert (None: the in-app banner only)."""
    city_feeds = city_feeds_service(
        core.db,
        CityFeedsApi(core.api),
        signed_in=core.signed_in,
        last_position=core.last_position.load,
        shares_position=core.settings.shares_position,
    )
    core.auth.subscribe(city_feeds.on_auth_changed)
    watch = PositionWatch(
        core.here.fix_if_allowed,
        city_feeds.report_position,
        sharing=city_feeds.sharing,
        signed_in=core.signed_in,
    )

    def on_auth_changed() -> None:
        if core.signed_in():
            watch.check_soon()  # signed in: where they are counts for their alerts now

    core.auth.subscribe(on_auth_changed)
    sync.register(city_feeds)  # alert, notice, places_bundle rows of the feed
    sync.status.subscribe(lambda: city_feeds.set_online(sync.status.online))
    nav, lang = core.navigation, core.lang
    return CityFeedViews(
        city_feeds=city_feeds,
        alerts=AlertsViewModel(city_feeds, nav, lang),
        alert_banner=AlertBannerViewModel(
            city_feeds,
            nav,
            lang,
            notifier,
            wanted_levels=lambda: core.profile.profile().notifications.alert_levels,
        ),
        shelters=SheltersViewModel(city_feeds, nav, lang, core.here),
        contacts=ContactsViewModel(city_feeds.places, lang),
        notices=NoticesViewModel(city_feeds, nav, lang),
        notice_prefs=NoticePrefsViewModel(city_feeds.notices, lang),
        tab_badges=TabBadges(city_feeds),
        position_watch=watch,
        position_switch=SharingSwitch(
            core.settings.shares_position,
            core.settings.set_shares_position,
            city_feeds.sharing,
            watch,
        ),
    )
