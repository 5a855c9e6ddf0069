"""Which screen a cabinet route opens: personal data, saved addresses and their editor,
notification settings, and the new proposal of the Participation tab."""

from __future__ import annotations

from typing import Protocol

from app.data.services.picker import MediaPicker
from app.routes import RouteMatch
from app.ui.cabinet.addresses import AddressEditorScreen, AddressesScreen
from app.ui.cabinet.notification_settings import NotificationSettingsScreen
from app.ui.cabinet.personal_data import PersonalDataScreen
from app.ui.kit import Screen
from app.ui.participation.new_proposal_screen import NewProposalScreen
from app.viewmodels.addresses import AddressesViewModel
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.notices import NoticePrefsViewModel
from app.viewmodels.notification_settings import AlertSettingsViewModel
from app.viewmodels.participation import ParticipationViewModel
from app.viewmodels.personal import PersonalDataViewModel


class PageModels(Protocol):
    """What these pages need of the session (the composition root's `AppSession` has it; the UI
    does not import the composition root)."""

    @property
    def app(self) -> AppViewModel: ...

    @property
    def personal(self) -> PersonalDataViewModel: ...

    @property
    def addresses(self) -> AddressesViewModel: ...

    @property
    def alert_settings(self) -> AlertSettingsViewModel: ...

    @property
    def notice_prefs(self) -> NoticePrefsViewModel | None: ...

    @property
    def participation(self) -> ParticipationViewModel: ...

    @property
    def media_picker(self) -> MediaPicker: ...


def page_for(session: PageModels, m: RouteMatch) -> Screen | None:
    """The screen of a cabinet page or of the new proposal, None for other routes."""
    s = session
    if m.name == "cabinet_personal":
        return PersonalDataScreen(s.app, s.personal, m.route)
    if m.name == "cabinet_addresses":
        return AddressesScreen(s.app, s.addresses, m.route)
    if m.name == "address_editor":
        return AddressEditorScreen(s.app, s.addresses, m.route, m.params.get("key"))
    if m.name == "cabinet_notifications":
        return NotificationSettingsScreen(s.app, s.alert_settings, s.notice_prefs, m.route)
    if m.name == "new_proposal":
        return NewProposalScreen(s.app, s.participation, s.media_picker, m.route)
    return None
