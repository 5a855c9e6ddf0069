"""Time as the app keeps it: aware UTC everywhere (the local store and the server speak UTC;
screens show the city's clock, `city_time`).

`CITY_TZ` is the one place the city's time zone is defined. Kazakhstan has had a single zone,
UTC+5 with no daylight saving, since 1 March 2024, so it is a fixed offset: nothing looks a zone
up in a time-zone database, which phones do not have where Python looks (Android)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

CITY_TZ = timezone(timedelta(hours=5), "UTC+5")


def utcnow() -> datetime:
    """Aware UTC: the local store keeps UTC and gives aware datetimes back."""
    return datetime.now(UTC)


def as_utc(dt: datetime) -> datetime:
    """The same moment in UTC (a naive datetime is taken as UTC)."""
    return dt.astimezone(UTC) if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def city_time(dt: datetime) -> datetime:
    """The same moment on the city's clock (a naive datetime is taken as UTC)."""
    return as_utc(dt).astimezone(CITY_TZ)


def parse_time(value: Any) -> datetime | None:
    """A server timestamp (ISO 8601, any offset; none = UTC) as aware UTC; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def required_time(value: Any) -> datetime:
    """`parse_time` of a timestamp the data cannot do without (ValueError when it is missing)."""
    moment = parse_time(value)
    if moment is None:
        raise ValueError("a datetime is required")
    return moment
