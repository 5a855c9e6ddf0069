"""The demo residents and their appeals, as data: `RESIDENTS` (phone, name, language, home and
work addresses) and `APPEALS` (what each resident wrote and, in `steps`, what happened to it
since: status moves, chat messages, the close with its result, the rating), read by
`demo.seed`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from backend_stub.schemas.appeals import AppealTypeLit


@dataclass(frozen=True)
class DemoResident:
    phone: str
    full_name: str
    language: str
    addresses: tuple[tuple[str, str, float, float], ...]  # label, text, lat, lon


RESIDENTS: tuple[DemoResident, ...] = (
    DemoResident(
        phone="+77010000001",
        full_name="Айгүл Серікқызы Нұрланова",
        language="kk",
        addresses=(
            ("home", "Астана, Қабанбай батыр даңғылы, 11, 45-пәтер", 51.0935, 71.4170),
            ("work", "Астана, Бейбітшілік көшесі, 10", 51.1745, 71.4140),
        ),
    ),
    DemoResident(
        phone="+77010000002",
        full_name="Дмитрий Сергеевич Ковалёв",
        language="ru",
        addresses=(
            ("home", "Астана, ул. Кенесары, 40, кв. 12", 51.1660, 71.4290),
            ("work", "Астана, пр. Туран, 37", 51.1240, 71.4050),
        ),
    ),
)


@dataclass(frozen=True)
class Step:
    """One thing that happened to an appeal, `at_h` hours after it was filed.

    kind: "status" (value = target status, text = note), "msg" (value = "resident" or
    "operator", text = message), "close" (text = result; value "after" = with an after photo),
    "rate" (value = score, text = comment).
    """

    at_h: float
    kind: str
    value: str = ""
    text: str = ""


@dataclass(frozen=True)
class DemoAppeal:
    key: str
    resident: int  # index into RESIDENTS
    subclass_code: str
    language: Literal["kk", "ru"]
    text: str
    address: str
    lat: float
    lon: float
    age_h: float  # filed this many hours ago
    type: AppealTypeLit = "incident"
    share_personal: bool = True
    photo: str | None = None  # a "before" picture: "pothole" | "rusty_water"
    steps: tuple[Step, ...] = field(default_factory=tuple)
    unread_last: bool = False  # leave the last message unread by the other side


APPEALS: tuple[DemoAppeal, ...] = (
    DemoAppeal(
        key="01-lamp",
        resident=1,
        subclass_code="42.06",
        language="ru",
        text="Во дворе дома по ул. Кенесары, 40 уже неделю не горит фонарь у третьего подъезда. "
        "Вечером во дворе совсем темно.",
        address="Астана, ул. Кенесары, 40",
        lat=51.1662,
        lon=71.4295,
        age_h=3,
    ),
    DemoAppeal(
        key="02-garbage",
        resident=0,
        subclass_code="39.10",
        language="kk",
        text="Аулада қоқыс контейнерлері үш күннен бері шығарылмай тұр, маңайы лас.",
        address="Астана, Қабанбай батыр даңғылы, 11",
        lat=51.0938,
        lon=71.4176,
        age_h=1.5,
        share_personal=False,
    ),
    DemoAppeal(
        key="03-heating",
        resident=0,
        subclass_code="40.04",
        language="kk",
        text="Пәтерде батареялар әрең жылы, бөлмеде 16 градус. Балалар тоңып жүр.",
        address="Астана, Қабанбай батыр даңғылы, 11, 45-пәтер",
        lat=51.0935,
        lon=71.4170,
        age_h=20,
        steps=(
            Step(0.5, "status", "assigned", "Жылумен жабдықтау қызметіне жіберілді"),
            Step(
                0.6,
                "msg",
                "operator",
                "Сәлеметсіз бе! Өтінішіңіз жылумен жабдықтау қызметіне жіберілді.",
            ),
            Step(2, "msg", "resident", "Рахмет, күтемін."),
        ),
    ),
    DemoAppeal(
        key="04-pothole",
        resident=1,
        subclass_code="12.10",
        language="ru",
        text="На пересечении пр. Туран и ул. Сыганак большая яма на проезжей части, машины "
        "объезжают её по встречной полосе.",
        address="Астана, пр. Туран / ул. Сыганак",
        lat=51.1225,
        lon=71.4080,
        age_h=11 * 24,
        photo="pothole",
        steps=(
            Step(1, "status", "assigned"),
            Step(30, "status", "in_progress", "Принято в работу подрядной организацией"),
            Step(
                30.5,
                "msg",
                "operator",
                "Ремонт покрытия включён в график работ подрядчика на эту неделю.",
            ),
            Step(200, "msg", "resident", "Прошло больше недели, яма всё ещё на месте."),
        ),
        unread_last=True,
    ),
    DemoAppeal(
        key="05-playground",
        resident=1,
        subclass_code="04.05",
        language="ru",
        text="На детской площадке во дворе сломаны качели, из сиденья торчат болты.",
        address="Астана, ул. Кенесары, 40",
        lat=51.1658,
        lon=71.4300,
        age_h=48,
        steps=(
            Step(1, "status", "assigned"),
            Step(
                20,
                "status",
                "returned",
                "Площадка на балансе ОСИ дома, не в ведении управления — нужна переадресация",
            ),
        ),
    ),
    DemoAppeal(
        key="06-dogs",
        resident=0,
        subclass_code="06.07",
        language="kk",
        text="Үйдің жанында қаңғыбас иттер үйірі жүр, балаларды мектепке апару қорқынышты.",
        address="Астана, Ұлы Дала даңғылы, 5",
        lat=51.0600,
        lon=71.3800,
        age_h=40,
        steps=(
            Step(0.5, "status", "assigned"),
            Step(6, "status", "returned", "Аудан әкімдігінің құзыретіне жатпайды"),
            Step(
                8, "status", "reassigned", "Қаңғыбас жануарларды аулау қызметіне қайта бағытталды"
            ),
            Step(
                8.2,
                "msg",
                "operator",
                "Өтінішіңіз қаңғыбас жануарларды аулау қызметіне қайта бағытталды.",
            ),
        ),
    ),
    DemoAppeal(
        key="07-water",
        resident=1,
        subclass_code="09.05",
        language="ru",
        text="Из крана идёт ржавая мутная вода уже второй день, дом по ул. Кенесары, 40.",
        address="Астана, ул. Кенесары, 40, кв. 12",
        lat=51.1660,
        lon=71.4290,
        age_h=5 * 24,
        photo="rusty_water",
        steps=(
            Step(0.3, "status", "assigned"),
            Step(3, "status", "in_progress", "Аварийная бригада выехала"),
            Step(
                3.1,
                "msg",
                "operator",
                "Бригада выехала на место, проводится промывка сети. Просим не пить воду "
                "из-под крана до окончания работ.",
            ),
            Step(4, "msg", "resident", "Понял, спасибо."),
            Step(
                30,
                "close",
                "after",
                "Проведена промывка внутридомовой сети и заменён участок трубы на вводе. "
                "Анализ воды соответствует нормам.",
            ),
            Step(36, "rate", "5", "Спасибо, быстро решили!"),
        ),
    ),
    DemoAppeal(
        key="08-snow",
        resident=0,
        subclass_code="38.03",
        language="kk",
        text="Сарыарқа даңғылындағы аялдама маңы қардан тазаланбаған, жаяу жүргіншілерге "
        "жүру қиын.",
        address="Астана, Сарыарқа даңғылы, аялдама",
        lat=51.1880,
        lon=71.3900,
        age_h=30,
        steps=(
            Step(1, "status", "assigned"),
            Step(5, "status", "in_progress", "Қар тазалау бригадасы жіберілді"),
            Step(5.2, "msg", "operator", "Қар тазалау бригадасы бүгін түске дейін барады."),
            Step(8, "msg", "resident", "Рахмет! Бір бөлігі ғана тазаланды."),
        ),
        unread_last=True,
    ),
    DemoAppeal(
        key="09-traffic-light",
        resident=0,
        subclass_code="12.12",
        language="kk",
        text="Мәңгілік Ел даңғылы мен Сығанақ көшесінің қиылысындағы бағдаршам жұмыс істемейді.",
        address="Астана, Мәңгілік Ел даңғылы / Сығанақ көшесі",
        lat=51.1010,
        lon=71.4220,
        age_h=4 * 24,
        steps=(
            Step(0.5, "status", "assigned"),
            Step(2, "status", "in_progress"),
            Step(
                20,
                "close",
                "",
                "Бағдаршамның басқару блогы ауыстырылды, бағдаршам қалыпты жұмыс істейді.",
            ),
        ),
    ),
)
