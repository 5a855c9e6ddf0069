"""Build backend_stub/data/classifier.json from the seed's Appendix 4 and classifier_ru.json.

The seed (order No. 262/НҚ, Kazakh) holds the classifier as a table. With blank and tab-only lines
dropped it reads: a class-name line, then triples of subclass / importance / hours until the next
class line. This script parses that table (47 classes, 350 subclasses), merges the hand-made
Russian names, responsible services and keywords of classifier_ru.json (keyed by the Kazakh names)
and writes classifier.json with stable codes: class "01".."47" and subclass "CC.NN" in seed order.

Run again whenever the seed or classifier_ru.json changes:
    .venv/bin/python scripts/extract_classifier.py [--seed PATH] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend_stub.classifier import content_version  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "000_f48298c1b6bcfb41.txt"
RU_FILE = ROOT / "backend_stub" / "data" / "classifier_ru.json"
OUT_FILE = ROOT / "backend_stub" / "data" / "classifier.json"

EXPECTED_CLASSES = 47
EXPECTED_SUBCLASSES = 350
TABLE_HEADER = ("Сыныбы", "Кіші сыныбы", "Маңыздылық деңгейі*", "Орындалу мерзімі, сағат")
IMPORTANCE = {"стандартты": "standard", "орташа": "medium", "жоғары": "high"}
IMMEDIATE_24 = "дереу, 24"

Row = tuple[str, str, str]  # subclass, importance (kk), hours (as written)


def _clean(line: str) -> str:
    return " ".join(line.replace("\xa0", " ").split())


def table_lines(seed_text: str) -> list[str]:
    """The non-blank lines of the Appendix 4 table, between its header and its footnote."""
    lines = [c for c in (_clean(raw) for raw in seed_text.splitlines()) if c]
    n = len(TABLE_HEADER)
    starts = [i for i in range(len(lines) - n) if tuple(lines[i : i + n]) == TABLE_HEADER]
    if len(starts) != 1:
        raise ValueError(f"expected one Appendix 4 table header, found {len(starts)}")
    body = lines[starts[0] + n :]
    end = next(i for i, line in enumerate(body) if line.startswith("*"))
    return body[:end]


def parse_table(lines: list[str]) -> list[tuple[str, list[Row]]]:
    """[(class name, [(subclass, importance, hours), ...]), ...] in seed order."""
    classes: list[tuple[str, list[Row]]] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and lines[i + 1] in IMPORTANCE:  # a subclass triple
            if not classes or i + 2 >= len(lines):
                raise ValueError(f"subclass outside a class at table line {i}: {lines[i]!r}")
            classes[-1][1].append((lines[i], lines[i + 1], lines[i + 2]))
            i += 3
        else:  # a class name: the next line must start a triple
            if i + 2 >= len(lines) or lines[i + 2] not in IMPORTANCE:
                raise ValueError(f"unexpected line in the table: {lines[i]!r}")
            classes.append((lines[i], []))
            i += 1
    return classes


def deadline(hours: str) -> tuple[int, bool]:
    """(hours, immediate) from "2", "72", "240" or "дереу, 24"."""
    if hours == IMMEDIATE_24:
        return 24, True
    if hours.isdigit():
        return int(hours), False
    raise ValueError(f"unexpected deadline {hours!r}")


def _merge_keywords(*lists: list[str]) -> list[str]:
    merged: list[str] = []
    for keywords in lists:
        merged.extend(k for k in keywords if k not in merged)
    return merged


def build(seed_path: Path = SEED, ru_path: Path = RU_FILE) -> dict[str, Any]:
    """The classifier.json content (as a dict) for this seed and classifier_ru.json."""
    table = parse_table(table_lines(seed_path.read_text(encoding="utf-8")))
    n_sub = sum(len(rows) for _, rows in table)
    assert len(table) == EXPECTED_CLASSES, f"{len(table)} classes, expected {EXPECTED_CLASSES}"
    assert n_sub == EXPECTED_SUBCLASSES, f"{n_sub} subclasses, expected {EXPECTED_SUBCLASSES}"

    ru = json.loads(ru_path.read_text(encoding="utf-8"))
    shared: dict[str, Any] = ru["shared_subclasses"]
    service_codes = {s["code"] for s in ru["services"]}
    problems: list[str] = []
    unused_classes = set(ru["classes"])
    classes: list[dict[str, Any]] = []

    for ci, (class_kk, rows) in enumerate(table, start=1):
        cls = ru["classes"].get(class_kk)
        if cls is None:
            problems.append(f"class without a translation: {class_kk!r}")
            continue
        unused_classes.discard(class_kk)
        if cls["service"] not in service_codes:
            problems.append(f"class {class_kk!r}: unknown service {cls['service']!r}")
        unused_subs = set(cls["subclasses"])
        subclasses: list[dict[str, Any]] = []
        for si, (sub_kk, importance_kk, hours) in enumerate(rows, start=1):
            own = cls["subclasses"].get(sub_kk, {})
            unused_subs.discard(sub_kk)
            base = shared.get(sub_kk, {})
            name_ru = own.get("name_ru") or base.get("name_ru")
            if not name_ru:
                problems.append(f"subclass without a translation: {class_kk!r} / {sub_kk!r}")
                continue
            hours_int, immediate = deadline(hours)
            subclasses.append(
                {
                    "code": f"{ci:02d}.{si:02d}",
                    "name_kk": sub_kk,
                    "name_ru": name_ru,
                    "importance": IMPORTANCE[importance_kk],
                    "deadline_hours": hours_int,
                    "immediate": immediate,
                    "keywords_kk": _merge_keywords(
                        cls["keywords_kk"], base.get("keywords_kk", []), own.get("keywords_kk", [])
                    ),
                    "keywords_ru": _merge_keywords(
                        cls["keywords_ru"], base.get("keywords_ru", []), own.get("keywords_ru", [])
                    ),
                }
            )
        problems += [f"{class_kk!r}: subclass not in the seed: {s!r}" for s in sorted(unused_subs)]
        classes.append(
            {
                "code": f"{ci:02d}",
                "name_kk": class_kk,
                "name_ru": cls["name_ru"],
                "service_code": cls["service"],
                "subclasses": subclasses,
            }
        )
    problems += [f"class not in the seed: {c!r}" for c in sorted(unused_classes)]
    if problems:
        raise ValueError("classifier_ru.json does not fit the seed:\n" + "\n".join(problems))

    data: dict[str, Any] = {"version": "", "services": ru["services"], "classes": classes}
    data["version"] = content_version(data)
    return data


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, default=SEED, help="the seed text (Kazakh)")
    parser.add_argument("--check", action="store_true", help="only check the file is up to date")
    args = parser.parse_args(argv)

    data = build(args.seed)
    text = render(data)
    n_sub = sum(len(c["subclasses"]) for c in data["classes"])
    summary = f"{len(data['classes'])} classes, {n_sub} subclasses, version {data['version']}"
    if args.check:
        current = OUT_FILE.read_text(encoding="utf-8") if OUT_FILE.exists() else ""
        if current != text:
            print(f"{OUT_FILE} is out of date ({summary})", file=sys.stderr)
            return 1
        print(f"up to date: {summary}")
        return 0
    OUT_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {OUT_FILE.relative_to(ROOT)}: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
