"""The resident's profile as the app keeps it: personal data, saved addresses, notification
settings. Read from the server's JSON and from the local store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from app.domain.appeals import SyncState
from app.domain.geo import distance_m

AddressLabel = Literal["home", "work", "other"]
ADDRESS_LABELS: tuple[str, ...] = ("home", "work", "other")
# CAP severities the resident may choose to be warned about.
ALERT_LEVELS: tuple[str, ...] = ("Extreme", "Severe", "Moderate", "Minor")
# The districts of the city and the notice topics (the server's fixed lists).
# District centres of Astana (as the server has them): a point's district is the nearest one.
DISTRICT_CENTRES: dict[str, tuple[float, float]] = {
    "almaty": (51.1400, 71.4800),
    "baikonur": (51.1830, 71.4310),
    "yesil": (51.1010, 71.4140),
    "saryarka": (51.1890, 71.3870),
    "nura": (51.0560, 71.3730),
    "saraishyq": (51.1280, 71.5150),
}
DISTRICTS: tuple[str, ...] = tuple(DISTRICT_CENTRES)
DISTRICT_MAX_KM = 25.0
NOTICE_TOPICS: tuple[str, ...] = (
    "water",
    "heating",
    "power",
    "gas",
    "roads",
    "sewerage",
    "transport",
    "events",
    "other",
)
FULL_NAME_MAX = 200
ADDRESS_TEXT_MAX = 300
ADDRESS_LABEL_MAX = 40


def district_for(lat: float, lon: float) -> str | None:
    """The district whose centre is nearest, if the point is in or near the city."""
    code, centre = min(DISTRICT_CENTRES.items(), key=lambda kv: distance_m((lat, lon), kv[1]))
    return code if distance_m((lat, lon), centre) <= DISTRICT_MAX_KM * 1000 else None


@dataclass(frozen=True)
class Address:
    key: str  # the client id given on this device (or "a<id>" for one made elsewhere)
    server_id: int | None
    label: str  # "home" | "work" | "other" or the resident's own word
    text: str
    lat: float | None = None
    lon: float | None = None
    district: str | None = None
    sync_state: SyncState = "synced"
    sync_error: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], key: str | None = None) -> Address:
        return cls(
            key=key or f"a{int(data['id'])}",
            server_id=int(data["id"]),
            label=str(data.get("label") or "other"),
            text=str(data.get("text") or ""),
            lat=data.get("lat"),
            lon=data.get("lon"),
            district=data.get("district"),
        )

    def to_json(self) -> dict[str, Any]:
        """The body of `POST/PUT /profile/addresses`."""
        return {
            "label": self.label,
            "text": self.text,
            "lat": self.lat,
            "lon": self.lon,
            "district": self.district,
        }


@dataclass(frozen=True)
class NotificationSettings:
    districts: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    status_updates: bool = True
    alert_levels: tuple[str, ...] = ALERT_LEVELS

    def to_patch(self) -> dict[str, Any]:
        return {
            "notify_districts": list(self.districts),
            "notify_topics": list(self.topics),
            "notify_status_updates": self.status_updates,
            "alert_levels": list(self.alert_levels),
        }

    def alerts_patch(self) -> dict[str, Any]:
        """What the cabinet itself sends: alert levels and status updates (the districts and
        topics of notices are the notices feature's choice, sent by it)."""
        return {
            "notify_status_updates": self.status_updates,
            "alert_levels": list(self.alert_levels),
        }


@dataclass(frozen=True)
class Profile:
    id: int | None
    phone: str
    full_name: str | None = None
    iin: str | None = None
    language: str = "kk"
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    addresses: tuple[Address, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        return cls(
            id=int(data["id"]) if data.get("id") is not None else None,
            phone=str(data.get("phone") or ""),
            full_name=data.get("full_name"),
            iin=data.get("iin"),
            language=str(data.get("language") or "kk"),
            notifications=NotificationSettings(
                districts=tuple(data.get("notify_districts") or ()),
                topics=tuple(data.get("notify_topics") or ()),
                status_updates=bool(data.get("notify_status_updates", True)),
                alert_levels=(
                    tuple(data["alert_levels"])
                    if data.get("alert_levels") is not None
                    else ALERT_LEVELS
                ),
            ),
            addresses=tuple(Address.from_json(a) for a in data.get("addresses") or ()),
        )

    def to_json(self) -> dict[str, Any]:
        """The shape of `GET /profile` (kept in the local store)."""
        return {
            "id": self.id,
            "phone": self.phone,
            "full_name": self.full_name,
            "iin": self.iin,
            "language": self.language,
            **self.notifications.to_patch(),
        }
