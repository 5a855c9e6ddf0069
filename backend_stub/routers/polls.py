"""Polls: residents list, read and vote (once); operators draft, publish, close, see results."""

from __future__ import annotations

from fastapi import APIRouter, Response

from backend_stub.crud import polls as crud
from backend_stub.deps import CurrentOperator, CurrentUser, DbDep
from backend_stub.presenters.polls import operator_poll_out, poll_out
from backend_stub.schemas.common import IdPath
from backend_stub.schemas.participation import (
    OperatorPollOut,
    PollIn,
    PollOut,
    PollScopeLit,
    VoteIn,
)

router = APIRouter(prefix="/api/v1", tags=["participation"])


@router.get("/polls", response_model=list[PollOut])
def list_polls(user: CurrentUser, db: DbDep, scope: PollScopeLit = "open") -> list[PollOut]:
    """Polls for the resident's districts (from saved addresses and notification districts) and
    whole-city polls: open now (default), closed, or upcoming."""
    polls = crud.list_for_resident(db, user=user, scope=scope)
    districts = crud.user_districts(db, user=user)
    return [poll_out(db, p, user, districts=districts) for p in polls]


@router.get("/polls/{poll_id}", response_model=PollOut)
def get_poll(poll_id: IdPath, user: CurrentUser, db: DbDep) -> PollOut:
    """A published poll; `my_vote` and `results` appear once the resident voted or it closed."""
    return poll_out(db, crud.get_poll(db, poll_id=poll_id), user)


@router.post("/polls/{poll_id}/vote", response_model=PollOut)
def vote(poll_id: IdPath, body: VoteIn, user: CurrentUser, db: DbDep) -> PollOut:
    """Vote once. The same choice again answers 200 as before; another choice after voting is
    409 already_voted; a poll not open now is 409 poll_closed; an option of another poll 422."""
    crud.cast_vote(db, user=user, poll=crud.get_poll(db, poll_id=poll_id), data=body)
    db.commit()
    return poll_out(db, crud.get_poll(db, poll_id=poll_id), user)


# ---------------------------------------------------------------- operator


@router.get("/operator/polls", response_model=list[OperatorPollOut])
def operator_list(op: CurrentOperator, db: DbDep) -> list[OperatorPollOut]:
    return [operator_poll_out(db, p) for p in crud.all_polls(db)]


@router.post("/operator/polls", response_model=OperatorPollOut, status_code=201)
def operator_create(body: PollIn, op: CurrentOperator, db: DbDep) -> OperatorPollOut:
    """A new draft poll; residents see it once published."""
    poll = crud.create_poll(db, operator=op, data=body)
    db.commit()
    return operator_poll_out(db, poll)


@router.get("/operator/polls/{poll_id}", response_model=OperatorPollOut)
def operator_get(poll_id: IdPath, op: CurrentOperator, db: DbDep) -> OperatorPollOut:
    return operator_poll_out(db, crud.get_poll(db, poll_id=poll_id, published_only=False))


@router.put("/operator/polls/{poll_id}", response_model=OperatorPollOut)
def operator_update(
    poll_id: IdPath, body: PollIn, op: CurrentOperator, db: DbDep
) -> OperatorPollOut:
    """Rewrite a draft (a published poll is 409 poll_not_draft)."""
    poll = crud.update_draft(
        db, poll=crud.get_poll(db, poll_id=poll_id, published_only=False), data=body
    )
    db.commit()
    return operator_poll_out(db, poll)


@router.delete("/operator/polls/{poll_id}", status_code=204)
def operator_delete(poll_id: IdPath, op: CurrentOperator, db: DbDep) -> Response:
    crud.delete_draft(db, poll=crud.get_poll(db, poll_id=poll_id, published_only=False))
    db.commit()
    return Response(status_code=204)


@router.post("/operator/polls/{poll_id}/publish", response_model=OperatorPollOut)
def operator_publish(poll_id: IdPath, op: CurrentOperator, db: DbDep) -> OperatorPollOut:
    poll = crud.publish(db, poll=crud.get_poll(db, poll_id=poll_id, published_only=False))
    db.commit()
    return operator_poll_out(db, poll)


@router.post("/operator/polls/{poll_id}/close", response_model=OperatorPollOut)
def operator_close(poll_id: IdPath, op: CurrentOperator, db: DbDep) -> OperatorPollOut:
    """End voting now; residents then see the results."""
    poll = crud.close(db, poll=crud.get_poll(db, poll_id=poll_id, published_only=False))
    db.commit()
    return operator_poll_out(db, poll)
