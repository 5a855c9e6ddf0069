"""Public participation (Appendix 2): polls and their ballots, the akimat's initiatives, and
residents' proposals with their photos and supports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend_stub.models.base import ts_field, ts_field_opt


class Poll(SQLModel, table=True):
    """A poll; `state` is draft | published, and open/closed follows from opens_at/closes_at."""

    id: int | None = Field(default=None, primary_key=True)
    question_kk: str = Field(sa_column=Column(Text, nullable=False))
    question_ru: str = Field(sa_column=Column(Text, nullable=False))
    multiple: bool = False
    max_choices: int = 1
    opens_at: datetime = ts_field(index=True)
    closes_at: datetime = ts_field(index=True)
    districts: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # [] = whole city
    state: str = Field(default="draft", index=True, max_length=16)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()
    published_at: datetime | None = ts_field_opt()


class PollOption(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    position: int = 0
    text_kk: str = Field(max_length=300)
    text_ru: str = Field(max_length=300)


class PollBallot(SQLModel, table=True):
    """One resident's vote in one poll (the unique pair is what makes it one vote)."""

    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    client_id: str = Field(max_length=64)
    created_at: datetime = ts_field()


class PollChoice(SQLModel, table=True):
    """An option chosen on a ballot; counted per option for the results."""

    __table_args__ = (UniqueConstraint("ballot_id", "option_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="pollballot.id", index=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    option_id: int = Field(foreign_key="polloption.id", index=True)


class Initiative(SQLModel, table=True):
    """An initiative of the local executive body; residents support it."""

    id: int | None = Field(default=None, primary_key=True)
    title_kk: str = Field(max_length=300)
    title_ru: str = Field(max_length=300)
    description_kk: str = Field(sa_column=Column(Text, nullable=False))
    description_ru: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="proposed", index=True, max_length=16)
    support_count: int = 0
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class InitiativeSupport(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("initiative_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = ts_field()


class Proposal(SQLModel, table=True):
    """A resident's proposal; others see it once a moderator published it."""

    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    client_id: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    category: str = Field(index=True, max_length=32)
    lat: float | None = None
    lon: float | None = None
    address: str | None = Field(default=None, max_length=300)
    district: str | None = Field(default=None, max_length=60)
    state: str = Field(default="pending", index=True, max_length=16)  # pending|published|rejected
    moderator_note: str | None = Field(default=None, sa_column=Column(Text))
    moderated_by: int | None = Field(default=None, foreign_key="user.id")
    moderated_at: datetime | None = ts_field_opt()
    support_count: int = 0
    created_at: datetime = ts_field(index=True)
    updated_at: datetime = ts_field()


class ProposalMedia(SQLModel, table=True):
    """A photo of a proposal (media files themselves attach only to appeals and messages)."""

    media_id: str = Field(primary_key=True, foreign_key="mediafile.id", max_length=32)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    position: int = 0


class ProposalSupport(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = ts_field()
