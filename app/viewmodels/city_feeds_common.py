"""What the alerts, map, contacts and notices view models share: following the city feeds
(`Following`, `CityFeedViewModel`) and distances."""

from __future__ import annotations

from collections.abc import Callable

from app.i18n import N_, Message
from app.observable import Observable
from app.sync.city_feeds import CityFeeds
from app.viewmodels.navigation import Navigation

MSG_METRES = N_("{n} m")
MSG_KILOMETRES = N_("{n} km")
MSG_OFFLINE_CACHED = N_("No connection. Showing the information saved on this phone.")
MSG_UPDATED_AT = N_("Updated {when}")


def distance_message(metres: float) -> Message:
    if metres < 1000:
        return Message(MSG_METRES, {"n": int(round(metres / 10.0) * 10)})
    km = metres / 1000
    text = f"{km:.1f}" if km < 10 else f"{km:.0f}"
    return Message(MSG_KILOMETRES, {"n": text.replace(".", ",")})


class Following(Observable):
    """Tells its own listeners (a screen) whenever one of the models it follows changes;
    `dispose()` stops following."""

    def __init__(self, *models: Observable) -> None:
        super().__init__()
        self._unsubscribe = [model.subscribe(self.notify) for model in models]

    def dispose(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()


class CityFeedViewModel(Following):
    """A screen over one of the city feeds (alerts, the places bundle, notices):
    follows the service and that cache, speaks the resident's language, says when it shows
    what the phone saved, and refreshes everything on demand."""

    def __init__(
        self,
        service: CityFeeds,
        cache: Observable,
        navigation: Navigation,
        language: Callable[[], str],
    ) -> None:
        super().__init__(service, cache)
        self._service = service
        self._nav = navigation
        self._language = language

    @property
    def offline_notice(self) -> Message | None:
        return Message(MSG_OFFLINE_CACHED) if self._service.online is False else None

    async def refresh(self) -> None:
        await self._service.refresh()
