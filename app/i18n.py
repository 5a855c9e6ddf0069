"""Translations: gettext catalogs in `locales/<lang>/LC_MESSAGES/messages.po`, one `Translator`
per page session.

The .po files are compiled **in memory** at first use (Babel's `read_po` + `write_mo` into a
buffer, then `gettext.GNUTranslations`), so there is no build step and no .mo file to forget.
Compiled catalogs are immutable and cached per language for the process; the *current language*
lives only in the per-session `Translator` (never a process-wide global: in web mode several
residents share one process).

Message ids are English. Mark strings with `_("...")` where they are shown, or `N_("...")`
where they are defined and translated later (view models keep a `Message` and the screen renders
it, so switching the language re-translates what is already on screen). A count is a
`Message` too: `ngettext(singular, plural, n)` keeps both ids and `n`, and the catalog's
`Plural-Forms` picks the form when the screen renders it (Russian has three: 1 and 21;
2–4 and 22; 5–20, 11 and 25. Kazakh has two in CLDR, one and other, though a noun after a
numeral stays singular).
`pybabel extract -F babel.cfg -o locales/messages.pot .` regenerates the template; tests fail
on any msgid that is missing or untranslated in a catalog.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.observable import Observable

LANGUAGES: tuple[str, ...] = ("kk", "ru")
DEFAULT_LANGUAGE = "kk"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
# Flutter locales matching each language (for page.locale_configuration).
FLUTTER_LOCALES: dict[str, tuple[str, str]] = {"kk": ("kk", "KZ"), "ru": ("ru", "RU")}
# Language names are shown in their own language, whatever the UI language is.
ENDONYMS: dict[str, str] = {"kk": "Қазақша", "ru": "Русский"}


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it now."""
    return msgid


def _code(locale: str | None) -> str:
    """`ru-RU`, `ru_RU`, `RU` → `ru`."""
    return (locale or "").replace("_", "-").split("-")[0].lower()


def normalize_language(lang: str | None) -> str:
    """`ru-RU` → `ru`; anything unsupported → the default language (kk)."""
    code = _code(lang)
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def first_language(locales: Iterable[str | None]) -> str:
    """The first language of a device's preferred locales (`ru-RU`, `kk_KZ`, …) that the app
    speaks; Kazakh when none is kk or ru."""
    return next((_code(x) for x in locales if _code(x) in LANGUAGES), DEFAULT_LANGUAGE)


def po_path(lang: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=8)
def load_catalog(lang: str, locales_dir: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """Compile the language's .po in memory; a missing file yields the identity translation."""
    path = po_path(lang, locales_dir)
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@dataclass(frozen=True)
class Message:
    """A text to show later, in whatever language is current then.

    `msgid` is a gettext id (marked with `N_`) formatted with `params` (a param may itself be
    a `Message`); a `literal` is shown as is (e.g. a server message in a language the client
    has no id for). A count (built by `ngettext`) also has the `plural` id and the `count`
    that chooses the form.
    """

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)
    literal: bool = False
    plural: str | None = None
    count: int = 0

    @classmethod
    def text(cls, text: str) -> Message:
        return cls(text, literal=True)


def ngettext(singular: str, plural: str, n: int, **params: Any) -> Message:
    """A count to show later: the catalog's plural form for `n`, formatted with `n` and
    `params` (named `ngettext` so that `pybabel extract` finds both ids)."""
    return Message(singular, {"n": n, **params}, plural=plural, count=n)


class Translator(Observable):
    """The language of one page session; listeners hear about language switches."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, locales_dir: Path = LOCALES_DIR):
        super().__init__()
        self._locales_dir = locales_dir
        self._language = normalize_language(language)
        self._catalog = load_catalog(self._language, locales_dir)

    @property
    def language(self) -> str:
        return self._language

    def set_language(self, language: str) -> bool:
        """Switch language; returns whether it changed (listeners are notified if so)."""
        lang = normalize_language(language)
        if lang == self._language:
            return False
        self._language = lang
        self._catalog = load_catalog(lang, self._locales_dir)
        self.notify()
        return True

    def gettext(self, msgid: str) -> str:
        return self._catalog.gettext(msgid)

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of the current language for the count `n` (not yet formatted)."""
        return self._catalog.ngettext(singular, plural, n)

    def render(self, message: Message | None) -> str | None:
        """Translate and format a `Message`; `None` stays `None`."""
        if message is None:
            return None
        if message.literal:
            return message.msgid
        if message.plural is None:
            text = self.gettext(message.msgid)
        else:
            text = self.ngettext(message.msgid, message.plural, message.count)
        if message.params:
            params = {
                k: self.render(v) if isinstance(v, Message) else v
                for k, v in message.params.items()
            }
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text
