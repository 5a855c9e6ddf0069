"""The sync engine against the real backend, in-process, with faults injected on the wire.

Every check of the outcome is made on the server: each action applied exactly once, nothing
lost, order kept; a permanent refusal is kept on the item with the server's message.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.data.repositories import outbox as ob
from app.sync.retry import Backoff
from tests.app.support.sync_harness import (
    Client,
    FakeClock,
    Server,
    jpeg_file,
    new_appeal,
    prepared,
)

pytestmark = pytest.mark.anyio

APPEAL = r"/api/v1/appeals"
MESSAGES = r"/api/v1/appeals/\d+/messages"


@pytest.fixture
async def server(tmp_path: Path) -> Server:
    return Server(tmp_path / "server")


@pytest.fixture
async def signed(server: Server) -> tuple[str, str, str]:
    return await server.sign_in()


@pytest.fixture
async def client(
    server: Server, signed: tuple[str, str, str], tmp_path: Path
) -> AsyncIterator[Client]:
    c = Client(server, tmp_path / "client", (signed[1], signed[2]), FakeClock())
    yield c
    await c.close()


async def test_file_offline_then_sync_creates_once_with_photo(
    server: Server, client: Client, signed: tuple[str, str, str], tmp_path: Path
) -> None:
    server.faulty.down = True
    photo = jpeg_file(tmp_path / "media")
    cid = await client.repo.file(new_appeal(media=[prepared(photo)]))
    await client.engine.sync_now()
    assert client.engine.status.online is False
    assert client.engine.status.pending == 1
    page = await client.queries.list_page()
    assert [(i.client_id, i.sync_state) for i in page.items] == [(cid, "pending")]

    server.faulty.down = False
    await client.drain()
    [appeal] = server.appeals_of(signed[0])
    assert appeal.client_id == cid
    detail = await client.queries.detail(cid)
    assert detail is not None
    assert detail.item.number == appeal.number and detail.item.sync_state == "synced"
    assert len(detail.media) == 1 and detail.media[0].url
    assert detail.history and detail.history[0].to_status == "created"
    assert client.engine.status.online is True and client.engine.status.pending == 0


async def test_response_lost_after_commit_is_not_a_duplicate(
    server: Server, client: Client, signed: tuple[str, str, str]
) -> None:
    server.faulty.add("drop_after", "POST", APPEAL)
    server.faulty.add("drop_after", "POST", MESSAGES)
    cid = await client.repo.file(new_appeal())
    await client.repo.send_message(cid, "Бірінші хабарлама")
    await client.drain()
    [appeal] = server.appeals_of(signed[0])
    assert appeal.id is not None
    assert [m.text for m in server.messages_of(appeal.id)] == ["Бірінші хабарлама"]
    assert server.faulty.count("POST", APPEAL) == 2  # the lost one and its replay
    msgs = await client.queries.messages(cid)
    assert [(m.text, m.sync_state) for m in msgs] == [("Бірінші хабарлама", "synced")]


async def test_server_dies_mid_request_and_503_and_429_retry_with_the_same_key(
    server: Server, client: Client, signed: tuple[str, str, str]
) -> None:
    server.faulty.add("drop_before", "POST", APPEAL)
    server.faulty.add("status", "POST", APPEAL, status=503)
    server.faulty.add("status", "POST", APPEAL, status=429, headers={"Retry-After": "7"})
    start = client.clock.now()
    await client.repo.file(new_appeal())
    await client.drain()
    assert len(server.appeals_of(signed[0])) == 1
    assert server.faulty.count("POST", APPEAL) == 4
    assert (client.clock.now() - start).total_seconds() >= 7  # Retry-After was honoured
    [entry] = client.repo.outbox.entries(include_done=True)
    assert entry.state == ob.DONE and entry.attempts == 4


async def test_message_waits_for_its_appeal_and_order_is_kept(
    server: Server, client: Client, signed: tuple[str, str, str]
) -> None:
    server.faulty.add("status", "POST", APPEAL, status=503, times=2)
    cid = await client.repo.file(new_appeal())
    for i in range(3):
        await client.repo.send_message(cid, f"хабарлама {i}")
    await client.engine.sync_now()
    assert server.faulty.count("POST", MESSAGES) == 0  # nothing before the appeal exists
    await client.drain()
    [appeal] = server.appeals_of(signed[0])
    assert appeal.id is not None
    assert [m.text for m in server.messages_of(appeal.id)] == [f"хабарлама {i}" for i in range(3)]


async def test_restart_mid_queue_loses_nothing(
    server: Server, client: Client, signed: tuple[str, str, str]
) -> None:
    first = await client.repo.file(new_appeal("Бірінші"))
    await client.repo.send_message(first, "a")
    second = await client.repo.file(new_appeal("Екінші"))
    # The app is killed while the first appeal is in flight (sent, answer never seen).
    server.faulty.add("drop_after", "POST", APPEAL)
    await client.engine.sync_now()
    entry = client.repo.outbox.entries()[0]
    client.repo.outbox.mark_in_flight(entry.id or 0)  # as if killed during the request
    await client.restart()
    assert all(e.state != ob.IN_FLIGHT for e in client.repo.outbox.entries())
    await client.drain()
    appeals = server.appeals_of(signed[0])
    assert [a.client_id for a in appeals] == [first, second]
    assert [m.text for m in server.messages_of(appeals[0].id or 0)] == ["a"]


async def test_permanent_422_is_rejected_with_the_message_then_fixed(
    server: Server, client: Client, signed: tuple[str, str, str]
) -> None:
    cid = await client.repo.file(new_appeal(subclass_code="99.99"))
    await client.repo.send_message(cid, "күтеді")
    await client.drain()
    page = await client.queries.list_page()
    item = page.items[0]
    assert item.sync_state == "rejected" and item.sync_error  # the server's words, in ru
    assert server.appeals_of(signed[0]) == []
    detail = await client.queries.detail(cid)
    assert detail is not None
    create = next(a for a in detail.actions if a.kind == ob.CREATE_APPEAL)
    assert create.state == "rejected"
    # The message is still waiting (not dropped, not sent).
    assert [m.sync_state for m in await client.queries.messages(cid)] == ["pending"]
    await client.refused.discard(create.id)
    assert (await client.queries.list_page()).items == []
    assert client.repo.outbox.entries() == []


async def test_rejected_appeal_can_be_edited_and_sent_again(
    server: Server, client: Client, signed: tuple[str, str, str]
) -> None:
    cid = await client.repo.file(new_appeal("x" * 10))
    server.faulty.add(
        "status", "POST", APPEAL, status=422, headers={}
    )  # a refusal the resident can fix by editing
    await client.drain()
    assert (await client.queries.list_page()).items[0].sync_state == "rejected"
    await client.refused.resubmit(cid, "Түзетілген мәтін")
    await client.drain()
    [appeal] = server.appeals_of(signed[0])
    assert appeal.text == "Түзетілген мәтін" and appeal.client_id == cid


async def test_tus_upload_resumes_from_the_server_offset(
    server: Server, signed: tuple[str, str, str], tmp_path: Path
) -> None:
    client = Client(
        server,
        tmp_path / "tus-client",
        (signed[1], signed[2]),
        FakeClock(),
        small_upload_max=0,
        chunk_size=2048,
    )
    try:
        photo = jpeg_file(tmp_path / "media", "big.jpg", side=96, noise=True)
        assert photo.stat().st_size > 3 * 2048
        cid = await client.repo.file(new_appeal(media=[prepared(photo)]))
        # The second chunk reaches the server but its answer is lost; the app is killed.
        patches = 0

        def chaos(request: object) -> str | None:
            nonlocal patches
            if getattr(request, "method", "") == "PATCH":
                patches += 1
                if patches == 2:
                    return "drop_after"
            return None

        server.faulty.chaos = chaos
        await client.engine.sync_now()
        server.faulty.chaos = None
        await client.restart()
        await client.drain()
        [appeal] = server.appeals_of(signed[0])
        assert appeal.client_id == cid
        assert server.faulty.count("HEAD", r"/api/v1/uploads/.+") >= 1
        assert server.faulty.count("POST", r"/api/v1/uploads") == 1  # one upload, resumed
        detail = await client.queries.detail(cid)
        assert detail is not None and len(detail.media) == 1
    finally:
        await client.close()


async def test_rating_reopen_complaint_and_status_notifications(
    server: Server, client: Client, signed: tuple[str, str, str]
) -> None:
    heard: list[tuple[str, str | None]] = []
    client.sync.appeals.on_updates = lambda ups: heard.extend((u.kind, u.status) for u in ups)
    cid = await client.repo.file(new_appeal())
    await client.drain()
    [appeal] = server.appeals_of(signed[0])
    op = await server.operator()
    for status in ("assigned", "in_progress"):
        r = await server.call(
            "POST", f"/api/v1/operator/appeals/{appeal.id}/status", op, {"to_status": status}
        )
        assert r.status_code == 200, r.text
    r = await server.call(
        "POST",
        f"/api/v1/appeals/{appeal.id}/messages",
        op,
        {"client_id": "op-msg-0001", "text": "Бригада жолда"},
    )
    assert r.status_code == 201, r.text
    r = await server.call(
        "POST", f"/api/v1/operator/appeals/{appeal.id}/close", op, {"result_text": "Тазаланды"}
    )
    assert r.status_code == 200, r.text
    await client.engine.sync_now()
    assert ("message", None) in heard and ("status", "closed") in heard
    detail = await client.queries.detail(cid)
    assert detail is not None and detail.item.status == "closed" and detail.item.unread == 1
    assert await client.repo.mark_read(cid)

    server.faulty.add("drop_after", "POST", r"/api/v1/appeals/\d+/rating")
    await client.repo.rate(cid, 4, "Жақсы")
    await client.drain()
    await client.repo.reopen(cid, "Қайтадан ластанды")
    server.faulty.add("drop_before", "POST", r"/api/v1/appeals/\d+/complaints")
    await client.repo.complain(cid, "Ұзақ күттім")
    await client.drain()
    assert len(server.events_of(appeal.id or 0, "rating")) == 1
    assert len(server.events_of(appeal.id or 0, "reopen")) == 1
    assert len(server.complaints_of(appeal.id or 0)) == 1
    detail = await client.queries.detail(cid)
    assert detail is not None
    assert detail.item.status == "in_progress" and detail.reopen_count == 1
    assert detail.item.unread == 0 and detail.actions == ()
    with server.db() as db:
        from backend_stub.models import Message

        msg = db.get(Message, server.messages_of(appeal.id or 0)[0].id)
        assert msg is not None and msg.read_at is not None


async def test_second_sync_now_while_running_makes_one_more_pass(
    server: Server, client: Client
) -> None:
    gate = asyncio.Event()
    real_pass = client.engine._pass
    calls = 0

    async def slow_pass() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            await gate.wait()
        await real_pass()

    client.engine._pass = slow_pass  # type: ignore[method-assign]
    first = asyncio.create_task(client.engine.sync_now())
    await asyncio.sleep(0)
    await client.engine.sync_now()  # returns at once: one more pass is scheduled
    await client.engine.sync_now()
    gate.set()
    await first
    assert calls == 2


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    b = Backoff(0.5, 8.0)
    assert [b.delay(n, lambda: 1.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert b.delay(1, lambda: 0.0) == 0.25
