"""Who answered, end to end: a responsible body's executor moves the resident's appeal and
answers in its chat on the real server; the app's sync brings the job («орындаушы: <body>» /
«исполнитель: <body>») onto the phone, and never the executor's name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.viewmodels.appeal_detail import AppealDetailViewModel
from app.viewmodels.navigation import Navigation
from backend_stub.classifier import load_classifier
from backend_stub.crud import staff as staff_crud
from tests.app.support.sync_harness import Client, FakeClock, Server, new_appeal
from tests.app.viewmodels.test_appeal_viewmodels import kk, ru

pytestmark = pytest.mark.anyio

NAME = "Жанар Сейтқалиқызы"  # the executor's own name: stays on the server


async def executor_of(server: Server, body: str) -> dict[str, str]:
    """The headers of a new executor of `body`, signed in."""
    phone, access, _ = await server.sign_in("+77019990001")
    with server.db() as db:
        staff_crud.create(db, login="executor-test", display_name=NAME, role="executor",
                          body=body, password="an-executor-password-4-tests",
                          phone=phone)  # fmt: skip
        db.commit()
    return {"Authorization": f"Bearer {access}"}


async def test_an_executors_answer_reaches_the_phone_as_their_job(tmp_path: Path) -> None:
    server = Server(tmp_path / "server")
    resident, access, refresh = await server.sign_in()
    client = Client(server, tmp_path / "client", (access, refresh), FakeClock())
    try:
        body_name = await answered_by_an_executor(server, client, resident)
    finally:
        await client.close()
    # the phone's store holds the job, never the person
    stored = b"".join(f.read_bytes() for f in (tmp_path / "client").glob("app.db*"))
    assert body_name.encode() in stored and NAME.encode() not in stored


async def answered_by_an_executor(server: Server, client: Client, resident: str) -> str:
    """The executor of the appeal's body moves it and answers; the phone then says so in kk and
    ru. Returns the body's Kazakh name."""
    cid = await client.repo.file(new_appeal())
    await client.drain()
    [appeal] = server.appeals_of(resident)
    assert appeal.id is not None and appeal.service_code
    body = next(s for s in load_classifier().services if s.code == appeal.service_code)
    operator = await server.operator()  # a supervisor of the contact centre
    r = await server.call("POST", f"/api/v1/operator/appeals/{appeal.id}/status", operator,
                          {"to_status": "assigned"})  # fmt: skip
    assert r.status_code == 200, r.text
    executor = await executor_of(server, appeal.service_code)
    r = await server.call("POST", f"/api/v1/operator/appeals/{appeal.id}/status", executor,
                          {"to_status": "in_progress"})  # fmt: skip
    assert r.status_code == 200, r.text
    r = await server.call("POST", f"/api/v1/appeals/{appeal.id}/messages", executor,
                          {"client_id": "exec-msg-0001", "text": "Бригада жолда"})  # fmt: skip
    assert r.status_code == 201, r.text
    await client.engine.sync_now()

    language = ["kk"]
    vm = AppealDetailViewModel(
        cid, Navigation(), queries=client.queries, actions=client.repo, refused=client.refused,
        changes=client.changes, language=lambda: language[0], now=lambda: datetime.now(UTC),
    )  # fmt: skip
    await vm.load()
    [answer] = vm.messages
    moved = vm.detail.history[-1]  # type: ignore[union-attr]
    assert moved.to_status == "in_progress"
    assert kk(vm.author(answer)) == kk(vm.history_actor(moved)) == f"орындаушы: {body.name_kk}"
    assignment = vm.detail.history[-2]  # type: ignore[union-attr]
    assert kk(vm.history_actor(assignment)) == "109 супервайзері"
    language[0] = "ru"
    assert ru(vm.author(answer)) == ru(vm.history_actor(moved)) == f"исполнитель: {body.name_ru}"
    return body.name_kk
