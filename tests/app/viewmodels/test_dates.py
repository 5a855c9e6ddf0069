"""Dates as residents read them: Babel's month names in kk and ru on the city's clock, the
year only when it is not obvious, and no `strftime` in anything a resident sees."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.viewmodels.dates import format_clock, format_when

APP = Path(__file__).resolve().parents[3] / "app"
MOMENT = datetime(2026, 12, 18, 6, 27, tzinfo=UTC)  # 11:27 in the city


@pytest.mark.parametrize(
    ("lang", "long", "short", "with_year"),
    [
        ("kk", "18 желтоқсан, 11:27", "18 жел., 11:27", "18 желтоқсан 2026, 11:27"),
        ("ru", "18 декабря, 11:27", "18 дек., 11:27", "18 декабря 2026, 11:27"),
    ],
)
def test_a_moment_in_each_language(lang: str, long: str, short: str, with_year: str) -> None:
    assert format_when(MOMENT, lang) == long
    assert format_when(MOMENT, lang, short=True) == short
    assert format_when(MOMENT, lang, with_year=True) == with_year


def test_the_year_shows_when_the_moment_is_in_another_year() -> None:
    assert "2026" not in format_when(MOMENT, "ru", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert "2026" in format_when(MOMENT, "ru", now=datetime(2027, 1, 5, tzinfo=UTC))


def test_nothing_to_show_without_a_moment() -> None:
    assert format_when(None, "kk") == "" and format_clock(None) == ""
    assert format_clock(MOMENT) == "11:27"


def strftime_calls(path: Path) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "strftime"
    ]


def test_screens_and_view_models_format_no_date_with_strftime() -> None:
    found = {
        str(path.relative_to(APP)): lines
        for package in ("ui", "viewmodels")
        for path in (APP / package).rglob("*.py")
        if (lines := strftime_calls(path))
    }
    assert not found, f"use app.viewmodels.dates: {found}"
