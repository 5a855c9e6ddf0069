"""The city feeds inside the whole page session (composition root): sign-out forgets the
resident's alerts, notices and notice choices, on the phone and in memory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.composition import AppSession
from app.data.repositories.notices import PrefsRejectedError
from app.data.services.location import FletGeolocator, LocationService
from app.domain.notices import NoticeFilter
from tests.app.conftest import CODE, PHONE
from tests.app.support.city_feeds_fakes import alert_json

pytestmark = pytest.mark.anyio


async def test_sign_out_forgets_the_residents_alerts_and_notice_choices(
    make_session: Callable[[], AppSession],
) -> None:
    session = make_session()
    await session.auth.request_code(PHONE)
    await session.auth.verify_code(PHONE, CODE)
    await session.city_feeds.idle()  # the refresh the sign-in started would replace our row
    now = datetime.now(UTC)
    await session.city_feeds.alerts.apply_rows(
        [alert_json("a1", sent=now, expires=now + timedelta(hours=1))]
    )
    with pytest.raises(PrefsRejectedError):  # this fake server has no profile: 404
        await session.city_feeds.notices.save_prefs(["yesil"], ["water"])
    assert session.alert_banner.shown is not None
    assert session.city_feeds.notices.prefs.filter.districts == ("yesil",)

    await session.cabinet.sign_out()
    assert session.city_feeds.alerts.current() == [] and session.alert_banner.shown is None
    assert session.city_feeds.notices.prefs.filter == NoticeFilter()
    with session.db.engine.connect() as conn:
        for table in ("alert_cache", "notice_cache", "safety_pref"):
            assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0
    again = make_session()  # and nothing comes back on the next start
    await again.city_feeds.load()
    assert again.city_feeds.alerts.current() == []
    await asyncio.sleep(0)  # let the background refresh started at sign-in settle


def test_one_location_service_serves_every_screen(session: AppSession) -> None:
    """One device location per session: one flet-geolocator service on the page, whichever
    screen asks first (new appeal, shelter map, participation, saved addresses)."""
    here = session.new_appeal.location._service
    assert isinstance(here, LocationService) and isinstance(here._geo, FletGeolocator)
    assert session.shelters._locator is here
    assert session.participation.form._location is here
    assert session.addresses._location is here
