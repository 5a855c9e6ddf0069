"""The language a free text was written in, told simply: a letter only Kazakh has
(ә ғ қ ң ө ұ ү һ і) makes it Kazakh; enough Cyrillic without one makes it Russian; anything else
(a short word, digits, Latin, an empty text) is not told. Kazakh written without its own letters
is rare past a few words, so a Russian verdict waits for `RU_MIN_LETTERS` Cyrillic letters."""

from __future__ import annotations

from typing import Literal

Language = Literal["kk", "ru"]

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
RU_MIN_LETTERS = 20


def _cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def written_in(text: str) -> Language | None:
    """ "kk", "ru", or None when the text does not say."""
    if any(ch in KAZAKH_LETTERS for ch in text):
        return "kk"
    if sum(1 for ch in text if _cyrillic(ch)) >= RU_MIN_LETTERS:
        return "ru"
    return None
