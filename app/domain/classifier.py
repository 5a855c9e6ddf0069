"""The classifier of services (Appendix 4) as the app caches it: classes, subclasses, their
names in kk and ru, and the keywords that suggest a subclass from the appeal's text.

Pure Python: searching by name and the offline suggestion work on what `GET /api/v1/classifier`
sent last time. Names are searched folded (case, ё→е, Kazakh letters to their nearest Russian
ones: "жок" finds "жоқ"); suggestions are ranked by `app.domain.classifier_ranking`, the same
implementation the server ranks with, so offline and online agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.domain.classifier_ranking import Entry, Ranking, fold, tokenize


@dataclass(frozen=True)
class Subclass:
    code: str
    class_code: str
    name_kk: str
    name_ru: str
    importance: str = "standard"
    deadline_hours: int = 240
    keywords: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_ru if lang == "ru" else self.name_kk


@dataclass(frozen=True)
class ClassGroup:
    code: str
    name_kk: str
    name_ru: str
    subclasses: tuple[Subclass, ...]

    def name(self, lang: str) -> str:
        return self.name_ru if lang == "ru" else self.name_kk


@dataclass(frozen=True)
class SearchGroup:
    """A class with the subclasses that matched a search (all of them if the class matched)."""

    group: ClassGroup
    subclasses: tuple[Subclass, ...]


@dataclass(frozen=True)
class Suggestion:
    subclass: Subclass
    score: float


@dataclass(frozen=True)
class Classifier:
    version: str
    classes: tuple[ClassGroup, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Classifier:
        classes = []
        for c in data.get("classes") or []:
            subs = tuple(
                Subclass(
                    code=str(s["code"]),
                    class_code=str(c["code"]),
                    name_kk=str(s.get("name_kk") or s.get("name_ru") or s["code"]),
                    name_ru=str(s.get("name_ru") or s.get("name_kk") or s["code"]),
                    importance=str(s.get("importance") or "standard"),
                    deadline_hours=int(s.get("deadline_hours") or 240),
                    keywords=tuple(
                        str(k)
                        for k in (*(s.get("keywords_kk") or ()), *(s.get("keywords_ru") or ()))
                    ),
                )
                for s in c.get("subclasses") or []
            )
            classes.append(
                ClassGroup(
                    code=str(c["code"]),
                    name_kk=str(c.get("name_kk") or c.get("name_ru") or c["code"]),
                    name_ru=str(c.get("name_ru") or c.get("name_kk") or c["code"]),
                    subclasses=subs,
                )
            )
        return cls(version=str(data.get("version") or ""), classes=tuple(classes))

    @cached_property
    def _subclasses(self) -> dict[str, Subclass]:
        return {s.code: s for c in self.classes for s in c.subclasses}

    @cached_property
    def _classes(self) -> dict[str, ClassGroup]:
        return {c.code: c for c in self.classes}

    @cached_property
    def _ranking(self) -> Ranking:
        return Ranking.of(
            Entry(s.code, s.class_code, s.keywords, s.importance) for s in self._subclasses.values()
        )

    @cached_property
    def _folded_names(self) -> dict[str, tuple[str, str]]:
        names = {s.code: (fold(s.name_kk), fold(s.name_ru)) for s in self._subclasses.values()}
        names.update({c.code: (fold(c.name_kk), fold(c.name_ru)) for c in self.classes})
        return names

    def __len__(self) -> int:
        return len(self._subclasses)

    def subclass(self, code: str) -> Subclass | None:
        return self._subclasses.get(code)

    def class_of(self, subclass_code: str) -> ClassGroup | None:
        sub = self._subclasses.get(subclass_code)
        return self._classes.get(sub.class_code) if sub else None

    def name_of(self, subclass_code: str, lang: str) -> str | None:
        sub = self._subclasses.get(subclass_code)
        return sub.name(lang) if sub else None

    def search(self, query: str, *, limit: int = 60) -> list[SearchGroup]:
        """Subclasses whose name (kk or ru) or whose class's name contains every word of the
        query, grouped by class in classifier order; at most `limit` subclasses."""
        words = tokenize(query)
        if not words:
            return []
        found: list[SearchGroup] = []
        total = 0
        for group in self.classes:
            class_names = self._folded_names[group.code]
            class_hit = all(any(w in n for n in class_names) for w in words)
            subs = tuple(
                s
                for s in group.subclasses
                if class_hit
                or all(
                    any(w in n for n in (*self._folded_names[s.code], *class_names)) for w in words
                )
            )
            if not subs:
                continue
            subs = subs[: max(0, limit - total)]
            if not subs:
                break
            found.append(SearchGroup(group, subs))
            total += len(subs)
        return found

    def suggest(self, text: str, *, limit: int = 5) -> list[Suggestion]:
        """Subclasses ranked by the keywords the text contains, the thing over the place, as
        the server ranks them (`app.domain.classifier_ranking`). No match gives []."""
        return [
            Suggestion(self._subclasses[code], score)
            for code, score in self._ranking.rank(text, limit)
        ]
