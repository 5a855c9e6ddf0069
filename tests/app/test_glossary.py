"""The catalogs follow `locales/GLOSSARY.md`: no translation uses a form the glossary rules out,
and no Kazakh placeholder carries a case ending a run-time value cannot agree with."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES, LOCALES_DIR, po_path

GLOSSARY = LOCALES_DIR / "GLOSSARY.md"
NOT_COLUMN = {"kk": 2, "ru": 4}  # the "not" columns of the Terms table (0 = en)
QUOTED = re.compile(r"«([^»]+)»")
# Kazakh postpositions and verbs that need a case ending on the word before them.
NEEDS_A_CASE = r"дейін|бастап|кейін|соң|бері|арқылы|үшін|туралы|бойынша|аяқталды|қалды"


def translations(lang: str) -> list[tuple[str, str]]:
    """(English id, each translation) of a catalog, every plural form too."""
    with po_path(lang).open("rb") as f:
        catalog = read_po(f)
    out = []
    for m in catalog:
        if not m.id:
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        for text in m.string if isinstance(m.string, tuple) else (m.string,):
            out.append((msgid, text))
    return out


def ruled_out(lang: str) -> list[str]:
    """The quoted forms of the language's "not" column in the glossary's Terms table."""
    terms = GLOSSARY.read_text(encoding="utf-8").split("## Terms", 1)[1].split("\n## ", 1)[0]
    forms = []
    for row in terms.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0] not in ("en", "---"):
            forms += QUOTED.findall(cells[NOT_COLUMN[lang]])
    return forms


def test_the_glossary_rules_out_forms_in_both_languages() -> None:
    assert {"қосымша", "тәул.", "баспана"} <= set(ruled_out("kk"))
    assert {"сфотографировать", "дн."} <= set(ruled_out("ru"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_translation_uses_a_form_the_glossary_rules_out(lang: str) -> None:
    found = [
        (form, msgid, text)
        for form in ruled_out(lang)
        for msgid, text in translations(lang)
        if re.search(rf"(?<!\w){re.escape(form)}", text, re.IGNORECASE)
    ]
    assert not found, f"{lang}: see locales/GLOSSARY.md: {found}"


def test_kazakh_placeholders_stand_alone() -> None:
    """«{when} дейін» or «{name}ды» cannot agree with the value's last sound."""
    glued = re.compile(rf"\}}[\w-]|\}}\s+({NEEDS_A_CASE})(?!\w)")
    bad = [(msgid, text) for msgid, text in translations("kk") if glued.search(text)]
    assert not bad, bad
