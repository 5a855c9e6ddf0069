"""Demo emergency alerts: an active flood drill (CAP status Exercise) on the Yesil embankment
and an expired city-wide blizzard warning.

`seed_alerts(db)` is idempotent: the two alerts have fixed identifiers and are only added when
missing. They go through `crud.alerts.publish`, so they are checked, CAP-valid and in the feed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from backend_stub.crud import alerts as alerts_crud
from backend_stub.geo import ASTANA_DISTRICTS
from backend_stub.models import Alert, utcnow
from backend_stub.schemas.alerts import AlertIn

log = logging.getLogger("city109.demo")

FLOOD_DRILL_ID = f"{alerts_crud.IDENTIFIER_PREFIX}.demo-flood-drill"
BLIZZARD_ID = f"{alerts_crud.IDENTIFIER_PREFIX}.demo-blizzard"

# A corridor about 400–500 m wide along the Yesil through the city centre: the north/east bank
# from west to east, then the south/west bank back, closed on the first point.
YESIL_EMBANKMENT = (
    "51.1685,71.38 51.1645,71.4 51.1605,71.42 51.155,71.442 51.141,71.452 51.132,71.458 "
    "51.126,71.446 51.135,71.44 51.145,71.434 51.1515,71.418 51.1555,71.4 51.1595,71.38 "
    "51.1685,71.38"
)


def _flood_drill(now: Any) -> dict[str, Any]:
    return {
        "status": "Exercise",
        "category": ["Met", "Safety"],
        "response_type": ["Prepare", "Avoid"],
        "urgency": "Expected",
        "severity": "Moderate",
        "certainty": "Likely",
        "onset": now + timedelta(hours=2),
        "expires": now + timedelta(days=3),
        "texts": {
            "kk": {
                "event": "Су тасқыны (оқу-жаттығу)",
                "headline": "ОҚУ-ЖАТТЫҒУ: Есіл өзенінің жағалауында су тасқынына қарсы жаттығу",
                "description": "Астана қаласының Төтенше жағдайлар департаменті Есіл өзенінің"
                " жағалауында су тасқыны кезіндегі іс-қимыл бойынша оқу-жаттығу өткізеді. Бұл"
                " нақты қауіп емес. Жаттығу кезінде жағалаудағы жаяу жүргіншілер жолдары"
                " уақытша жабылады, құтқару техникасы жұмыс істейді.",
                "instruction": "1. Сабыр сақтаңыз — бұл оқу-жаттығу.\n"
                "2. Жағалауға жақындамаңыз, құтқарушылардың нұсқауларын орындаңыз.\n"
                "3. Эвакуация жолдарымен және жақын маңдағы уақытша орналастыру пунктімен"
                " танысыңыз.\n"
                "4. Нақты су тасқыны кезінде құжаттарды, дәрі-дәрмекті және ауыз суды алып,"
                " биік жерге шығыңыз да, 112-ге қоңырау шалыңыз.",
            },
            "ru": {
                "event": "Паводок (учения)",
                "headline": "УЧЕНИЯ: паводковая тренировка на набережной реки Есиль",
                "description": "Департамент по чрезвычайным ситуациям города Астаны проводит"
                " учения по действиям при паводке на набережной реки Есиль. Это не реальная"
                " угроза. Во время учений пешеходные дорожки набережной временно закрыты,"
                " работает спасательная техника.",
                "instruction": "1. Сохраняйте спокойствие — это учения.\n"
                "2. Не подходите к берегу, выполняйте указания спасателей.\n"
                "3. Ознакомьтесь с путями эвакуации и ближайшим пунктом временного"
                " размещения.\n"
                "4. При настоящем паводке возьмите документы, лекарства и питьевую воду,"
                " поднимитесь на возвышенность и позвоните 112.",
            },
        },
        "areas": [
            {
                "desc": {
                    "kk": "Есіл өзенінің жағалауы (орталық бөлігі) және Есіл ауданы",
                    "ru": "Набережная реки Есиль (центральная часть) и район Есиль",
                },
                "polygons": [YESIL_EMBANKMENT],
                "districts": ["yesil"],
            }
        ],
    }


def _blizzard(now: Any) -> dict[str, Any]:
    return {
        "status": "Actual",
        "category": ["Met"],
        "response_type": ["Shelter", "Avoid"],
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "expires": now - timedelta(days=2),
        "texts": {
            "kk": {
                "event": "Боран",
                "headline": "Астанада қатты боран: сыртқа шықпаңыз",
                "description": "Жел екпіні секундына 25 метрге дейін жетеді, көріну қашықтығы"
                " 100 метрден аз. Қала сыртындағы жолдар жабылды.",
                "instruction": "Қажетсіз сыртқа шықпаңыз, қала сыртына шықпаңыз. Көлікте қалып"
                " қойсаңыз, қозғалтқышты сөндірмеңіз, шығатын құбырды қардан тазалаңыз және"
                " 112-ге қоңырау шалыңыз.",
            },
            "ru": {
                "event": "Метель",
                "headline": "Сильная метель в Астане: не выходите из дома без необходимости",
                "description": "Порывы ветра до 25 м/с, видимость менее 100 метров. Загородные"
                " трассы закрыты.",
                "instruction": "Без необходимости не выходите на улицу и не выезжайте за город."
                " Если застряли в машине, не глушите двигатель, очищайте выхлопную трубу от"
                " снега и звоните 112.",
            },
        },
        "areas": [
            {
                "desc": {"kk": "Астана қаласы, барлық аудандар", "ru": "Город Астана, все районы"},
                "districts": list(ASTANA_DISTRICTS),
            }
        ],
    }


def seed_alerts(db: Session) -> int:
    """Add the demo alerts that are missing; returns how many were added."""
    now = utcnow().replace(microsecond=0)
    added = 0
    for identifier, build, sent in (
        (FLOOD_DRILL_ID, _flood_drill, now - timedelta(minutes=30)),
        (BLIZZARD_ID, _blizzard, now - timedelta(days=3)),
    ):
        if db.exec(select(Alert.id).where(Alert.identifier == identifier)).first() is not None:
            continue
        try:
            body = AlertIn.model_validate(build(now))
            alerts_crud.publish(db, author=None, body=body, sent=sent, identifier=identifier)
            db.commit()
            added += 1
        except Exception:
            db.rollback()
            log.exception("demo: alert %s not seeded", identifier)
    return added
