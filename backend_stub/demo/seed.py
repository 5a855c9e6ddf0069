"""Demo data: an operator, two residents with home/work addresses, and nine appeals in every
status (one overdue, one closed with a result, "after" photo and rating), with history and chat.

`seed_demo(engine, settings)` is idempotent: people are found by phone, addresses by label and
appeals by their fixed client ids, so a second run adds nothing. Everything goes through the
same crud functions as the API (numbers, deadlines, history, the residents' sync feed); only the
timestamps are moved back afterwards so the demo has a past.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from PIL import Image, ImageDraw
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import media as media_crud
from backend_stub.crud import notices as notices_crud
from backend_stub.crud import places as places_crud
from backend_stub.crud.users import operator_user, user_by_phone
from backend_stub.demo.alerts import seed_alerts
from backend_stub.demo.participation import seed_participation
from backend_stub.geo import district_for
from backend_stub.models import Address, Appeal, AppealEvent, Message, User, utcnow
from backend_stub.schemas.appeals import AppealCreate, AppealTypeLit
from backend_stub.schemas.chat import MessageIn

log = logging.getLogger("city109.demo")

CLIENT_PREFIX = "demo-appeal-"


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


# ---------------------------------------------------------------- demo pictures


def demo_picture(kind: str) -> bytes:
    """A small drawn JPEG standing in for a resident's or executor's photo."""
    img = Image.new("RGB", (640, 480), (150, 154, 160))
    draw = ImageDraw.Draw(img)
    if kind in {"pothole", "road_fixed"}:
        draw.rectangle((0, 0, 640, 170), fill=(180, 205, 230))  # sky
        draw.polygon([(0, 480), (640, 480), (420, 170), (220, 170)], fill=(88, 90, 95))
        draw.line([(320, 470), (320, 180)], fill=(235, 235, 235), width=6)
        if kind == "pothole":
            draw.ellipse((180, 330, 420, 420), fill=(45, 40, 38), outline=(30, 28, 26), width=4)
            draw.ellipse((215, 350, 380, 400), fill=(70, 80, 95))  # puddle
    else:  # "rusty_water" / "clean_water": a glass of water
        water = (150, 95, 40) if kind == "rusty_water" else (190, 225, 245)
        draw.rectangle((0, 0, 640, 480), fill=(225, 222, 215))
        draw.polygon(
            [(230, 90), (410, 90), (390, 420), (250, 420)],
            outline=(120, 120, 120),
            width=5,
            fill=(240, 240, 240),
        )
        draw.polygon([(238, 170), (402, 170), (390, 415), (252, 415)], fill=water)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


AFTER_PICTURE = {"pothole": "road_fixed", "rusty_water": "clean_water"}


def _store_picture(db: Session, settings: Settings, owner: User, kind: str) -> str:
    assert owner.id is not None
    media = media_crud.ingest(
        db,
        settings,
        owner.id,
        io.BytesIO(demo_picture(kind)),
        filename=f"{kind}.jpg",
        content_type="image/jpeg",
    )
    return media.id


# ---------------------------------------------------------------- seeding


def _resident(db: Session, spec: DemoResident) -> User:
    user = user_by_phone(db, phone=spec.phone, language=spec.language, full_name=spec.full_name)
    assert user.id is not None
    labels = {a.label for a in db.exec(select(Address).where(Address.user_id == user.id)).all()}
    for label, text, lat, lon in spec.addresses:
        if label not in labels:
            db.add(
                Address(
                    user_id=user.id,
                    label=label,
                    text=text,
                    lat=lat,
                    lon=lon,
                    district=district_for(lat, lon),
                )
            )
    if not user.notify_districts:
        home = district_for(spec.addresses[0][2], spec.addresses[0][3])
        user.notify_districts = [home] if home else []
        db.add(user)
    return user


def _last_event(db: Session, appeal_id: int) -> AppealEvent:
    event = db.exec(
        select(AppealEvent)
        .where(AppealEvent.appeal_id == appeal_id)
        .order_by(col(AppealEvent.id).desc())
    ).first()
    assert event is not None
    return event


def _seed_appeal(
    db: Session,
    settings: Settings,
    spec: DemoAppeal,
    resident: User,
    operator: User,
    now: datetime,
) -> Appeal:
    # Pictures first: storing one commits, so nothing of the appeal may be pending yet.
    before = _store_picture(db, settings, resident, spec.photo) if spec.photo else None
    closes_with_after = any(s.kind == "close" and s.value == "after" for s in spec.steps)
    after = (
        _store_picture(db, settings, operator, AFTER_PICTURE.get(spec.photo or "", "road_fixed"))
        if closes_with_after
        else None
    )
    data = AppealCreate(
        client_id=f"{CLIENT_PREFIX}{spec.key}",
        text=spec.text,
        type=spec.type,
        subclass_code=spec.subclass_code,
        lat=spec.lat,
        lon=spec.lon,
        accuracy_m=15.0,
        address=spec.address,
        share_personal=spec.share_personal,
        language=spec.language,
        attachment_ids=[before] if before else [],
    )
    appeal = appeals_crud.create_appeal(db, resident, data)
    db.flush()
    assert appeal.id is not None
    created = now - timedelta(hours=spec.age_h)
    deadline = appeal.due_at - appeal.created_at
    stamped: list[tuple[AppealEvent | Message, datetime]] = [(_last_event(db, appeal.id), created)]
    messages: list[Message] = []
    for step in spec.steps:
        at = created + timedelta(hours=step.at_h)
        if step.kind == "status":
            appeals_crud.change_status(db, operator, appeal, step.value, step.text or None)
        elif step.kind == "close":
            appeals_crud.close(db, operator, appeal, step.text, [after] if after else [])
            appeal.closed_at = at
        elif step.kind == "rate":
            appeals_crud.rate(db, resident, appeal, int(step.value), step.text or None)
            appeal.rated_at = at
        elif step.kind == "msg":
            author = operator if step.value == "operator" else resident
            message = chat_crud.post_message(
                db,
                author,
                appeal,
                MessageIn(client_id=f"demo-{spec.key}-{len(messages) + 1}", text=step.text),
            )
            messages.append(message)
            stamped.append((message, at))
            continue
        else:
            raise ValueError(f"unknown demo step {step.kind!r}")
        db.flush()
        stamped.append((_last_event(db, appeal.id), at))
    for row, at in stamped:
        if isinstance(row, Message):
            row.created_at = at
            unread = spec.unread_last and row is messages[-1]
            row.read_at = None if unread else at + timedelta(minutes=5)
        else:
            row.at = at
        db.add(row)
    appeal.created_at = created
    appeal.number = f"109-{created:%y%m}-{appeal.id:06d}"
    appeal.due_at = created + deadline
    appeal.updated_at = stamped[-1][1]
    db.add(appeal)
    return appeal


def seed_demo(engine: Engine, settings: Settings) -> int:
    """Create the demo people and appeals that are missing; returns how many appeals it added."""
    added = 0
    with Session(engine, expire_on_commit=False) as db:
        operator = operator_user(db, settings.operator_phone)
        residents = [_resident(db, spec) for spec in RESIDENTS]
        db.commit()
        notices_crud.seed_notices(db)
        places_crud.seed_places(db)
        seed_participation(db)
        seed_alerts(db)
        now = utcnow()
        for spec in APPEALS:
            resident = residents[spec.resident]
            exists = db.exec(
                select(Appeal.id).where(
                    Appeal.user_id == resident.id,
                    Appeal.client_id == f"{CLIENT_PREFIX}{spec.key}",
                )
            ).first()
            if exists is not None:
                continue
            try:
                _seed_appeal(db, settings, spec, resident, operator, now)
                db.commit()
                added += 1
            except Exception:
                db.rollback()
                log.exception("demo: appeal %s not seeded", spec.key)
    if added:
        log.info("demo: %d appeals seeded", added)
    return added
