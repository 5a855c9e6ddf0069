"""Notices: active and archive, narrowed by the resident's districts, saved addresses and
topics; the settings kept on the phone and sent to the profile; quiet word of new ones."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.domain.notices import Notice, NoticeFilter
from app.i18n import Translator
from app.viewmodels.navigation import Navigation
from app.viewmodels.notices import NoticePrefsViewModel, NoticesViewModel
from app.viewmodels.tab_badges import TabBadges
from tests.app.support.city_feeds_fakes import (
    NOW,
    CityFeedsBackend,
    Clock,
    Safety,
    alert_json,
    build_city_feeds,
    notice_json,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def backend() -> CityFeedsBackend:
    return CityFeedsBackend(
        notices=[
            notice_json(1, topic="water", districts=["yesil"]),
            notice_json(2, topic="heating", districts=["almaty"]),
            notice_json(3, topic="events"),  # city-wide
            notice_json(4, topic="power", area={"lat": 51.18, "lon": 71.43, "radius_m": 800}),
            notice_json(5, topic="water", districts=["yesil"], ends_at=NOW - timedelta(days=1)),
            notice_json(6, topic="water", districts=["nura"], state="withdrawn"),
        ]
    )


def ids(vm: NoticesViewModel) -> list[int]:
    return [v.id for v in vm.items]


def test_filter_by_topics_districts_and_points() -> None:
    water_yesil = Notice.from_json(notice_json(1, topic="water", districts=["yesil"]))
    city = Notice.from_json(notice_json(3, topic="events"))
    circle = Notice.from_json(
        notice_json(4, topic="power", area={"lat": 51.18, "lon": 71.43, "radius_m": 800})
    )
    everything = NoticeFilter()
    assert all(everything.matches(n) for n in (water_yesil, city, circle))
    yesil = NoticeFilter(districts=("yesil",))
    assert yesil.matches(water_yesil) and yesil.matches(city) and not yesil.matches(circle)
    assert NoticeFilter(topics=("power",)).matches(circle)
    assert not NoticeFilter(topics=("power",)).matches(water_yesil)
    # A saved address 300 m from the circle's centre puts the resident in it.
    assert yesil.matches(circle, points=[(51.1827, 71.43)])


async def test_active_and_archive_filtered_by_the_resident_choice(
    backend: CityFeedsBackend, safety: Safety
) -> None:
    backend.profile["notify_districts"] = ["yesil"]
    await safety.service.refresh()
    vm = NoticesViewModel(safety.service, Navigation(), lambda: "kk")
    assert ids(vm) == [3, 1]  # city-wide and Yesil, soonest start first (same start: newest)
    vm.set_mine(False)
    assert sorted(ids(vm)) == [1, 2, 3, 4]
    vm.set_mine(True)
    vm.set_scope("archive")
    assert ids(vm) == [5]  # withdrawn notice 6 is in Nura
    vm.set_mine(False)
    assert ids(vm) == [6, 5]
    tr = Translator("ru")
    [withdrawn, ended] = vm.items
    assert tr.render(withdrawn.state) == "Отозвано" and tr.render(ended.state) == "Завершено"


async def test_saved_addresses_narrow_my_notices(backend: CityFeedsBackend, safety: Safety) -> None:
    backend.profile["addresses"] = [
        {"id": 1, "label": "home", "text": "Үй", "lat": 51.1827, "lon": 71.43, "district": None}
    ]
    await safety.service.refresh()
    vm = NoticesViewModel(safety.service, Navigation(), lambda: "kk")
    assert sorted(ids(vm)) == [3, 4]


async def test_settings_are_saved_and_sent_to_the_profile(
    backend: CityFeedsBackend, safety: Safety
) -> None:
    await safety.service.refresh()
    prefs = NoticePrefsViewModel(safety.notices, lambda: "ru")
    assert [c.code for c in prefs.district_choices] == ["almaty", "yesil", "nura"]
    assert prefs.topic_choices[0].name == "Water"
    prefs.toggle_district("almaty")
    prefs.toggle_topic("heating")
    assert await prefs.save() is True
    assert backend.patches == [{"notify_districts": ["almaty"], "notify_topics": ["heating"]}]
    assert Translator("ru").render(prefs.status) == "Настройки сохранены."
    vm = NoticesViewModel(safety.service, Navigation(), lambda: "ru")
    assert ids(vm) == [2]


async def test_settings_offline_wait_on_the_phone_and_go_with_the_next_refresh(
    tmp_path: Path, backend: CityFeedsBackend, clock: Clock, safety: Safety
) -> None:
    await safety.service.refresh()
    backend.offline = True
    prefs = NoticePrefsViewModel(safety.notices, lambda: "kk")
    prefs.toggle_topic("water")
    assert await prefs.save() is True
    assert safety.notices.prefs.dirty and backend.patches == []
    assert "байланыс болғанда" in (Translator("kk").render(prefs.status) or "")
    vm = NoticesViewModel(safety.service, Navigation(), lambda: "kk")
    assert sorted(ids(vm)) == [1]  # applied at once, offline

    # The app restarts online: the choice reaches the server, and the server's older copy
    # of the preferences does not overwrite it.
    backend.offline = False
    again = build_city_feeds(tmp_path / "app.db", backend, clock)
    await again.service.refresh()
    assert backend.patches == [{"notify_districts": [], "notify_topics": ["water"]}]
    assert again.notices.prefs.filter.topics == ("water",) and not again.notices.prefs.dirty
    again.db.close()


async def test_a_refused_setting_shows_the_server_message(safety: Safety) -> None:
    await safety.service.refresh()
    prefs = NoticePrefsViewModel(safety.notices, lambda: "kk")
    prefs.districts = {"atlantis"}
    prefs.toggle_district("atlantis", True)
    # Unknown codes are not offered, so pass one through the repository directly.
    with pytest.raises(Exception):  # noqa: B017 - PrefsRejectedError
        await safety.notices.save_prefs(["atlantis"], [])
    assert safety.notices.prefs.error == "unknown_district"


async def test_new_notices_from_the_feed_notify_quietly(safety: Safety) -> None:
    await safety.service.refresh()
    vm = NoticesViewModel(safety.service, Navigation(), lambda: "ru")
    await vm.mark_shown_seen()
    assert vm.unseen_count == 0
    await safety.notices.apply_rows([notice_json(7, topic="gas")])
    assert Translator("ru").render(vm.arrivals()) == "Новое объявление: Объявление 7"
    assert vm.unseen_count == 1 and vm.items[0].unseen is True
    # Old or ended notices that reach the phone late are stored but not announced.
    await safety.notices.apply_rows(
        [notice_json(8, updated_at=NOW - timedelta(days=3)), notice_json(9, state="withdrawn")]
    )
    assert vm.arrivals() is None
    await vm.open(7)
    assert vm.unseen_count == 1  # the late notice 8 is new to the resident all the same


async def test_the_first_import_of_a_new_install_is_quiet(safety: Safety) -> None:
    vm = NoticesViewModel(safety.service, Navigation(), lambda: "kk")
    said: list[str] = []
    vm.on_arrivals(lambda m: said.append(Translator("kk").render(m) or ""))
    await safety.notices.apply_rows([notice_json(1), notice_json(2)])  # the feed from cursor 0
    assert said == [] and vm.unseen_count == 2
    await safety.notices.apply_rows([notice_json(3)])
    assert said == ["Жаңа хабарландыру: Хабарландыру 3"]


async def test_archive_pages_come_from_the_server_on_load_more(
    backend: CityFeedsBackend, safety: Safety
) -> None:
    backend.notices = [
        notice_json(i, ends_at=NOW - timedelta(days=1, minutes=i)) for i in range(1, 251)
    ]
    await safety.service.refresh()
    vm = NoticesViewModel(safety.service, Navigation(), lambda: "kk")
    vm.set_scope("archive")
    assert ids(vm)[:2] == [250, 249] and len(ids(vm)) == 30 and vm.has_more
    for _ in range(3):
        await vm.load_more()
    assert len(ids(vm)) == 120  # 100 cached, then a second page came from the server
    assert len(backend.calls("/api/v1/notices")) == 3  # active, archive, archive page 2
    while vm.has_more:
        await vm.load_more()
    assert len(ids(vm)) == 250 and ids(vm)[-1] == 1


async def test_the_notices_tab_badge_counts_new_notices_until_the_list_is_viewed(
    tmp_path: Path, backend: CityFeedsBackend, clock: Clock, safety: Safety
) -> None:
    await safety.service.refresh()
    badges = TabBadges(safety.service)
    changes: list[int] = []
    badges.subscribe(lambda: changes.append(badges.count("notices")))
    vm = NoticesViewModel(safety.service, Navigation(), lambda: "kk")
    await vm.mark_shown_seen()  # the list viewed once
    assert badges.count("notices") == 0 and badges.label("notices") is None

    await safety.notices.apply_rows([notice_json(7, topic="gas")])  # new from the feed
    assert badges.count("notices") == 1 and badges.label("notices") == "1"
    assert changes[-1] == 1  # the navigation bar is told at once

    await vm.mark_shown_seen()  # the resident opens the list
    assert badges.count("notices") == 0 and changes[-1] == 0
    assert vm.items[0].unseen is True  # still tagged "new" during this visit

    # Seen marks are kept on the phone: after a restart the badge stays cleared, and a
    # notice that was never seen still counts.
    await safety.notices.apply_rows([notice_json(8, topic="water")])
    again = build_city_feeds(tmp_path / "app.db", backend, clock)
    try:
        await again.service.load()
        assert TabBadges(again.service).count("notices") == 1
    finally:
        again.db.close()


async def test_the_badge_clears_every_page_of_the_list_and_caps_its_label(
    backend: CityFeedsBackend, safety: Safety
) -> None:
    backend.notices = [notice_json(i) for i in range(1, 121)]  # four pages of the list
    await safety.service.refresh()
    badges = TabBadges(safety.service)
    assert badges.count("notices") == 120 and badges.label("notices") == "99+"
    await NoticesViewModel(safety.service, Navigation(), lambda: "ru").mark_shown_seen()
    assert badges.count("notices") == 0


async def test_alerts_in_force_badge_the_alerts_tab(safety: Safety) -> None:
    badges = TabBadges(safety.service)
    assert badges.label("alerts") is None and badges.label("appeals") is None
    await safety.alerts.apply_rows(
        [
            alert_json("a1", sent=NOW, expires=NOW + timedelta(hours=1)),
            alert_json("a2", sent=NOW, expires=NOW + timedelta(hours=2)),
        ]
    )
    assert badges.label("alerts") == "2"
