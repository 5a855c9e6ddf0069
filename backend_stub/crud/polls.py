"""Polls: drafting and publishing, district scope, one ballot per resident, results.

A poll is `draft` or `published`; whether it is upcoming, open or closed follows from its
opens_at/closes_at (closing early moves closes_at to now). A resident sees the results once they
voted or the poll closed. The sync feed gets a public row when a poll is published or closed and
a row for the voter when they vote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from backend_stub.crud import feed
from backend_stub.crud.participation import add_once, user_districts
from backend_stub.errors import ApiError
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.models import Poll, PollBallot, PollChoice, PollOption, User, utcnow
from backend_stub.schemas.participation import PollIn, PollScopeLit, PollStatusLit, VoteIn
from backend_stub.text import clean_text

FEED_ENTITY = "poll"
CLOSED_LIST_LIMIT = 100


# ---------------------------------------------------------------- reading


def poll_status(poll: Poll, now: datetime) -> PollStatusLit:
    if poll.state != "published":
        return "draft"
    if now < poll.opens_at:
        return "upcoming"
    if now >= poll.closes_at:
        return "closed"
    return "open"


def in_scope(poll: Poll, districts: set[str]) -> bool:
    """Whole-city polls are for everyone; district polls for residents of those districts."""
    return not poll.districts or bool(set(poll.districts) & districts)


def options_of(db: Session, *, poll_id: int) -> list[PollOption]:
    return list(
        db.exec(
            select(PollOption)
            .where(PollOption.poll_id == poll_id)
            .order_by(col(PollOption.position), col(PollOption.id))
        ).all()
    )


def get_poll(db: Session, *, poll_id: int, published_only: bool = True) -> Poll:
    poll = db.get(Poll, poll_id)
    if poll is None or (published_only and poll.state != "published"):
        raise ApiError(404, "not_found")
    return poll


def my_vote(db: Session, *, poll_id: int, user_id: int) -> list[int] | None:
    """The options this resident chose (in the poll's order), None if they have not voted."""
    ballot = db.exec(
        select(PollBallot).where(PollBallot.poll_id == poll_id, PollBallot.user_id == user_id)
    ).first()
    if ballot is None:
        return None
    chosen = db.exec(
        select(PollChoice.option_id)
        .join(PollOption, col(PollOption.id) == PollChoice.option_id)
        .where(PollChoice.ballot_id == ballot.id)
        .order_by(col(PollOption.position), col(PollOption.id))
    ).all()
    return list(chosen)


def voted_polls(db: Session, *, user_id: int, poll_ids: Iterable[int] | None = None) -> set[int]:
    query = select(PollBallot.poll_id).where(PollBallot.user_id == user_id)
    if poll_ids is not None:
        query = query.where(col(PollBallot.poll_id).in_(list(poll_ids)))
    return set(db.exec(query).all())


def tally(db: Session, *, poll: Poll) -> tuple[int, dict[int, int]]:
    """How many residents voted, and how many chose each option (by option id)."""
    assert poll.id is not None
    total = int(
        db.exec(
            select(func.count()).select_from(PollBallot).where(PollBallot.poll_id == poll.id)
        ).one()
    )
    counts: dict[int, int] = {
        option_id: int(n)
        for option_id, n in db.exec(
            select(PollChoice.option_id, func.count())
            .where(PollChoice.poll_id == poll.id)
            .group_by(col(PollChoice.option_id))
        ).all()
    }
    return total, counts


def published_by_ids(db: Session, *, ids: list[int]) -> list[Poll]:
    if not ids:
        return []
    return list(db.exec(select(Poll).where(col(Poll.id).in_(ids), Poll.state == "published")).all())


def list_for_resident(
    db: Session, *, user: User, scope: PollScopeLit, now: datetime | None = None
) -> list[Poll]:
    """Published polls for the resident's districts (and whole-city ones) in one time scope;
    polls they voted in always count as theirs."""
    assert user.id is not None
    now = now or utcnow()
    query = select(Poll).where(Poll.state == "published")
    if scope == "open":
        query = query.where(col(Poll.opens_at) <= now, col(Poll.closes_at) > now).order_by(
            col(Poll.closes_at), col(Poll.id)
        )
    elif scope == "upcoming":
        query = query.where(col(Poll.opens_at) > now).order_by(col(Poll.opens_at), col(Poll.id))
    else:
        query = (
            query.where(col(Poll.closes_at) <= now)
            .order_by(col(Poll.closes_at).desc(), col(Poll.id).desc())
            .limit(CLOSED_LIST_LIMIT * 5)
        )
    rows = db.exec(query).all()
    districts = user_districts(db, user=user)
    voted = voted_polls(db, user_id=user.id, poll_ids=[p.id for p in rows if p.id is not None])
    mine = [p for p in rows if in_scope(p, districts) or p.id in voted]
    return mine[:CLOSED_LIST_LIMIT] if scope == "closed" else mine


def all_polls(db: Session) -> list[Poll]:
    return list(db.exec(select(Poll).order_by(col(Poll.id).desc())).all())


# ---------------------------------------------------------------- operator writes


def _checked(data: PollIn) -> tuple[int, list[tuple[str, str]], list[str]]:
    """Validated max_choices, cleaned option texts and districts; 422 on any problem."""
    unknown = [d for d in data.districts if d not in DISTRICT_NAMES]
    if unknown:
        raise ApiError(422, "unknown_district", details={"district": unknown[0]})
    if data.closes_at <= data.opens_at:
        raise ApiError(422, "poll_dates_invalid")
    count = len(data.options)
    if data.multiple:
        max_choices = data.max_choices if data.max_choices is not None else count
    else:
        max_choices = data.max_choices if data.max_choices is not None else 1
        if max_choices != 1:
            raise ApiError(422, "poll_max_choices_invalid", details={"options": count})
    if not 1 <= max_choices <= count:
        raise ApiError(422, "poll_max_choices_invalid", details={"options": count})
    options = [
        (
            clean_text(o.text_kk, max_len=300, field=f"options.{i}.text_kk"),
            clean_text(o.text_ru, max_len=300, field=f"options.{i}.text_ru"),
        )
        for i, o in enumerate(data.options)
    ]
    return max_choices, options, list(dict.fromkeys(data.districts))


def _fill(db: Session, *, poll: Poll, data: PollIn) -> Poll:
    max_choices, options, districts = _checked(data)
    poll.question_kk = clean_text(data.question_kk, max_len=1000, field="question_kk")
    poll.question_ru = clean_text(data.question_ru, max_len=1000, field="question_ru")
    poll.multiple = data.multiple
    poll.max_choices = max_choices
    poll.opens_at = data.opens_at
    poll.closes_at = data.closes_at
    poll.districts = districts
    poll.updated_at = utcnow()
    db.add(poll)
    db.flush()
    assert poll.id is not None
    db.exec(delete(PollOption).where(col(PollOption.poll_id) == poll.id))
    for position, (text_kk, text_ru) in enumerate(options):
        db.add(PollOption(poll_id=poll.id, position=position, text_kk=text_kk, text_ru=text_ru))
    db.flush()
    return poll


def create_poll(db: Session, *, operator: User, data: PollIn) -> Poll:
    """A new draft; the caller commits."""
    poll = Poll(question_kk="", question_ru="", created_by=operator.id)
    return _fill(db, poll=poll, data=data)


def update_draft(db: Session, *, poll: Poll, data: PollIn) -> Poll:
    if poll.state != "draft":
        raise ApiError(409, "poll_not_draft")
    return _fill(db, poll=poll, data=data)


def delete_draft(db: Session, *, poll: Poll) -> None:
    if poll.state != "draft":
        raise ApiError(409, "poll_not_draft")
    db.exec(delete(PollOption).where(col(PollOption.poll_id) == poll.id))
    db.delete(poll)


def publish(db: Session, *, poll: Poll) -> Poll:
    """Make a draft public (publishing twice changes nothing)."""
    if poll.state == "published":
        return poll
    now = utcnow()
    poll.state = "published"
    poll.published_at = now
    poll.updated_at = now
    db.add(poll)
    assert poll.id is not None
    feed.record(db, user_id=None, entity=FEED_ENTITY, entity_id=poll.id)
    return poll


def close(db: Session, *, poll: Poll) -> Poll:
    """End voting now (a published poll only; closing a closed poll changes nothing)."""
    if poll.state != "published":
        raise ApiError(409, "poll_not_published")
    now = utcnow()
    if poll.closes_at <= now:
        return poll
    poll.closes_at = now
    poll.opens_at = min(poll.opens_at, now)
    poll.updated_at = now
    db.add(poll)
    assert poll.id is not None
    feed.record(db, user_id=None, entity=FEED_ENTITY, entity_id=poll.id)
    return poll


# ---------------------------------------------------------------- voting


def _same_or_conflict(existing: list[int], wanted: list[int]) -> None:
    if set(existing) != set(wanted):
        raise ApiError(409, "already_voted")


def cast_vote(db: Session, *, user: User, poll: Poll, data: VoteIn) -> None:
    """One ballot per resident. The same choice again is a harmless retry; another choice after
    voting is 409 already_voted. The caller commits."""
    assert poll.id is not None and user.id is not None
    wanted = list(dict.fromkeys(data.option_ids))
    existing = my_vote(db, poll_id=poll.id, user_id=user.id)
    if existing is not None:
        _same_or_conflict(existing, wanted)
        return
    if poll_status(poll, utcnow()) != "open":
        raise ApiError(409, "poll_closed")
    if not in_scope(poll, user_districts(db, user=user)):
        raise ApiError(403, "poll_not_in_district")
    known = {o.id for o in options_of(db, poll_id=poll.id)}
    foreign = [i for i in wanted if i not in known]
    if foreign:
        raise ApiError(422, "poll_option_invalid", details={"option_id": foreign[0]})
    if len(wanted) > poll.max_choices:
        raise ApiError(422, "too_many_choices", details={"max_choices": poll.max_choices})
    poll_id, user_id = poll.id, user.id
    ballot = PollBallot(poll_id=poll_id, user_id=user_id, client_id=data.client_id)
    if not add_once(db, row=ballot):  # a concurrent twin voted first
        existing = my_vote(db, poll_id=poll_id, user_id=user_id)
        if existing is None:
            raise ApiError(409, "idempotency_in_progress")
        _same_or_conflict(existing, wanted)
        return
    assert ballot.id is not None
    for option_id in wanted:
        db.add(PollChoice(ballot_id=ballot.id, poll_id=poll_id, option_id=option_id))
    feed.record(db, user_id=user_id, entity=FEED_ENTITY, entity_id=poll_id)
