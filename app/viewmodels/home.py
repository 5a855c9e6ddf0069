"""Home: the five sections of the app behind a navigation bar."""

from __future__ import annotations

from dataclasses import dataclass

from app import routes
from app.i18n import N_
from app.viewmodels.navigation import Navigation


@dataclass(frozen=True)
class Tab:
    key: str
    route: str
    label: str  # msgid
    title: str  # msgid of the section's full title


TABS: tuple[Tab, ...] = (
    Tab("appeals", routes.TAB_ROUTES["appeals"], N_("Appeals"), N_("My appeals")),
    Tab("alerts", routes.TAB_ROUTES["alerts"], N_("Alerts"), N_("Emergency alerts")),
    Tab("notices", routes.TAB_ROUTES["notices"], N_("Notices"), N_("Planned works and events")),
    Tab(
        "participation",
        routes.TAB_ROUTES["participation"],
        N_("Participation"),
        N_("Polls and initiatives"),
    ),
    Tab("cabinet", routes.TAB_ROUTES["cabinet"], N_("Cabinet"), N_("Personal cabinet")),
)

COMING_SOON = N_("Coming soon")
COMING_SOON_DETAILS = N_("This section is being built and will appear in an update.")


class HomeViewModel:
    def __init__(self, navigation: Navigation) -> None:
        self._nav = navigation
        self.tabs = TABS

    def index_of(self, key: str) -> int:
        for i, tab in enumerate(self.tabs):
            if tab.key == key:
                return i
        return 0

    async def select(self, index: int) -> None:
        if 0 <= index < len(self.tabs):
            await self._nav.go(self.tabs[index].route)

    async def open_home(self) -> None:
        await self._nav.go(routes.HOME)

    async def open_new_appeal(self) -> None:
        await self._nav.go("/appeals/new")
