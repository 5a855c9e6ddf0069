"""The coarse position for alerts: what is sent (rounded), when (start, resume, a move of more
than 300 m into another cell; once a minute at most for a restart), and never without the
permission already given, with sharing turned off, signed out, or from a stopped watch."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.composition.city_feeds import city_feeds_service
from app.data.repositories.settings import SettingsRepository
from app.data.services.api_client import ApiClient
from app.data.services.city_feeds_api import CityFeedsApi
from app.data.services.location import LocationService, Permission
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.domain.appeals import Position
from app.domain.geo import distance_m
from app.sync.city_feeds import CityFeeds
from app.sync.position_sharing import (
    COARSE_ERROR_M,
    MIN_GAP_S,
    PositionSharing,
    PositionWatch,
    SharingSwitch,
    coarse,
)
from tests.app.support.city_feeds_fakes import CityFeedsBackend, Clock, alert_json
from tests.app.support.new_appeal_fakes import FakeGeolocator
from tests.app.support.waiting import until

pytestmark = pytest.mark.anyio

HERE = Position(51.12823, 71.43071, 15.0, "gps")  # Astana, Yesil
NEAR = Position(51.12900, 71.43100, 15.0, "gps")  # ~90 m away
FAR = Position(51.13600, 71.43071, 15.0, "gps")  # ~860 m north: another cell


class QuietGeolocator(FakeGeolocator):
    """A device that says what was allowed without asking (`permission_status`)."""

    async def permission_status(self) -> Permission:
        return self.permission


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "app.db")
    yield database
    database.close()


class Feeds:
    """A `CityFeeds` as the composition root builds it, over the fake backend, with the
    device's sharing setting in the store and a clock the test moves."""

    def __init__(self, db: Database, backend: CityFeedsBackend, geo: QuietGeolocator) -> None:
        tokens = TokenHolder()
        tokens.set("access", "refresh")
        self.api = ApiClient(
            "http://backend.test",
            language=lambda: "kk",
            tokens=tokens,
            transport=httpx.MockTransport(backend.handler),
        )
        self.settings = SettingsRepository(db)
        self.signed_in = True
        self.clock = Monotonic()  # the rate limit's
        self.service: CityFeeds = city_feeds_service(
            db,
            CityFeedsApi(self.api),
            signed_in=lambda: self.signed_in,
            shares_position=self.settings.shares_position,
            monotonic=self.clock,
            clock=Clock(),
        )
        self.geo = geo
        self.watch = PositionWatch(
            LocationService(geo, _Memory()).fix_if_allowed,
            self.service.report_position,
            sharing=self.service.sharing,
            signed_in=lambda: self.signed_in,
            every_s=3600,
            monotonic=self.clock,
        )


class _Memory:
    def __init__(self) -> None:
        self.saved: list[Position] = []

    def load(self) -> None:
        return None

    def save(self, position: Position) -> None:
        self.saved.append(position)


@pytest.fixture
def backend() -> CityFeedsBackend:
    return CityFeedsBackend()


async def test_the_position_sent_is_coarse() -> None:
    sent = coarse(HERE)
    assert (sent.lat, sent.lon) == (51.13, 71.43) and sent.accuracy_m == COARSE_ERROR_M
    assert distance_m((HERE.lat, HERE.lon), (sent.lat, sent.lon)) < COARSE_ERROR_M
    worst = Position(51.125, 71.435, 5.0, "gps")  # a cell's corner: the largest rounding
    rounded = coarse(worst)
    assert distance_m((worst.lat, worst.lon), (rounded.lat, rounded.lon)) < COARSE_ERROR_M
    assert coarse(Position(51.1, 71.4, 2000.0, "gps")).accuracy_m == 2000.0  # never better


async def test_start_sends_the_coarse_fix_and_pulls_the_alerts(
    db: Database, backend: CityFeedsBackend
) -> None:
    backend.publish(alert_json("here", circles=[{"lat": 51.128, "lon": 71.43, "radius_km": 1.5}]))
    feeds = Feeds(db, backend, QuietGeolocator(HERE))
    await feeds.watch.check(fresh=True)
    assert backend.positions == [{"lat": 51.13, "lon": 71.43, "accuracy_m": COARSE_ERROR_M}]
    assert [a.identifier for a in feeds.service.alerts.current()] == ["here"]
    assert feeds.service.here == (HERE.lat, HERE.lon)  # the precise fix stays on the device
    assert feeds.geo.permission_asked == 0  # never asked
    await feeds.api.aclose()


async def test_resume_resends_only_after_a_minute_and_moves_send_at_once(
    db: Database, backend: CityFeedsBackend
) -> None:
    geo = QuietGeolocator(HERE)
    feeds = Feeds(db, backend, geo)
    await feeds.watch.check(fresh=True)  # start
    await feeds.watch.check(fresh=True)  # a reload right after: the server has it
    assert len(backend.positions) == 1
    feeds.clock.now += MIN_GAP_S
    await feeds.watch.check(fresh=True)  # resumed a minute later: refreshed
    assert len(backend.positions) == 2

    feeds.clock.now += 600
    geo.position = NEAR
    await feeds.watch.check(fresh=False)  # the periodic check: 90 m is no move
    assert len(backend.positions) == 2
    geo.position = FAR
    await feeds.watch.check(fresh=False)  # 860 m, another cell
    assert backend.positions[-1]["lat"] == 51.14 and len(backend.positions) == 3
    geo.position = Position(51.13600, 71.438, 15.0, "gps")  # ~500 m east, right away
    await feeds.watch.check(fresh=False)
    assert backend.positions[-1]["lon"] == 71.44 and len(backend.positions) == 4


async def test_a_move_within_the_same_cell_sends_nothing() -> None:
    sent: list[tuple[float, float]] = []

    async def send(lat: float, lon: float, accuracy_m: float | None) -> None:
        sent.append((lat, lon))

    sharing = PositionSharing(send, monotonic=Monotonic())
    assert await sharing.share(Position(51.1260, 71.4260, None, "gps"))
    moved = Position(51.1290, 71.4260, None, "gps")  # 330 m north, both round to 51.13
    assert distance_m((51.1260, 71.4260), (moved.lat, moved.lon)) > 300
    assert not await sharing.share(moved)
    assert sent == [(51.13, 71.43)]


async def test_sharing_off_takes_no_fix_and_sends_nothing_at_once(
    db: Database, backend: CityFeedsBackend
) -> None:
    geo = QuietGeolocator(HERE)
    feeds = Feeds(db, backend, geo)
    feeds.settings.set_shares_position(False)
    await feeds.watch.check(fresh=True)
    assert geo.positions_asked == 0 and backend.positions == []
    assert backend.forgotten == 1  # the server is asked to forget what it was sent before
    await feeds.watch.check(fresh=False)
    assert backend.forgotten == 1  # once per session, not at every check
    # a fix the resident took on the map or for an appeal is not sent either
    await feeds.service.report_position(HERE, fresh=True)
    assert backend.positions == [] and feeds.service.here == (HERE.lat, HERE.lon)
    feeds.settings.set_shares_position(True)
    await feeds.watch.check(fresh=True)
    assert len(backend.positions) == 1


@pytest.mark.parametrize("permission", ["denied", "denied_forever", "unavailable"])
async def test_no_permission_means_no_fix_and_no_prompt(
    db: Database, backend: CityFeedsBackend, permission: Permission
) -> None:
    geo = QuietGeolocator(HERE, permission=permission)
    feeds = Feeds(db, backend, geo)
    await feeds.watch.check(fresh=True)
    assert geo.permission_asked == 0 and geo.positions_asked == 0 and backend.positions == []


async def test_signed_out_sends_nothing_and_a_new_sign_in_sends_afresh(
    db: Database, backend: CityFeedsBackend
) -> None:
    feeds = Feeds(db, backend, QuietGeolocator(HERE))
    feeds.signed_in = False
    await feeds.watch.check(fresh=True)
    assert backend.positions == [] and feeds.geo.positions_asked == 0
    feeds.signed_in = True
    await feeds.watch.check(fresh=True)
    feeds.signed_in = False
    feeds.service.on_auth_changed()  # signed out: the last one sent is forgotten
    feeds.signed_in = True
    await feeds.watch.check(fresh=True)  # the next resident's, at once
    assert len(backend.positions) == 2


async def test_a_failed_send_is_tried_again_at_the_next_check(
    db: Database, backend: CityFeedsBackend
) -> None:
    feeds = Feeds(db, backend, QuietGeolocator(HERE))
    backend.offline = True
    await feeds.watch.check(fresh=True)
    backend.offline = False
    await feeds.watch.check(fresh=False)  # not "due" by a move: nothing was sent yet
    assert len(backend.positions) == 1


async def test_the_watch_checks_at_start_when_asked_and_never_after_stop(
    db: Database, backend: CityFeedsBackend
) -> None:
    geo = QuietGeolocator(HERE)
    feeds = Feeds(db, backend, geo)
    feeds.watch.start()
    await until(lambda: len(backend.positions) == 1)
    geo.position = FAR
    feeds.watch.check_soon()  # e.g. signed in again
    await until(lambda: len(backend.positions) == 2)
    await feeds.watch.stop()
    asked = geo.positions_asked
    feeds.watch.check_soon()
    await asyncio.sleep(0.05)
    assert geo.positions_asked == asked and not feeds.watch.running


async def test_the_watch_checks_periodically_only_while_in_the_foreground(
    db: Database, backend: CityFeedsBackend
) -> None:
    geo = QuietGeolocator(HERE)
    feeds = Feeds(db, backend, geo)
    feeds.watch.every_s = 0.02
    feeds.watch.start()
    await until(lambda: geo.positions_asked >= 3)
    geo.position = FAR
    await until(lambda: len(backend.positions) == 2)  # the move found by a periodic check
    feeds.watch.pause()  # the app left the foreground
    await asyncio.sleep(0.01)
    asked = geo.positions_asked
    await asyncio.sleep(0.1)  # five periods: no fix taken
    assert geo.positions_asked == asked and not feeds.watch.running
    geo.position = HERE
    feeds.watch.every_s = 3600
    feeds.watch.start()  # back within a minute (a system dialog, a quick switch): no new fix
    await asyncio.sleep(0.05)
    assert geo.positions_asked == asked
    feeds.watch.pause()
    feeds.clock.now += MIN_GAP_S
    feeds.watch.start()  # back in the foreground later: a fresh check at once
    await until(lambda: len(backend.positions) == 3)
    await feeds.watch.stop()


async def test_the_next_resident_with_sharing_off_gets_their_position_withdrawn(
    db: Database, backend: CityFeedsBackend
) -> None:
    feeds = Feeds(db, backend, QuietGeolocator(HERE))
    feeds.settings.set_shares_position(False)
    await feeds.watch.check(fresh=True)
    assert backend.forgotten == 1  # the first resident's
    feeds.signed_in = False
    feeds.service.on_auth_changed()
    feeds.signed_in = True  # another resident on this device; the switch stays off
    await feeds.watch.check(fresh=True)
    assert backend.forgotten == 2


async def test_turning_sharing_off_makes_the_server_forget_and_on_checks_at_once(
    db: Database, backend: CityFeedsBackend
) -> None:
    geo = QuietGeolocator(HERE)
    feeds = Feeds(db, backend, geo)
    switch = SharingSwitch(
        feeds.settings.shares_position,
        feeds.settings.set_shares_position,
        feeds.service.sharing,
        feeds.watch,
    )
    await feeds.watch.check(fresh=True)
    assert len(backend.positions) == 1
    backend.offline = True
    await switch.set_shares_position(False)  # offline: kept on the device, asked again later
    assert feeds.settings.shares_position() is False and backend.forgotten == 0
    backend.offline = False
    await feeds.watch.check(fresh=True)  # the next check (start, resume, 2 min) asks again
    assert backend.forgotten == 1
    await switch.set_shares_position(True)
    await feeds.watch.check(fresh=True)
    assert len(backend.positions) == 2  # sent afresh: the server had forgotten it
