"""The hidden developer screen's view model: a server URL typed by a tester is checked as a URL,
then against the server's health answer (the real backend in-process), saved on the device and
used from the next start (a second page session on the same store); wrong or unreachable URLs
are said in kk/ru with the typed text kept; waiting actions warn and stay; the version line's
seven taps open the screen only in a tester's build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.composition import AppSession, build_session
from app.config import ApiUrlSource, AppConfig
from app.data.repositories.settings import SettingsRepository
from app.data.services.server_probe import ServerProbe
from app.data.store.database import Database
from app.i18n import Translator
from app.viewmodels.developer import TAPS_TO_OPEN, DeveloperViewModel
from app.viewmodels.navigation import Navigation
from tests.app.support.sync_harness import Server

pytestmark = pytest.mark.anyio

GOOD = "http://backend.test"  # the real backend (it answers this host only)
PORTAL = "http://portal.test"  # a Wi-Fi login page: HTML for everything
DOWN = "http://down.test"  # nothing answers


class Network:
    """The tester's network: the real backend, a captive portal, and a host that is down."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.asked: list[str] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(str(request.url))
        host = request.url.host
        if host == "backend.test":
            return await self.server.asgi.handle_async_request(request)
        if host == "portal.test":
            return httpx.Response(200, html="<html>Sign in to the Wi-Fi</html>")
        raise httpx.ConnectError("no route to host", request=request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def network(tmp_path: Path) -> Network:
    return Network(Server(tmp_path / "server"))


@pytest.fixture
def testers_config(tmp_path: Path) -> AppConfig:
    return AppConfig(
        api_url="https://api.city109.kz",
        data_dir=tmp_path / "data",
        api_url_source=ApiUrlSource.BUNDLED,
        developer_menu=True,
        version="1.2.3",
    )


@pytest.fixture
def sessions(testers_config: AppConfig, network: Network) -> Iterator[list[AppSession]]:
    """Page sessions of a tester's build on one store (the second one: the next start)."""
    made: list[AppSession] = []
    yield made
    for session in made:
        session.db.close()


def start(config: AppConfig, network: Network, made: list[AppSession]) -> AppSession:
    session = build_session(config, transport=network.transport(), db=Database.open(config.db_path))
    made.append(session)
    return session


def said(vm: DeveloperViewModel, lang: str) -> str:
    return Translator(lang).render(vm.error or vm.notice or vm.confirming) or ""


def queue_an_action(session: AppSession) -> None:
    with session.db.session() as s:
        session.appeals.outbox.add(
            s, kind="profile_patch", target="profile", payload={"full_name": "A"}, key="k1"
        )
        s.commit()


async def test_a_good_url_is_saved_and_used_from_the_next_start(
    testers_config: AppConfig, network: Network, sessions: list[AppSession]
) -> None:
    first = start(testers_config, network, sessions)
    vm = first.developer
    await vm.load()
    assert vm.url_text == "https://api.city109.kz"  # the field starts with the URL in use
    assert Translator("kk").render(vm.source) == "қолданбаға кірістірілген"
    vm.set_url(f" {GOOD}/ ")
    assert await vm.save()
    assert network.asked == [f"{GOOD}/health"]
    assert vm.saved_url == GOOD and vm.error is None
    assert GOOD in said(vm, "ru") and "со следующего запуска" in said(vm, "ru")
    assert first.config.api_url == "https://api.city109.kz"  # this session keeps its server

    again = start(testers_config, network, sessions)
    assert again.config.api_url == GOOD
    assert again.config.api_url_source is ApiUrlSource.DEVICE
    assert again.developer.current_url == GOOD
    assert again.api.absolute_url("/health") == f"{GOOD}/health"  # its API client too
    await again.developer.load()
    assert Translator("ru").render(again.developer.source) == (
        "сохранён тестировщиком на этом устройстве"
    )

    await again.developer.reset()
    assert again.developer.saved_url is None
    assert "встроенный сервер" in said(again.developer, "ru")
    third = start(testers_config, network, sessions)
    assert third.config.api_url == "https://api.city109.kz"
    assert third.config.api_url_source is ApiUrlSource.BUNDLED


@pytest.mark.parametrize(
    ("typed", "kk", "ru"),
    [
        ("api.city109.kz", "сервер мекенжайы емес", "не адрес сервера"),
        ("ftp://api.city109.kz", "https:// деп басталуы керек", "должен начинаться с https://"),
        (DOWN, "жауап бермей тұр", "не отвечает"),
        (PORTAL, "бұл 109 сервері емес", "это не сервер 109"),
    ],
)
async def test_a_wrong_url_is_said_in_kk_and_ru_and_the_text_stays(
    testers_config: AppConfig,
    network: Network,
    sessions: list[AppSession],
    typed: str,
    kk: str,
    ru: str,
) -> None:
    vm = start(testers_config, network, sessions).developer
    await vm.load()
    vm.set_url(typed)
    assert not await vm.save()
    assert kk in said(vm, "kk") and ru in said(vm, "ru")
    assert vm.url_text == typed and not vm.busy
    assert sessions[0].settings.api_url() is None  # nothing saved
    vm.set_url(typed + "x")
    assert vm.error is None  # typing again clears the complaint


async def test_switching_while_actions_wait_warns_and_keeps_them(
    testers_config: AppConfig, network: Network, sessions: list[AppSession]
) -> None:
    session = start(testers_config, network, sessions)
    queue_an_action(session)
    vm = session.developer
    vm.set_url(GOOD)
    assert not await vm.save()
    assert vm.confirming is not None and session.settings.api_url() is None
    assert "Жіберуді күтіп тұрған әрекеттер саны: 1" in said(vm, "kk")
    vm.cancel()
    assert vm.confirming is None and session.settings.api_url() is None
    assert not await vm.save()
    assert vm.confirming is not None  # asked again, still not saved
    assert await vm.save_anyway()
    assert session.settings.api_url() == GOOD
    assert session.appeals.outbox.counts().pending == 1  # nothing of the resident's is lost


async def test_seven_taps_on_the_version_open_the_screen(
    testers_config: AppConfig, db: Database
) -> None:
    nav, clock = Navigation(), Clock()
    vm = DeveloperViewModel(
        testers_config,
        SettingsRepository(db),
        nav,
        check_server=ServerProbe().check,
        waiting_actions=lambda: 0,
        clock=clock,
    )
    for _ in range(TAPS_TO_OPEN - 1):
        await vm.tap_version()
        clock.now += 0.5
    clock.now += 5  # a pause: counting starts again
    for _ in range(TAPS_TO_OPEN - 1):
        await vm.tap_version()
    assert nav.history == []
    await vm.tap_version()
    assert nav.history == ["/developer"]
    await vm.close()
    assert nav.history[-1] == "/cabinet"


async def test_a_production_build_has_no_developer_screen(tmp_path: Path, db: Database) -> None:
    config = AppConfig(api_url="https://api.city109.kz", data_dir=tmp_path, version="1.2.3")
    nav, settings = Navigation(), SettingsRepository(db)
    asked: list[str] = []

    async def check(url: str) -> None:
        asked.append(url)

    vm = DeveloperViewModel(config, settings, nav, check_server=check, waiting_actions=lambda: 0)
    for _ in range(TAPS_TO_OPEN * 2):
        await vm.tap_version()
    assert nav.history == [] and not vm.available
    vm.set_url("https://other.kz")
    assert not await vm.save()
    assert asked == [] and settings.api_url() is None
    settings.put("api_url", "https://other.kz")  # left by an earlier tester's build
    assert config.with_device_override(settings.api_url()) == config
