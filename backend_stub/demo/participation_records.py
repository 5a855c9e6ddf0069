"""The demo polls, initiatives and proposals of public participation, as data: `POLLS`,
`INITIATIVES` and `PROPOSALS`, read by `demo.participation`."""

from __future__ import annotations

from dataclasses import dataclass

from backend_stub.schemas.participation import InitiativeStateLit, ProposalCategoryLit


@dataclass(frozen=True)
class DemoPoll:
    question_kk: str
    question_ru: str
    options: tuple[tuple[str, str], ...]  # (kk, ru)
    opened_h: float  # opened this many hours ago
    closes_in_h: float  # negative: closed this many hours ago
    ballots: tuple[tuple[int, ...], ...]  # option indexes per demo voter
    multiple: bool = False
    max_choices: int | None = None
    districts: tuple[str, ...] = ()
    residents_vote: tuple[tuple[int, ...], ...] = ()  # ballots of the demo residents


POLLS: tuple[DemoPoll, ...] = (
    DemoPoll(
        question_kk="Қай саябақты бірінші кезекте абаттандыру керек?",
        question_ru="Какой парк благоустроить первым?",
        options=(
            ("Орталық саябақ", "Центральный парк"),
            ("«Жерұйық» саябағы", "Парк «Жерұйық»"),
            ("Жеңіс саябағы", "Парк Победы"),
            ("Студенттер саябағы", "Студенческий парк"),
        ),
        opened_h=2 * 24,
        closes_in_h=12 * 24,
        ballots=((0,), (2,), (0,), (1,), (0,), (2,), (3,), (0,), (1,), (2,), (0,), (1,), (0,)),
    ),
    DemoPoll(
        question_kk="Қалалық инфрақұрылымда алдымен нені дамыту керек? (3 нұсқаға дейін)",
        question_ru="Что в городской инфраструктуре развивать в первую очередь? (до 3 вариантов)",
        options=(
            ("Велосипед жолдары", "Велодорожки"),
            ("Аулаларды жарықтандыру", "Освещение дворов"),
            ("Балалар алаңдары", "Детские площадки"),
            ("Қоғамдық көлік аялдамалары", "Остановки общественного транспорта"),
            ("Пандустар және кедергісіз орта", "Пандусы и доступная среда"),
            ("Көлік тұрақтары", "Парковки"),
        ),
        opened_h=24,
        closes_in_h=20 * 24,
        multiple=True,
        max_choices=3,
        ballots=(
            (0, 1),
            (1, 2, 4),
            (3,),
            (1, 3, 5),
            (2, 4),
            (0, 3, 4),
            (1,),
            (5, 1),
            (4, 2, 3),
            (1, 4),
            (0, 2),
        ),
    ),
    DemoPoll(
        question_kk="Есіл ауданында түнгі автобус бағыты керек пе?",
        question_ru="Нужен ли в районе Есиль ночной автобусный маршрут?",
        options=(
            ("Иә, күн сайын", "Да, каждый день"),
            ("Тек демалыс күндері", "Только по выходным"),
            ("Қажет емес", "Не нужен"),
        ),
        opened_h=30 * 24,
        closes_in_h=-9 * 24,
        districts=("yesil",),
        ballots=(
            (0,),
            (0,),
            (1,),
            (0,),
            (2,),
            (0,),
            (1,),
            (0,),
            (0,),
            (1,),
            (2,),
            (0,),
            (1,),
            (0,),
            (0,),
            (1,),
            (0,),
            (2,),
        ),
        residents_vote=((0,), (1,)),
    ),
)


@dataclass(frozen=True)
class DemoInitiative:
    title_kk: str
    title_ru: str
    description_kk: str
    description_ru: str
    state: InitiativeStateLit
    age_h: float
    supporters: int  # how many demo voters support it


INITIATIVES: tuple[DemoInitiative, ...] = (
    DemoInitiative(
        title_kk="Есіл өзенінің жағалауын көгалдандыру",
        title_ru="Озеленение набережной реки Есиль",
        description_kk="Жағалау бойына 600 ағаш пен 2 000 бұта отырғызылады, суару жүйесі мен"
        " серуендеу жолдары салынады. Жұмыстар 2026 жылдың күзінде аяқталады.",
        description_ru="Вдоль набережной высаживают 600 деревьев и 2 000 кустарников, прокладывают"
        " полив и прогулочные дорожки. Работы завершатся осенью 2026 года.",
        state="in_progress",
        age_h=40 * 24,
        supporters=17,
    ),
    DemoInitiative(
        title_kk="Тұран даңғылы бойымен велосипед жолы",
        title_ru="Велодорожка вдоль проспекта Туран",
        description_kk="Тұран даңғылы бойымен Мәңгілік Ел даңғылынан Сығанақ көшесіне дейін"
        " бөлінген велосипед жолын салу ұсынылады (4,2 км).",
        description_ru="Предлагается обустроить выделенную велодорожку вдоль проспекта Туран от"
        " проспекта Мангилик Ел до улицы Сыганак (4,2 км).",
        state="proposed",
        age_h=6 * 24,
        supporters=9,
    ),
    DemoInitiative(
        title_kk="Кенесары көшесіндегі аулаларды жөндеу",
        title_ru="Ремонт дворов на улице Кенесары",
        description_kk="12 ауланың жолдары жөнделді, жаңа балалар алаңдары мен жарықтандыру"
        " орнатылды.",
        description_ru="В 12 дворах отремонтированы проезды, установлены новые детские площадки"
        " и освещение.",
        state="done",
        age_h=120 * 24,
        supporters=21,
    ),
)


@dataclass(frozen=True)
class DemoProposal:
    key: str
    resident: int  # index into RESIDENT_PHONES
    category: ProposalCategoryLit
    text: str
    address: str
    lat: float
    lon: float
    age_h: float
    published: bool
    supporters: int = 0


PROPOSALS: tuple[DemoProposal, ...] = (
    DemoProposal(
        key="01-benches",
        resident=1,
        category="landscaping",
        text="Установить скамейки и урны вдоль аллеи у дома по ул. Кенесары, 40: пожилым"
        " жителям негде присесть по дороге в поликлинику.",
        address="Астана, ул. Кенесары, 40",
        lat=51.1661,
        lon=71.4297,
        age_h=9 * 24,
        published=True,
        supporters=12,
    ),
    DemoProposal(
        key="02-ramp",
        resident=0,
        category="urban_infrastructure",
        text="Қабанбай батыр даңғылындағы жерасты өткеліне мүгедектер мен балалар арбасына"
        " арналған пандус немесе көтергіш орнату қажет.",
        address="Астана, Қабанбай батыр даңғылы, 11",
        lat=51.0940,
        lon=71.4181,
        age_h=5 * 24,
        published=True,
        supporters=8,
    ),
    DemoProposal(
        key="03-bus",
        resident=1,
        category="transport",
        text="Продлить автобусный маршрут до нового жилого массива за пр. Туран: сейчас до"
        " ближайшей остановки идти около 20 минут.",
        address="Астана, пр. Туран, 37",
        lat=51.1240,
        lon=71.4050,
        age_h=3 * 24,
        published=True,
        supporters=5,
    ),
    DemoProposal(
        key="04-sorting",
        resident=0,
        category="ecology",
        text="Аулада пластик, шыны және қағаз қалдықтарын бөлек жинауға арналған контейнерлер"
        " орнатуды ұсынамын.",
        address="Астана, Қабанбай батыр даңғылы, 11",
        lat=51.0935,
        lon=71.4170,
        age_h=5,
        published=False,
    ),
)
