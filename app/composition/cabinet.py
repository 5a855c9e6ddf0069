"""Participation (polls, initiatives, proposals) and the personal cabinet (profile, saved
addresses, notification settings, appeal analytics, sign-out) in a page session (issue 6)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from app.composition.appeals import AppealsFeature
from app.composition.core import Core
from app.data.repositories.analytics import AppealHistoryRepository, class_name
from app.data.repositories.outbox import Outbox
from app.data.repositories.participation import ParticipationRepository
from app.data.repositories.profile import ProfileRepository
from app.data.services import local_files
from app.data.services.address_search import NominatimAddressSearch
from app.data.services.api_client import ApiClient
from app.data.services.geocoding import NominatimGeocoder
from app.data.services.media import MediaPreparer
from app.data.services.participation_api import ParticipationApi
from app.data.services.picker import upload_dir_for
from app.data.store.database import Database
from app.sync.participation import ParticipationSync, ProfileSync
from app.sync.spine import SyncSpine
from app.viewmodels.addresses import AddressesViewModel
from app.viewmodels.cabinet import CabinetViewModel
from app.viewmodels.notification_settings import AlertSettingsViewModel, PositionSwitch
from app.viewmodels.participation import ParticipationViewModel
from app.viewmodels.personal import PersonalDataViewModel


def participation_repository(
    db: Database, api: ApiClient, outbox: Outbox, spine: SyncSpine, profile: ProfileRepository
) -> ParticipationRepository:
    """Participation's repository; its actions and rows, and the profile's, carried by the
    sync engine (registered after appeals and city_feeds)."""
    repo = ParticipationRepository(
        db, ParticipationApi(api), outbox, upload=spine.uploads.upload_all
    )
    spine.engine.register(ParticipationSync(repo))  # votes, supports, proposals; their rows
    spine.engine.register(ProfileSync(profile))  # profile edits, addresses
    return repo


@dataclass(kw_only=True)
class CabinetViews:
    """The participation and cabinet part of a page session (`AppSession` has these fields)."""

    cabinet: CabinetViewModel
    participation: ParticipationViewModel
    personal: PersonalDataViewModel
    addresses: AddressesViewModel
    alert_settings: AlertSettingsViewModel


def build_cabinet(
    core: Core, appeals: AppealsFeature, position_switch: PositionSwitch
) -> CabinetViews:
    """`position_switch`: the city feeds' switch of sharing the position for alerts."""
    db, config, profile, sync = core.db, core.config, core.profile, appeals.sync
    repo = participation_repository(db, core.api, core.outbox, appeals.spine, profile)

    def online() -> bool:
        return sync.status.online is not False

    async def wipe_files() -> None:
        await asyncio.to_thread(
            local_files.wipe,
            config.data_dir / "media",
            upload_dir_for(config.data_dir),
            appeals.media_cache.folder,
            appeals.capture_dir,
        )

    classifier = appeals.classifier
    cabinet = CabinetViewModel(
        core.auth,
        core.language,
        core.navigation,
        profile=profile,
        history=AppealHistoryRepository(db),
        class_name=lambda code, lang: class_name(classifier.classifier, code, lang),
        pending_actions=core.pending_actions,
        wipe_files=wipe_files,
        on_queued=sync.request_sync,
    )
    cabinet.follow(appeals.appeal_changes)  # the analytics follow the appeals as they change
    return CabinetViews(
        cabinet=cabinet,
        participation=ParticipationViewModel(
            repo,
            core.navigation,
            on_queued=sync.request_sync,
            location=core.here,
            geocoder=NominatimGeocoder(),
            media=MediaPreparer(config.data_dir / "media"),
            language=core.lang,
            photo_source=appeals.media_source,
        ),
        personal=PersonalDataViewModel(profile, on_queued=sync.request_sync, online=online),
        addresses=AddressesViewModel(
            profile,
            core.navigation,
            location=core.here,
            geocoder=NominatimGeocoder(),
            search=NominatimAddressSearch(),
            language=core.lang,
            on_queued=sync.request_sync,
        ),
        alert_settings=AlertSettingsViewModel(
            profile, position=position_switch, on_queued=sync.request_sync, online=online
        ),
    )
