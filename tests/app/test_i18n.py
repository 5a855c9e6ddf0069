"""Catalogs are complete in kk and ru, and every string the app marks is in them."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import (
    LANGUAGES,
    LOCALES_DIR,
    Message,
    Translator,
    load_catalog,
    normalize_language,
    po_path,
)

ROOT = Path(__file__).resolve().parents[2]
CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
KAZAKH_LETTERS = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


MsgId = str | tuple[str, str]  # a plural entry's id is (singular, plural)


def translations(path: Path) -> dict[MsgId, tuple[str, ...]]:
    """msgid → its translations (one, or one per plural form) of a catalog."""
    out: dict[MsgId, tuple[str, ...]] = {}
    for m in read(path):
        if m.id:
            out[m.id] = m.string if isinstance(m.string, tuple) else (m.string,)
    return out


def plural_count(lang: str) -> int:
    with po_path(lang).open("rb") as f:
        return read_po(f).num_plurals


def pot_ids() -> set[MsgId]:
    return set(translations(LOCALES_DIR / "messages.pot"))


def extracted_ids() -> set[MsgId]:
    found = extract_from_dir(
        str(ROOT / "app"), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS
    )
    ids: set[MsgId] = set()
    for _file, _line, msgid, _comments, _ctx in found:
        if isinstance(msgid, str):
            ids.add(msgid)
        elif isinstance(msgid, tuple) and len(msgid) == 2 and all(msgid):
            ids.add((msgid[0], msgid[1]))
    return ids


def fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def id_fields(msgid: MsgId) -> set[str]:
    """The placeholders of an id (of either id of a plural entry)."""
    return set().union(*map(fields, (msgid,) if isinstance(msgid, str) else msgid))


def english(msgid: MsgId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def test_every_marked_string_is_in_the_template() -> None:
    missing = extracted_ids() - pot_ids()
    assert not missing, f"run pybabel extract (see babel.cfg); new strings: {sorted(missing)}"


def test_template_has_no_stale_strings() -> None:
    stale = pot_ids() - extracted_ids()
    assert not stale, f"strings no longer used by app/: {sorted(stale)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_translates_every_string(lang: str) -> None:
    translated = translations(po_path(lang))
    forms = plural_count(lang)
    for msgid in extracted_ids() | pot_ids():
        texts = translated.get(msgid)
        assert texts and all(texts), f"{lang}: no translation for {msgid!r}"
        if not isinstance(msgid, str):
            assert len(texts) == forms, f"{lang}: {msgid!r} needs {forms} plural forms"
        for text in texts:
            assert fields(text) == id_fields(msgid), f"{lang}: placeholders differ in {msgid!r}"
            latin = re.search(r"[A-Za-z]{3}", english(msgid).replace("SMS", ""))
            assert CYRILLIC.search(text) or not latin, (
                f"{lang}: {msgid!r} looks untranslated: {text!r}"
            )
    fuzzy = [m.id for m in read(po_path(lang)) if m.id and m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy entries {fuzzy}"


def test_kazakh_catalog_is_kazakh() -> None:
    """A catalog written in Russian letters only would pass the checks above."""
    texts = [text for forms in translations(po_path("kk")).values() for text in forms]
    assert sum(bool(KAZAKH_LETTERS.search(t)) for t in texts) > len(texts) / 2


def test_translator_switches_and_notifies() -> None:
    tr = Translator("kk")
    heard: list[str] = []
    tr.subscribe(lambda: heard.append(tr.language))
    assert tr.gettext("Sign in") == "Кіру"
    assert tr.set_language("ru") is True
    assert tr.gettext("Sign in") == "Войти"
    assert tr.set_language("ru") is False
    assert heard == ["ru"]


def test_each_session_has_its_own_language() -> None:
    a, b = Translator("kk"), Translator("ru")
    a.set_language("ru")
    b.set_language("kk")
    assert (a.gettext("Sign out"), b.gettext("Sign out")) == ("Выйти", "Шығу")


def test_render_message_with_nested_params() -> None:
    tr = Translator("ru")
    msg = Message("Too many requests. Try again in {wait}.", {"wait": Message("{n} min", {"n": 5})})
    assert tr.render(msg) == "Слишком много запросов. Попробуйте через 5 мин."
    tr.set_language("kk")
    assert tr.render(msg) == "Сұраулар тым көп. 5 мин өткен соң қайталап көріңіз."
    assert tr.render(Message.text("as is {x}")) == "as is {x}"
    assert tr.render(None) is None


@pytest.mark.parametrize(
    ("raw", "lang"), [("ru-RU", "ru"), ("kk_KZ", "kk"), ("en", "kk"), (None, "kk"), ("RU", "ru")]
)
def test_normalize_language(raw: str | None, lang: str) -> None:
    assert normalize_language(raw) == lang


def test_missing_catalog_falls_back_to_msgid(tmp_path: Path) -> None:
    assert load_catalog("kk", tmp_path).gettext("Sign in") == "Sign in"
