"""A fake of the backend's alerts, places, contacts, notices and profile endpoints (in memory,
behind `httpx.MockTransport`), and builders of their JSON — for the safety feature's tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from app.composition.city_feeds import city_feeds_service
from app.data.repositories.alerts import AlertsRepository
from app.data.repositories.notices import NoticesRepository
from app.data.repositories.places import PlacesRepository
from app.data.services.api_client import ApiClient
from app.data.services.city_feeds_api import CityFeedsApi
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.sync.city_feeds import CityFeeds

NOW = datetime(2026, 7, 20, 6, 0, tzinfo=UTC)
# Astana: the embankment polygon of the demo drill, and points inside / outside it.
EMBANKMENT = [
    [51.1685, 71.38], [51.1645, 71.4], [51.1605, 71.42], [51.155, 71.442], [51.141, 71.452],
    [51.132, 71.458], [51.126, 71.446], [51.135, 71.44], [51.145, 71.434], [51.1515, 71.418],
    [51.1555, 71.4], [51.1595, 71.38], [51.1685, 71.38],
]  # fmt: skip
INSIDE = (51.1600, 71.4000)
OUTSIDE = (51.0900, 71.4100)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def alert_json(
    identifier: str,
    *,
    severity: str = "Severe",
    msg_type: str = "Alert",
    status: str = "Actual",
    sent: datetime = NOW - timedelta(minutes=5),
    expires: datetime = NOW + timedelta(hours=6),
    references: list[str] | None = None,
    state: str = "active",
    headline: str = "Су тасқыны қаупі",
    headline_ru: str = "Угроза паводка",
    instruction: str = "Биік жерге шығыңыз.",
    instruction_ru: str = "Поднимитесь на возвышенность.",
    polygons: list[list[list[float]]] | None = None,
    circles: list[dict[str, float]] | None = None,
    districts: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "identifier": identifier,
        "sender": "109.astana.kz",
        "sent": iso(sent),
        "status": status,
        "msg_type": msg_type,
        "scope": "Public",
        "references": [f"109.astana.kz,{r},{iso(sent)}" for r in references or []],
        "note": None,
        "exercise": status == "Exercise",
        "state": state,
        "superseded_by": None,
        "category": ["Met"],
        "response_type": ["Evacuate"],
        "urgency": "Immediate",
        "severity": severity,
        "certainty": "Observed",
        "effective": iso(sent),
        "onset": None,
        "expires": iso(expires),
        "web": None,
        "texts": {
            "kk": {
                "event": "Су тасқыны",
                "headline": headline,
                "description": "Өзен деңгейі көтерілуде.",
                "instruction": instruction,
                "sender_name": "109",
                "contact": "112",
            },
            "ru": {
                "event": "Паводок",
                "headline": headline_ru,
                "description": "Уровень реки растёт.",
                "instruction": instruction_ru,
                "sender_name": "109",
                "contact": "112",
            },
        },
        "areas": [
            {
                "desc": {"kk": "Есіл жағалауы", "ru": "Набережная Есиля"},
                "polygons": polygons if polygons is not None else [EMBANKMENT],
                "circles": circles or [],
                "districts": districts if districts is not None else ["yesil"],
            }
        ],
        "cap_url": f"/cap/alerts/{identifier}.xml",
        "reasons": ["position"],
    }


def place_json(
    place_id: int,
    lat: float,
    lon: float,
    *,
    kind: str = "shelter",
    state: str = "open",
    capacity: int | None = 100,
    phone: str | None = "+7 7172 55 00 00",
) -> dict[str, Any]:
    return {
        "id": place_id,
        "kind": kind,
        "name_kk": f"Пункт {place_id}",
        "name_ru": f"Пункт {place_id} (ru)",
        "address_kk": f"Көше {place_id}",
        "address_ru": f"Улица {place_id}",
        "lat": lat,
        "lon": lon,
        "capacity": capacity,
        "phone": phone,
        "state": state,
        "hours_kk": "Тәулік бойы",
        "hours_ru": "Круглосуточно",
        "updated_at": iso(NOW),
    }


CONTACTS = [
    {"id": n, "number": n, "group": "emergency", "name_kk": f"Қызмет {n}",
     "name_ru": f"Служба {n}", "description_kk": "", "description_ru": ""}
    for n in ("101", "102", "103", "104", "112")
] + [
    {"id": "109", "number": "109", "group": "city", "name_kk": "Байланыс орталығы",
     "name_ru": "Контакт-центр", "description_kk": "", "description_ru": ""},
    {"id": "heat", "number": "+7 7172 00 00 01", "group": "city", "name_kk": "Жылу",
     "name_ru": "Тепло", "description_kk": "", "description_ru": ""},
]  # fmt: skip


def notice_json(
    notice_id: int,
    *,
    topic: str = "water",
    kind: str = "planned",
    districts: list[str] | None = None,
    area: dict[str, Any] | None = None,
    starts_at: datetime = NOW - timedelta(hours=1),
    ends_at: datetime | None = NOW + timedelta(hours=8),
    state: str = "published",
    updated_at: datetime = NOW - timedelta(minutes=10),
) -> dict[str, Any]:
    districts = districts or []
    return {
        "id": notice_id,
        "kind": kind,
        "topic": topic,
        "title_kk": f"Хабарландыру {notice_id}",
        "title_ru": f"Объявление {notice_id}",
        "body_kk": "Мәтін",
        "body_ru": "Текст",
        "districts": districts,
        "area": area,
        "city_wide": not districts and area is None,
        "starts_at": iso(starts_at),
        "ends_at": iso(ends_at) if ends_at else None,
        "state": state,
        "active": state == "published" and (ends_at is None or ends_at > NOW),
        "created_at": iso(updated_at),
        "updated_at": iso(updated_at),
        "withdrawn_at": None,
    }


def _error(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": code}})


@dataclass
class CityFeedsBackend:
    """The server side, in memory. Flip `offline` to make every request fail to connect."""

    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)  # every message
    current: list[str] = field(default_factory=list)  # identifiers /alerts lists
    places: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=lambda: list(CONTACTS))
    version: str = "v1"
    notices: list[dict[str, Any]] = field(default_factory=list)
    profile: dict[str, Any] = field(
        default_factory=lambda: {
            "id": 7,
            "phone": "+77011234567",
            "addresses": [],
            "notify_districts": [],
            "notify_topics": [],
        }
    )
    offline: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    patches: list[dict[str, Any]] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)
    forgotten: int = 0  # DELETE /profile/position calls

    def publish(self, data: dict[str, Any], *, listed: bool = True) -> None:
        self.alerts[data["identifier"]] = data
        if listed:
            self.current.insert(0, data["identifier"])

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.offline:
            raise httpx.ConnectError("offline", request=request)
        path = request.url.path
        params = request.url.params
        if path == "/api/v1/alerts":
            return httpx.Response(200, json={"items": [self.alerts[i] for i in self.current]})
        if path.startswith("/api/v1/alerts/"):
            found = self.alerts.get(path.rsplit("/", 1)[1])
            return httpx.Response(200, json=found) if found else _error(404, "not_found")
        if path == "/api/v1/places/bundle":
            etag = f'"{self.version}"'
            if request.headers.get("If-None-Match") == etag:
                return httpx.Response(304, headers={"ETag": etag})
            body = {"version": self.version, "places": self.places, "contacts": self.contacts}
            return httpx.Response(200, json=body, headers={"ETag": etag})
        if path == "/api/v1/profile/position" and request.method == "DELETE":
            self.forgotten += 1  # the server drops the last position
            return httpx.Response(204)
        if path == "/api/v1/profile/position":
            self.positions.append(json.loads(request.content))
            return httpx.Response(200, json={"alerts": []})
        if path == "/api/v1/profile" and request.method == "GET":
            return httpx.Response(200, json=self.profile)
        if path == "/api/v1/profile" and request.method == "PATCH":
            body = json.loads(request.content)
            if any(d not in ("almaty", "yesil", "nura", "baikonur", "saryarka", "saraishyq")
                   for d in body.get("notify_districts") or []):  # fmt: skip
                return _error(422, "unknown_district")
            self.patches.append(body)
            self.profile.update(body)
            return httpx.Response(200, json=self.profile)
        if path == "/api/v1/notices/topics":
            return httpx.Response(
                200, json=[{"code": c, "name_kk": c.upper(), "name_ru": c.title()}
                           for c in ("water", "heating", "power", "events")],
            )  # fmt: skip
        if path == "/api/v1/notices/districts":
            return httpx.Response(
                200, json=[{"code": c, "name_kk": f"{c} ауданы", "name_ru": f"район {c}"}
                           for c in ("almaty", "yesil", "nura")],
            )  # fmt: skip
        if path == "/api/v1/notices":
            return self._notices(params)
        return _error(404, "not_found")

    def _notices(self, params: httpx.QueryParams) -> httpx.Response:
        scope = params.get("scope", "active")
        limit = int(params.get("limit", "30"))
        before = params.get("before_id")
        rows = [n for n in self.notices if n["active"] == (scope == "active")]
        rows.sort(key=lambda n: -n["id"])
        if before:
            rows = [n for n in rows if n["id"] < int(before)]
        page = rows[:limit]
        nxt = page[-1]["id"] if len(page) == limit else None
        return httpx.Response(200, json={"items": page, "next_before_id": nxt})

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Safety:
    """The feature's objects over one database, wired by the composition root's builder."""

    db: Database
    api: ApiClient
    service: CityFeeds
    alerts: AlertsRepository
    places: PlacesRepository
    notices: NoticesRepository


def build_city_feeds(path: Path, backend: CityFeedsBackend, clock: Clock) -> Safety:
    db = Database.open(path)
    tokens = TokenHolder()
    tokens.set("access", "refresh")
    api = ApiClient(
        "http://backend.test",
        language=lambda: "kk",
        tokens=tokens,
        transport=httpx.MockTransport(backend.handler),
    )
    service = city_feeds_service(db, CityFeedsApi(api), clock=clock)
    return Safety(db, api, service, service.alerts, service.places, service.notices)
