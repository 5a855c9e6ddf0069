"""Demo data of public participation: two open polls (a single-choice one about parks and a
multiple-choice one about urban infrastructure), one closed district poll with results, three
initiatives of the akimat, three published proposals and one awaiting moderation.

`seed_participation(db)` is idempotent: polls are found by their Russian question, initiatives
by their Russian title, proposals by their fixed client ids and the demo voters by phone. Polls,
initiatives and proposals go through the same crud functions as the API (so the sync feed knows
them); the demo voters' ballots and supports are written directly, as if cast in the past.
The polls, initiatives and proposals themselves are data, in `demo.participation_records`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session, col, select

from backend_stub.crud import initiatives as initiatives_crud
from backend_stub.crud import polls as polls_crud
from backend_stub.crud import proposals as proposals_crud
from backend_stub.crud.users import user_by_phone
from backend_stub.demo.participation_records import (
    INITIATIVES,
    POLLS,
    PROPOSALS,
    DemoInitiative,
    DemoPoll,
    DemoProposal,
)
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
    ModerationIn,
    PollIn,
    PollOptionIn,
    ProposalIn,
)

log = logging.getLogger("city109.demo")

RESIDENT_PHONES = ("+77010000001", "+77010000002")  # the demo residents of demo/seed.py
VOTER_PHONES = tuple(f"+770100001{i:02d}" for i in range(24))  # quiet demo voters
PROPOSAL_PREFIX = "demo-proposal-"


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
    poll = polls_crud.create_poll(db, operator=operator, data=data)
    polls_crud.publish(db, poll=poll)
    poll.created_at = opens - timedelta(hours=2)
    poll.published_at = opens
    assert poll.id is not None
    options = polls_crud.options_of(db, poll_id=poll.id)
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
    proposal = proposals_crud.create_proposal(db, user=author, data=data)
    created = utcnow() - timedelta(hours=spec.age_h)
    proposal.created_at = proposal.updated_at = created
    if spec.published:
        proposals_crud.moderate(
            db, operator=operator, proposal=proposal, data=ModerationIn(state="published")
        )
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
