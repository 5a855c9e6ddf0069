"""Dates and times as a resident reads them: Babel's month names in kk or ru, on the city's
clock (`app.domain.timestamps.city_time`, the one time-zone helper). Nothing shown to a
resident is formatted with `strftime`: its month names would follow the process's locale.

A date stands alone in a text: the catalogs put it after a colon («Аяқталуы: 9 желтоқсан,
11:27»), since a Kazakh case ending cannot follow a value known only at run time."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from app.domain.timestamps import city_time


def babel_locale(lang: str) -> str:
    """The Babel locale of the resident's language (ru, else kk)."""
    return "ru" if lang == "ru" else "kk"


def format_when(
    moment: datetime | None,
    lang: str,
    *,
    short: bool = False,
    with_year: bool = False,
    now: datetime | None = None,
) -> str:
    """`24 қараша, 09:53` / `24 ноября, 09:53` in the city's time (`short`: `24 қар., 09:53`).

    The year is shown `with_year`, or when `now` is given and the moment is in another year;
    "" for no moment."""
    if moment is None:
        return ""
    local = city_time(moment)
    year = with_year or (now is not None and city_time(now).year != local.year)
    month = "MMM" if short else "MMMM"
    pattern = f"d {month} y, HH:mm" if year else f"d {month}, HH:mm"
    return format_datetime(local, pattern, locale=babel_locale(lang))


def format_clock(moment: datetime | None) -> str:
    """`09:53` in the city's time (the same in every language); "" for no moment."""
    return format_datetime(city_time(moment), "HH:mm", locale="kk") if moment else ""
