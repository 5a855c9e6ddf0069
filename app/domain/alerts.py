"""Emergency alerts (CAP 1.2 as the backend sends it) as the app keeps them: parsing the
server's JSON, whether a point lies in an alert's area, and how an Update or a Cancel changes
what is in force. Plain data and pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from app.domain.geo import distance_m, point_in_ring
from app.domain.texts import lang_code
from app.domain.timestamps import parse_time, required_time

Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Tone = Literal["red", "orange", "yellow", "blue"]
AlertState = Literal["active", "expired", "superseded", "cancelled"]

SEVERITY_TONE: dict[str, Tone] = {
    "Extreme": "red",
    "Severe": "red",
    "Moderate": "orange",
    "Minor": "yellow",
    "Unknown": "blue",
}
SEVERITY_RANK: dict[str, int] = {"Extreme": 4, "Severe": 3, "Moderate": 2, "Minor": 1}


def severity_tone(severity: str) -> Tone:
    """The banner colour of a CAP severity: Extreme/Severe red, Moderate orange, Minor yellow,
    anything else blue."""
    return SEVERITY_TONE.get(severity, "blue")


@dataclass(frozen=True)
class Circle:
    lat: float
    lon: float
    radius_km: float

    def contains(self, lat: float, lon: float) -> bool:
        return distance_m((self.lat, self.lon), (lat, lon)) <= self.radius_km * 1000


@dataclass(frozen=True)
class AlertArea:
    desc: dict[str, str]
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()
    circles: tuple[Circle, ...] = ()
    districts: tuple[str, ...] = ()

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies in one of the area's polygons or circles (districts are
        names only: the server decides about those)."""
        return any(point_in_ring(lat, lon, ring) for ring in self.polygons) or any(
            c.contains(lat, lon) for c in self.circles
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertArea:
        return cls(
            desc={str(k): str(v) for k, v in (data.get("desc") or {}).items()},
            polygons=tuple(
                tuple((float(p[0]), float(p[1])) for p in ring)
                for ring in data.get("polygons") or ()
            ),
            circles=tuple(
                Circle(float(c["lat"]), float(c["lon"]), float(c["radius_km"]))
                for c in data.get("circles") or ()
            ),
            districts=tuple(str(d) for d in data.get("districts") or ()),
        )


@dataclass(frozen=True)
class AlertText:
    event: str
    headline: str
    description: str
    instruction: str
    sender_name: str = ""
    contact: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertText:
        return cls(
            event=str(data.get("event") or ""),
            headline=str(data.get("headline") or ""),
            description=str(data.get("description") or ""),
            instruction=str(data.get("instruction") or ""),
            sender_name=str(data.get("sender_name") or ""),
            contact=data.get("contact"),
        )


def referenced_identifiers(references: Iterable[str]) -> tuple[str, ...]:
    """CAP references are "sender,identifier,sent"; the identifiers they name."""
    out: list[str] = []
    for ref in references:
        parts = ref.split(",")
        ident = parts[1] if len(parts) >= 3 else ref
        ident = ident.strip()
        if ident and ident not in out:
            out.append(ident)
    return tuple(out)


@dataclass(frozen=True)
class Alert:
    """One CAP message. `state` is as the server last said, corrected locally by later
    messages that reference this one (see `apply_messages`)."""

    identifier: str
    sent: datetime
    msg_type: str  # Alert | Update | Cancel
    status: str  # Actual | Exercise
    severity: str
    urgency: str
    certainty: str
    expires: datetime
    texts: dict[str, AlertText]
    areas: tuple[AlertArea, ...]
    state: AlertState = "active"
    exercise: bool = False
    references: tuple[str, ...] = ()  # identifiers of the earlier messages of this alert
    superseded_by: str | None = None
    effective: datetime | None = None
    onset: datetime | None = None
    note: str | None = None
    category: tuple[str, ...] = ()
    response_type: tuple[str, ...] = ()
    web: str | None = None
    reasons: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        state = str(data.get("state") or "active")
        return cls(
            identifier=str(data["identifier"]),
            sent=required_time(data["sent"]),
            msg_type=str(data.get("msg_type") or "Alert"),
            status=str(data.get("status") or "Actual"),
            severity=str(data.get("severity") or "Unknown"),
            urgency=str(data.get("urgency") or "Unknown"),
            certainty=str(data.get("certainty") or "Unknown"),
            expires=required_time(data["expires"]),
            texts={
                lang_code(k): AlertText.from_json(v) for k, v in (data.get("texts") or {}).items()
            },
            areas=tuple(AlertArea.from_json(a) for a in data.get("areas") or ()),
            state=state if state in ("active", "expired", "superseded", "cancelled") else "active",  # type: ignore[arg-type]
            exercise=bool(data.get("exercise")) or data.get("status") == "Exercise",
            references=referenced_identifiers(data.get("references") or ()),
            superseded_by=data.get("superseded_by"),
            effective=parse_time(data.get("effective")),
            onset=parse_time(data.get("onset")),
            note=data.get("note"),
            category=tuple(data.get("category") or ()),
            response_type=tuple(data.get("response_type") or ()),
            web=data.get("web"),
            reasons=tuple(data.get("reasons") or ()),
            raw=dict(data),
        )

    def text(self, lang: str) -> AlertText:
        """The info block in the resident's language (the other one if it is missing)."""
        lang = lang_code(lang)
        other = "kk" if lang == "ru" else "ru"
        found = self.texts.get(lang) or self.texts.get(other)
        return found or AlertText("", self.identifier, "", "")

    def area_desc(self, lang: str) -> str:
        lang = lang_code(lang)
        return "; ".join(
            a.desc.get(lang) or next(iter(a.desc.values()), "") for a in self.areas if a.desc
        )

    @property
    def tone(self) -> Tone:
        return severity_tone(self.severity)

    @property
    def cancelled(self) -> bool:
        return self.msg_type == "Cancel" or self.state == "cancelled"

    def in_force(self, now: datetime) -> bool:
        """Shown as a current alert: not replaced, not withdrawn, not expired."""
        return self.state == "active" and self.msg_type != "Cancel" and self.expires > now

    def covers(self, lat: float, lon: float) -> bool:
        return any(area.contains(lat, lon) for area in self.areas)


def apply_messages(known: dict[str, Alert], incoming: Iterable[Alert]) -> dict[str, Alert]:
    """Merge new CAP messages into the known ones (by identifier), whatever their order.

    An Update supersedes every message it references; a Cancel withdraws them (and is itself
    kept, as the record that the alert was withdrawn). A message that a later one references
    never comes back to life when an older copy of it arrives afterwards.
    """
    merged = dict(known)
    for alert in incoming:
        merged[alert.identifier] = alert
    # Who references whom, from every message we know.
    superseded: dict[str, Alert] = {}
    for alert in merged.values():
        for ref in alert.references:
            previous = superseded.get(ref)
            if previous is None or alert.sent >= previous.sent:
                superseded[ref] = alert
    for ident, later in superseded.items():
        old = merged.get(ident)
        if old is None:
            continue
        if later.msg_type == "Cancel":
            if old.state != "cancelled":
                merged[ident] = replace(old, state="cancelled", superseded_by=later.identifier)
        elif old.state in ("active", "expired"):
            merged[ident] = replace(old, state="superseded", superseded_by=later.identifier)
    # A chain that ended in a Cancel: every message of it is withdrawn.
    for alert in list(merged.values()):
        if alert.msg_type == "Cancel" and alert.state != "cancelled":
            merged[alert.identifier] = replace(alert, state="cancelled")
    return merged


def current_alerts(alerts: Iterable[Alert], now: datetime) -> list[Alert]:
    """In force now, most severe first, then newest."""
    live = [a for a in alerts if a.in_force(now)]
    return sorted(live, key=lambda a: (-SEVERITY_RANK.get(a.severity, 0), -a.sent.timestamp()))


def recent_alerts(alerts: Iterable[Alert], now: datetime, days: float = 7) -> list[Alert]:
    """Ended lately (expired, or withdrawn — shown by their Cancel message), newest first."""
    horizon = now.timestamp() - days * 86400
    out: list[Alert] = []
    for a in alerts:
        if a.state == "superseded":
            continue
        if a.msg_type == "Cancel":
            if a.sent.timestamp() >= horizon:
                out.append(a)
        elif a.state != "cancelled" and a.expires <= now and a.expires.timestamp() >= horizon:
            out.append(a)
    return sorted(out, key=lambda a: -max(a.sent, min(a.expires, now)).timestamp())
