"""Participation and the profile in sync (`Syncable`): votes, supports and proposals, and
profile and saved-address edits, are sent by their repositories' senders; the feed's `poll`,
`initiative` and `proposal` rows are merged by the participation repository. Both repositories
tell their own listeners of what they store."""

from __future__ import annotations

from collections.abc import Mapping

from app.data.repositories.participation import ParticipationRepository
from app.data.repositories.profile import KINDS as PROFILE_KINDS
from app.data.repositories.profile import ProfileRepository
from app.sync.syncable import Merger, Sender


class ParticipationSync:
    def __init__(self, repo: ParticipationRepository) -> None:
        self._repo = repo

    def senders(self) -> Mapping[str, Sender]:
        return self._repo.action_handlers()

    def mergers(self) -> Mapping[str, Merger]:
        return self._repo.entity_handlers()

    def changed(self) -> None:
        """Nothing to do: the repository notifies when it stores."""


class ProfileSync:
    def __init__(self, repo: ProfileRepository) -> None:
        self._repo = repo

    def senders(self) -> Mapping[str, Sender]:
        return dict.fromkeys(PROFILE_KINDS, self._repo.send)

    def mergers(self) -> Mapping[str, Merger]:
        return {}

    def changed(self) -> None:
        """Nothing to do: the repository notifies when it stores."""
