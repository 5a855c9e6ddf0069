"""Withdrawing support of an initiative: kept on the phone with its outbox entry in one
transaction, sent in order after the support it undoes, and checked on the real server
in-process — whatever the network did. (A proposal's: `test_participation`.)"""

from __future__ import annotations

import pytest

from app.data.repositories.outbox import payload_of
from app.data.repositories.participation_initiatives import INITIATIVE_SUPPORT
from app.domain.participation import Initiative
from app.viewmodels.participation import ParticipationViewModel
from tests.app.support.participation_harness import (
    ParticipationClient,
    create_initiative,
    make_client,
    supporters,
    user_id,
)
from tests.app.support.sync_harness import Server

pytestmark = pytest.mark.anyio


async def loaded_vm(client: ParticipationClient) -> ParticipationViewModel:
    vm = ParticipationViewModel(client.participation, on_queued=lambda: None)
    await vm.load()
    return vm


def initiative(vm: ParticipationViewModel, initiative_id: int) -> Initiative:
    return next(i for i in vm.initiatives if i.id == initiative_id)


async def sent(
    client: ParticipationClient, vm: ParticipationViewModel, initiative_id: int
) -> Initiative:
    """Send what the phone queued; the initiative as the tab then shows it."""
    await client.drain()
    await vm.reload_local()
    return initiative(vm, initiative_id)


def queued(client: ParticipationClient) -> list[tuple[str, bool]]:
    """(kind, support) of the phone's outbox entries, oldest first."""
    entries = sorted(client.repo.outbox.entries(), key=lambda e: e.id or 0)
    return [(e.kind, bool(payload_of(e)["support"])) for e in entries]


async def test_withdraw_offline_after_a_support_is_sent_in_order(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    """Support and withdraw while offline: both wait in the outbox in the order tapped, the card
    shows the withdrawal at once, and the server ends with no support from this resident."""
    _phone, client = resident
    initiative_id = await create_initiative(server)
    vm = await loaded_vm(client)
    server.faulty.down = True
    vm.offline = True

    await vm.support_initiative(initiative(vm, initiative_id))
    await vm.support_initiative(initiative(vm, initiative_id), False)
    it = initiative(vm, initiative_id)
    assert (it.supported, it.support_count, it.support_state) == (False, 0, "pending")
    assert queued(client) == [(INITIATIVE_SUPPORT, True), (INITIATIVE_SUPPORT, False)]
    assert vm.notice is not None and "withdrawn" in vm.notice.msgid

    server.faulty.down = False
    it = await sent(client, vm, initiative_id)
    assert (it.supported, it.support_count, it.support_state) == (False, 0, "synced")
    assert supporters(server, initiative_id) == []


async def test_withdraw_a_synced_support_online(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    phone, client = resident
    initiative_id = await create_initiative(server)
    vm = await loaded_vm(client)
    await vm.support_initiative(initiative(vm, initiative_id))
    await client.drain()
    assert supporters(server, initiative_id) == [user_id(server, phone)]

    await vm.support_initiative(initiative(vm, initiative_id), False)
    await vm.support_initiative(initiative(vm, initiative_id), False)  # a second tap: nothing
    assert queued(client)[-1] == (INITIATIVE_SUPPORT, False)
    assert client.repo.outbox.counts().pending == 1
    assert vm.notice is None  # online: the card itself shows it
    it = await sent(client, vm, initiative_id)
    assert (it.supported, it.support_count, it.support_state) == (False, 0, "synced")
    assert supporters(server, initiative_id) == []


async def test_withdraw_survives_a_lost_answer(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    """The DELETE reached the server but its answer was lost: the retry changes nothing more."""
    _phone, client = resident
    initiative_id = await create_initiative(server)
    other_phone, other = await make_client(server, client.data_dir.parent / "other")
    try:
        await other.participation.refresh_initiatives()
        other.participation.support_initiative(initiative_id)
        await other.drain()
    finally:
        await other.close()
    vm = await loaded_vm(client)
    await vm.support_initiative(initiative(vm, initiative_id))
    await client.drain()
    server.faulty.add("drop_after", "DELETE", rf"/api/v1/initiatives/{initiative_id}/support")
    await vm.support_initiative(initiative(vm, initiative_id), False)
    it = await sent(client, vm, initiative_id)
    assert (it.supported, it.support_count) == (False, 1)  # the other resident's stays
    assert supporters(server, initiative_id) == [user_id(server, other_phone)]
