"""Residents' proposals: submit (idempotently), read, support; operators moderate them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import FileResponse, JSONResponse

from backend_stub.crud import proposals as crud
from backend_stub.deps import CurrentOperator, CurrentUser, DbDep, SettingsDep
from backend_stub.presenters.idempotent import answer_once
from backend_stub.presenters.media import file_response
from backend_stub.presenters.proposals import operator_out, outs_for, proposal_out
from backend_stub.schemas.common import BeforeIdQuery, IdPath
from backend_stub.schemas.participation import (
    CATEGORY_NAMES,
    PROPOSAL_CATEGORIES,
    CategoryOut,
    ModerationIn,
    OperatorProposalOut,
    OperatorProposalPage,
    ProposalCategoryLit,
    ProposalIn,
    ProposalOut,
    ProposalPage,
    ProposalStateLit,
)

router = APIRouter(prefix="/api/v1", tags=["participation"])

IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]
Limit = Annotated[int, Query(ge=1, le=100)]
BeforeId = BeforeIdQuery


@router.get("/proposals/categories", response_model=list[CategoryOut])
def categories() -> list[CategoryOut]:
    """Proposal categories with their Kazakh and Russian names."""
    return [
        CategoryOut(code=c, name_kk=CATEGORY_NAMES[c]["kk"], name_ru=CATEGORY_NAMES[c]["ru"])
        for c in PROPOSAL_CATEGORIES
    ]


@router.post("/proposals", response_model=ProposalOut, status_code=201)
def create(body: ProposalIn, user: CurrentUser, db: DbDep, key: IdemKey = None) -> JSONResponse:
    """Submit a proposal for moderation. Retrying with the same client_id (or Idempotency-Key)
    returns the first result; the same key with a different body is 422."""
    assert user.id is not None

    return answer_once(
        db,
        user_id=user.id,
        key=key or f"proposal:{body.client_id}",
        scope="proposals.create",
        payload=body.model_dump(mode="json"),
        answer=lambda: proposal_out(
            db, crud.create_proposal(db, user=user, data=body), user, supported=False
        ),
    )


@router.get("/proposals", response_model=ProposalPage)
def list_proposals(
    user: CurrentUser,
    db: DbDep,
    mine: bool = False,
    category: ProposalCategoryLit | None = None,
    before_id: BeforeId = None,
    limit: Limit = 30,
) -> ProposalPage:
    """Published proposals and the caller's own (any state), newest first; `mine` for only
    the caller's own."""
    rows = crud.list_visible(
        db, user=user, mine=mine, category=category, before_id=before_id, limit=limit
    )
    return ProposalPage(
        items=outs_for(db, user, rows),
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )


@router.get("/proposals/{proposal_id}", response_model=ProposalOut)
def get_proposal(proposal_id: IdPath, user: CurrentUser, db: DbDep) -> ProposalOut:
    return proposal_out(db, crud.visible_proposal(db, user=user, proposal_id=proposal_id), user)


@router.get(
    "/proposals/{proposal_id}/photos/{media_id}",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def photo(
    proposal_id: IdPath, media_id: str, user: CurrentUser, db: DbDep, settings: SettingsDep
) -> FileResponse:
    """A photo of a proposal the caller may see (published, or their own)."""
    return file_response(
        settings, crud.photo_of(db, user=user, proposal_id=proposal_id, media_id=media_id)
    )


@router.post("/proposals/{proposal_id}/support", response_model=ProposalOut)
def support(proposal_id: IdPath, user: CurrentUser, db: DbDep) -> ProposalOut:
    """Support a published proposal once; again is a harmless retry."""
    proposal = crud.support(
        db, user=user, proposal=crud.visible_proposal(db, user=user, proposal_id=proposal_id)
    )
    db.commit()
    return proposal_out(db, proposal, user, supported=True)


@router.delete("/proposals/{proposal_id}/support", response_model=ProposalOut)
def withdraw(proposal_id: IdPath, user: CurrentUser, db: DbDep) -> ProposalOut:
    proposal = crud.withdraw(
        db, user=user, proposal=crud.visible_proposal(db, user=user, proposal_id=proposal_id)
    )
    db.commit()
    return proposal_out(db, proposal, user, supported=False)


# ---------------------------------------------------------------- operator


@router.get("/operator/proposals", response_model=OperatorProposalPage)
def operator_list(
    op: CurrentOperator,
    db: DbDep,
    state: ProposalStateLit | None = None,
    before_id: BeforeId = None,
    limit: Limit = 50,
) -> OperatorProposalPage:
    rows = crud.list_for_operator(db, state=state, before_id=before_id, limit=limit)
    return OperatorProposalPage(
        items=[operator_out(db, p) for p in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )


@router.post("/operator/proposals/{proposal_id}/moderate", response_model=OperatorProposalOut)
def moderate(
    proposal_id: IdPath, body: ModerationIn, op: CurrentOperator, db: DbDep
) -> OperatorProposalOut:
    """Publish or reject (a rejection needs a note for the author)."""
    proposal = crud.moderate(
        db, operator=op, proposal=crud.get_proposal(db, proposal_id=proposal_id), data=body
    )
    db.commit()
    return operator_out(db, proposal)
