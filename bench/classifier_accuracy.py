"""`python -m bench.classifier_accuracy` — how often the suggested category is the right one.

Over the table `tests/backend/classifier_cases.json` (appeal texts in Kazakh and Russian, each
with the subclass an operator would choose), prints top-1 and top-3 accuracy, overall and per
language, for the server's suggestion (`backend_stub.classifier.suggest`) and for the app's
offline one (`app.domain.classifier.Classifier.suggest` over the same classifier file), and
lists the texts whose first suggestion is wrong. Both rank with `app.domain.classifier_ranking`,
so the two columns must agree; `tests/backend/test_classifier_accuracy.py` asserts the floor.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.domain.classifier import Classifier as AppClassifier
from backend_stub.classifier import raw_data, suggest

CASES_FILE = Path(__file__).resolve().parents[1] / "tests" / "backend" / "classifier_cases.json"

Rank = Callable[[str], list[str]]  # subclass codes, best first


@dataclass(frozen=True)
class Case:
    text: str
    lang: str
    code: str


@dataclass(frozen=True)
class Accuracy:
    cases: int
    top1: int
    top3: int
    misses: tuple[tuple[Case, tuple[str, ...]], ...]  # wrong first choice: the case, the top 3

    @property
    def top1_share(self) -> float:
        return self.top1 / self.cases if self.cases else 0.0

    @property
    def top3_share(self) -> float:
        return self.top3 / self.cases if self.cases else 0.0


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    rows = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [Case(str(r["text"]), str(r["lang"]), str(r["code"])) for r in rows]


def measure(cases: Sequence[Case], rank: Rank) -> Accuracy:
    top1 = top3 = 0
    misses: list[tuple[Case, tuple[str, ...]]] = []
    for case in cases:
        best = tuple(rank(case.text)[:3])
        top1 += best[:1] == (case.code,)
        top3 += case.code in best
        if best[:1] != (case.code,):
            misses.append((case, best))
    return Accuracy(len(cases), top1, top3, tuple(misses))


def server_rank(text: str) -> list[str]:
    return [s.subclass_code for s in suggest(text, limit=3)]


def app_rank_of(classifier: AppClassifier) -> Rank:
    def rank(text: str) -> list[str]:
        return [s.subclass.code for s in classifier.suggest(text, limit=3)]

    return rank


def app_rank() -> Rank:
    """The app's offline suggestion over the classifier the server sends."""
    return app_rank_of(AppClassifier.from_json(raw_data()))


def _line(name: str, acc: Accuracy) -> str:
    return (
        f"| {name} | {acc.cases} | {acc.top1} ({acc.top1_share:.0%}) "
        f"| {acc.top3} ({acc.top3_share:.0%}) |"
    )


def main() -> None:
    cases = load_cases()
    rankers = {"server": server_rank, "app (offline)": app_rank()}
    print("| ranking | texts | top-1 | top-3 |")
    print("| --- | --- | --- | --- |")
    for name, rank in rankers.items():
        print(_line(name, measure(cases, rank)))
        for lang in ("kk", "ru"):
            print(_line(f"{name}, {lang}", measure([c for c in cases if c.lang == lang], rank)))
    print()
    for case, best in measure(cases, server_rank).misses:
        print(f"- {case.lang} {case.code}, got {', '.join(best) or 'nothing'}: {case.text}")


if __name__ == "__main__":
    main()
