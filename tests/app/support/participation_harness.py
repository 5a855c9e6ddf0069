"""The participation and profile side of the app against the real backend in-process (with
faults on the wire): the appeals harness's client plus the participation and profile
repositories, registered with the sync engine by the composition root's own builder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from app.composition.cabinet import participation_repository
from app.data.repositories.profile import ProfileRepository
from app.data.services.profile_api import ProfileApi
from app.domain.participation import NewProposal
from backend_stub.models import (
    Address,
    InitiativeSupport,
    PollBallot,
    PollChoice,
    Proposal,
    User,
)
from tests.app.support.sync_harness import Client, FakeClock, Server


class ParticipationClient(Client):
    def _open(self) -> None:
        super()._open()
        self.profile = ProfileRepository(self.db, ProfileApi(self.api), self.outbox)
        self.participation = participation_repository(
            self.db, self.api, self.outbox, self.sync, self.profile
        )


async def operator(server: Server) -> dict[str, str]:
    """The operator's headers, signed in once per server (codes have a resend cooldown)."""
    headers: dict[str, str] | None = getattr(server, "_operator_headers", None)
    if headers is None:
        headers = await server.operator()
        server._operator_headers = headers  # type: ignore[attr-defined]
    return headers


async def make_client(server: Server, folder: Path) -> tuple[str, ParticipationClient]:
    phone, access, refresh = await server.sign_in()
    return phone, ParticipationClient(server, folder, (access, refresh), FakeClock())


async def create_poll(
    server: Server,
    *,
    multiple: bool = False,
    max_choices: int | None = None,
    options: int = 3,
    districts: list[str] | None = None,
) -> int:
    """A published poll open now (the server's real clock)."""
    op = await operator(server)
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "question_kk": "Қай саябақты абаттандыру керек?",
        "question_ru": "Какой парк благоустроить?",
        "options": [{"text_kk": f"Нұсқа {i}", "text_ru": f"Вариант {i}"} for i in range(options)],
        "multiple": multiple,
        "max_choices": max_choices,
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=10)).isoformat(),
        "districts": districts or [],
    }
    r = await server.call("POST", "/api/v1/operator/polls", op, body)
    assert r.status_code == 201, r.text
    poll_id = int(r.json()["id"])
    r = await server.call("POST", f"/api/v1/operator/polls/{poll_id}/publish", op)
    assert r.status_code == 200, r.text
    return poll_id


async def close_poll(server: Server, poll_id: int) -> None:
    op = await operator(server)
    r = await server.call("POST", f"/api/v1/operator/polls/{poll_id}/close", op)
    assert r.status_code == 200, r.text


async def create_initiative(server: Server, state: str = "proposed") -> int:
    op = await operator(server)
    body = {
        "title_kk": "Жағалауды көгалдандыру",
        "title_ru": "Озеленение набережной",
        "description_kk": "Ағаштар отырғызылады.",
        "description_ru": "Высадят деревья.",
        "state": state,
    }
    r = await server.call("POST", "/api/v1/operator/initiatives", op, body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def user_id(server: Server, phone: str) -> int:
    with server.db() as db:
        user = db.exec(select(User).where(User.phone == phone)).one()
        assert user.id is not None
        return user.id


def ballots(server: Server, poll_id: int) -> list[tuple[int, list[int]]]:
    """(user id, chosen option ids) of every ballot of the poll, on the server."""
    with server.db() as db:
        rows = db.exec(select(PollBallot).where(PollBallot.poll_id == poll_id)).all()
        out = []
        for b in rows:
            chosen = db.exec(select(PollChoice.option_id).where(PollChoice.ballot_id == b.id)).all()
            out.append((b.user_id, sorted(chosen)))
        return out


def supporters(server: Server, initiative_id: int) -> list[int]:
    with server.db() as db:
        return list(
            db.exec(
                select(InitiativeSupport.user_id).where(
                    InitiativeSupport.initiative_id == initiative_id
                )
            ).all()
        )


def proposals_of(server: Server, phone: str) -> list[Proposal]:
    uid = user_id(server, phone)
    with server.db() as db:
        return list(
            db.exec(
                select(Proposal).where(Proposal.user_id == uid).order_by(col(Proposal.id))
            ).all()
        )


def addresses_of(server: Server, phone: str) -> list[Address]:
    uid = user_id(server, phone)
    with server.db() as db:
        return list(
            db.exec(select(Address).where(Address.user_id == uid).order_by(col(Address.id))).all()
        )


def profile_of(server: Server, phone: str) -> User:
    with server.db() as db:
        return db.exec(select(User).where(User.phone == phone)).one()


async def published_proposal(server: Server, folder: Path, text: str) -> str:
    """Another resident's proposal, sent from their phone and published by the operator; the
    author's phone number."""
    author_phone, author = await make_client(server, folder)
    try:
        author.participation.submit_proposal(NewProposal(text=text, category="transport"))
        await author.drain()
    finally:
        await author.close()
    [proposal] = proposals_of(server, author_phone)
    op = await operator(server)
    r = await server.call(
        "POST", f"/api/v1/operator/proposals/{proposal.id}/moderate", op, {"state": "published"}
    )
    assert r.status_code == 200, r.text
    return author_phone
