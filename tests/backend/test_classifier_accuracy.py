"""Suggestions over a table of real-sounding appeals (tests/backend/classifier_cases.json).

The floor: top-1 ≥ 90 % and top-3 ≥ 95 %. The ranking before "the thing over the place" scored
45 of 52 (87 %) top-1 on this table, so a return to it fails; the tuned ranking scores 49 of 52
(94 %) and 52 of 52 top-3, which leaves room for a few hard texts added later. The table was
written before the tuning and holds texts it still gets wrong (noise from neighbours is taken
for noise from a shop) — it is not 100 % by construction.
"""

from __future__ import annotations

import pytest

from app.domain.classifier import Classifier as AppClassifier
from backend_stub.classifier import load_classifier, raw_data, suggest
from bench.classifier_accuracy import app_rank, load_cases, measure, server_rank

TOP1_FLOOR = 0.90
TOP3_FLOOR = 0.95


def test_the_table_is_large_varied_and_valid() -> None:
    cases = load_cases()
    clf = load_classifier()
    assert len(cases) >= 40
    langs = {lang: sum(c.lang == lang for c in cases) for lang in ("kk", "ru")}
    assert sum(langs.values()) == len(cases)
    assert min(langs.values()) >= len(cases) * 0.4, langs
    for case in cases:
        clf.subclass(case.code)  # KeyError on a code the classifier does not have
    assert len({c.code.split(".")[0] for c in cases}) >= 15  # classes: roads, water, waste, …


@pytest.mark.parametrize("name", ["server", "app"])
def test_accuracy_meets_the_floor(name: str) -> None:
    rank = server_rank if name == "server" else app_rank()
    acc = measure(load_cases(), rank)
    print(f"{name}: top-1 {acc.top1}/{acc.cases} ({acc.top1_share:.0%}), "
          f"top-3 {acc.top3}/{acc.cases} ({acc.top3_share:.0%})")  # fmt: skip
    assert acc.top1_share >= TOP1_FLOOR, [(c.text, best) for c, best in acc.misses]
    assert acc.top3_share >= TOP3_FLOOR


def test_the_app_offline_ranks_exactly_as_the_server() -> None:
    app = AppClassifier.from_json(raw_data())
    for case in load_cases():
        server = [(s.subclass_code, s.score) for s in suggest(case.text, limit=10)]
        offline = [(s.subclass.code, s.score) for s in app.suggest(case.text, limit=10)]
        assert offline == server, case.text


@pytest.mark.parametrize(
    "text",
    [
        "Во дворе нашего дома яма на дороге, асфальт во дворе разбит",
        "Во дворе яма на дороге",
        "Аулада жолда үлкен шұңқыр бар, аула асфальты бұзылған",
    ],
)
def test_a_pothole_in_the_yard_is_a_road_pothole_first(text: str) -> None:
    got = [s.subclass_code for s in suggest(text)]
    assert got[0] == "12.10", got


def test_the_yard_itself_still_wins_when_the_yard_is_the_thing() -> None:
    assert suggest("во дворе сломана скамейка")[0].subclass_code == "04.02"
    assert suggest("асфальт во дворе")[0].subclass_code == "04.02"
