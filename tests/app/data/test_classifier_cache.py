"""The classifier cached on the device: fetched once, revalidated with its ETag (304), searched
by name in kk/ru offline, and suggesting a category from the text with or without the server."""

from __future__ import annotations

import httpx
import pytest

from app.data.repositories.classifier import ClassifierRepository
from app.data.services.api_client import ApiClient
from app.data.services.appeal_lookups_api import NewAppealApi
from app.data.services.tokens import TokenHolder
from app.data.store.database import Database
from app.domain.classifier import Classifier, fold
from tests.app.conftest import FakeBackend
from tests.app.support.new_appeal_fakes import CLASSIFIER, ClassifierServer, install_routes

pytestmark = pytest.mark.anyio


@pytest.fixture
def server(backend: FakeBackend) -> ClassifierServer:
    return install_routes(backend)


def repository(db: Database, backend: FakeBackend) -> ClassifierRepository:
    api = ApiClient("http://backend.test", language=lambda: "kk", tokens=TokenHolder(),
                    transport=backend.transport())  # fmt: skip
    return ClassifierRepository(db, NewAppealApi(api))


async def test_first_start_fetches_then_304_keeps_the_cache(
    db: Database, backend: FakeBackend, server: ClassifierServer
) -> None:
    repo = repository(db, backend)
    assert repo.classifier is None and repo.name_of("24.08", "ru") is None
    assert await repo.refresh() is True
    assert server.full == 1 and server.etags_seen == [None]
    assert repo.version == CLASSIFIER["version"]
    assert len(repo.classifier or ()) == 350
    assert repo.name_of("24.08", "ru") == "Лифт не работает"
    assert repo.name_of("24.08", "kk") == "Лифт жұмыс істемейді"

    # The next start: loaded from the device, then revalidated — 304, nothing downloaded.
    again = repository(db, backend)
    assert again.load() is not None and again.version == CLASSIFIER["version"]
    assert await again.refresh() is True
    assert server.full == 1 and server.not_modified == 1
    assert server.etags_seen[-1] == server.etag


async def test_a_new_version_replaces_the_cache(
    db: Database, backend: FakeBackend, server: ClassifierServer
) -> None:
    repo = repository(db, backend)
    await repo.refresh()
    changed = {**CLASSIFIER, "version": "next-version"}
    changed["classes"] = [
        {**c, "name_ru": "Лифты и подъёмники"} if c["code"] == "24" else c
        for c in CLASSIFIER["classes"]
    ]
    server.data = changed
    heard: list[str] = []
    repo.subscribe(lambda: heard.append(repo.version or ""))
    assert await repo.refresh() is True
    assert server.full == 2 and heard == ["next-version"]
    groups = repository(db, backend).load()
    assert groups is not None and groups.version == "next-version"
    assert groups.class_of("24.08").name_ru == "Лифты и подъёмники"  # type: ignore[union-attr]


async def test_offline_keeps_what_is_cached(
    db: Database, backend: FakeBackend, server: ClassifierServer
) -> None:
    repo = repository(db, backend)
    await repo.refresh()
    backend.offline = True
    offline = repository(db, backend)
    assert await offline.refresh() is False
    assert offline.name_of("09.02", "ru") == "Аварийные работы"


async def test_offline_with_nothing_cached(db: Database, backend: FakeBackend) -> None:
    backend.offline = True
    repo = repository(db, backend)
    assert await repo.refresh() is False
    assert repo.search("лифт") == []
    result = await repo.suggest("лифт не работает")
    assert result.source == "none" and result.subclasses == ()


def test_search_in_kazakh_and_russian_grouped_by_class() -> None:
    c = Classifier.from_json(CLASSIFIER)
    ru = c.search("лифт не работает")
    assert [g.group.code for g in ru] == ["24"]
    assert [s.code for s in ru[0].subclasses] == ["24.08"]
    kk = c.search("ЛИФТ ЖҰМЫС")  # any case; Kazakh letters
    assert "24.08" in [s.code for g in kk for s in g.subclasses]
    # Typed without the Kazakh letters ("жок" for "жоқ") still finds "Газ жоқ".
    assert "10.06" in [s.code for g in c.search("газ жок") for s in g.subclasses]
    # ё and е are the same: "Твёрдые бытовые отходы" by "твердые".
    hits = c.search("твердые")
    assert hits and hits[0].group.code == "39" and len(hits[0].subclasses) == 11
    # A class name match brings its subclasses, in classifier order.
    assert [s.code for s in c.search("водоснабжение")[0].subclasses][:2] == ["09.01", "09.02"]
    assert c.search("   ") == []
    assert c.search("qqqzzz") == []


def test_search_is_limited() -> None:
    c = Classifier.from_json(CLASSIFIER)
    found = c.search("адрес", limit=10)
    assert sum(len(g.subclasses) for g in found) == 10


def test_fold() -> None:
    assert fold("ӘҒҚҢӨҰҮҺІЁ") == "агкноуухие"


async def test_suggestion_from_the_server_when_online(
    db: Database, backend: FakeBackend, server: ClassifierServer
) -> None:
    repo = repository(db, backend)
    await repo.refresh()
    result = await repo.suggest("Подъездегі лифт істемейді")
    assert result.source == "server"
    assert [s.code for s in result.subclasses] == ["24.08"]
    assert result.subclasses[0].name_ru == "Лифт не работает"


async def test_suggestion_offline_matches_the_cached_keywords(
    db: Database, backend: FakeBackend, server: ClassifierServer
) -> None:
    await repository(db, backend).refresh()
    backend.offline = True
    repo = repository(db, backend)
    result = await repo.suggest("В подъезде не работает лифт, застряли соседи")
    assert result.source == "local"
    assert result.subclasses and result.subclasses[0].class_code == "24"
    kk = await repo.suggest("Аулада қоқыс жиналмай жатыр, контейнер толып кетті")
    assert kk.source == "local" and kk.subclasses[0].class_code == "39"
    assert (await repo.suggest("   ")).source == "none"
    # Told it is offline, it does not even try the server.
    backend.offline = False
    before = len(backend.requests)
    assert (await repo.suggest("лифт", online=False)).source == "local"
    assert len(backend.requests) == before


async def test_server_error_falls_back_to_local(
    db: Database, backend: FakeBackend, server: ClassifierServer
) -> None:
    repo = repository(db, backend)
    await repo.refresh()
    backend.routes[("GET", "/api/v1/classifier/suggest")] = lambda r: httpx.Response(500)
    assert (await repo.suggest("лифт не работает")).source == "local"
