"""Emergency alerts: the Alerts tab (in force, recently ended), one alert's details, and the
session-wide banner that a new alert raises on whatever screen is open."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from app import routes
from app.data.repositories.alerts import AlertsRepository
from app.data.services.notifications import OsNotice, OsNotifier, alert_channel
from app.domain.alerts import Alert, Tone
from app.i18n import N_, Message, ngettext
from app.observable import Observable
from app.sync.city_feeds import CityFeeds
from app.viewmodels.background import BackgroundTasks
from app.viewmodels.city_feeds_common import MSG_UPDATED_AT, CityFeedViewModel
from app.viewmodels.dates import format_when
from app.viewmodels.navigation import Navigation

MAP_ROUTE = "/map"
CONTACTS_ROUTE = "/contacts"

SEVERITY_NAMES: dict[str, str] = {
    "Extreme": N_("Extreme danger"),
    "Severe": N_("Severe danger"),
    "Moderate": N_("Moderate danger"),
    "Minor": N_("Minor danger"),
    "Unknown": N_("Danger level unknown"),
}
URGENCY_NAMES: dict[str, str] = {
    "Immediate": N_("Act now"),
    "Expected": N_("Expected soon"),
    "Future": N_("Expected later"),
    "Past": N_("Already over"),
    "Unknown": N_("Urgency unknown"),
}
MSG_EXERCISE = N_("EXERCISE — not a real emergency")
MSG_UPDATED = N_("Updated")
MSG_WITHDRAWN = N_("Withdrawn: the danger is over")
MSG_EXPIRED = N_("Ended {when}")
MSG_UNTIL = N_("In effect until {when}")
MSG_SENT = N_("Issued {when}")
MSG_IN_AREA = N_("You are in the danger area")
MSG_NOT_FOUND = N_("This alert is not on this phone.")
MSG_REPLACED = N_("This alert was replaced by a newer message: the current one is shown.")


@dataclass(frozen=True)
class AlertView:
    """An alert ready to show: texts in the resident's language, times formatted."""

    identifier: str
    tone: Tone
    severity: Message
    urgency: Message
    exercise: bool
    updated: bool
    withdrawn: bool
    ended: bool
    event: str
    headline: str
    description: str
    instruction: str
    area: str
    status: Message  # until when / ended when / withdrawn
    issued: Message
    sender: str
    contact: str | None
    note: str | None
    in_area: bool
    polygons: tuple[tuple[tuple[float, float], ...], ...]
    circles: tuple[tuple[float, float, float], ...]  # lat, lon, radius_km


def alert_view(
    alert: Alert, lang: str, now_fn: Callable[[], datetime], here: tuple[float, float] | None
) -> AlertView:
    text = alert.text(lang)
    now = now_fn()
    ended = not alert.cancelled and alert.expires <= now
    if alert.cancelled:
        status = Message(MSG_WITHDRAWN)
    elif ended:
        status = Message(MSG_EXPIRED, {"when": format_when(alert.expires, lang)})
    else:
        status = Message(MSG_UNTIL, {"when": format_when(alert.expires, lang)})
    return AlertView(
        identifier=alert.identifier,
        tone=alert.tone,
        severity=Message(SEVERITY_NAMES.get(alert.severity, SEVERITY_NAMES["Unknown"])),
        urgency=Message(URGENCY_NAMES.get(alert.urgency, URGENCY_NAMES["Unknown"])),
        exercise=alert.exercise,
        updated=alert.msg_type == "Update",
        withdrawn=alert.cancelled,
        ended=ended,
        event=text.event,
        headline=text.headline,
        description=text.description,
        instruction=text.instruction,
        area=alert.area_desc(lang),
        status=status,
        issued=Message(MSG_SENT, {"when": format_when(alert.sent, lang)}),
        sender=text.sender_name,
        contact=text.contact,
        note=alert.note,
        in_area=here is not None and alert.covers(*here),
        polygons=tuple(ring for area in alert.areas for ring in area.polygons),
        circles=tuple((c.lat, c.lon, c.radius_km) for area in alert.areas for c in area.circles),
    )


class AlertsViewModel(CityFeedViewModel):
    """The Alerts tab and the alert detail screen."""

    RECENT_LIMIT = 30

    def __init__(
        self,
        service: CityFeeds,
        navigation: Navigation,
        language: Callable[[], str],
    ) -> None:
        super().__init__(service, service.alerts, navigation, language)
        self._repo: AlertsRepository = service.alerts

    def _view(self, alert: Alert) -> AlertView:
        return alert_view(alert, self._language(), self._repo.now, self._service.here)

    @property
    def current(self) -> list[AlertView]:
        return [self._view(a) for a in self._repo.current()]

    @property
    def recent(self) -> list[AlertView]:
        return [self._view(a) for a in self._repo.recent()[: self.RECENT_LIMIT]]

    @property
    def loaded(self) -> bool:
        return self._repo.loaded

    @property
    def refreshing(self) -> bool:
        return self._service.refreshing

    @property
    def updated_notice(self) -> Message | None:
        at = self._repo.last_refreshed
        if at is None:
            return None
        return Message(MSG_UPDATED_AT, {"when": format_when(at, self._language())})

    def detail(self, identifier: str) -> tuple[AlertView | None, Message | None]:
        """The alert to show for this identifier (its latest message) and a note about it."""
        latest = self._repo.latest_of(identifier)
        if latest is None:
            return None, Message(MSG_NOT_FOUND)
        note = Message(MSG_REPLACED) if latest.identifier != identifier else None
        return self._view(latest), note

    async def ensure_loaded(self) -> None:
        await self._repo.ensure_loaded()
        self.notify()

    async def open(self, identifier: str) -> None:
        await self._repo.mark_seen(identifier)
        await self._nav.go(f"/alerts/{identifier}")

    async def open_map(self) -> None:
        await self._nav.go(MAP_ROUTE)

    async def open_contacts(self) -> None:
        await self._nav.go(CONTACTS_ROUTE)

    async def back(self) -> None:
        await self._nav.go(routes.TAB_ROUTES["alerts"])


class AlertBannerViewModel(Observable):
    """Session-wide: the alert whose banner is up (the most severe unseen alert in force).

    A new alert arriving also goes to the OS notification where the platform has one, in the
    foreground too (an emergency warning is worth the sound): extreme and severe danger on the
    urgent channel, the instruction in its body; a tap opens the alert.
    Dismissing, or following one of the banner's buttons, marks it seen. Levels the resident
    turned off in the cabinet raise no banner (a threat to life always does); such alerts are
    still listed in the Alerts tab."""

    def __init__(
        self,
        service: CityFeeds,
        navigation: Navigation,
        language: Callable[[], str],
        notifier: OsNotifier | None = None,
        *,
        wanted_levels: Callable[[], Collection[str]] | None = None,
    ) -> None:
        super().__init__()
        self._service = service
        self._repo = service.alerts
        self._nav = navigation
        self._language = language
        self._notifier = notifier
        self._wanted_levels = wanted_levels
        self._tasks = BackgroundTasks()
        self._unfollow = self._repo.subscribe(self._on_alerts)
        self.shown: AlertView | None = None
        self._update()

    def dispose(self) -> None:
        self._unfollow()
        self._tasks.cancel_all()

    def _wanted(self, alert: Alert) -> bool:
        if self._wanted_levels is None or alert.severity in ("Extreme", "Unknown"):
            return True
        try:
            levels = set(self._wanted_levels())
        except Exception:  # settings unreadable: warn rather than stay silent
            return True
        return not levels or alert.severity in levels

    def _unseen(self) -> list[Alert]:
        return [a for a in self._repo.unseen() if self._wanted(a)]

    @property
    def more(self) -> Message | None:
        extra = len(self._unseen()) - 1
        return ngettext("{n} more alert", "{n} more alerts", extra) if extra > 0 else None

    def _update(self) -> None:
        unseen = self._unseen()
        self.shown = (
            alert_view(unseen[0], self._language(), self._repo.now, self._service.here)
            if unseen
            else None
        )

    def refresh_language(self) -> None:
        self._update()
        self.notify()

    def _on_alerts(self) -> None:
        arrived = [a for i in self._repo.arrived if (a := self._repo.get(i)) is not None]
        now = self._repo.now()
        for alert in arrived:
            fresh = alert.in_force(now) and not self._repo.is_seen(alert.identifier)
            if fresh and self._wanted(alert):
                self._os_notify(alert)
        self._update()
        self.notify()

    def _os_notify(self, alert: Alert) -> None:
        notifier = self._notifier
        if notifier is not None:
            notice = self.os_notice(alert)
            self._tasks.start(lambda: notifier.show(notice))

    def os_notice(self, alert: Alert) -> OsNotice:
        text = alert.text(self._language())
        body = (text.instruction or text.description)[:240]
        route = f"/alerts/{alert.identifier}"
        return OsNotice(text.headline or text.event, body, route, alert_channel(alert.severity))

    async def _leave(self, route: str | None) -> None:
        shown = self.shown
        if shown is not None:
            await self._repo.mark_seen(shown.identifier)
        if route is not None:
            await self._nav.go(route)

    async def dismiss(self) -> None:
        await self._leave(None)

    async def open_shelters(self) -> None:
        await self._leave(MAP_ROUTE)

    async def open_contacts(self) -> None:
        await self._leave(CONTACTS_ROUTE)

    async def open_details(self) -> None:
        shown = self.shown
        await self._leave(f"/alerts/{shown.identifier}" if shown else None)
