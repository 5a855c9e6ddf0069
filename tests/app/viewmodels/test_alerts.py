"""Emergency alerts on the phone: colours, client-side area targeting, Update and Cancel
handling in any order, the cache used with no network, the banner and the OS notification."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from app.data.services.notifications import OsNotice
from app.domain.alerts import Alert, apply_messages, current_alerts, severity_tone
from app.domain.appeals import Position
from app.i18n import Translator
from app.viewmodels.alerts import AlertBannerViewModel, AlertsViewModel
from app.viewmodels.navigation import Navigation
from tests.app.support.city_feeds_fakes import (
    INSIDE,
    NOW,
    OUTSIDE,
    CityFeedsBackend,
    Clock,
    Safety,
    alert_json,
    build_city_feeds,
)
from tests.app.support.notifier_fakes import RecordingNotifier

pytestmark = pytest.mark.anyio


@pytest.fixture
def backend() -> CityFeedsBackend:
    return CityFeedsBackend()


async def settle(done: Callable[[], bool]) -> None:
    for _ in range(100):
        if done():
            return
        await asyncio.sleep(0.01)


def parse(*rows: dict) -> list[Alert]:  # type: ignore[type-arg]
    return [Alert.from_json(r) for r in rows]


# -- pure domain ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "tone"),
    [
        ("Extreme", "red"),
        ("Severe", "red"),
        ("Moderate", "orange"),
        ("Minor", "yellow"),
        ("Unknown", "blue"),
        ("whatever", "blue"),
    ],
)
def test_severity_gives_the_banner_colour(severity: str, tone: str) -> None:
    assert severity_tone(severity) == tone
    assert Alert.from_json(alert_json("a", severity=severity)).tone == tone


def test_area_targeting_on_the_client_polygon_and_circle() -> None:
    polygon = Alert.from_json(alert_json("p"))
    assert polygon.covers(*INSIDE)
    assert not polygon.covers(*OUTSIDE)
    circle = Alert.from_json(
        alert_json("c", polygons=[], circles=[{"lat": 51.09, "lon": 71.41, "radius_km": 1.0}])
    )
    assert circle.covers(51.095, 71.41)  # about 560 m from the centre
    assert not circle.covers(51.11, 71.41)  # about 2.2 km


def test_update_replaces_the_alert_it_references() -> None:
    first = alert_json("a1", severity="Moderate")
    update = alert_json("a2", msg_type="Update", references=["a1"], severity="Extreme")
    merged = apply_messages({}, parse(first, update))
    assert [a.identifier for a in current_alerts(merged.values(), NOW)] == ["a2"]
    assert merged["a1"].state == "superseded" and merged["a1"].superseded_by == "a2"


def test_an_old_copy_arriving_after_its_update_stays_replaced() -> None:
    update = alert_json("a2", msg_type="Update", references=["a1"])
    merged = apply_messages({}, parse(update))
    merged = apply_messages(merged, parse(alert_json("a1")))  # late, still says "active"
    assert [a.identifier for a in current_alerts(merged.values(), NOW)] == ["a2"]


def test_cancel_withdraws_the_whole_alert() -> None:
    chain = parse(
        alert_json("a1"),
        alert_json("a2", msg_type="Update", references=["a1"]),
        alert_json("a3", msg_type="Cancel", references=["a1", "a2"], sent=NOW),
    )
    merged = apply_messages({}, chain)
    assert current_alerts(merged.values(), NOW) == []
    assert {merged[i].state for i in ("a1", "a2", "a3")} == {"cancelled"}


def test_current_alerts_most_severe_first_and_expired_ones_out() -> None:
    alerts = parse(
        alert_json("minor", severity="Minor", sent=NOW - timedelta(minutes=1)),
        alert_json("extreme", severity="Extreme", sent=NOW - timedelta(hours=1)),
        alert_json("old", expires=NOW - timedelta(minutes=1)),
    )
    assert [a.identifier for a in current_alerts(alerts, NOW)] == ["extreme", "minor"]


# -- repository: cache, feed rows, refresh -------------------------------------------------------


async def test_refresh_caches_alerts_and_they_are_shown_offline(
    tmp_path: Path, backend: CityFeedsBackend, clock: Clock, safety: Safety
) -> None:
    backend.publish(alert_json("a1", instruction="Үйден шықпаңыз."))
    await safety.alerts.refresh()
    assert [a.identifier for a in safety.alerts.current()] == ["a1"]

    # The app starts again with no network: the last known alert and its instruction are there.
    backend.offline = True
    again = build_city_feeds(tmp_path / "app.db", backend, clock)
    ok = await again.service.refresh()
    await again.service.load()
    assert ok is False and again.service.online is False
    cached = again.alerts.current()
    assert [a.identifier for a in cached] == ["a1"]
    assert cached[0].text("kk").instruction == "Үйден шықпаңыз."
    assert cached[0].text("ru").instruction == "Поднимитесь на возвышенность."
    vm = AlertsViewModel(again.service, Navigation(), lambda: "kk")
    assert vm.offline_notice is not None
    assert vm.current[0].instruction == "Үйден шықпаңыз."
    # How old the information is (when the server last answered), in the resident's language.
    assert Translator("kk").render(vm.updated_notice) == "Жаңартылды: 20 шілде, 11:00"
    again.db.close()


async def test_feed_rows_apply_update_and_cancel(safety: Safety) -> None:
    await safety.alerts.apply_rows([alert_json("a1", severity="Moderate")])
    assert safety.alerts.arrived == ("a1",)
    await safety.alerts.apply_rows(
        [alert_json("a2", msg_type="Update", references=["a1"], headline="Жаңартылды")]
    )
    current = safety.alerts.current()
    assert [a.identifier for a in current] == ["a2"]
    assert current[0].text("kk").headline == "Жаңартылды"
    assert safety.alerts.latest_of("a1").identifier == "a2"  # type: ignore[union-attr]

    await safety.alerts.apply_rows(
        [alert_json("a3", msg_type="Cancel", references=["a1", "a2"], sent=NOW)]
    )
    assert safety.alerts.current() == []
    recent = safety.alerts.recent()
    assert [a.identifier for a in recent] == ["a3"] and recent[0].cancelled

    # The cancel survives a restart of the app.
    safety.alerts.load()
    assert safety.alerts.current() == []


async def test_refresh_learns_what_became_of_alerts_no_longer_listed(
    backend: CityFeedsBackend, safety: Safety
) -> None:
    backend.publish(alert_json("a1"))
    backend.publish(alert_json("gone"))
    await safety.alerts.refresh()
    assert {a.identifier for a in safety.alerts.current()} == {"a1", "gone"}
    # a1 was cancelled on the server (the feed missed it); "gone" no longer concerns us.
    backend.alerts["a1"] = alert_json("a1", state="cancelled")
    backend.current = ["gone"]
    backend.alerts["gone"] = alert_json("gone")
    backend.current = []
    await safety.alerts.refresh()
    assert safety.alerts.current() == []
    assert safety.alerts.get("gone") is None
    assert safety.alerts.get("a1").state == "cancelled"  # type: ignore[union-attr]


async def test_expired_alerts_move_to_recent(clock: Clock, safety: Safety) -> None:
    await safety.alerts.apply_rows([alert_json("a1", expires=NOW + timedelta(minutes=30))])
    assert len(safety.alerts.current()) == 1
    clock.now = NOW + timedelta(hours=1)
    assert safety.alerts.current() == []
    assert [a.identifier for a in safety.alerts.recent()] == ["a1"]


# -- view models ---------------------------------------------------------------------------------


async def test_list_view_is_in_the_resident_language_with_exercise_and_area(
    safety: Safety,
) -> None:
    tr = Translator("ru")
    await safety.alerts.apply_rows([alert_json("drill", status="Exercise", severity="Minor")])
    await safety.service.report_position(Position(*INSIDE, None, "map"))
    vm = AlertsViewModel(safety.service, Navigation(), lambda: tr.language)
    [card] = vm.current
    assert card.headline == "Угроза паводка" and card.instruction.startswith("Поднимитесь")
    assert card.exercise and card.tone == "yellow"
    assert card.in_area
    assert tr.render(card.status).startswith("Действует до")
    assert "Набережная" in card.area
    tr.set_language("kk")
    assert vm.current[0].headline == "Су тасқыны қаупі"


async def test_detail_of_a_replaced_alert_shows_the_current_one(safety: Safety) -> None:
    await safety.alerts.apply_rows(
        [alert_json("a1"), alert_json("a2", msg_type="Update", references=["a1"])]
    )
    vm = AlertsViewModel(safety.service, Navigation(), lambda: "kk")
    view, note = vm.detail("a1")
    assert view is not None and view.identifier == "a2" and view.updated and note is not None
    view, note = vm.detail("nope")
    assert view is None and note is not None


async def test_banner_shows_a_new_alert_notifies_the_os_and_is_dismissed(
    tmp_path: Path, backend: CityFeedsBackend, clock: Clock, safety: Safety
) -> None:
    nav = Navigation()
    notifier = RecordingNotifier()
    banner = AlertBannerViewModel(safety.service, nav, lambda: "kk", notifier)
    assert banner.shown is None
    await safety.alerts.apply_rows([alert_json("a1", severity="Extreme", headline="Өрт!")])
    assert banner.shown is not None and banner.shown.tone == "red"
    assert banner.shown.headline == "Өрт!" and banner.shown.instruction
    await settle(lambda: bool(notifier.shown))  # shown in a task
    assert notifier.shown == [
        OsNotice("Өрт!", "Биік жерге шығыңыз.", "/alerts/a1", "urgent_alerts")
    ]

    await banner.open_shelters()
    assert banner.shown is None and nav.history == ["/map"]

    # An update of the same alert raises the banner again; the seen state survives a restart.
    await safety.alerts.apply_rows([alert_json("a2", msg_type="Update", references=["a1"])])
    assert banner.shown is not None and banner.shown.identifier == "a2"
    await banner.dismiss()
    again = build_city_feeds(tmp_path / "app.db", backend, clock)
    await again.service.load()
    assert AlertBannerViewModel(again.service, Navigation(), lambda: "kk").shown is None
    again.db.close()


async def test_banner_ignores_cancelled_and_expired_messages(safety: Safety) -> None:
    notifier = RecordingNotifier()
    banner = AlertBannerViewModel(safety.service, Navigation(), lambda: "kk", notifier)
    await safety.alerts.apply_rows(
        [
            alert_json("old", expires=NOW - timedelta(minutes=1)),
            alert_json("c", msg_type="Cancel", references=["x"]),
        ]
    )
    assert banner.shown is None and notifier.shown == []


async def test_levels_turned_off_in_the_cabinet_raise_no_banner(safety: Safety) -> None:
    levels = {"Extreme", "Severe"}
    notifier = RecordingNotifier()
    banner = AlertBannerViewModel(
        safety.service, Navigation(), lambda: "ru", notifier, wanted_levels=lambda: levels
    )
    await safety.alerts.apply_rows([alert_json("minor", severity="Minor")])
    assert banner.shown is None and len(safety.alerts.current()) == 1  # listed, not raised
    await safety.alerts.apply_rows([alert_json("extreme", severity="Extreme")])
    assert banner.shown is not None and banner.shown.identifier == "extreme"
    levels.add("Moderate")
    await safety.alerts.apply_rows([alert_json("moderate", severity="Moderate")])
    await settle(lambda: len(notifier.shown) == 2)
    assert [(n.route, n.channel, n.title, n.body) for n in notifier.shown] == [
        ("/alerts/extreme", "urgent_alerts", "Угроза паводка", "Поднимитесь на возвышенность."),
        ("/alerts/moderate", "alerts", "Угроза паводка", "Поднимитесь на возвышенность."),
    ]  # no OS notification of the level turned off either


async def test_reporting_the_position_is_throttled(
    backend: CityFeedsBackend, safety: Safety
) -> None:
    await safety.service.report_position(Position(*INSIDE, 10.0, "gps"))
    await safety.service.report_position(Position(INSIDE[0] + 0.0001, INSIDE[1], 10.0, "gps"))
    assert len(backend.positions) == 1
    await safety.service.report_position(Position(*OUTSIDE, 10.0, "gps"))  # moved 8 km
    assert len(backend.positions) == 2
    assert safety.service.here == OUTSIDE
