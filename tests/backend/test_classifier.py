"""The classifier of services (seed Appendix 4): data file, suggestion and importance."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from app.domain.classifier_ranking import NEGATION_AFTER, NEGATION_BEFORE, stem_hits, tokenize
from backend_stub.classifier import (
    DATA_FILE,
    MAX_DEADLINE_HOURS,
    THREAT_KEYWORDS,
    Assessment,
    Category,
    Classifier,
    Service,
    Subclass,
    _threat_patterns,
    _threat_stems,
    assess_importance,
    content_version,
    load_classifier,
    raw_data,
    suggest,
    threat_signs,
)

ROOT = Path(__file__).resolve().parents[2]
KAZAKH_ONLY = re.compile("[ӘҒҚҢӨҰҮҺІәғқңөұүһі]")


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return load_classifier()


def _load_script() -> ModuleType:
    path = ROOT / "scripts" / "extract_classifier.py"
    spec = importlib.util.spec_from_file_location("extract_classifier", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the data ------------------------------------------------------------------------------


def test_counts_match_the_seed(clf: Classifier) -> None:
    subs = [s for c in clf.classes for s in c.subclasses]
    assert len(clf.classes) == 47
    assert len(subs) == 350
    # the seed's table: 225 standard, 66 medium, 59 high ("дереу, 24") rows
    assert Counter(s.importance for s in subs) == {"standard": 225, "medium": 66, "high": 59}
    assert sum(s.immediate for s in subs) == 59


def test_names_in_both_languages(clf: Classifier) -> None:
    subclasses = [s for c in clf.classes for s in c.subclasses]
    items: list[Category | Subclass | Service] = [*clf.classes, *subclasses, *clf.services]
    for item in items:
        assert item.name_kk.strip() and item.name_ru.strip(), item
        assert not KAZAKH_ONLY.search(item.name_ru), f"Kazakh letters in a Russian name: {item}"
    # Only loanwords read the same in both languages.
    same = {item.name_ru for item in items if item.name_ru == item.name_kk}
    assert same <= {"Лифт", "Пандус", "Шлагбаум", "Велобайк", "Фандомат", "Экология"}
    assert clf.subclass("09.01").name_ru.startswith("Адреса, контактные данные")
    assert clf.class_of("09.01").name_ru == "Водоснабжение"
    assert clf.class_of("40.01").name_ru == "Теплоснабжение"


def test_codes_are_unique_and_in_seed_order(clf: Classifier) -> None:
    assert [c.code for c in clf.classes] == [f"{i:02d}" for i in range(1, 48)]
    codes = [s.code for c in clf.classes for s in c.subclasses]
    assert len(set(codes)) == len(codes) == 350
    for c in clf.classes:
        assert c.subclasses, c.code
        expected = [f"{c.code}.{i:02d}" for i in range(1, len(c.subclasses) + 1)]
        assert [s.code for s in c.subclasses] == expected
    assert clf.class_of("09.06").name_kk == "Сумен жабдықтау"
    assert clf.subclass("24.06").name_kk.startswith("Адаммен лифт кептеліп")


def test_importance_and_deadlines_are_consistent(clf: Classifier) -> None:
    for s in (s for c in clf.classes for s in c.subclasses):
        assert s.importance in ("standard", "medium", "high")
        assert s.deadline_hours in (2, 24, 72, 240), s
        assert 0 < s.deadline_hours <= MAX_DEADLINE_HOURS[s.importance], s
        assert s.immediate == (s.importance == "high"), s
        if s.immediate:
            assert s.deadline_hours == 24


def test_every_class_has_an_existing_service(clf: Classifier) -> None:
    services = {s.code for s in clf.services}
    assert len(services) == len(clf.services)
    assert 10 <= len(services) <= 20
    used = {c.service_code for c in clf.classes}
    assert used <= services
    assert used == services, "a service no class is routed to"
    assert clf.service_for("33.05").code == "POLICE"
    assert clf.service_for("43.10").code == "EMERGENCY"
    assert clf.service_for("09.06").name_ru.startswith("Управление энергетики")


def test_every_subclass_has_keywords_in_both_languages(clf: Classifier) -> None:
    for s in (s for c in clf.classes for s in c.subclasses):
        assert s.keywords_kk and s.keywords_ru, s.code


def test_lookup_errors(clf: Classifier) -> None:
    with pytest.raises(KeyError):
        clf.subclass("99.99")
    with pytest.raises(KeyError):
        clf.class_of("09.99")
    with pytest.raises(KeyError):
        clf.service_for("")


def test_version_is_the_hash_of_the_content(data: dict, clf: Classifier) -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", data["version"])
    assert data["version"] == content_version(data) == clf.version
    assert raw_data() == data
    changed = copy.deepcopy(data)
    changed["classes"][0]["subclasses"][0]["name_ru"] += "!"
    assert content_version(changed) != data["version"]
    changed = copy.deepcopy(data)
    changed["classes"][8]["subclasses"][1]["deadline_hours"] = 23
    assert content_version(changed) != data["version"]
    assert content_version({**data, "version": "anything"}) == data["version"]


def test_the_script_reproduces_the_committed_file() -> None:
    script = _load_script()
    if not script.SEED.exists():
        pytest.skip(f"seed not available: {script.SEED}")
    built = script.build()
    assert script.render(built) == DATA_FILE.read_text(encoding="utf-8")


def test_the_script_rejects_a_table_of_the_wrong_shape() -> None:
    script = _load_script()
    rows = script.parse_table(["Лифт", "Лифт жұмыс істемейді", "жоғары", "дереу, 24"])
    assert rows == [("Лифт", [("Лифт жұмыс істемейді", "жоғары", "дереу, 24")])]
    assert script.deadline("дереу, 24") == (24, True)
    assert script.deadline("240") == (240, False)
    with pytest.raises(ValueError):
        script.parse_table(["Лифт", "Лифт жұмыс істемейді", "72"])
    with pytest.raises(ValueError):
        script.deadline("бір апта")


# --- suggestion ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("нет горячей воды в доме", "09.06"),
        ("Үйде ыстық су жоқ", "09.06"),
        ("из крана идёт ржавая вода", "09.05"),
        ("Запах газа в подъезде!", "10.10"),
        ("подъезде газ иісі шығып тұр", "10.10"),
        ("Лифт застрял, внутри ребёнок", "24.06"),
        ("лифт жұмыс істемейді", "24.08"),
        ("нет отопления, батареи холодные", "40.05"),
        ("пәтерде жылу жоқ", "40.05"),
        ("света нет во всём доме", "46.08"),
        ("на дороге большая яма", "12.10"),
        ("жолда үлкен шұңқыр бар", "12.10"),
        ("во дворе не вывозят мусор", "39.10"),
        ("аулада қаңғыбас иттер жүр", "06.07"),
        ("не горит уличный фонарь", "42.08"),
        ("не работает светофор на перекрёстке", "12.12"),
        ("балалар алаңындағы әткеншек сынған", "04.05"),
        ("сосульки на крыше", "38.04"),
        ("в подвале вода, затопило", "09.15"),
        ("автобус 12 маршрута не приехал, долго ждали", "27.09"),
    ],
)
def test_suggest_puts_the_expected_subclass_first(text: str, expected: str) -> None:
    got = suggest(text)
    assert got, text
    assert got[0].subclass_code == expected, [s.subclass_code for s in got]


@pytest.mark.parametrize(
    ("text", "class_code"),
    [
        ("ыстық су", "09"),
        ("горячая вода", "09"),
        ("қоқыс", "39"),
        ("телефон водоканала", "09"),
        ("где находится ЦОН", "02"),
        ("течёт крыша", "23"),
        ("шатыр ағып тұр", "23"),
        ("нет лекарств в аптеке", "18"),
        ("Бейнебақылау камерасы істемейді", "07"),
    ],
)
def test_suggest_finds_the_class(text: str, class_code: str, clf: Classifier) -> None:
    got = suggest(text)
    assert got and clf.class_of(got[0].subclass_code).code == class_code, got


@pytest.mark.parametrize(
    "text", ["", "   ", "абракадабра", "qwerty zxcv 12345", "как дела", "сәлем"]
)
def test_suggest_without_signal_is_empty(text: str) -> None:
    assert suggest(text) == []


def test_suggest_ranks_and_limits() -> None:
    got = suggest("лифт", limit=3)
    assert len(got) == 3
    assert all(isinstance(s.score, float) and s.score > 0 for s in got)
    full = suggest("нет горячей воды, течёт кран", limit=50)
    assert [s.score for s in full] == sorted((s.score for s in full), reverse=True)
    assert len({s.subclass_code for s in full}) == len(full)
    assert suggest("лифт", limit=0) == []


def test_short_stems_match_whole_words_only() -> None:
    # "су" (water) must not match "сурет" (picture); "парк" must not match "парковка"
    assert suggest("сурет") == []
    assert not any(s.subclass_code.startswith("30.") for s in suggest("парковка"))
    assert suggest("парковка")[0].subclass_code == "04.03"


# --- importance ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "пожар в подъезде",
        "Сильный запах газа на лестнице",
        "угроза жизни: открыт люк у школы",
        "ребёнок застрял в качелях",
        "оборван провод, лежит на тротуаре",
        "обрушение балкона",
        "подвал затопило",
        "үйде өрт шықты",
        "газ иісі шығып тұр",
        "өмірге қауіп төніп тұр",
        "электр сымы үзілді",
        "бала лифтте кептеліп қалды",
    ],
)
def test_threat_raises_importance_to_high(text: str, clf: Classifier) -> None:
    playground = clf.subclass("04.05")  # Детская площадка: standard, 240 h
    assert (playground.importance, playground.deadline_hours) == ("standard", 240)
    assert assess_importance(playground, text) == Assessment("high", 24, True)
    water_smell = clf.subclass("09.03")  # medium, 72 h
    assert assess_importance(water_smell, text) == Assessment("high", 24, True)


@pytest.mark.parametrize(
    "text",
    [
        "сломаны качели, просим починить",
        "балалар алаңындағы әткеншек сынған",
        "нет запаха газа, просто вопрос",
        "газ иісі жоқ",
        "не горит фонарь",
        "фонарь горит днём",
        "эвакуатор увёз машину",
        "карусель сломана",
    ],
)
def test_benign_text_keeps_the_base_level(text: str, clf: Classifier) -> None:
    playground = clf.subclass("04.05")
    assert threat_signs(text) == []
    assert assess_importance(playground, text) == Assessment("standard", 240, False)


def test_threat_stems_are_found_where_each_stem_alone_finds_them() -> None:
    """The one-pass lookup of every threat stem agrees with `stem_hits` stem by stem, on texts
    made of the keywords themselves, negated, inflected and run together."""
    patterns = _threat_patterns()
    texts = [
        *THREAT_KEYWORDS,
        *(f"не {k.replace('$', '')}" for k in THREAT_KEYWORDS),
        *(f"{k.replace('$', '')}ами жоқ" for k in THREAT_KEYWORDS),
        " ".join(k.replace("$", "") for k in THREAT_KEYWORDS),
        "газовщик газ газа газон пожарный огоньки бомбардир",
        "",
    ]
    stems = {stem for pattern in patterns for stem in pattern}
    for text in texts:
        words = tokenize(text)
        found = _threat_stems().hits(words)
        expected = {stem: stem_hits(stem, words) for stem in stems if stem_hits(stem, words)}
        assert found == expected, text


def test_every_threat_keyword_raises_on_its_own_and_not_negated() -> None:
    for keyword, pattern in zip(THREAT_KEYWORDS, _threat_patterns(), strict=True):
        plain = keyword.replace("$", "")
        assert keyword in threat_signs(f"Во дворе {plain}, срочно"), keyword
        if len(pattern) == 1 and pattern[0].rstrip("$") not in NEGATION_BEFORE | NEGATION_AFTER:
            assert keyword not in threat_signs(f"не {pattern[0].rstrip('$')}"), keyword


def test_raising_never_lengthens_a_deadline(clf: Classifier) -> None:
    two_hours = clf.subclass("09.01")  # standard, 2 h (information)
    assert two_hours.deadline_hours == 2
    assert assess_importance(two_hours, "пожар!") == Assessment("high", 2, True)
    already_high = clf.subclass("24.06")
    assert assess_importance(already_high, "ребёнок застрял в лифте") == Assessment(
        "high", 24, False
    )
    assert assess_importance(already_high, "") == Assessment("high", 24, False)
