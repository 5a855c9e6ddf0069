"""A cabinet page shows the device's copy of the profile at once and then the server's: a change
the resident makes while the server's copy is on its way stays on the page (it was silently
undone before: a ticked alert level came back, and Save sent it again)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from app.data.repositories.profile import ProfileRepository
from app.domain.profile import NotificationSettings, Profile
from app.viewmodels.notification_settings import AlertSettingsViewModel
from app.viewmodels.personal import PersonalDataViewModel

pytestmark = pytest.mark.anyio

SERVER_COPY = Profile(
    id=1,
    phone="+77011234567",
    full_name="Айгүл Серікқызы",
    iin=None,
    notifications=NotificationSettings(alert_levels=("Extreme", "Severe", "Moderate", "Minor")),
)


class SlowProfiles:
    """The profile repository's face the pages use; the server's copy arrives when released."""

    def __init__(self) -> None:
        self.current = Profile(id=1, phone="+77011234567")
        self.release = asyncio.Event()
        self.saved: list[Any] = []

    def profile(self) -> Profile:
        return self.current

    def subscribe(self, listener: Any) -> None:  # the personal page follows refusals
        pass

    def rejected_patch(self) -> None:
        return None

    async def refresh(self) -> Profile:
        await self.release.wait()
        self.current = SERVER_COPY
        return self.current

    def update_alert_settings(self, status_updates: bool, alert_levels: list[str]) -> bool:
        self.saved.append((status_updates, alert_levels))
        return True

    def update_personal(self, full_name: str | None, iin: str | None) -> bool:
        self.saved.append((full_name, iin))
        return True


async def test_an_alert_level_unticked_while_the_server_answers_stays_unticked() -> None:
    repo = SlowProfiles()
    vm = AlertSettingsViewModel(cast(ProfileRepository, repo))
    loading = asyncio.create_task(vm.load())
    await asyncio.sleep(0.05)  # the device's copy is shown; the server's is on its way
    vm.toggle_level("Minor", False)
    repo.release.set()
    await loading
    assert "Minor" not in vm.levels  # not put back by the server's copy
    await vm.save()
    assert repo.saved == [(True, ["Extreme", "Severe", "Moderate"])]
    await vm.load()  # opened again, nothing edited: the device's copy is read again
    assert not vm.edited


async def test_an_untouched_page_takes_the_servers_copy() -> None:
    repo = SlowProfiles()
    vm = PersonalDataViewModel(cast(ProfileRepository, repo))
    repo.release.set()
    await vm.load()
    assert vm.name_text == "Айгүл Серікқызы"


async def test_a_name_typed_while_the_server_answers_is_kept() -> None:
    repo = SlowProfiles()
    vm = PersonalDataViewModel(cast(ProfileRepository, repo))
    loading = asyncio.create_task(vm.load())
    await asyncio.sleep(0.05)
    vm.set_name("Әсел")
    repo.release.set()
    await loading
    assert vm.name_text == "Әсел"
