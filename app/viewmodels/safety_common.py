"""Formatting shared by the alerts, map, contacts and notices view models: dates in the city's
time zone and the resident's language, distances."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from app.i18n import N_, Message

CITY_TZ = ZoneInfo("Asia/Almaty")

MSG_METRES = N_("{n} m")
MSG_KILOMETRES = N_("{n} km")
MSG_OFFLINE_CACHED = N_("No connection. Showing the information saved on this phone.")
MSG_UPDATED_AT = N_("Updated {when}")


def format_when(moment: datetime | None, lang: str, *, with_year: bool = False) -> str:
    """`24 November, 09:53` in the city's time, in kk or ru."""
    if moment is None:
        return ""
    pattern = "d MMMM y, HH:mm" if with_year else "d MMMM, HH:mm"
    return format_datetime(moment, pattern, tzinfo=CITY_TZ, locale="ru" if lang == "ru" else "kk")


def distance_message(metres: float) -> Message:
    if metres < 1000:
        return Message(MSG_METRES, {"n": int(round(metres / 10.0) * 10)})
    km = metres / 1000
    text = f"{km:.1f}" if km < 10 else f"{km:.0f}"
    return Message(MSG_KILOMETRES, {"n": text.replace(".", ",")})
