"""Fakes for the new-appeal flow: device location, geocoder, the appeals repository, and the
backend endpoints the flow reads (classifier with ETag, suggest, similar, profile)."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from app.composition.appeals import new_appeal_form
from app.data.repositories.applicant import ApplicantRepository
from app.data.repositories.auth import AuthRepository
from app.data.repositories.classifier import ClassifierRepository
from app.data.repositories.position import LastPositionStore
from app.data.services.api_client import ApiClient
from app.data.services.appeal_lookups_api import NewAppealApi
from app.data.services.auth_api import AuthApi
from app.data.services.location import LocationService, Permission
from app.data.services.picker import PickedFile
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.domain.appeals import NewAppeal, Position
from app.viewmodels.navigation import Navigation
from app.viewmodels.new_appeal import NewAppealViewModel
from tests.app.conftest import FakeBackend, error

ROOT = Path(__file__).resolve().parents[3]
CLASSIFIER = json.loads((ROOT / "backend_stub" / "data" / "classifier.json").read_text("utf-8"))


class FakeGeolocator:
    """A device position source: a fixed fix, an error, a hang, or a refused permission."""

    def __init__(
        self,
        position: Position | None = None,
        *,
        permission: Permission = "granted",
        fail: bool = False,
        hang: bool = False,
    ) -> None:
        self.position = position
        self.permission: Permission = permission
        self.fail = fail
        self.hang = hang
        self.permission_asked = 0
        self.positions_asked = 0

    async def request_permission(self) -> Permission:
        self.permission_asked += 1
        return self.permission

    async def current_position(self) -> Position:
        self.positions_asked += 1
        if self.hang:
            await asyncio.sleep(3600)
        if self.fail or self.position is None:
            raise RuntimeError("no location service")
        return self.position


class FakeGeocoder:
    def __init__(self, address: str | None = "Қабанбай батыр даңғылы 11, Астана") -> None:
        self.address = address
        self.calls: list[tuple[float, float, str]] = []

    async def reverse(self, lat: float, lon: float, language: str) -> str | None:
        self.calls.append((lat, lon, language))
        return self.address


@dataclass
class FakeAppeals:
    """The new appeal's two ports in one fake: filing (`file()` returns a client id) and the
    lookup (`detail()` finds the resident's own appeals, by server id here)."""

    filed: list[NewAppeal] = field(default_factory=list)
    own_server_ids: set[int] = field(default_factory=set)
    fail: bool = False

    async def file(self, new: NewAppeal) -> str:
        if self.fail:
            raise ValueError("disk full")
        self.filed.append(new)
        return f"client-{len(self.filed)}"

    async def detail(self, ref: str) -> Any:
        return object() if ref.isdigit() and int(ref) in self.own_server_ids else None


@dataclass
class ClassifierServer:
    """`GET /api/v1/classifier` with an ETag and 304, counted."""

    data: dict[str, Any] = field(default_factory=lambda: CLASSIFIER)
    full: int = 0
    not_modified: int = 0
    etags_seen: list[str | None] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return f'"{self.data["version"]}"'

    def handler(self, request: httpx.Request) -> httpx.Response:
        sent = request.headers.get("If-None-Match")
        self.etags_seen.append(sent)
        if sent == self.etag:
            self.not_modified += 1
            return httpx.Response(304, headers={"ETag": self.etag})
        self.full += 1
        return httpx.Response(200, json=self.data, headers={"ETag": self.etag})


def suggest_handler(request: httpx.Request) -> httpx.Response:
    text = request.url.params.get("text", "")
    if "лифт" in text.lower():
        return httpx.Response(
            200,
            json=[
                {"subclass_code": "24.08", "class_code": "24", "name_kk": "Лифт жұмыс істемейді",
                 "name_ru": "Лифт не работает", "score": 2.0}
            ],
        )  # fmt: skip
    return httpx.Response(200, json=[])


PROFILE = {
    "id": 7,
    "phone": "+77011234567",
    "full_name": "Айгүл Серікқызы",
    "iin": None,
    "language": "kk",
    "role": "resident",
    "addresses": [
        {"id": 1, "label": "home", "text": "Мәңгілік Ел 55, 12", "lat": 51.09, "lon": 71.41,
         "district": "yesil"},
        {"id": 2, "label": "work", "text": "Бейбітшілік 10", "lat": None, "lon": None,
         "district": None},
    ],
    "notify_districts": [],
    "notify_topics": [],
    "notify_status_updates": True,
    "alert_levels": [],
}  # fmt: skip


def install_routes(backend: FakeBackend) -> ClassifierServer:
    """Serve the classifier, its suggestions, the profile and no similar appeals on `backend`;
    return the classifier server to count its requests."""
    classifier = ClassifierServer()
    backend.routes[("GET", "/api/v1/classifier")] = classifier.handler
    backend.routes[("GET", "/api/v1/classifier/suggest")] = suggest_handler
    backend.routes[("GET", "/api/v1/profile")] = lambda r: httpx.Response(200, json=PROFILE)
    backend.routes[("GET", "/api/v1/appeals/similar")] = lambda r: httpx.Response(200, json=[])
    return classifier


def similar_reply(*appeals: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    return lambda r: httpx.Response(200, json=list(appeals))


def unauthorized(request: httpx.Request) -> httpx.Response:
    return error(401, "not_authenticated")


def jpeg_bytes(size: tuple[int, int] = (64, 48), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def picked(path: Path, *, temporary: bool = False, size: int | None = None) -> PickedFile:
    async def fetch() -> Path:
        return path

    return PickedFile(path.name, path.stat().st_size if size is None else size, fetch, temporary)


@dataclass
class Flow:
    """One new-appeal view model and everything around it, on a given database."""

    vm: NewAppealViewModel
    appeals: FakeAppeals
    geolocator: FakeGeolocator
    geocoder: FakeGeocoder
    classifier: ClassifierRepository
    navigation: Navigation
    api: ApiClient
    language: list[str]


def make_flow(
    db: Database,
    backend: FakeBackend,
    media_dir: Path,
    *,
    appeals: FakeAppeals | None = None,
    geolocator: FakeGeolocator | None = None,
    geocoder: FakeGeocoder | None = None,
    language: str = "kk",
) -> Flow:
    tokens = TokenHolder()
    tokens.set("access-secret-1", "refresh-secret-1")
    lang = [language]
    api = ApiClient(
        "http://backend.test", language=lambda: lang[0], tokens=tokens,
        transport=backend.transport(),
    )  # fmt: skip
    auth = AuthRepository(db, AuthApi(api), tokens)
    new_api = NewAppealApi(api)
    classifier = ClassifierRepository(db, new_api)
    appeals = appeals or FakeAppeals()
    geolocator = geolocator or FakeGeolocator(Position(51.128, 71.43, 12.0, "gps"))
    geocoder = geocoder or FakeGeocoder()
    navigation = Navigation()
    vm = new_appeal_form(
        db,
        new_api,
        ApplicantRepository(db, new_api, auth),
        appeals=appeals,
        lookup=appeals,
        classifier=classifier,
        location=LocationService(geolocator, LastPositionStore(db), timeout=0.2),
        geocoder=geocoder,
        media_dir=media_dir,
        navigation=navigation,
        language=lambda: lang[0],
        save_delay=0.01,
        suggest_delay=0.01,
    )
    return Flow(vm, appeals, geolocator, geocoder, classifier, navigation, api, lang)
