"""The city's clock: one fixed offset (UTC+5), and no time-zone lookup anywhere in the client
(phones have no system time-zone database where Python looks)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.domain.timestamps import CITY_TZ, city_time
from app.viewmodels.dates import format_clock, format_when

APP = Path(__file__).resolve().parents[3] / "app"
ZONE_LOOKUPS = {"zoneinfo", "pytz", "dateutil.tz", "tzlocal", "tzdata"}
BABEL_ZONE_LOOKUPS = {"get_timezone", "get_timezone_name", "get_timezone_location"}


def test_the_city_is_five_hours_ahead_of_utc_all_year() -> None:
    for month in (1, 7):
        moment = datetime(2026, month, 1, 4, 30, tzinfo=UTC)
        assert city_time(moment).utcoffset() == timedelta(hours=5)
        assert city_time(moment).strftime("%H:%M") == "09:30"


def test_a_naive_time_is_taken_as_utc_not_as_the_machines_zone() -> None:
    assert city_time(datetime(2026, 3, 1, 20, 0)) == datetime(2026, 3, 2, 1, 0, tzinfo=CITY_TZ)


def test_screens_show_the_city_clock_in_both_languages() -> None:
    late = datetime(2026, 12, 31, 19, 15, tzinfo=UTC)  # already next year in the city
    assert format_when(late, "ru", with_year=True) == "1 января 2027, 00:15"
    assert format_clock(late) == "00:15"
    assert format_when(late, "kk", short=True, now=late).endswith("00:15")


def zone_lookups(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in ZONE_LOOKUPS]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in ZONE_LOOKUPS or node.module.split(".")[0] in ZONE_LOOKUPS:
                found.append(node.module)
            found += [a.name for a in node.names if a.name in BABEL_ZONE_LOOKUPS]
        elif isinstance(node, ast.Attribute) and node.attr in BABEL_ZONE_LOOKUPS:
            found.append(node.attr)
    return found


def test_no_client_module_looks_a_time_zone_up() -> None:
    offenders = {
        str(path.relative_to(APP)): lookups
        for path in sorted(APP.rglob("*.py"))
        if (lookups := zone_lookups(path))
    }
    assert offenders == {}


def test_the_lookup_check_sees_a_lookup(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from zoneinfo import ZoneInfo\nfrom babel.dates import get_timezone\n")
    assert zone_lookups(module) == ["zoneinfo", "get_timezone"]
