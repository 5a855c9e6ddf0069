"""A proposal's photo is shown after it was attached: from the file on the phone while the
proposal waits to be sent, then from the server's copy (checked against the real server
in-process, bytes for bytes), kept in the media cache so it shows offline once seen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.data.services.appeals_api import AppealsApi
from app.data.services.media_cache import CachedMediaSource, MediaCache
from app.domain.participation import NewProposal, Proposal
from app.errors import ApiError, NetworkError
from app.viewmodels.participation import ParticipationViewModel
from app.viewmodels.participation_photos import ProposalPhotos, photo_key
from tests.app.support.participation_harness import ParticipationClient
from tests.app.support.sync_harness import Server, jpeg_file, prepared
from tests.app.support.waiting import until

pytestmark = pytest.mark.anyio


async def test_the_photo_shows_from_the_phone_then_from_the_server(
    server: Server, resident: tuple[str, ParticipationClient], tmp_path: Path
) -> None:
    _phone, client = resident
    cache = MediaCache(tmp_path / "cache")
    vm = ParticipationViewModel(
        client.participation,
        on_queued=lambda: None,
        photo_source=CachedMediaSource(AppealsApi(client.api), cache),
    )
    photo = jpeg_file(tmp_path / "media")
    taken = photo.read_bytes()
    server.faulty.down = True
    vm.set_text("Установить скамейки вдоль аллеи у поликлиники")
    vm.set_category("landscaping")
    vm.form.photo = prepared(photo)
    assert await vm.submit_proposal() is not None
    [mine] = vm.my_proposals
    assert mine.photo_path == str(photo) and mine.photo_ids == ()
    await until(lambda: vm.photos.of(vm.my_proposals[0]) is not None, what="the local photo")
    assert vm.photos.of(vm.my_proposals[0]) == taken

    server.faulty.down = False
    await client.drain()
    await vm.reload_local()
    [mine] = vm.my_proposals
    assert mine.photo_path is None and len(mine.photo_ids) == 1  # uploaded, the server's now
    await until(lambda: vm.photos.of(vm.my_proposals[0]) is not None, what="the server's photo")
    on_server = vm.photos.of(mine)
    assert on_server is not None and on_server[:2] == b"\xff\xd8"  # a JPEG the server cleaned
    assert cache.size() > 0  # kept: shown again offline

    server.faulty.down = True
    offline = ParticipationViewModel(
        client.participation,
        on_queued=lambda: None,
        photo_source=CachedMediaSource(AppealsApi(client.api), cache),
    )
    await offline.reload_local()
    await until(lambda: offline.photos.of(offline.my_proposals[0]) is not None, what="cached")
    assert offline.photos.of(offline.my_proposals[0]) == on_server


async def test_a_photo_not_fetched_offline_comes_when_online(
    server: Server, resident: tuple[str, ParticipationClient], tmp_path: Path
) -> None:
    """Another phone of the same resident, offline and with an empty cache: no thumbnail and
    no error; the photo comes with the next load once the server answers."""
    _phone, client = resident
    client.participation.submit_proposal(
        NewProposal(text="Скамейки у поликлиники", category="landscaping",
                    photo=prepared(jpeg_file(tmp_path / "media")))
    )  # fmt: skip
    await client.drain()
    vm = ParticipationViewModel(
        client.participation,
        on_queued=lambda: None,
        photo_source=CachedMediaSource(AppealsApi(client.api), MediaCache(tmp_path / "empty")),
    )
    shown = client.participation.proposals(mine=True)  # read here: no load in the background
    [mine] = shown
    server.faulty.down = True
    await vm.photos.load(shown)
    assert vm.photos.of(mine) is None
    server.faulty.down = False
    await vm.photos.load(shown)
    assert vm.photos.of(mine) is not None


class CountingSource:
    """A photo source that fails as told and counts what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.fail: Exception | None = None

    async def media_bytes(self, url: str) -> bytes:
        self.asked.append(url)
        if self.fail is not None:
            raise self.fail
        return b"\xff\xd8photo"


def others_proposal(server_id: int) -> Proposal:
    return Proposal(
        key=f"p{server_id}", server_id=server_id, mine=False, text="Скамейки",
        category="landscaping", address=None, district=None, state="published",
        moderator_note=None, support_count=0, supported=False,
        created_at=datetime(2026, 12, 6, tzinfo=UTC), photo_ids=("ph1",),
    )  # fmt: skip


async def test_a_photo_is_fetched_once_refusals_are_not_asked_again_offline_is() -> None:
    source = CountingSource()
    photos = ProposalPhotos(source, lambda: None)
    removed, offline, fine = others_proposal(1), others_proposal(2), others_proposal(3)

    source.fail = ApiError(404, "not_found", "")
    await photos.load([removed])
    source.fail = NetworkError("offline")
    await photos.load([removed, offline])
    source.fail = None
    await photos.load([removed, offline, fine])
    await photos.load([removed, offline, fine])  # the next merge: nothing fetched again
    assert [u.split("/")[-3] for u in source.asked] == ["1", "2", "2", "3"]
    assert photos.of(removed) is None and photos.of(offline) and photos.of(fine)

    await photos.load([fine])  # the others scrolled away: their bytes are let go
    assert set(photos.images) == {photo_key(fine)}
