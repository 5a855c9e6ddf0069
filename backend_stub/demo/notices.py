"""Demo notices: a water outage today, heating tests and a city-day concert ahead, a past power
cut and a withdrawn road closure, dated relative to now and published once (by `ref`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from backend_stub.crud import notices as notices_crud
from backend_stub.models import utcnow
from backend_stub.schemas.notices import AreaIn, NoticeIn

ASTANA = ZoneInfo("Asia/Almaty")  # the city's wall clock, for the demo's "today at 07:30"


@dataclass(frozen=True)
class DemoNotice:
    ref: str
    data: NoticeIn
    withdrawn: bool = False


def _at(day: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    """`days` after `day` (Astana calendar) at hour:minute Astana time."""
    local = day.astimezone(ASTANA).date() + timedelta(days=days)
    return datetime.combine(local, time(hour, minute), tzinfo=ASTANA)


def demo_notices(now: datetime) -> list[DemoNotice]:
    return [
        DemoNotice(
            "demo-notice-water-yesil",
            NoticeIn(
                kind="emergency",
                topic="water",
                title_kk="Есіл ауданында апатқа байланысты суық су берілмейді",
                title_ru="Аварийное отключение холодной воды в районе Есиль",
                body_kk="Қабанбай батыр даңғылы мен Сығанақ көшесінің қиылысында су құбыры "
                "жарылды. Қабанбай батыр даңғылы, 11–21 және Сығанақ көшесі, 14–18 үйлерінде "
                "суық су уақытша берілмейді. «Астана Су Арнасы» апаттық бригадасы орында жұмыс "
                "істеп жатыр. Ауыз су Қабанбай батыр даңғылы, 15 үйдің ауласына жеткізіледі. "
                "Су беру ертең сағат 18:00-ге дейін қалпына келтіріледі.",
                body_ru="На пересечении пр. Кабанбай батыра и ул. Сыганак произошёл порыв "
                "водовода. В домах по пр. Кабанбай батыра, 11–21 и ул. Сыганак, 14–18 временно "
                "нет холодной воды. Аварийная бригада «Астана Су Арнасы» работает на месте. "
                "Питьевую воду подвозят во двор дома по пр. Кабанбай батыра, 15. Подачу воды "
                "восстановят до 18:00 завтрашнего дня.",
                districts=["yesil"],
                area=AreaIn(lat=51.0950, lon=71.4180, radius_m=600),
                starts_at=min(_at(now, 0, 7, 30), now),
                ends_at=_at(now, 1, 18),
            ),
        ),
        DemoNotice(
            "demo-notice-heating-tests",
            NoticeIn(
                kind="planned",
                topic="heating",
                title_kk="Жылу желілерін жоспарлы сынау: ыстық су болмайды",
                title_ru="Плановые испытания тепловых сетей: отключение горячей воды",
                body_kk="«Астана-Теплотранзит» АҚ жылу магистралін гидравликалық сынақтан "
                "өткізеді. Жұмыс кезінде Сарыарқа және Байқоңыр аудандарындағы үйлерде "
                "(Бейбітшілік, Кенесары, Жұбанов көшелері, Бөгенбай батыр даңғылы) ыстық су "
                "берілмейді. Алдын ала су жинап алуды және ыстық су крандарын ашық "
                "қалдырмауды сұраймыз.",
                body_ru="АО «Астана-Теплотранзит» проводит гидравлические испытания "
                "тепломагистрали. На время работ в домах районов Сарыарка и Байконур (улицы "
                "Бейбитшилик, Кенесары, Жубанова, пр. Богенбай батыра) не будет горячей воды. "
                "Просим заранее запастись водой и не оставлять открытыми краны горячей воды.",
                districts=["saryarka", "baikonur"],
                starts_at=_at(now, 3, 9),
                ends_at=_at(now, 5, 18),
            ),
        ),
        DemoNotice(
            "demo-notice-city-day",
            NoticeIn(
                kind="event",
                topic="events",
                title_kk="Елорда күні: «Қазақ Елі» алаңында мерекелік концерт",
                title_ru="День столицы: праздничный концерт на площади «Қазақ Елі»",
                body_kk="Елорда тұрғындары мен қонақтарын Елорда күніне арналған мерекелік "
                "концертке шақырамыз. Басталуы — 19:00, 22:30-да мерекелік салют. 16:00-ден "
                "24:00-ге дейін алаң маңындағы Тәуелсіздік даңғылында көлік қозғалысы "
                "шектеледі, кейбір автобус бағыттары уақытша өзгереді.",
                body_ru="Приглашаем жителей и гостей столицы на праздничный концерт ко Дню "
                "столицы. Начало в 19:00, в 22:30 — праздничный салют. С 16:00 до 24:00 у "
                "площади будет ограничено движение по пр. Тауелсиздик, часть автобусных "
                "маршрутов временно изменит схему движения.",
                starts_at=_at(now, 6, 16),
                ends_at=_at(now, 7, 0),
            ),
        ),
        DemoNotice(
            "demo-notice-power-almaty",
            NoticeIn(
                kind="planned",
                topic="power",
                title_kk="Алматы ауданында электр қуатын жоспарлы өшіру",
                title_ru="Плановое отключение электроэнергии в районе Алматы",
                body_kk="«Астана-РЭК» АҚ трансформаторлық қосалқы станцияны жөндейді. "
                "10:00-ден 17:00-ге дейін Абылай хан даңғылы, 2–12 және Жұмабаев көшесі, 1–9 "
                "үйлерінде электр қуаты болмайды.",
                body_ru="АО «Астана-РЭК» ремонтирует трансформаторную подстанцию. С 10:00 до "
                "17:00 в домах по пр. Абылай хана, 2–12 и ул. Жумабаева, 1–9 не будет "
                "электроэнергии.",
                districts=["almaty"],
                starts_at=_at(now, -8, 10),
                ends_at=_at(now, -8, 17),
            ),
        ),
        DemoNotice(
            "demo-notice-road-nura",
            NoticeIn(
                kind="planned",
                topic="roads",
                title_kk="Ұлы Дала даңғылын жөндеу: қозғалыс шектеледі",
                title_ru="Ремонт пр. Улы Дала: ограничение движения",
                body_kk="Үш түн бойы 22:00-ден 06:00-ге дейін Ұлы Дала даңғылының Түркістан "
                "көшесіне қарай бағыттағы оң жақ жолағы жабылады. Жүргізушілерден айналма "
                "жолды алдын ала таңдауды сұраймыз.",
                body_ru="Три ночи подряд с 22:00 до 06:00 будет закрыта правая полоса пр. Улы "
                "Дала в сторону ул. Туркестан. Просим водителей заранее выбирать пути "
                "объезда.",
                districts=["nura"],
                starts_at=_at(now, 2, 22),
                ends_at=_at(now, 5, 6),
            ),
            withdrawn=True,
        ),
    ]


def seed_notices(db: Session) -> int:
    """Publish the demo notices that are missing (found by external_ref); returns how many.
    The caller commits."""
    now = utcnow()
    added = 0
    for spec in demo_notices(now):
        if notices_crud.external_ref_taken(db, ref=spec.ref):
            continue
        notice = notices_crud.publish(db, author=None, data=spec.data, external_ref=spec.ref)
        notice.created_at = notice.updated_at = min(notice.starts_at - timedelta(days=1), now)
        if spec.withdrawn:
            notices_crud.withdraw(db, notice=notice)
        db.add(notice)
        added += 1
    return added
