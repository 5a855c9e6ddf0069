"""The classifier of services (Appendix 4 of order No. 262/НҚ) and what the backend does with it.

`load_classifier()` reads `data/classifier.json` (made by `scripts/extract_classifier.py`) once.
`suggest()` ranks subclasses for a free-text appeal in Kazakh or Russian; `assess_importance()`
raises an appeal to "high" when its text shows a threat to life, health or public safety
(order 32-2, 35-1; Appendix 5: high is at most 24 hours).

Matching and ranking are `app.domain.classifier_ranking`, the one implementation the app's
offline suggestion uses too: the thing ("яма", "качели") ranks over the place ("во дворе").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from app.domain.classifier_ranking import (
    NEGATION_AFTER,
    NEGATION_BEFORE,
    Entry,
    Pattern,
    Ranking,
    compile_keyword,
    tokenize,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "classifier.json"

Importance = Literal["standard", "medium", "high"]
IMPORTANCE_LEVELS: tuple[Importance, ...] = ("standard", "medium", "high")
# Appendix 5: the longest deadline each level allows, in hours (standard: 10 days).
MAX_DEADLINE_HOURS: dict[Importance, int] = {"standard": 240, "medium": 72, "high": 24}


# --- text matching -------------------------------------------------------------------------


def _matches_affirmed(pattern: Pattern, hits: Mapping[str, list[int]], words: list[str]) -> bool:
    """Like `matches`, but a word right after "не" or right before "жоқ" does not count.

    `hits` is where each stem occurs in `words` (`stem_hits`). Patterns that themselves contain a
    negation ("не дышит") are matched as they are.
    """
    if any(stem.rstrip("$") in NEGATION_BEFORE | NEGATION_AFTER for stem in pattern):
        return all(hits.get(stem) for stem in pattern)

    def affirmed(i: int) -> bool:
        before = i > 0 and words[i - 1] in NEGATION_BEFORE
        after = i + 1 < len(words) and words[i + 1] in NEGATION_AFTER
        return not (before or after)

    return all(any(affirmed(i) for i in hits.get(stem, ())) for stem in pattern)


@dataclass(frozen=True)
class Service:
    code: str
    name_kk: str
    name_ru: str


@dataclass(frozen=True)
class Subclass:
    code: str
    name_kk: str
    name_ru: str
    importance: Importance
    deadline_hours: int
    immediate: bool
    keywords_kk: tuple[str, ...]
    keywords_ru: tuple[str, ...]

    @property
    def class_code(self) -> str:
        return self.code.split(".")[0]


@dataclass(frozen=True)
class Category:
    """One class of the classifier (a "сынып"), e.g. 09 Сумен жабдықтау / Водоснабжение."""

    code: str
    name_kk: str
    name_ru: str
    service_code: str
    subclasses: tuple[Subclass, ...]


@dataclass(frozen=True)
class Suggestion:
    subclass_code: str
    score: float


@dataclass(frozen=True)
class Assessment:
    importance: Importance
    deadline_hours: int
    raised: bool


@dataclass(frozen=True)
class Classifier:
    version: str
    services: tuple[Service, ...]
    classes: tuple[Category, ...]

    @cached_property
    def _subclasses(self) -> dict[str, Subclass]:
        return {s.code: s for c in self.classes for s in c.subclasses}

    @cached_property
    def _classes(self) -> dict[str, Category]:
        return {c.code: c for c in self.classes}

    @cached_property
    def _services(self) -> dict[str, Service]:
        return {s.code: s for s in self.services}

    @cached_property
    def _ranking(self) -> Ranking:
        return Ranking.of(
            Entry(s.code, c.code, (*s.keywords_kk, *s.keywords_ru), s.importance)
            for c in self.classes
            for s in c.subclasses
        )

    def subclass(self, code: str) -> Subclass:
        """The subclass with this code ("09.06"); KeyError if there is none."""
        return self._subclasses[code]

    def class_of(self, subclass_code: str) -> Category:
        return self._classes[self.subclass(subclass_code).class_code]

    def service_for(self, subclass_code: str) -> Service:
        return self._services[self.class_of(subclass_code).service_code]

    def suggest(self, text: str, limit: int = 5) -> list[Suggestion]:
        """Subclasses ranked by the keywords the text contains, the thing over the place
        (`app.domain.classifier_ranking`). No match gives []."""
        return [Suggestion(code, score) for code, score in self._ranking.rank(text, limit)]


# --- importance ----------------------------------------------------------------------------

# Signs of a direct or potential threat to life, health or public safety (order 35-1), one theme
# per line: fire and explosion ("горит" alone is also a lamp that is on), gas, life and health,
# people trapped, electricity, collapse and flooding, violence and terror, evacuation.
_THREATS = """
пожар, возгорани, задымлени, пламя, огонь, взрыв, взорв, горит дом, горит квартир, горит подъезд,
    горит машин, горит мусор, горит трав, горит здани, өрт, өртен, жанып жатыр, жарылыс,
запах газа, запах газ$, пахн газом, пахн газ$, воня газом, утечк газа, утечк газ$, газ иісі,
    газдың иісі, газ шығып, газ ағып,
угроз жизн, угрожа жизн, опасн жизн, опасн детей, опасн дети, опасн ребен, опасн людей,
    угроз здоров, угроз безопасн, погиб, смерть, смертельн, пострада, ранен, травм, кровотечени,
    без сознани, не дышит, отравлен, утонул, тонет, тонут, суицид, самоубийств, өмір қауіп,
    өмір қаупі, өмір қатер, денсаулық қауіп, қауіп төндір, қаза тап, зардап шек, жарақат,
    есінен тан, қан кетіп, суға батып, суға батты, уланды, улану,
ребен застрял, дети застрял, человек застрял, люди застрял, ребен упал, ребен провалил,
    бала кептеліп, бала қамалып, бала қалып қойды, адам кептеліп, адам қамалып, бала құлап,
оборв провод, оголен провод, под напряжени, удар током, бьет током, искрит, сым$ үзіл,
    сымы үзіл, сымдар үзіл, тоқ соқты, тоқ соғады, тоғын соғады, тоқ ұрды,
обрушени, обрушил, обрушит, обвал, рухнул, рухнет, рушится, провалил, угроз падени, опырыл,
    құлап жатыр, құлап қалу, құлайын деп, құлау қаупі, затоплен, затопило, затаплива, потоп,
    наводнени, су басып, су басты, су тасқын,
теракт, террор, заминир, бомба, стрельб, стреляют, оружи, с ножом, нападени, напал, насили,
    драка, дерутся, лаңкес, жарылғыш, қаруы, қарулы, пышақ, шабуыл, төбелес, зорлық,
эвакуац
"""
THREAT_KEYWORDS: tuple[str, ...] = tuple(k.strip() for k in _THREATS.split(",") if k.strip())


@dataclass(frozen=True)
class _ThreatStems:
    """Every stem of the threat keywords, to find them all in a text's words at once: a word
    is looked up by its prefixes, and only the keywords whose stems it holds are checked, not
    all ~140 (the scan runs on every new appeal: ~1.2 ms of CPU a text before, ~0.05 ms now)."""

    prefixes: frozenset[str]  # stems that match the start of a word
    whole: frozenset[str]  # stems that must be the whole word (kept with their "$")
    longest: int
    patterns_with: Mapping[str, tuple[int, ...]]  # stem -> the patterns (by index) that need it

    def hits(self, words: list[str]) -> dict[str, list[int]]:
        """Where each stem occurs in `words`, as `stem_hits` gives it; absent stems left out."""
        found: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            if word + "$" in self.whole:
                found.setdefault(word + "$", []).append(i)
            for end in range(1, min(len(word), self.longest) + 1):
                if word[:end] in self.prefixes:
                    found.setdefault(word[:end], []).append(i)
        return found


@cache
def _threat_patterns() -> tuple[Pattern, ...]:
    return tuple(compile_keyword(k) for k in THREAT_KEYWORDS)


@cache
def _threat_stems() -> _ThreatStems:
    patterns_with: dict[str, list[int]] = {}
    for n, pattern in enumerate(_threat_patterns()):
        for stem in pattern:
            patterns_with.setdefault(stem, []).append(n)
    prefixes = frozenset(s for s in patterns_with if not s.endswith("$"))
    return _ThreatStems(
        prefixes=prefixes,
        whole=frozenset(s for s in patterns_with if s.endswith("$")),
        longest=max(map(len, prefixes)),
        patterns_with={stem: tuple(ns) for stem, ns in patterns_with.items()},
    )


def threat_signs(text: str) -> list[str]:
    """The threat keywords the text contains (negated mentions such as "нет запаха газа" aside)."""
    words = tokenize(text)
    stems, patterns = _threat_stems(), _threat_patterns()
    hits = stems.hits(words)
    candidates = sorted({n for stem in hits for n in stems.patterns_with[stem]})
    return [THREAT_KEYWORDS[n] for n in candidates if _matches_affirmed(patterns[n], hits, words)]


def assess_importance(subclass: Subclass, text: str) -> Assessment:
    """The subclass's importance and deadline, raised to high (≤ 24 h) by signs of a threat.

    A deadline the subclass already makes shorter than 24 hours is kept.
    """
    if subclass.importance != "high" and threat_signs(text):
        return Assessment("high", min(subclass.deadline_hours, MAX_DEADLINE_HOURS["high"]), True)
    return Assessment(subclass.importance, subclass.deadline_hours, False)


# --- loading -------------------------------------------------------------------------------


def content_version(data: Mapping[str, Any]) -> str:
    """A short sha256 of the classifier's content (everything but the "version" key itself)."""
    content = {k: v for k, v in data.items() if k != "version"}
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(i) for i in items)


def parse_classifier(data: Mapping[str, Any]) -> Classifier:
    return Classifier(
        version=str(data["version"]),
        services=tuple(Service(s["code"], s["name_kk"], s["name_ru"]) for s in data["services"]),
        classes=tuple(
            Category(
                code=c["code"],
                name_kk=c["name_kk"],
                name_ru=c["name_ru"],
                service_code=c["service_code"],
                subclasses=tuple(
                    Subclass(
                        code=s["code"],
                        name_kk=s["name_kk"],
                        name_ru=s["name_ru"],
                        importance=s["importance"],
                        deadline_hours=int(s["deadline_hours"]),
                        immediate=bool(s["immediate"]),
                        keywords_kk=_strings(s["keywords_kk"]),
                        keywords_ru=_strings(s["keywords_ru"]),
                    )
                    for s in c["subclasses"]
                ),
            )
            for c in data["classes"]
        ),
    )


@cache
def raw_data() -> dict[str, Any]:
    """The content of `data/classifier.json`, read once per process (shared: do not modify)."""
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


@cache
def load_classifier() -> Classifier:
    """The classifier of `data/classifier.json`, built once per process."""
    return parse_classifier(raw_data())


def suggest(text: str, limit: int = 5) -> list[Suggestion]:
    """Up to `limit` subclasses for a free-text appeal, best first ([] when nothing matches)."""
    return load_classifier().suggest(text, limit)
