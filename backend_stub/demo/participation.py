"""Demo data of public participation: two open polls (a single-choice one about parks and a
multiple-choice one about urban infrastructure), one closed district poll with results, three
initiatives of the akimat, three published proposals and one awaiting moderation.

`seed_participation(db)` is idempotent: polls are found by their Russian question, initiatives
by their Russian title, proposals by their fixed client ids and the demo voters by phone. Polls,
initiatives and proposals go through the same crud functions as the API (so the sync feed knows
them); the demo voters' ballots and supports are written directly, as if cast in the past.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session, col, select

from backend_stub.crud import initiatives as initiatives_crud
from backend_stub.crud import polls as polls_crud
from backend_stub.crud import proposals as proposals_crud
from backend_stub.crud.users import user_by_phone
from backend_stub.models import (
    Initiative,
    InitiativeSupport,
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    Proposal,
    ProposalSupport,
    User,
    utcnow,
)
from backend_stub.schemas.participation import (
    InitiativeIn,
    InitiativeStateLit,
    ModerationIn,
    PollIn,
    PollOptionIn,
    ProposalCategoryLit,
    ProposalIn,
)

log = logging.getLogger("city109.demo")

RESIDENT_PHONES = ("+77010000001", "+77010000002")  # the demo residents of demo/seed.py
VOTER_PHONES = tuple(f"+770100001{i:02d}" for i in range(24))  # quiet demo voters
PROPOSAL_PREFIX = "demo-proposal-"


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


def _users(db: Session, phones: tuple[str, ...], *, create: bool) -> list[User]:
    if create:
        return [
            user_by_phone(db, phone=phone, language="kk" if i % 2 else "ru")
            for i, phone in enumerate(phones)
        ]
    found = {u.phone: u for u in db.exec(select(User).where(col(User.phone).in_(phones))).all()}
    return [found[phone] for phone in phones if phone in found]


def _ballot(
    db: Session,
    poll: Poll,
    options: list[PollOption],
    user: User,
    picks: tuple[int, ...],
    at: datetime,
) -> None:
    assert poll.id is not None and user.id is not None
    ballot = PollBallot(
        poll_id=poll.id, user_id=user.id, client_id=f"demo-ballot-{poll.id}", created_at=at
    )
    db.add(ballot)
    db.flush()
    assert ballot.id is not None
    for index in picks:
        option_id = options[index].id
        assert option_id is not None
        db.add(PollChoice(ballot_id=ballot.id, poll_id=poll.id, option_id=option_id))


def _seed_poll(
    db: Session, spec: DemoPoll, operator: User, voters: list[User], residents: list[User]
) -> None:
    now = utcnow()
    opens = now - timedelta(hours=spec.opened_h)
    data = PollIn(
        question_kk=spec.question_kk,
        question_ru=spec.question_ru,
        options=[PollOptionIn(text_kk=kk, text_ru=ru) for kk, ru in spec.options],
        multiple=spec.multiple,
        max_choices=spec.max_choices,
        opens_at=opens,
        closes_at=now + timedelta(hours=spec.closes_in_h),
        districts=list(spec.districts),
    )
    poll = polls_crud.create_poll(db, operator, data)
    polls_crud.publish(db, poll)
    poll.created_at = opens - timedelta(hours=2)
    poll.published_at = opens
    assert poll.id is not None
    options = polls_crud.options_of(db, poll.id)
    voting = list(zip(voters, spec.ballots, strict=False))
    voting += list(zip(residents, spec.residents_vote, strict=False))
    for n, (user, picks) in enumerate(voting):
        _ballot(db, poll, options, user, picks, opens + timedelta(hours=1 + n))


def _seed_initiative(db: Session, spec: DemoInitiative, operator: User, voters: list[User]) -> None:
    data = InitiativeIn(
        title_kk=spec.title_kk,
        title_ru=spec.title_ru,
        description_kk=spec.description_kk,
        description_ru=spec.description_ru,
        state=spec.state,
    )
    initiative = initiatives_crud.create_initiative(db, operator=operator, data=data)
    assert initiative.id is not None
    created = utcnow() - timedelta(hours=spec.age_h)
    supporters = voters[: spec.supporters]
    for user in supporters:
        assert user.id is not None
        db.add(InitiativeSupport(initiative_id=initiative.id, user_id=user.id, created_at=created))
    initiative.support_count = len(supporters)
    initiative.created_at = initiative.updated_at = created
    db.add(initiative)


def _seed_proposal(
    db: Session, spec: DemoProposal, author: User, operator: User, voters: list[User]
) -> None:
    data = ProposalIn(
        client_id=f"{PROPOSAL_PREFIX}{spec.key}",
        text=spec.text,
        category=spec.category,
        lat=spec.lat,
        lon=spec.lon,
        address=spec.address,
    )
    proposal = proposals_crud.create_proposal(db, author, data)
    created = utcnow() - timedelta(hours=spec.age_h)
    proposal.created_at = proposal.updated_at = created
    if spec.published:
        proposals_crud.moderate(db, operator, proposal, ModerationIn(state="published"))
        proposal.moderated_at = proposal.updated_at = created + timedelta(hours=3)
        supporters = voters[: spec.supporters]
        assert proposal.id is not None
        for user in supporters:
            assert user.id is not None
            db.add(ProposalSupport(proposal_id=proposal.id, user_id=user.id))
        proposal.support_count = len(supporters)
    db.add(proposal)


def seed_participation(db: Session) -> int:
    """Add the demo polls, initiatives and proposals that are missing; returns how many."""
    operator = db.exec(select(User).where(User.role == "operator").order_by(col(User.id))).first()
    if operator is None:
        log.warning("demo: no operator, participation not seeded")
        return 0
    residents = _users(db, RESIDENT_PHONES, create=False)
    voters = _users(db, VOTER_PHONES, create=True)
    db.commit()
    todo: list[tuple[str, Callable[[], None]]] = []
    for poll in POLLS:
        if not db.exec(select(Poll.id).where(Poll.question_ru == poll.question_ru)).first():
            todo.append(
                (
                    f"poll {poll.question_ru!r}",
                    partial(_seed_poll, db, poll, operator, voters, residents),
                )
            )
    for ini in INITIATIVES:
        if not db.exec(select(Initiative.id).where(Initiative.title_ru == ini.title_ru)).first():
            todo.append(
                (
                    f"initiative {ini.title_ru!r}",
                    partial(_seed_initiative, db, ini, operator, voters),
                )
            )
    for spec in PROPOSALS:
        phone = RESIDENT_PHONES[spec.resident]
        author = next((u for u in residents if u.phone == phone), None)
        if author is None:
            continue
        exists = db.exec(
            select(Proposal.id).where(
                Proposal.user_id == author.id,
                Proposal.client_id == f"{PROPOSAL_PREFIX}{spec.key}",
            )
        ).first()
        if exists is None:
            todo.append(
                (
                    f"proposal {spec.key}",
                    partial(_seed_proposal, db, spec, author, operator, voters),
                )
            )
    added = sum(_try(db, what, seed) for what, seed in todo)
    if added:
        log.info("demo: %d participation items seeded", added)
    return added


def _try(db: Session, what: str, seed: Callable[[], None]) -> int:
    """Seed one item in its own transaction; a failure is logged and leaves nothing behind."""
    try:
        seed()
        db.commit()
        return 1
    except Exception:
        db.rollback()
        log.exception("demo: %s not seeded", what)
        return 0
