"""The shared ranking (app.domain.classifier_ranking) on a tiny made-up classifier."""

from __future__ import annotations

from app.domain.classifier_ranking import Entry, Ranking, fold, is_place

# Class 04 (yard) and 12 (road) each share an area keyword; the subclasses add their things.
RANKING = Ranking.of(
    [
        Entry("04.02", "04", ("двор", "аула", "скамейк", "асфальт во дворе")),
        Entry("04.05", "04", ("двор", "аула", "качел", "әткеншек")),
        Entry("12.10", "12", ("дорог", "жол$", "яма", "шұңқыр", "асфальт")),
        Entry("12.12", "12", ("дорог", "жол$", "светофор", "не работает светофор")),
        Entry("25.05", "25", ("школ", "не хватает")),
    ]
)


def codes(text: str) -> list[str]:
    return [code for code, _ in RANKING.rank(text)]


def test_the_thing_ranks_over_the_place() -> None:
    assert codes("Во дворе яма на дороге")[0] == "12.10"
    assert codes("Аулада жолда шұңқыр")[0] == "12.10"
    assert codes("во дворе сломана скамейка")[0] == "04.02"


def test_a_close_phrase_beats_its_words_apart() -> None:
    near = dict(RANKING.rank("асфальт во дворе"))
    far = dict(RANKING.rank("асфальт положили, а потом мы долго гуляли во дворе"))
    assert near["04.02"] > far["04.02"]
    assert codes("асфальт во дворе")[0] == "04.02"


def test_a_negation_alone_is_no_topic() -> None:
    assert codes("не хватает") == ["25.05"]  # the phrase still matches
    assert dict(RANKING.rank("не хватает"))["25.05"] == 2.0 + 1.0  # хватает + the phrase
    assert RANKING.rank("не") == []


def test_places_are_told_from_things() -> None:
    places = ("двор", "дворе", "аула", "подъезд", fold("кіреберісте"), fold("үй") + "$")
    assert all(is_place(s) for s in places)
    assert not any(is_place(s) for s in ("дорог", "яма$", "качел", "тротуар"))


def test_ties_go_to_the_more_urgent_then_to_order() -> None:
    ranking = Ranking.of(
        [Entry("a", "x", ("лифт",)), Entry("b", "y", ("лифт",), "high"), Entry("c", "z", ("лифт",))]
    )
    assert [code for code, _ in ranking.rank("лифт")] == ["b", "a", "c"]
    assert ranking.rank("лифт", limit=0) == [] and ranking.rank("   ") == []
