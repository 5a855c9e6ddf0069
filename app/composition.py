"""The composition root: everything one page session needs, built in one place.

`build_session(config)` is blocking (it opens and migrates the local database): call it from
`asyncio.to_thread`. Screens get view models from the returned `AppSession`, never the layers
below them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from app.config import AppConfig
from app.data.repositories.alerts import AlertsRepository
from app.data.repositories.analytics import AppealHistoryRepository, class_name
from app.data.repositories.appeals import AppealsRepository
from app.data.repositories.applicant import ApplicantRepository
from app.data.repositories.auth import AuthRepository
from app.data.repositories.classifier import ClassifierRepository
from app.data.repositories.drafts import DraftRepository
from app.data.repositories.notices import NoticesRepository
from app.data.repositories.participation import ParticipationRepository
from app.data.repositories.places import PlacesRepository
from app.data.repositories.profile import KINDS as PROFILE_ACTIONS
from app.data.repositories.profile import ProfileRepository
from app.data.repositories.service_names import ServiceNames
from app.data.repositories.settings import SettingsRepository
from app.data.services import local_files
from app.data.services.address_search import NominatimAddressSearch
from app.data.services.api_client import ApiClient
from app.data.services.appeal_lookups_api import NewAppealApi
from app.data.services.appeals_api import AppealsApi
from app.data.services.auth_api import AuthApi
from app.data.services.camera import FletCamera
from app.data.services.events import EventStream
from app.data.services.geocoding import NominatimGeocoder
from app.data.services.location import FletGeolocator, LastPositionStore, LocationService
from app.data.services.media import MediaPreparer
from app.data.services.media_cache import CachedMediaSource, MediaCache
from app.data.services.participation_api import ParticipationApi
from app.data.services.picker import MediaPicker, upload_dir_for
from app.data.services.profile_api import ProfileApi
from app.data.services.safety_api import SafetyApi
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database, open_database
from app.i18n import Translator
from app.sync.engine import SyncEngine
from app.sync.safety_refresher import SafetyService
from app.viewmodels.addresses import AddressesViewModel
from app.viewmodels.alerts import AlertBannerViewModel, AlertsViewModel
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.appeal_detail import AppealDetailViewModel
from app.viewmodels.appeal_notifications import AppealNotifications
from app.viewmodels.appeals import AppealListViewModel, SyncStatusViewModel
from app.viewmodels.cabinet import CabinetViewModel
from app.viewmodels.camera import CameraViewModel
from app.viewmodels.contacts import ContactsViewModel
from app.viewmodels.home import HomeViewModel
from app.viewmodels.language import LanguageViewModel
from app.viewmodels.navigation import Navigation
from app.viewmodels.new_appeal import NewAppealViewModel
from app.viewmodels.notices import NoticePrefsViewModel, NoticesViewModel
from app.viewmodels.notification_settings import AlertSettingsViewModel
from app.viewmodels.participation import ParticipationViewModel
from app.viewmodels.personal import PersonalDataViewModel
from app.viewmodels.shelters import SheltersViewModel
from app.viewmodels.sign_in import SignInViewModel
from app.viewmodels.tab_badges import TabBadges

log = logging.getLogger(__name__)


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
    appeals: AppealsRepository
    classifier: ClassifierRepository
    new_appeal: NewAppealViewModel
    media_picker: MediaPicker
    sync: SyncEngine
    sync_status: SyncStatusViewModel
    appeal_list: AppealListViewModel
    appeal_notifications: AppealNotifications
    appeal_detail: Callable[[str], AppealDetailViewModel]
    # alerts, shelter map, contacts, notices (issue 5)
    safety: SafetyService
    alerts: AlertsViewModel
    alert_banner: AlertBannerViewModel
    shelters: SheltersViewModel
    contacts: ContactsViewModel
    notices: NoticesViewModel
    notice_prefs: NoticePrefsViewModel
    tab_badges: TabBadges  # new notices / alerts in force on the home navigation
    # participation and the personal cabinet (issue 6)
    participation: ParticipationViewModel
    personal: PersonalDataViewModel
    addresses: AddressesViewModel
    alert_settings: AlertSettingsViewModel
    camera: CameraViewModel | None = None  # taking photos (flet-camera), new appeal and chat
    _closed: bool = field(default=False, repr=False)

    async def pause(self) -> None:
        """The page disconnected (web mode: a reload or a closed tab; Flet keeps the session
        for a while in case it comes back): its background work stops, so a reload never runs
        two sync engines and two event streams for one resident."""
        log.info("page disconnected: its sync engine stops")
        await self.sync.stop()

    async def resume(self) -> None:
        """The same page connected again: sync where it left off."""
        if not self._closed:
            log.info("page connected again: its sync engine resumes")
            await self.sync.start()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.sign_in.dispose()
        await self.sync.stop()
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
    # -- the new-appeal flow: classifier cache, location, geocoding, media, draft ---------------
    # One device location for the session: one flet-geolocator service on the page, shared by
    # the new appeal, the shelter map, participation and saved addresses.
    last_position = LastPositionStore(db)
    here = LocationService(FletGeolocator(), last_position)
    appeals = AppealsRepository(db)
    new_appeal_api = NewAppealApi(api)
    classifier = ClassifierRepository(db, new_appeal_api)
    classifier.load()
    applicant = ApplicantRepository(db, new_appeal_api, auth)  # the cabinet's profile: below
    new_appeal = NewAppealViewModel(
        appeals=appeals,
        classifier=classifier,
        location=here,
        geocoder=NominatimGeocoder(),
        applicant=applicant,
        drafts=DraftRepository(db),
        media=MediaPreparer(config.data_dir / "media"),
        api=new_appeal_api,
        navigation=navigation,
        language=lambda: translator.language,
    )

    def signed_out() -> bool:
        """Signed out for good (not a session the server ended: that data waits)."""
        return not auth.signed_in and auth.ended is None

    auth.subscribe(lambda: new_appeal.forget() if signed_out() else None)
    # -- following appeals: the sync engine, the list, one appeal, status notifications --------
    appeals_api = AppealsApi(api)
    sync = SyncEngine(
        appeals,
        appeals_api,
        period_s=config.sync_period_s,
        signed_in=lambda: auth.signed_in,
        events=lambda engine: EventStream(
            api,
            on_change=engine.on_event_change,
            on_connected=engine.on_event_connected,
            signed_in=lambda: auth.signed_in,
        ),
    )
    appeals.on_enqueued = sync.request_sync
    new_appeal.connectivity = lambda: sync.status.online
    # Signed in (again): sync at once, what waited on backoff (401s of an ended session) too.
    auth.subscribe(lambda: sync.request_sync(retry_now=auth.signed_in))
    appeal_notifications = AppealNotifications(
        translator,
        navigation,
        # the profile's "status updates" setting (its repository is built below)
        enabled=lambda: profile.profile().notifications.status_updates,
    )
    sync.on_updates = appeal_notifications.publish
    service_names = ServiceNames(db)
    appeal_list = AppealListViewModel(
        appeals,
        navigation,
        language=lambda: translator.language,
        category_name=classifier.name_of,
        refresh_categories=classifier.refresh,
    )
    classifier.subscribe(appeal_list.reload_soon)  # category names arrived
    chat_media = MediaPreparer(config.data_dir / "media")
    # the server's photos kept on the device (offline detail); wiped on every sign-out
    media_cache = MediaCache(config.data_dir / "media_cache")
    media_source = CachedMediaSource(appeals_api, media_cache)
    capture_dir = config.data_dir / "capture"  # raw camera shots (EXIF, GPS): never kept

    def wipe_on_sign_out() -> None:
        if signed_out():
            media_cache.wipe_soon()
            local_files.wipe_soon(capture_dir)

    auth.subscribe(wipe_on_sign_out)

    def appeal_detail(ref: str) -> AppealDetailViewModel:
        return AppealDetailViewModel(
            ref,
            appeals,
            navigation,
            language=lambda: translator.language,
            media=chat_media,
            service_names=service_names.names_of,
            category_name=classifier.name_of,
            media_source=media_source,
        )

    # -- alerts, shelter map, contacts, notices (issue 5) -------------------------------------
    safety_api = SafetyApi(api)
    safety = SafetyService(
        safety_api,
        AlertsRepository(db, safety_api),
        PlacesRepository(db, safety_api),
        NoticesRepository(db, safety_api),
        signed_in=lambda: auth.signed_in,
        last_position=last_position.load,
    )
    auth.subscribe(safety.on_auth_changed)
    sync.add_entities(safety.entity_handlers())  # alert, notice, places_bundle rows of the feed
    sync.status.subscribe(lambda: safety.set_online(sync.status.online))
    # -- participation and the personal cabinet (issue 6) --------------------------------------
    profile = ProfileRepository(
        db,
        ProfileApi(api),
        appeals.outbox,
        phone=lambda: auth.session.phone if auth.session else "",
    )
    applicant.profiles = profile  # name and saved addresses for a new appeal
    participation_repo = ParticipationRepository(
        db, ParticipationApi(api), appeals.outbox, upload=sync.upload_attachments
    )
    for kind, send in participation_repo.action_handlers().items():
        sync.add_action(kind, send)  # votes, supports, proposals
    for kind in PROFILE_ACTIONS:
        sync.add_action(kind, profile.send)  # profile edits, addresses
    sync.add_entities(participation_repo.entity_handlers())  # poll, initiative, proposal rows

    def online() -> bool:
        return sync.status.online is not False

    async def wipe_files() -> None:
        await asyncio.to_thread(
            local_files.wipe,
            config.data_dir / "media",
            upload_dir_for(config.data_dir),
            media_cache.folder,
            capture_dir,
        )

    cabinet = CabinetViewModel(
        auth,
        language,
        navigation,
        profile=profile,
        history=AppealHistoryRepository(db),
        class_name=lambda code, lang: class_name(classifier.classifier, code, lang),
        pending_actions=lambda: appeals.outbox.counts().pending,
        wipe_files=wipe_files,
        on_queued=sync.request_sync,
    )
    cabinet.follow(appeals)  # the analytics follow the appeals the sync engine merges
    return AppSession(
        participation=ParticipationViewModel(
            participation_repo,
            navigation,
            on_queued=sync.request_sync,
            location=here,
            geocoder=NominatimGeocoder(),
            media=MediaPreparer(config.data_dir / "media"),
            language=lambda: translator.language,
        ),
        personal=PersonalDataViewModel(profile, on_queued=sync.request_sync, online=online),
        addresses=AddressesViewModel(
            profile,
            navigation,
            location=here,
            geocoder=NominatimGeocoder(),
            search=NominatimAddressSearch(),
            language=lambda: translator.language,
            on_queued=sync.request_sync,
        ),
        alert_settings=AlertSettingsViewModel(profile, on_queued=sync.request_sync, online=online),
        safety=safety,
        alerts=AlertsViewModel(safety, navigation, lambda: translator.language),
        alert_banner=AlertBannerViewModel(
            safety,
            navigation,
            lambda: translator.language,
            wanted_levels=lambda: profile.profile().notifications.alert_levels,
        ),
        shelters=SheltersViewModel(
            safety,
            navigation,
            lambda: translator.language,
            here,
        ),
        contacts=ContactsViewModel(safety.places, lambda: translator.language),
        notices=NoticesViewModel(safety, navigation, lambda: translator.language),
        notice_prefs=NoticePrefsViewModel(safety.notices, lambda: translator.language),
        tab_badges=TabBadges(safety),
        config=config,
        db=db,
        translator=translator,
        api=api,
        auth=auth,
        settings=settings,
        navigation=navigation,
        app=app,
        language=language,
        sign_in=SignInViewModel(
            auth,
            navigation,
            app.route_after_sign_in,
            waiting=lambda: appeals.outbox.counts().pending,
        ),
        home=HomeViewModel(navigation),
        cabinet=cabinet,
        appeals=appeals,
        classifier=classifier,
        new_appeal=new_appeal,
        media_picker=MediaPicker(upload_dir_for(config.data_dir)),
        camera=CameraViewModel(FletCamera(), capture_dir),
        sync=sync,
        sync_status=SyncStatusViewModel(sync, lambda: translator.language),
        appeal_list=appeal_list,
        appeal_notifications=appeal_notifications,
        appeal_detail=appeal_detail,
    )
