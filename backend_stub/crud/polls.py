"""Polls: drafting and publishing, district scope, one ballot per resident, results.

A poll is `draft` or `published`; whether it is upcoming, open or closed follows from its
opens_at/closes_at (closing early moves closes_at to now). A resident sees the results once they
voted or the poll closed. The sync feed gets a public row when a poll is published or closed and
a row for the voter when they vote.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from backend_stub.crud import feed
from backend_stub.crud.participation import add_once, user_districts
from backend_stub.errors import ApiError
from backend_stub.geo import DISTRICT_NAMES
from backend_stub.models import Poll, PollBallot, PollChoice, PollOption, User, utcnow
from backend_stub.schemas.participation import (
    OperatorPollOut,
    OptionResult,
    PollIn,
    PollOptionOut,
    PollOut,
    PollResults,
    PollScopeLit,
    PollStatusLit,
    VoteIn,
)
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


def options_of(db: Session, poll_id: int) -> list[PollOption]:
    return list(
        db.exec(
            select(PollOption)
            .where(PollOption.poll_id == poll_id)
            .order_by(col(PollOption.position), col(PollOption.id))
        ).all()
    )


def get_poll(db: Session, poll_id: int, *, published_only: bool = True) -> Poll:
    poll = db.get(Poll, poll_id)
    if poll is None or (published_only and poll.state != "published"):
        raise ApiError(404, "not_found")
    return poll


def my_vote(db: Session, poll_id: int, user_id: int) -> list[int] | None:
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


def voted_polls(db: Session, user_id: int, poll_ids: Iterable[int] | None = None) -> set[int]:
    query = select(PollBallot.poll_id).where(PollBallot.user_id == user_id)
    if poll_ids is not None:
        query = query.where(col(PollBallot.poll_id).in_(list(poll_ids)))
    return set(db.exec(query).all())


def results(db: Session, poll: Poll, options: list[PollOption] | None = None) -> PollResults:
    """Counts and shares per option; the share is of the residents who voted."""
    assert poll.id is not None
    options = options if options is not None else options_of(db, poll.id)
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
    rows = []
    for option in options:
        assert option.id is not None
        count = counts.get(option.id, 0)
        rows.append(
            OptionResult(
                option_id=option.id, count=count, share=round(count / total, 4) if total else 0.0
            )
        )
    return PollResults(total=total, options=rows)


def _base(poll: Poll, options: list[PollOption], status: PollStatusLit) -> dict[str, Any]:
    assert poll.id is not None
    return {
        "id": poll.id,
        "question_kk": poll.question_kk,
        "question_ru": poll.question_ru,
        "multiple": poll.multiple,
        "max_choices": poll.max_choices,
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
        "districts": list(poll.districts),
        "status": status,
        "options": [
            PollOptionOut(id=o.id or 0, text_kk=o.text_kk, text_ru=o.text_ru) for o in options
        ],
    }


def poll_out(
    db: Session,
    poll: Poll,
    user: User,
    *,
    now: datetime | None = None,
    districts: set[str] | None = None,
) -> PollOut:
    """The poll as this resident sees it: their vote, and results only once voted or closed."""
    assert poll.id is not None and user.id is not None
    now = now or utcnow()
    status = poll_status(poll, now)
    options = options_of(db, poll.id)
    vote = my_vote(db, poll.id, user.id)
    if districts is None:
        districts = user_districts(db, user)
    show = vote is not None or status == "closed"
    return PollOut(
        **_base(poll, options, status),
        my_vote=vote,
        results=results(db, poll, options) if show else None,
        can_vote=status == "open" and vote is None and in_scope(poll, districts),
    )


def operator_poll_out(db: Session, poll: Poll, *, now: datetime | None = None) -> OperatorPollOut:
    assert poll.id is not None
    options = options_of(db, poll.id)
    return OperatorPollOut(
        **_base(poll, options, poll_status(poll, now or utcnow())),
        my_vote=None,
        results=results(db, poll, options),
        can_vote=False,
        state=poll.state,
        created_at=poll.created_at,
        published_at=poll.published_at,
    )


def list_for_resident(
    db: Session, user: User, scope: PollScopeLit, *, now: datetime | None = None
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
    districts = user_districts(db, user)
    voted = voted_polls(db, user.id, [p.id for p in rows if p.id is not None])
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


def _fill(db: Session, poll: Poll, data: PollIn) -> Poll:
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


def create_poll(db: Session, operator: User, data: PollIn) -> Poll:
    """A new draft; the caller commits."""
    poll = Poll(question_kk="", question_ru="", created_by=operator.id)
    return _fill(db, poll, data)


def update_draft(db: Session, poll: Poll, data: PollIn) -> Poll:
    if poll.state != "draft":
        raise ApiError(409, "poll_not_draft")
    return _fill(db, poll, data)


def delete_draft(db: Session, poll: Poll) -> None:
    if poll.state != "draft":
        raise ApiError(409, "poll_not_draft")
    db.exec(delete(PollOption).where(col(PollOption.poll_id) == poll.id))
    db.delete(poll)


def publish(db: Session, poll: Poll) -> Poll:
    """Make a draft public (publishing twice changes nothing)."""
    if poll.state == "published":
        return poll
    now = utcnow()
    poll.state = "published"
    poll.published_at = now
    poll.updated_at = now
    db.add(poll)
    assert poll.id is not None
    feed.record(db, None, FEED_ENTITY, poll.id)
    return poll


def close(db: Session, poll: Poll) -> Poll:
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
    feed.record(db, None, FEED_ENTITY, poll.id)
    return poll


# ---------------------------------------------------------------- voting


def _same_or_conflict(existing: list[int], wanted: list[int]) -> None:
    if set(existing) != set(wanted):
        raise ApiError(409, "already_voted")


def cast_vote(db: Session, user: User, poll: Poll, data: VoteIn) -> None:
    """One ballot per resident. The same choice again is a harmless retry; another choice after
    voting is 409 already_voted. The caller commits."""
    assert poll.id is not None and user.id is not None
    wanted = list(dict.fromkeys(data.option_ids))
    existing = my_vote(db, poll.id, user.id)
    if existing is not None:
        _same_or_conflict(existing, wanted)
        return
    if poll_status(poll, utcnow()) != "open":
        raise ApiError(409, "poll_closed")
    if not in_scope(poll, user_districts(db, user)):
        raise ApiError(403, "poll_not_in_district")
    known = {o.id for o in options_of(db, poll.id)}
    foreign = [i for i in wanted if i not in known]
    if foreign:
        raise ApiError(422, "poll_option_invalid", details={"option_id": foreign[0]})
    if len(wanted) > poll.max_choices:
        raise ApiError(422, "too_many_choices", details={"max_choices": poll.max_choices})
    poll_id, user_id = poll.id, user.id
    ballot = PollBallot(poll_id=poll_id, user_id=user_id, client_id=data.client_id)
    if not add_once(db, ballot):  # a concurrent twin voted first
        existing = my_vote(db, poll_id, user_id)
        if existing is None:
            raise ApiError(409, "idempotency_in_progress")
        _same_or_conflict(existing, wanted)
        return
    assert ballot.id is not None
    for option_id in wanted:
        db.add(PollChoice(ballot_id=ballot.id, poll_id=poll_id, option_id=option_id))
    feed.record(db, user_id, FEED_ENTITY, poll_id)


# ---------------------------------------------------------------- sync feed


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """The sync loader: published polls of the resident's districts or voted in, as they see
    them. Others' district polls are left out."""
    assert user.id is not None
    wanted = [int(i) for i in ids if i.isdigit()]
    if not wanted:
        return []
    rows = db.exec(select(Poll).where(col(Poll.id).in_(wanted), Poll.state == "published")).all()
    districts = user_districts(db, user)
    voted = voted_polls(db, user.id, wanted)
    now = utcnow()
    return [
        poll_out(db, p, user, now=now, districts=districts).model_dump(mode="json")
        for p in rows
        if in_scope(p, districts) or p.id in voted
    ]
