"""Where the resident's tokens are kept: on a phone in the platform's secure storage (never in
the SQLite file), in the local store in a browser or on a desktop. A phone upgraded from a build
that kept them in the store moves them once; a failing Keystore means signing in again and
nothing else lost."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from app.composition import AppSession, build_session, core
from app.config import AppConfig
from app.data.repositories.auth import IN_SECURE_STORAGE, SECRET_KEY
from app.data.services import secure_storage
from app.data.services.device import Device, this_device
from app.data.services.secure_storage import FletSecureStorage, SecretStoreFailed
from app.data.services.tokens import TokenReply
from app.data.store.database import Database
from tests.app.conftest import CODE, PHONE, FakeBackend, token_reply
from tests.app.support.secret_store import MemorySecretStore

pytestmark = pytest.mark.anyio

ANDROID = Device(web=False, platform="android")
TOKENS = (b"access-secret-1", b"refresh-secret-1")


@pytest.fixture(autouse=True)
def sqlite_leaves_deleted_bytes() -> Iterator[None]:
    """SQLite as most builds ship it (this machine's Debian build overwrites deleted bytes by
    default; a phone's Python has its own SQLite, which does not)."""

    def default_off(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA secure_delete = OFF")

    event.listen(Engine, "connect", default_off)
    yield
    event.remove(Engine, "connect", default_off)


@pytest.fixture
def keystore() -> MemorySecretStore:
    return MemorySecretStore()


SessionMaker = Callable[[], AppSession]


@pytest.fixture
def sessions(config: AppConfig, backend: FakeBackend) -> Iterator[Callable[[bool], AppSession]]:
    """`make(on_phone)`: a page session on one data dir (a second call = the app started
    again; an older build is the same app not on a phone)."""
    opened: list[Database] = []

    def make(on_phone: bool) -> AppSession:
        db = Database.open(config.db_path)
        opened.append(db)
        with pytest.MonkeyPatch.context() as mp:
            if on_phone:
                mp.setattr(core, "this_device", lambda: ANDROID)
            return build_session(config, transport=backend.transport(), db=db)

    yield make
    for db in opened:
        db.close()


@pytest.fixture
def phone(
    sessions: Callable[[bool], AppSession],
    keystore: MemorySecretStore,
    monkeypatch: pytest.MonkeyPatch,
) -> SessionMaker:
    """Sessions of the app installed on an Android phone whose secure storage is `keystore`."""
    monkeypatch.setattr(core, "FletSecureStorage", lambda: keystore)
    return lambda: sessions(True)


async def sign_in(session: AppSession) -> None:
    await session.auth.request_code(PHONE)
    await session.auth.verify_code(PHONE, CODE)


def files_holding(data_dir: Path, secrets: tuple[bytes, ...] = TOKENS) -> list[str]:
    """The files of the local store (database, write-ahead log) that hold any of `secrets`."""
    return sorted(p.name for p in data_dir.iterdir() if any(s in p.read_bytes() for s in secrets))


async def signed_in_by_an_older_build(sessions: Callable[[bool], AppSession]) -> AppSession:
    """The resident signed in with a build that kept the tokens in the local store."""
    older_build = sessions(False)
    await sign_in(older_build)
    assert files_holding(older_build.config.data_dir)  # (so the tests below can fail)
    return older_build


def queue_something(session: AppSession) -> None:
    with session.db.session() as s:
        s.execute(
            text(
                "INSERT INTO outbox (kind, target_client_id, payload_json, idempotency_key,"
                " priority, state, attempts, created_at, updated_at) VALUES ('appeal.create',"
                " 'c-1', '{}', 'k-1', 0, 'pending', 0, '2026-01-01', '2026-01-01')"
            )
        )
        s.commit()


def queued(session: AppSession) -> int:
    with session.db.read() as s:
        return int(s.execute(text("SELECT count(*) FROM outbox")).scalar_one())


# -- which storage --------------------------------------------------------------------------


def test_phones_use_secure_storage_and_the_rest_the_local_store() -> None:
    assert isinstance(core.platform_secrets(Device(False, "android")), FletSecureStorage)
    assert isinstance(core.platform_secrets(Device(False, "ios")), FletSecureStorage)
    assert core.platform_secrets(Device(True, "android")) is None  # a phone's browser
    assert core.platform_secrets(Device(False, "windows")) is None
    assert core.platform_secrets(Device(False, "linux")) is None
    assert core.platform_secrets(None) is None  # outside a page
    assert this_device() is None  # tests run outside a page


# -- on a phone -----------------------------------------------------------------------------


async def test_a_phone_keeps_the_tokens_in_secure_storage_never_in_the_file(
    phone: SessionMaker, keystore: MemorySecretStore, config: AppConfig
) -> None:
    session = phone()
    await sign_in(session)
    assert json.loads(keystore.values[SECRET_KEY]) == {
        "access": "access-secret-1",
        "refresh": "refresh-secret-1",
    }
    assert files_holding(config.data_dir) == []

    again = phone()  # the app started again
    assert again.auth.signed_in and again.api.tokens.refresh_token is None
    await again.auth.restore()
    assert again.api.tokens.access_token == "access-secret-1"
    assert again.api.tokens.refresh_token == "refresh-secret-1"


async def test_a_refresh_on_a_phone_replaces_the_tokens_in_secure_storage(
    phone: SessionMaker, keystore: MemorySecretStore, config: AppConfig
) -> None:
    session = phone()
    await sign_in(session)
    await session.api.tokens.refreshed(TokenReply.from_json(token_reply(2)))
    assert json.loads(keystore.values[SECRET_KEY])["refresh"] == "refresh-secret-2"
    assert files_holding(config.data_dir, (b"secret-1", b"secret-2")) == []


async def test_an_upgraded_phone_moves_the_tokens_into_secure_storage_once(
    sessions: Callable[[bool], AppSession], phone: SessionMaker, keystore: MemorySecretStore
) -> None:
    data_dir = (await signed_in_by_an_older_build(sessions)).config.data_dir

    upgraded = phone()
    await upgraded.start()  # start() restores first: here, the move
    await upgraded.close()
    assert json.loads(keystore.values[SECRET_KEY])["refresh"] == "refresh-secret-1"
    assert upgraded.auth.signed_in
    assert upgraded.api.tokens.refresh_token == "refresh-secret-1"
    assert files_holding(data_dir) == []
    with upgraded.db.read() as s:
        row = s.execute(text("SELECT access_token, refresh_token FROM auth_session")).one()
    assert tuple(row) == (IN_SECURE_STORAGE, IN_SECURE_STORAGE)

    later = phone()
    await later.auth.restore()
    assert later.api.tokens.refresh_token == "refresh-secret-1"
    assert keystore.writes == 1  # moved once; later starts only read


async def test_sign_out_on_a_phone_clears_both(
    phone: SessionMaker, keystore: MemorySecretStore, config: AppConfig
) -> None:
    session = phone()
    await sign_in(session)
    queue_something(session)
    await session.cabinet.sign_out()
    assert keystore.values == {}
    assert queued(session) == 0
    with session.db.read() as s:
        assert s.execute(text("SELECT count(*) FROM auth_session")).scalar_one() == 0
    assert not phone().auth.signed_in


async def test_a_removal_that_failed_at_sign_out_is_done_at_the_next_start(
    phone: SessionMaker, keystore: MemorySecretStore
) -> None:
    session = phone()
    await sign_in(session)
    keystore.failing = {"remove"}
    await session.cabinet.sign_out()
    assert not session.auth.signed_in and SECRET_KEY in keystore.values
    keystore.failing = set()
    again = phone()
    await again.auth.restore()
    assert not again.auth.signed_in and keystore.values == {}


# -- when secure storage fails -----------------------------------------------------------------


async def test_a_failing_keystore_at_start_asks_to_sign_in_again_and_keeps_the_rest(
    phone: SessionMaker, keystore: MemorySecretStore, caplog: pytest.LogCaptureFixture
) -> None:
    session = phone()
    await sign_in(session)
    queue_something(session)
    keystore.failing = {"read"}
    again = phone()
    heard: list[bool] = []
    again.app.subscribe(lambda: heard.append(again.app.signed_in))
    with caplog.at_level(logging.DEBUG):
        await again.auth.restore()
    assert heard == [False]
    assert [m.name for m in again.app.resolve("/cabinet")] == ["sign_in"]
    assert again.auth.ended is not None and again.auth.ended.phone == PHONE
    assert queued(again) == 1  # the outbox is kept
    assert "KeyStoreException" in caplog.text
    assert "secret-1" not in caplog.text

    keystore.failing = set()
    await sign_in(again)  # the same resident: the kept data resumes
    assert again.auth.signed_in and queued(again) == 1


async def test_tokens_the_keystore_lost_mean_signing_in_again(
    phone: SessionMaker, keystore: MemorySecretStore
) -> None:
    await sign_in(phone())
    keystore.values.clear()  # reset_on_error wiped the Keystore
    again = phone()
    await again.auth.restore()
    assert not again.auth.signed_in and again.auth.ended is not None


async def test_a_move_that_fails_scrubs_the_file_and_asks_to_sign_in_again(
    sessions: Callable[[bool], AppSession], phone: SessionMaker, keystore: MemorySecretStore
) -> None:
    older_build = await signed_in_by_an_older_build(sessions)
    queue_something(older_build)
    keystore.failing = {"write"}
    upgraded = phone()
    await upgraded.auth.restore()
    assert not upgraded.auth.signed_in and upgraded.auth.ended is not None
    assert files_holding(older_build.config.data_dir) == []
    assert queued(upgraded) == 1


async def test_tokens_that_could_not_be_kept_last_this_run_only(
    phone: SessionMaker, keystore: MemorySecretStore, config: AppConfig
) -> None:
    keystore.failing = {"write"}
    session = phone()
    await sign_in(session)
    assert session.auth.signed_in and session.api.tokens.refresh_token == "refresh-secret-1"
    assert files_holding(config.data_dir) == []
    keystore.failing = set()
    again = phone()
    await again.auth.restore()
    assert not again.auth.signed_in and again.auth.ended is not None


# -- in a browser or on a desktop ----------------------------------------------------------------


async def test_elsewhere_the_local_store_keeps_them_and_restore_does_nothing(
    sessions: Callable[[bool], AppSession], keystore: MemorySecretStore
) -> None:
    session = sessions(False)
    await sign_in(session)
    again = sessions(False)
    await again.auth.restore()
    assert again.api.tokens.refresh_token == "refresh-secret-1"
    assert keystore.values == {}


# -- the Flet adapter -------------------------------------------------------------------------


class FakeService:
    """flet-secure-storage's `SecureStorage` as the adapter calls it."""

    def __init__(self, error: Exception | None = None, hang: bool = False) -> None:
        self.values: dict[str, Any] = {}
        self.error = error
        self.hang = hang

    async def _answer(self) -> None:
        if self.hang:
            await asyncio.Event().wait()
        if self.error is not None:
            raise self.error

    async def get(self, key: str) -> Any:
        await self._answer()
        return self.values.get(key)

    async def set(self, key: str, value: str) -> None:
        await self._answer()
        self.values[key] = value

    async def remove(self, key: str) -> None:
        await self._answer()
        self.values.pop(key, None)


async def test_the_adapter_reads_writes_and_removes() -> None:
    service = FakeService()
    store = FletSecureStorage(lambda: service)
    assert await store.read("k") is None
    await store.write("k", "v")
    assert service.values == {"k": "v"} and await store.read("k") == "v"
    await store.remove("k")
    assert service.values == {}


async def test_the_adapter_reports_platform_errors_without_the_value() -> None:
    error = RuntimeError("PlatformException(KeyStoreException, bad key for refresh-xyz)")
    store = FletSecureStorage(lambda: FakeService(error))
    with pytest.raises(SecretStoreFailed) as failed:
        await store.write("k", "refresh-xyz")
    assert "KeyStoreException" in str(failed.value)
    assert "refresh-xyz" not in str(failed.value)


async def test_the_adapter_gives_up_on_a_client_that_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(secure_storage, "CALL_TIMEOUT_S", 0.01)
    store = FletSecureStorage(lambda: FakeService(hang=True))
    with pytest.raises(SecretStoreFailed, match="no answer"):
        await store.read("k")


async def test_a_store_whose_tokens_are_in_a_phones_secure_storage_asks_to_sign_in(
    sessions: Callable[[bool], AppSession], phone: SessionMaker
) -> None:
    """The data dir of a phone opened where there is no secure storage (a desktop build)."""
    await sign_in(phone())
    elsewhere = sessions(False)
    assert not elsewhere.auth.signed_in
    assert elsewhere.auth.ended is not None and elsewhere.auth.ended.phone == PHONE
