"""Notification settings in the cabinet: which alert levels to be warned about and whether to
hear about status changes of appeals. (The districts/places and topics of notices are the
notices feature's choice: the cabinet shows its `NoticePrefsViewModel` next to this one.)

Saved on the device and queued as a profile edit (offline too). Whether the app sends the
resident's approximate position for alerts is a setting of this device only, applied the moment
it is switched (`app/sync/position_sharing.py` reads it before every fix and send)."""

from __future__ import annotations

import asyncio
from typing import Protocol, Unpack

from app.data.repositories.profile import ProfileRepository
from app.domain.profile import ALERT_LEVELS
from app.i18n import N_, Message
from app.viewmodels.profile_page import PageHooks, ProfilePageViewModel

ALERT_LEVEL_NAMES: dict[str, str] = {
    "Extreme": N_("Extreme: threat to life"),
    "Severe": N_("Severe"),
    "Moderate": N_("Moderate"),
    "Minor": N_("Minor"),
}
MSG_SETTINGS_SAVED = N_("Settings saved.")
MSG_SETTINGS_QUEUED = N_("Settings saved on this device; they will be sent when online.")
MSG_EXTREME_ALWAYS = N_("Warnings of a threat to life always come.")
MSG_SHARE_POSITION = N_("Send my approximate location for alerts")
MSG_POSITION_PRIVACY = N_(
    "While the app is open, it sends the server your approximate location, rounded to about "
    "1 km, so that emergency warnings for the place where you are reach you. It is sent when "
    "the app starts, when you come back to it and when you have moved more than 300 m, and "
    "only if you have already allowed location access. The app never sends it in the "
    "background. Your exact position stays on your phone."
)


def save_report(*reports: Message | None) -> Message | None:
    """What one press of Save says on a page that saves several settings at once (alert
    settings and notice preferences share the button, and each reports): said once, and
    "waiting to be sent" when any part waits."""
    said = [r for r in reports if r is not None]
    queued = Message(MSG_SETTINGS_QUEUED)
    return queued if queued in said else (said[0] if said else None)


class PositionSwitch(Protocol):
    """The device's setting of sharing the position (`app/sync/position_sharing.SharingSwitch`)."""

    def shares_position(self) -> bool:
        """Blocking (reads the store)."""

    async def set_shares_position(self, on: bool) -> None:
        """Kept at once; off also asks the server to forget the last position."""


class AlertSettingsViewModel(ProfilePageViewModel):
    def __init__(
        self,
        repo: ProfileRepository,
        *,
        position: PositionSwitch | None = None,
        **hooks: Unpack[PageHooks],
    ) -> None:
        super().__init__(repo, **hooks)
        self._position = position
        self.shares_position = True
        self.status_updates = True
        self.levels: set[str] = set(ALERT_LEVELS)
        self.notice: Message | None = None
        self.saving = False

    def _read(self) -> None:
        settings = self._repo.profile().notifications
        self.status_updates = settings.status_updates
        self.levels = set(settings.alert_levels) | {"Extreme"}
        if self._position is not None:
            self.shares_position = self._position.shares_position()

    @property
    def has_position_switch(self) -> bool:
        return self._position is not None

    async def set_shares_position(self, on: bool) -> None:
        """Kept on this device at once (no "Save" needed): off, nothing more is sent."""
        if self._position is None:
            return
        await self._position.set_shares_position(on)
        self.shares_position = on
        self.notify()

    async def load(self) -> None:
        """What the device has at once; then the server's profile when it can be reached."""
        await self._load_fields()
        self.notify()
        if await self._refresh():
            self.notify()

    @property
    def level_choices(self) -> list[tuple[str, str, bool, bool]]:
        """(code, msgid of its name, chosen, can be changed) in order of severity."""
        return [
            (code, ALERT_LEVEL_NAMES[code], code in self.levels, code != "Extreme")
            for code in ALERT_LEVELS
        ]

    def toggle_level(self, code: str, on: bool) -> None:
        if code == "Extreme" or code not in ALERT_LEVELS:
            return  # a threat to life is always announced
        self.levels = self.levels | {code} if on else self.levels - {code}
        self.edited = True
        self.notice = None
        self.notify()

    def set_status_updates(self, on: bool) -> None:
        self.status_updates = on
        self.edited = True
        self.notice = None
        self.notify()

    async def save(self) -> bool:
        if self.saving:
            return False
        self.saving = True
        self.notify()
        ordered = [c for c in ALERT_LEVELS if c in self.levels]
        try:
            changed = await asyncio.to_thread(
                self._repo.update_alert_settings, self.status_updates, ordered
            )
        finally:
            self.saving = False
        self.edited = False
        self.notice = Message(MSG_SETTINGS_SAVED if self._online() else MSG_SETTINGS_QUEUED)
        self.notify()
        if changed:
            self._on_queued()
        return True
