"""What residents and operators see of polls: `PollOut` (the resident's vote, and results once
voted or closed), `OperatorPollOut`, the results, and the sync-feed rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from backend_stub.crud.participation import user_districts
from backend_stub.crud.polls import (
    in_scope,
    my_vote,
    options_of,
    poll_status,
    published_by_ids,
    tally,
    voted_polls,
)
from backend_stub.models import Poll, PollOption, User, utcnow
from backend_stub.schemas.participation import (
    OperatorPollOut,
    OptionResult,
    PollOptionOut,
    PollOut,
    PollResults,
    PollStatusLit,
)


def results_out(db: Session, poll: Poll, options: list[PollOption] | None = None) -> PollResults:
    """Counts and shares per option; the share is of the residents who voted."""
    assert poll.id is not None
    options = options if options is not None else options_of(db, poll_id=poll.id)
    total, counts = tally(db, poll=poll)
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
    options = options_of(db, poll_id=poll.id)
    vote = my_vote(db, poll_id=poll.id, user_id=user.id)
    if districts is None:
        districts = user_districts(db, user=user)
    show = vote is not None or status == "closed"
    return PollOut(
        **_base(poll, options, status),
        my_vote=vote,
        results=results_out(db, poll, options) if show else None,
        can_vote=status == "open" and vote is None and in_scope(poll, districts),
    )


def operator_poll_out(db: Session, poll: Poll, *, now: datetime | None = None) -> OperatorPollOut:
    assert poll.id is not None
    options = options_of(db, poll_id=poll.id)
    return OperatorPollOut(
        **_base(poll, options, poll_status(poll, now or utcnow())),
        my_vote=None,
        results=results_out(db, poll, options),
        can_vote=False,
        state=poll.state,
        created_at=poll.created_at,
        published_at=poll.published_at,
    )


def sync_rows(db: Session, user: User, ids: list[str], *, lang: str) -> list[dict[str, Any]]:
    """The sync loader: published polls of the resident's districts or voted in, as they see
    them. Others' district polls are left out."""
    assert user.id is not None
    wanted = [int(i) for i in ids if i.isdigit()]
    rows = published_by_ids(db, ids=wanted)
    if not rows:
        return []
    districts = user_districts(db, user=user)
    voted = voted_polls(db, user_id=user.id, poll_ids=wanted)
    now = utcnow()
    return [
        poll_out(db, p, user, now=now, districts=districts).model_dump(mode="json")
        for p in rows
        if in_scope(p, districts) or p.id in voted
    ]
