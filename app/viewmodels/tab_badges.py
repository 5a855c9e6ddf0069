"""The counts on the home navigation's destinations: the notices the resident has not seen yet
(cleared when the Notices list is viewed; the seen marks are kept on the phone) and the
emergency alerts in force (for as long as the danger lasts)."""

from __future__ import annotations

from app.sync.city_feeds import CityFeeds
from app.viewmodels.city_feeds_common import Following

MAX_SHOWN = 99


class TabBadges(Following):
    def __init__(self, service: CityFeeds) -> None:
        # the service too: caches loaded, refreshed, forgotten at sign-out
        super().__init__(service, service.alerts, service.notices)
        self._alerts = service.alerts
        self._notices = service.notices

    def count(self, tab: str) -> int:
        if tab == "notices":
            return self._notices.unseen_count()
        if tab == "alerts":
            return len(self._alerts.current())
        return 0

    def label(self, tab: str) -> str | None:
        """The badge's text (`None`: no badge)."""
        n = self.count(tab)
        if n <= 0:
            return None
        return f"{MAX_SHOWN}+" if n > MAX_SHOWN else str(n)
