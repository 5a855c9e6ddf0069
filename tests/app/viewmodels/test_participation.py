"""Polls, initiatives and proposals: the view model and repository against the real backend
in-process, with faults on the wire. Every outcome is checked on the server: one vote, one
support, one proposal — whatever the network did."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.data.repositories import outbox as ob
from app.data.repositories.participation import VoteError
from app.domain.participation import Poll
from app.viewmodels.participation import ParticipationViewModel, result_bars
from tests.app.support.participation_harness import (
    ParticipationClient,
    ballots,
    close_poll,
    create_initiative,
    create_poll,
    proposals_of,
    published_proposal,
    supporters,
    user_id,
)
from tests.app.support.sync_harness import Server, jpeg_file, prepared

pytestmark = pytest.mark.anyio

VOTE = r"/api/v1/polls/\d+/vote"


def vm_of(client: ParticipationClient) -> ParticipationViewModel:
    return ParticipationViewModel(client.participation, on_queued=lambda: None)


async def loaded_vm(client: ParticipationClient) -> ParticipationViewModel:
    """The tab's view model with what the server lists loaded."""
    vm = vm_of(client)
    await vm.load()
    return vm


async def drain_and_reload(client: ParticipationClient, vm: ParticipationViewModel) -> None:
    """Send what the phone queued, then show what is on the phone now."""
    await client.drain()
    await vm.reload_local()


def poll_in(vm: ParticipationViewModel, poll_id: int) -> Poll:
    return next(p for p in vm.open_polls + vm.archive if p.id == poll_id)


# ---------------------------------------------------------------- polls


async def test_vote_once_online_shows_the_results_chart(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    phone, client = resident
    poll_id = await create_poll(server)
    vm = await loaded_vm(client)
    poll = poll_in(vm, poll_id)
    assert vm.is_open(poll) and poll.results is None  # no results before voting

    vm.toggle_option(poll, poll.options[1].id)
    assert await vm.vote(poll) is True
    await drain_and_reload(client, vm)

    poll = poll_in(vm, poll_id)
    assert poll.vote_state == "synced" and poll.voted == (poll.options[1].id,)
    assert not vm.is_open(poll)
    bars = result_bars(poll)
    assert [(b.count, b.mine) for b in bars] == [(0, False), (1, True), (0, False)]
    assert ballots(server, poll_id) == [(user_id(server, phone), [poll.options[1].id])]

    # Once only: the view model refuses a second vote and nothing else is queued.
    vm.toggle_option(poll, poll.options[0].id)
    assert await vm.vote(poll) is False
    assert vm.poll_errors[poll_id].msgid == "You have already voted in this poll."
    with pytest.raises(VoteError):
        client.participation.vote(poll_id, [poll.options[0].id])
    assert client.repo.outbox.counts().pending == 0
    assert len(ballots(server, poll_id)) == 1


async def test_offline_vote_is_queued_and_sent_once_even_if_the_answer_is_lost(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    phone, client = resident
    poll_id = await create_poll(server, multiple=True, max_choices=2)
    vm = await loaded_vm(client)  # the poll reaches the device while online
    poll = poll_in(vm, poll_id)

    server.faulty.down = True  # offline now
    vm.toggle_option(poll, poll.options[0].id)
    vm.toggle_option(poll, poll.options[2].id)
    vm.toggle_option(poll, poll.options[1].id)  # a third one is over the limit
    assert vm.poll_errors[poll_id].msgid == "Choose at most {max_choices} options."
    assert vm.ballot(poll_id) == [poll.options[0].id, poll.options[2].id]
    assert await vm.vote(poll) is True
    await client.engine.sync_now()
    assert client.engine.status.online is False
    await vm.reload_local()
    poll = poll_in(vm, poll_id)
    assert poll.vote_state == "pending" and poll.voted == (poll.options[0].id, poll.options[2].id)
    assert client.repo.outbox.counts().pending == 1

    # Back online, but the server's answer to the vote is lost after it committed.
    server.faulty.down = False
    server.faulty.add("drop_after", "POST", VOTE)
    await drain_and_reload(client, vm)
    poll = poll_in(vm, poll_id)
    assert poll.vote_state == "synced" and poll.results is not None
    sent = [
        status for method, path, status in server.faulty.log if method == "POST" and "vote" in path
    ]
    assert sent == ["down", "drop_after", 200]  # each retry carried the same client id
    assert ballots(server, poll_id) == [
        (user_id(server, phone), sorted([poll.options[0].id, poll.options[2].id]))
    ]


async def test_a_vote_made_on_another_device_wins_and_is_shown(
    server: Server, resident: tuple[str, ParticipationClient], tmp_path: Path
) -> None:
    phone, client = resident
    poll_id = await create_poll(server)
    vm = await loaded_vm(client)
    poll = poll_in(vm, poll_id)
    other = ParticipationClient(
        server, tmp_path / "other", client.tokens_pair, client.clock
    )  # the same resident on a second phone
    try:
        await other.participation.refresh_polls()
        other.participation.vote(poll_id, [poll.options[2].id])
        await other.drain()
    finally:
        await other.close()

    client.participation.vote(poll_id, [poll.options[0].id])  # this phone did not know yet
    await drain_and_reload(client, vm)
    poll = poll_in(vm, poll_id)
    assert poll.vote_state == "rejected" and poll.vote_error  # the server's words
    assert poll.voted == (poll.options[2].id,)  # the vote the server counted
    assert ballots(server, poll_id) == [(user_id(server, phone), [poll.options[2].id])]
    assert [e.state for e in client.repo.outbox.entries()] == [ob.REJECTED]


async def test_closed_polls_are_archived_with_results(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    _phone, client = resident
    poll_id = await create_poll(server)
    await close_poll(server, poll_id)
    vm = await loaded_vm(client)
    assert [p.id for p in vm.open_polls] == []
    poll = poll_in(vm, poll_id)
    assert poll in vm.archive and vm.is_closed(poll) and poll.results is not None
    with pytest.raises(VoteError) as refused:
        client.participation.vote(poll_id, [poll.options[0].id])
    assert refused.value.code == "poll_closed"


async def test_polls_of_other_districts_cannot_be_voted(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    _phone, client = resident
    await create_poll(server, districts=["nura"])  # the resident has no address there
    vm = await loaded_vm(client)
    assert vm.open_polls == []  # the server lists only the resident's districts


# ---------------------------------------------------------------- initiatives


async def test_support_an_initiative_once_offline_then_synced(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    phone, client = resident
    initiative_id = await create_initiative(server)
    vm = await loaded_vm(client)
    it = next(i for i in vm.initiatives if i.id == initiative_id)
    assert (it.supported, it.support_count) == (False, 0)

    server.faulty.down = True
    vm.offline = True
    await vm.support_initiative(it)
    await vm.support_initiative(it)  # a second tap changes nothing
    it = next(i for i in vm.initiatives if i.id == initiative_id)
    assert (it.supported, it.support_count, it.support_state) == (True, 1, "pending")
    assert vm.notice is not None and "connection" in vm.notice.msgid
    assert client.repo.outbox.counts().pending == 1

    server.faulty.down = False
    await drain_and_reload(client, vm)
    it = next(i for i in vm.initiatives if i.id == initiative_id)
    assert (it.supported, it.support_count, it.support_state) == (True, 1, "synced")
    assert supporters(server, initiative_id) == [user_id(server, phone)]


async def test_a_finished_initiative_takes_no_support(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    _phone, client = resident
    initiative_id = await create_initiative(server, state="done")
    vm = await loaded_vm(client)
    it = next(i for i in vm.initiatives if i.id == initiative_id)
    await vm.support_initiative(it)
    assert vm.notice is not None and vm.notice.msgid == "This initiative no longer takes support."
    assert supporters(server, initiative_id) == []


# ---------------------------------------------------------------- proposals


async def test_proposal_form_errors_keep_what_was_typed(
    resident: tuple[str, ParticipationClient],
) -> None:
    _phone, client = resident
    vm = vm_of(client)
    vm.set_text("   ")
    assert await vm.submit_proposal() is None
    assert vm.form.text_error is not None and vm.form.category_error is not None
    vm.set_text("Аулаға орындық қойыңыз")
    assert await vm.submit_proposal() is None  # still no category
    assert vm.form.text == "Аулаға орындық қойыңыз" and vm.form.text_error is None
    assert client.repo.outbox.counts().pending == 0


async def test_proposal_with_photo_offline_is_sent_once_and_followed(
    server: Server, resident: tuple[str, ParticipationClient], tmp_path: Path
) -> None:
    phone, client = resident
    vm = vm_of(client)
    server.faulty.down = True
    vm.set_text("Установить скамейки вдоль аллеи у поликлиники")
    vm.set_category("landscaping")
    vm.set_point(51.1661, 71.4297, "Астана, ул. Кенесары, 40")
    vm.form.photo = prepared(jpeg_file(tmp_path / "media"))
    client_id = await vm.submit_proposal()
    assert client_id is not None
    assert vm.form.text == "" and vm.section == "proposals"  # the form is cleared
    [mine] = vm.my_proposals
    assert (mine.key, mine.sync_state, mine.state) == (client_id, "pending", "pending")
    assert mine.address == "Астана, ул. Кенесары, 40"

    server.faulty.down = False
    server.faulty.add("drop_after", "POST", r"/api/v1/proposals")
    await drain_and_reload(client, vm)
    [mine] = vm.my_proposals
    assert (mine.sync_state, mine.state) == ("synced", "pending")  # awaiting moderation
    [on_server] = proposals_of(server, phone)
    assert on_server.client_id == client_id and on_server.category == "landscaping"
    assert len(mine.photo_ids) == 1  # the photo went up first and is attached


async def test_support_and_withdraw_others_published_proposals(
    server: Server, resident: tuple[str, ParticipationClient], tmp_path: Path
) -> None:
    _phone, client = resident
    author_phone = await published_proposal(
        server, tmp_path / "author", "Велодорожка вдоль проспекта"
    )

    vm = await loaded_vm(client)
    [theirs] = vm.proposals
    assert not theirs.mine and theirs.support_count == 0
    await vm.support_proposal(theirs)
    await drain_and_reload(client, vm)
    [theirs] = vm.proposals
    assert (theirs.supported, theirs.support_count) == (True, 1)
    [on_server] = proposals_of(server, author_phone)
    assert on_server.support_count == 1

    await vm.support_proposal(theirs, False)  # withdrawn: shown at once, then on the server
    [theirs] = vm.proposals
    assert (theirs.supported, theirs.support_count) == (False, 0)
    await drain_and_reload(client, vm)
    [theirs] = vm.proposals
    assert (theirs.supported, theirs.support_count) == (False, 0)
    [on_server] = proposals_of(server, author_phone)
    assert on_server.support_count == 0


async def test_feed_rows_reach_the_tab(
    server: Server, resident: tuple[str, ParticipationClient]
) -> None:
    """A poll published later comes with the sync feed (no explicit refresh)."""
    _phone, client = resident
    vm = await loaded_vm(client)
    assert vm.open_polls == []
    poll_id = await create_poll(server)
    await client.engine.sync_now()  # pull
    await vm.reload_local()
    assert [p.id for p in vm.open_polls] == [poll_id]
