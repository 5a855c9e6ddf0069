"""API shapes of emergency alerts (CAP 1.2) and of the resident's last known position."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from backend_stub.schemas.common import Iso, StrictIn
from backend_stub.text import CleanLine, CleanText

CapStatusLit = Literal["Actual", "Exercise", "System", "Test", "Draft"]
MsgTypeLit = Literal["Alert", "Update", "Cancel"]
CategoryLit = Literal[
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
]
ResponseTypeLit = Literal[
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"
]
UrgencyLit = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
SeverityLit = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
CertaintyLit = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
AlertStateLit = Literal["active", "expired", "superseded", "cancelled"]
# a polygon of MAX_POLYGON_POINTS "lat,lon" pairs at full precision, with spaces
MAX_POLYGON_CHARS = 500 * 48


class AlertTextIn(StrictIn):
    """The part of a CAP `info` block written in one language."""

    event: Annotated[str, CleanLine(200)] = Field(examples=["Су тасқыны"])
    headline: Annotated[str, CleanLine(200)]
    description: Annotated[str, CleanText(4000)]
    instruction: Annotated[str, CleanText(4000)] = Field(description="what to do, step by step")
    sender_name: Annotated[str, CleanLine(200, min_len=0)] | None = None
    contact: Annotated[str, CleanText(300, min_len=0)] | None = None


class AlertAreaIn(StrictIn):
    """One CAP `area`: a description in both languages and at least one of polygons (closed
    rings "lat,lon lat,lon ..."), circles ("lat,lon radius_km") or Astana districts."""

    desc: dict[Annotated[str, CleanLine(16, min_len=0)], Annotated[str, CleanText(300)]] = Field(
        description='{"kk": ..., "ru": ...}', examples=[{"kk": "Есіл ауданы", "ru": "район Есиль"}]
    )
    polygons: list[Annotated[str, CleanText(MAX_POLYGON_CHARS)]] = Field(
        default_factory=list, max_length=20
    )
    circles: list[Annotated[str, CleanLine(100)]] = Field(default_factory=list, max_length=20)
    districts: list[Annotated[str, CleanLine(60)]] = Field(default_factory=list, max_length=10)


class AlertIn(StrictIn):
    """A new alert, or the full new content of an update. Both `texts.kk` and `texts.ru` are
    required; they become the two CAP `info` blocks (kk-KZ and ru-RU)."""

    status: CapStatusLit = "Actual"
    category: list[CategoryLit] = Field(min_length=1, max_length=12, examples=[["Met"]])
    response_type: list[ResponseTypeLit] = Field(default_factory=list, max_length=9)
    urgency: UrgencyLit
    severity: SeverityLit
    certainty: CertaintyLit
    effective: Iso | None = None
    onset: Iso | None = None
    expires: Iso
    web: Annotated[str, CleanLine(500, pattern=r"^https?://\S+$")] | None = None
    texts: dict[Annotated[str, CleanLine(16, min_len=0)], AlertTextIn]
    areas: list[AlertAreaIn] = Field(min_length=1, max_length=20)


class AlertCancelIn(StrictIn):
    note: Annotated[str, CleanText(1000, min_len=0)] | None = Field(
        default=None, description="why it is withdrawn"
    )


class AlertTextOut(BaseModel):
    event: str
    headline: str
    description: str
    instruction: str
    sender_name: str
    contact: str | None


class CircleOut(BaseModel):
    lat: float
    lon: float
    radius_km: float


class AlertAreaOut(BaseModel):
    desc: dict[str, str]
    polygons: list[list[tuple[float, float]]]
    circles: list[CircleOut]
    districts: list[str]


class AlertOut(BaseModel):
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: list[str] = Field(description='earlier messages as "sender,identifier,sent"')
    note: str | None
    exercise: bool = Field(description="a drill (CAP status Exercise), not a real emergency")
    state: AlertStateLit
    superseded_by: str | None
    category: list[str]
    response_type: list[str]
    urgency: str
    severity: str
    certainty: str
    effective: datetime
    onset: datetime | None
    expires: datetime
    web: str | None
    texts: dict[str, AlertTextOut]
    areas: list[AlertAreaOut]
    cap_url: str
    reasons: list[str] = Field(
        default_factory=list,
        description='why the caller gets it: "address:{id}", "position", "district:{code}", "city"',
    )


class AlertList(BaseModel):
    items: list[AlertOut]


class OperatorAlertPage(BaseModel):
    items: list[AlertOut]
    next_before_id: int | None


class PositionIn(StrictIn):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


class PositionOut(BaseModel):
    lat: float
    lon: float
    accuracy_m: float | None
    district: str | None
    at: datetime
    alerts: list[str] = Field(description="identifiers of current alerts this position is in")
