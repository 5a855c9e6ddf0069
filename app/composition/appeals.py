"""Appeals in a page session: filing a new one (classifier cache, location, geocoding, media,
draft) and following them (the sync engine with its event stream, the list, one appeal, status
notifications). The sync engine built here carries every other feature too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.composition.core import Core
from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_queries import AppealQueries
from app.data.repositories.appeal_refusals import RefusedActions
from app.data.repositories.appeals import AppealsRepository
from app.data.repositories.applicant import ApplicantRepository
from app.data.repositories.classifier import ClassifierRepository
from app.data.repositories.drafts import DraftRepository
from app.data.repositories.service_names import ServiceNames
from app.data.services import local_files
from app.data.services.appeal_lookups_api import NewAppealApi
from app.data.services.appeals_api import AppealsApi
from app.data.services.camera import FletCamera
from app.data.services.events import EventStream
from app.data.services.geocoding import Geocoder, NominatimGeocoder
from app.data.services.location import LocationService
from app.data.services.media import MediaPreparer
from app.data.services.media_cache import CachedMediaSource, MediaCache
from app.data.services.notifications import OsNotifier
from app.data.services.picker import MediaPicker, upload_dir_for
from app.data.store.database import Database
from app.sync.engine import SyncEngine
from app.sync.spine import SyncSpine, build_sync
from app.viewmodels.appeal_detail import AppealDetailViewModel
from app.viewmodels.appeal_notifications import AppealNotifications
from app.viewmodels.appeals import AppealListViewModel, SyncStatusViewModel
from app.viewmodels.camera import CameraViewModel
from app.viewmodels.navigation import Navigation
from app.viewmodels.new_appeal import NewAppealViewModel
from app.viewmodels.new_appeal.submit import AppealFiling, AppealLookup


@dataclass(kw_only=True)
class AppealsViews:
    """The appeals part of a page session (`AppSession` has these fields)."""

    appeals: AppealsRepository  # the resident's actions
    classifier: ClassifierRepository
    new_appeal: NewAppealViewModel
    media_picker: MediaPicker
    camera: CameraViewModel | None = None  # taking photos (flet-camera), new appeal and chat
    sync: SyncEngine  # the one engine of the session: every feature registers on it
    sync_status: SyncStatusViewModel
    appeal_list: AppealListViewModel
    appeal_notifications: AppealNotifications
    appeal_detail: Callable[[str], AppealDetailViewModel]


@dataclass(kw_only=True)
class AppealsFeature(AppealsViews):
    """The appeals views, and what the builders after this one need."""

    spine: SyncSpine  # the engine and attachment uploads
    appeal_changes: AppealsChanged  # told after any change to the appeals (actions, sync)
    media_cache: MediaCache  # the server's photos kept on the device (offline detail)
    media_source: CachedMediaSource  # the server's photos through that cache (also proposals')
    capture_dir: Path  # raw camera shots (EXIF, GPS): never kept


def build_appeals(core: Core, notifier: OsNotifier | None) -> AppealsFeature:
    """`notifier`: the OS notifications of status changes (None: in-app banners only)."""
    db, config, auth = core.db, core.config, core.auth
    new_appeal_api = NewAppealApi(core.api)
    classifier = ClassifierRepository(db, new_appeal_api)
    classifier.load()
    changes = AppealsChanged()  # the one signal the actions, refusals and sync merge tell
    queries = AppealQueries(db)
    appeals = AppealsRepository(db, core.outbox, changes)
    appeals_api = AppealsApi(core.api)
    notifications = AppealNotifications(
        core.translator,
        core.navigation,
        os_notifier=notifier,
        enabled=lambda: core.profile.profile().notifications.status_updates,
    )
    spine = _sync_spine(core, changes, appeals_api, notifications)
    sync = spine.engine
    new_appeal = new_appeal_form(
        db,
        new_appeal_api,
        ApplicantRepository(db, new_appeal_api, auth, profiles=core.profile),
        appeals=appeals,
        lookup=queries,
        classifier=classifier,
        location=core.here,
        geocoder=NominatimGeocoder(),
        media_dir=config.data_dir / "media",
        navigation=core.navigation,
        language=core.lang,
        connectivity=lambda: sync.status.online,
    )
    auth.subscribe(lambda: new_appeal.forget() if core.signed_out() else None)
    # Signed in (again): sync at once, what waited on backoff (401s of an ended session) too.
    auth.subscribe(lambda: sync.request_sync(retry_now=auth.signed_in))
    media_cache = MediaCache(config.data_dir / "media_cache")  # wiped on every sign-out
    media_source = CachedMediaSource(appeals_api, media_cache)
    capture_dir = config.data_dir / "capture"
    auth.subscribe(lambda: _wipe_on_sign_out(core, media_cache, capture_dir))
    appeal_list = AppealListViewModel(
        queries,
        changes,
        core.navigation,
        language=core.lang,
        category_name=classifier.name_of,
        refresh_categories=classifier.refresh,
    )
    classifier.subscribe(appeal_list.reload_soon)  # category names arrived
    return AppealsFeature(
        appeals=appeals,
        classifier=classifier,
        spine=spine,
        appeal_changes=changes,
        sync=sync,
        appeal_notifications=notifications,
        new_appeal=new_appeal,
        appeal_list=appeal_list,
        sync_status=SyncStatusViewModel(sync, core.lang),
        appeal_detail=_appeal_details(
            core,
            queries,
            appeals,
            RefusedActions(db, core.outbox, changes),
            changes,
            classifier,
            media_source,
        ),
        media_picker=MediaPicker(upload_dir_for(config.data_dir)),
        camera=CameraViewModel(FletCamera(), capture_dir),
        media_cache=media_cache,
        media_source=media_source,
        capture_dir=capture_dir,
    )


def new_appeal_form(
    db: Database,
    api: NewAppealApi,
    applicant: ApplicantRepository,
    *,
    appeals: AppealFiling,
    lookup: AppealLookup,
    classifier: ClassifierRepository,
    location: LocationService,
    geocoder: Geocoder,
    media_dir: Path,
    navigation: Navigation,
    language: Callable[[], str],
    **options: Any,
) -> NewAppealViewModel:
    """The new-appeal form over its draft and media folder; `options` go to the view model
    (`connectivity`, and the tests' shorter delays)."""
    return NewAppealViewModel(
        appeals=appeals,
        lookup=lookup,
        classifier=classifier,
        location=location,
        geocoder=geocoder,
        applicant=applicant,
        drafts=DraftRepository(db),
        media=MediaPreparer(media_dir),
        api=api,
        navigation=navigation,
        language=language,
        **options,
    )


def _sync_spine(
    core: Core,
    changes: AppealsChanged,
    api: AppealsApi,
    notifications: AppealNotifications,
) -> SyncSpine:
    """The one sync engine of the page session, with its event stream (server-sent events)."""
    return build_sync(
        core.outbox,
        changes,
        api,
        period_s=core.config.sync_period_s,
        signed_in=core.signed_in,
        on_updates=notifications.publish,
        events=lambda engine: EventStream(
            core.api,
            on_change=engine.on_event_change,
            on_connected=engine.on_event_connected,
            on_dropped=engine.on_event_dropped,
            signed_in=core.signed_in,
        ),
    )


def _wipe_on_sign_out(core: Core, media_cache: MediaCache, capture_dir: Path) -> None:
    if core.signed_out():
        media_cache.wipe_soon()
        local_files.wipe_soon(capture_dir)


def _appeal_details(
    core: Core,
    queries: AppealQueries,
    actions: AppealsRepository,
    refused: RefusedActions,
    changes: AppealsChanged,
    classifier: ClassifierRepository,
    media_source: CachedMediaSource,
) -> Callable[[str], AppealDetailViewModel]:
    """The view model of one appeal's screen: made anew for another appeal, the same one while
    the same appeal is shown again (the shell builds its screens anew on every show: a second
    show of the route must not drop the score, comment or chat text being entered)."""
    service_names = ServiceNames(core.db)
    chat_media = MediaPreparer(core.config.data_dir / "media")
    last: list[AppealDetailViewModel] = []

    def appeal_detail(ref: str) -> AppealDetailViewModel:
        if last and last[0].ref == ref:
            return last[0]
        last[:] = [_new_detail(ref)]
        return last[0]

    def _new_detail(ref: str) -> AppealDetailViewModel:
        return AppealDetailViewModel(
            ref,
            core.navigation,
            queries=queries,
            actions=actions,
            refused=refused,
            changes=changes,
            language=core.lang,
            media=chat_media,
            service_names=service_names.names_of,
            category_name=classifier.name_of,
            media_source=media_source,
        )

    return appeal_detail
