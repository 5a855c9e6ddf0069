"""The console's language: Kazakh or Russian, chosen by the operator (the `console_lang` cookie,
Russian until they choose), with the app's catalogs (`locales/<lang>/LC_MESSAGES/messages.po`,
terms fixed by `locales/GLOSSARY.md`).

The catalogs are read with Babel's `read_po` and compiled in memory once per process, as the app
does (`app/i18n.py`, which the server may not import). The language of the request being
handled is a context variable, set by `ConsoleRoute` for each console request, so a page calls
`_("…")` without passing the language around (FastAPI runs a sync page in a worker thread with a
copy of that context). Numbers follow the language (`percent`: «100,0 %»).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("kk", "ru")
DEFAULT_LANGUAGE = "ru"
LANG_COOKIE = "console_lang"
LOCALES_DIR = Path(__file__).resolve().parents[3] / "locales"
ENDONYMS = {"kk": "Қазақша", "ru": "Русский"}
BABEL_LOCALES = {"kk": "kk_KZ", "ru": "ru_RU"}

_language: ContextVar[str] = ContextVar("console_language", default=DEFAULT_LANGUAGE)


def chosen_language(cookie: str | None) -> str:
    """The language a cookie value names; the default for none or anything else."""
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """The language of the request being handled (`ConsoleRoute` calls it)."""
    _language.set(chosen_language(lang))


def language() -> str:
    return _language.get()


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (the message ids themselves when its file is missing)."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        parsed = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(msgid: str, **params: object) -> str:
    """`msgid` in the request's language, its {placeholders} filled."""
    text = catalog(language()).gettext(msgid)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """A count's form in the request's language (`n` is also a placeholder)."""
    text = catalog(language()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


class Names(Mapping[str, str]):
    """Codes' names (CAP values, states, kinds) as msgids, read in the request's language:
    `NAMES[code]` and `NAMES.get(code, default)` give the translated name."""

    def __init__(self, msgids: Mapping[str, str]) -> None:
        self._msgids = dict(msgids)

    def __getitem__(self, code: str) -> str:
        return _(self._msgids[code])

    def __iter__(self) -> Iterator[str]:
        return iter(self._msgids)

    def __len__(self) -> int:
        return len(self._msgids)


def percent(share: float) -> str:
    """A share (0..1) as a percentage in the request's language: «100,0 %»."""
    return format_percent(share, "#,##0.0 %", locale=BABEL_LOCALES[language()])


def decimal(value: float) -> str:
    """A number in the request's language: «51,128» / «1 250»."""
    return format_decimal(value, locale=BABEL_LOCALES[language()])
