"""How a free-text appeal in Kazakh or Russian is matched to the classifier's keywords and ranked.

The one implementation: the app's offline suggestion (`app.domain.classifier`) and the server's
(`backend_stub.classifier`) both rank with `Ranking`, so a resident gets the same first choice
online and offline. Pure Python, no imports beyond the standard library.

Matching: text and keywords are lower-cased, ё→е and the Kazakh letters are folded to their
nearest Russian ones (ә→а, қ→к, ү→у, і→и, ...), so "жок" matches "жоқ". A keyword is one or more
stems that must all occur in the text; a stem matches a word that starts with it, but a stem of
fewer than 4 letters or ending in "$" must be the whole word ("су" must not match "сурет").
Russian prepositions and particles are dropped from keywords ("вода в подвале" = вода + подвале).

Ranking: the thing over the place. Every word of the text a subclass's keywords match counts once,
by the kind of keyword that matched it:

- a keyword of the subclass itself (the thing or the fault: "яма", "качели", "ржав") weighs
  `THING`;
- a stem that is on its own a keyword every subclass of the class shares (the area: "дорог",
  "вода", "лифт") weighs `AREA`, also inside a longer keyword ("течёт вода");
- a stem naming where it is (yard, street, entrance, flat: "двор", "аула", "подъезд") weighs
  `PLACE`, whatever keyword it sits in — "во дворе … яма на дороге" is a pothole, not the yard;
- a negation ("не", "нет", "жоқ", "емес", "без") weighs nothing on its own: "не хватает" is
  no topic, though it still makes the phrase it is part of.

A keyword of several stems found close together in the text ("нет горячей воды", "ыстық су
жоқ") adds `PHRASE` per extra stem (the best such phrase only). Ties go to the more urgent
subclass, then to the classifier's order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

_FOLD = str.maketrans("әғқңөұүһіё", "агкноуухие")
_WORD = re.compile(r"[^\W_]+")

# Russian prepositions and particles carry no topic.
_FILLER = frozenset(
    {"в", "во", "на", "с", "со", "к", "ко", "по", "до", "за", "из", "о", "об", "от", "у", "и", "а"}
    | {"для", "то"}
)

Pattern = tuple[str, ...]  # stems, already folded; "$" at the end = whole word only

THING = 2.0
AREA = 1.0
PLACE = 0.5
PHRASE = 1.0
# The stems of a phrase count as close when its words lie within this many words of each other.
PHRASE_SPAN = 4
IMPORTANCE_ORDER = ("standard", "medium", "high")


def fold(text: str) -> str:
    """Lower case, ё→е, Kazakh letters to their nearest Russian ones."""
    return text.lower().translate(_FOLD)


def tokenize(text: str) -> list[str]:
    """Lower-cased, folded words of a Kazakh or Russian text (hyphens and punctuation split)."""
    return _WORD.findall(fold(text))


def compile_keyword(keyword: str) -> Pattern:
    """A keyword's stems ("іс-шара" gives two; a stem under 4 letters must be a whole word)."""
    stems: list[str] = []
    for word in keyword.split():
        whole = word.endswith("$")
        for stem in tokenize(word):
            if stem not in _FILLER:
                stems.append(stem + "$" if whole or len(stem) < 4 else stem)
    return tuple(stems)


def stem_hits(stem: str, words: Sequence[str]) -> list[int]:
    """Where in `words` the stem matches (a whole-word stem only an equal word)."""
    if stem.endswith("$"):
        return [i for i, w in enumerate(words) if w == stem[:-1]]
    return [i for i, w in enumerate(words) if w.startswith(stem)]


def matches(pattern: Pattern, words: Sequence[str]) -> bool:
    """Whether every stem of the pattern occurs in `words`."""
    return all(stem_hits(stem, words) for stem in pattern)


# Where the trouble is, not what it is: yard, street, entrance, flat, basement, floor, house.
_PLACE_ROOTS = tuple(
    fold(w)
    for w in (
        *("двор", "улиц", "подъезд", "квартир", "подвал", "этаж"),
        *("аула", "көше", "кіреберіс", "пәтер", "қабат"),
    )
)
_PLACE_WORDS = frozenset(fold(w) for w in ("дом", "дома", "доме", "үй", "үйде", "үйдің"))


# Negation around a word: Russian puts "не"/"нет" before it, Kazakh "жоқ"/"емес" after it (folded).
NEGATION_BEFORE = frozenset(fold(w) for w in ("не", "нет"))
NEGATION_AFTER = frozenset(fold(w) for w in ("жоқ", "емес"))
_NEUTRAL = NEGATION_BEFORE | NEGATION_AFTER | {fold("без")}  # never a keyword of their own


def is_place(stem: str) -> bool:
    """Whether a keyword stem names a place (yard, street, entrance, ...) rather than a thing."""
    bare = stem.rstrip("$")
    return bare in _PLACE_WORDS or bare.startswith(_PLACE_ROOTS)


@dataclass(frozen=True)
class Entry:
    """One subclass as the ranking sees it: its code, its class, its keywords (kk and ru)."""

    code: str
    class_code: str
    keywords: tuple[str, ...]
    importance: str = "standard"


@dataclass(frozen=True)
class _Weighted:
    pattern: Pattern
    weights: tuple[float, ...]  # one per stem
    bonus: float  # when its stems are found close together


def _weight(stem: str, area: frozenset[str]) -> float:
    if is_place(stem):
        return PLACE
    if stem.rstrip("$") in _NEUTRAL:
        return 0.0
    return AREA if stem in area else THING


def _area_keywords(entries: Sequence[Entry]) -> frozenset[Pattern]:
    """The keywords every subclass of some class shares ("вода", "су басып")."""
    by_class: dict[str, list[set[Pattern]]] = {}
    for e in entries:
        patterns = {p for p in (compile_keyword(k) for k in e.keywords) if p}
        by_class.setdefault(e.class_code, []).append(patterns)
    shared = (set.intersection(*sets) for sets in by_class.values() if len(sets) > 1)
    return frozenset(p for patterns in shared for p in patterns)


@dataclass(frozen=True)
class Ranking:
    """Ranks the subclasses of one classifier for a text (build once, rank many times)."""

    entries: tuple[Entry, ...]

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Ranking:
        return cls(tuple(entries))

    @cached_property
    def _weighted(self) -> tuple[tuple[Entry, tuple[_Weighted, ...]], ...]:
        area_keywords = _area_keywords(self.entries)
        area = frozenset(stem for p in area_keywords for stem in p)
        out = []
        for e in self.entries:
            patterns = dict.fromkeys(p for p in (compile_keyword(k) for k in e.keywords) if p)
            weighted = (
                _Weighted(
                    p,
                    tuple(_weight(s, area) for s in p),
                    0.0 if p in area_keywords else PHRASE * (len(p) - 1),
                )
                for p in patterns
            )
            out.append((e, tuple(weighted)))
        return tuple(out)

    def rank(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """Up to `limit` (subclass code, score), best first; [] when no keyword matches."""
        words = tokenize(text)
        if not words or limit <= 0:
            return []
        scored: list[tuple[float, int, int, str]] = []
        for order, (entry, patterns) in enumerate(self._weighted):
            score = _score(patterns, words)
            if score > 0:
                urgency = (
                    IMPORTANCE_ORDER.index(entry.importance)
                    if entry.importance in IMPORTANCE_ORDER
                    else 0
                )
                scored.append((score, urgency, order, entry.code))
        scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
        return [(code, score) for score, _u, _o, code in scored[:limit]]


def _score(patterns: Iterable[_Weighted], words: Sequence[str]) -> float:
    """Each matched word once, at the best weight that matched it, plus the best close phrase."""
    covered: dict[int, float] = {}
    phrase = 0.0
    for w in patterns:
        hits = [stem_hits(stem, words) for stem in w.pattern]
        if not all(hits):
            continue
        for positions, weight in zip(hits, w.weights, strict=True):
            for i in positions:
                covered[i] = max(covered.get(i, 0.0), weight)
        if w.bonus and _close(hits):
            phrase = max(phrase, w.bonus)
    return sum(covered.values()) + phrase if covered else 0.0


def _close(hits: Sequence[Sequence[int]]) -> bool:
    """Whether one occurrence of each stem lies within PHRASE_SPAN words of the first stem's."""
    return any(
        all(any(abs(i - start) <= PHRASE_SPAN for i in positions) for positions in hits[1:])
        for start in hits[0]
    )
