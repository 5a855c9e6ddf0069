"""A stateful property test of the outbox against the real backend (in-process).

Rules: queue appeals and messages (the resident, offline or not), flush with random faults on
the wire (connection refused, response lost after the server committed, 503, 429), restart the
app from its files (even with an entry left in flight), and deliver a request twice. The model
is what the resident did, in order. Invariants, checked after every step on the SERVER: nothing
the resident did not do is there, nothing twice, each appeal's messages in the resident's order;
and once the queue is drained without faults, the server holds exactly the model.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from app.data.repositories import outbox as ob
from tests.app.support.sync_harness import Client, FakeClock, Server, SyncSide, new_appeal

T = TypeVar("T")
FAULTS = (None, None, None, "drop_before", "drop_after", "drop_after", "503", "429")
_SERVER: list[Server] = []  # one backend for the module; each example has its own resident


def shared_server() -> Server:
    if not _SERVER:
        folder = Path(tempfile.mkdtemp(prefix="outbox-sm-server-"))
        atexit.register(shutil.rmtree, folder, True)
        _SERVER.append(Server(folder))
    return _SERVER[0]


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="outbox-sm-"))
        self.loop = asyncio.new_event_loop()
        self.server = shared_server()
        self.server.faulty.faults.clear()
        self.phone, access, refresh = self.server.resident()
        self.client = Client(self.server, self.dir / "client", (access, refresh), FakeClock())
        self.model: dict[str, list[str]] = {}  # appeal client id -> its messages, in order
        self.order: list[str] = []
        self.n = 0
        self.draw: st.DataObject | None = None  # decides each request's fate during a flush

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        try:
            self.run(self.client.close())
        finally:
            self.loop.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def wire(self) -> None:
        def chaos(request: httpx.Request) -> str | None:
            if self.draw is None:
                return None
            kind = self.draw.draw(st.sampled_from(FAULTS), label=request.url.path)
            if kind in ("503", "429"):
                status = int(kind)
                headers = {"Retry-After": "1"} if status == 429 else {}
                self.server.faulty.add("status", request.method, ".*", status=status,
                                       headers=headers)  # fmt: skip
                return None  # the status fault just added answers this very request
            return kind

        self.server.faulty.chaos = chaos

    # -- what the resident does ------------------------------------------------------------------

    @rule()
    def file_appeal(self) -> None:
        self.n += 1
        cid = self.run(self.client.repo.file(new_appeal(f"Өтініш {self.n}")))
        self.model[cid] = []
        self.order.append(cid)

    @precondition(lambda self: bool(self.order))
    @rule(which=st.integers(min_value=0, max_value=50))
    def send_message(self, which: int) -> None:
        cid = self.order[which % len(self.order)]
        self.n += 1
        text = f"Хабарлама {self.n}"
        self.run(self.client.repo.send_message(cid, text))
        self.model[cid].append(text)

    # -- the world -------------------------------------------------------------------------------

    @rule(data=st.data(), wait=st.sampled_from([0.0, 0.3, 2.0, 40.0]))
    def flush(self, data: st.DataObject, wait: float) -> None:
        """One sync pass; every request on the wire meets a random fault (or none)."""
        self.draw = data
        try:
            self.run(self.client.engine.sync_now())
        finally:
            self.draw = None
            self.server.faulty.faults.clear()
        self.client.clock.advance(wait)

    @rule(kill_in_flight=st.booleans())
    def restart(self, kill_in_flight: bool) -> None:
        if kill_in_flight:
            entry = self.client.repo.outbox.next_ready()
            if entry is not None and entry.id is not None:
                self.client.repo.outbox.mark_in_flight(entry.id)
        self.run(self.client.restart())

    @rule(which=st.integers(min_value=0, max_value=50))
    def duplicate_delivery(self, which: int) -> None:
        """A request the app already sent reaches the server again (a retrying proxy)."""
        done = [
            e
            for e in self.client.repo.outbox.entries(include_done=True)
            if e.state == ob.DONE and e.kind in (ob.CREATE_APPEAL, ob.SEND_MESSAGE)
        ]
        if not done:
            return
        entry = done[which % len(done)]
        body = {**json.loads(entry.payload_json), "attachment_ids": []}
        headers = {
            "Authorization": f"Bearer {self.client.tokens.access_token}",
            "Idempotency-Key": entry.idempotency_key,
        }
        if entry.kind == ob.CREATE_APPEAL:
            path = "/api/v1/appeals"
        else:
            sid = SyncSide(self.client.repo).server_id_of(entry.target_client_id)
            path = f"/api/v1/appeals/{sid}/messages"
        r = self.run(self.server.call("POST", path, headers, body))
        assert r.status_code in (200, 201), r.text

    # -- invariants, on the server ----------------------------------------------------------------

    def server_state(self) -> dict[str, list[str]]:
        state: dict[str, list[str]] = {}
        appeals = self.server.appeals_of(self.phone)
        counts = Counter(a.client_id for a in appeals)
        assert all(n == 1 for n in counts.values()), f"appeal applied twice: {counts}"
        for a in appeals:
            state[a.client_id] = [m.text for m in self.server.messages_of(a.id or 0)]
        return state

    @invariant()
    def server_is_a_prefix_of_the_model(self) -> None:
        for cid, messages in self.server_state().items():
            assert cid in self.model, "an appeal the resident never filed"
            assert messages == self.model[cid][: len(messages)], "lost, doubled or reordered"

    def teardown_check(self) -> None:
        self.server.faulty.chaos = None
        self.server.faulty.faults.clear()
        self.run(self.client.drain())
        assert self.server_state() == self.model
        assert self.client.repo.outbox.counts().pending == 0


class DrainingMachine(OutboxMachine):
    def teardown(self) -> None:
        try:
            self.teardown_check()
        finally:
            super().teardown()


TestOutbox = DrainingMachine.TestCase
TestOutbox.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
