"""The hidden developer screen of a tester's build: which server the app talks to and where
that came from, another server URL checked and saved on the device for the next start, back to
the built-in server; and the gesture that opens it (the version line tapped 7 times).

The URL is checked before it is saved: written as an http(s) URL (`app.config.check_api_url`),
then asked for the server's health answer. A wrong or unreachable URL is said in kk/ru and the
typed text stays. Nothing of the resident's is touched: actions waiting to be sent stay in the
outbox (the screen warns and asks again before switching while there are some) and go to the
server in use after the next start. The switch applies at the next start — every page session
builds its API client from the configuration once (`composition/core`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from app import routes
from app.config import ApiUrlError, ApiUrlSource, AppConfig, check_api_url
from app.data.repositories.settings import SettingsRepository
from app.data.services.server_probe import NotOurServer
from app.errors import NetworkError
from app.i18n import N_, Message
from app.observable import Observable
from app.viewmodels.navigation import Navigation

TAPS_TO_OPEN = 7
TAP_GAP_S = 2.0  # a longer pause between taps starts counting again

MSG_NOT_A_URL = N_("This is not a server address. Write it like https://api.example.kz")
MSG_NOT_HTTP = N_("The address must start with https:// (or http:// for a test server).")
MSG_UNREACHABLE = N_("The server {url} does not answer. Check the address and the connection.")
MSG_NOT_OUR_SERVER = N_("Something answered at {url}, but it is not the 109 server.")
MSG_SAVED = N_("Saved. The app will use {url} from its next start: close it and open it again.")
MSG_RESET = N_("The saved address was removed: the built-in server is used from the next start.")
MSG_WAITING = N_(
    "{n} actions are waiting to be sent. Nothing is deleted: after the restart they will be "
    "sent to the new server, and you may need to sign in there again. Save anyway?"
)
MSG_UNAVAILABLE = N_("The developer settings are not part of this build.")
SOURCES: dict[ApiUrlSource, str] = {
    ApiUrlSource.DEVICE: N_("saved on this device by a tester"),
    ApiUrlSource.ENV: N_("the API_URL environment variable"),
    ApiUrlSource.BUNDLED: N_("built into the app"),
    ApiUrlSource.DEFAULT: N_("the default: no server was set for this build"),
}
URL_ERRORS = {"not_a_url": MSG_NOT_A_URL, "not_http": MSG_NOT_HTTP}

CheckServer = Callable[[str], Awaitable[None]]  # raises NetworkError or NotOurServer


class DeveloperViewModel(Observable):
    def __init__(
        self,
        config: AppConfig,
        settings: SettingsRepository,
        navigation: Navigation,
        *,
        check_server: CheckServer,
        waiting_actions: Callable[[], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._config = config
        self._settings = settings
        self._nav = navigation
        self._check_server = check_server
        self._waiting_actions = waiting_actions
        self._clock = clock
        self._taps: list[float] = []
        self.available = config.developer_menu
        self.version = config.version
        self.current_url = config.api_url
        self.source = Message(SOURCES[config.api_url_source])
        self.saved_url: str | None = None  # what the next start uses, when saved here
        self.url_text = ""
        self.input_revision = 0
        self.error: Message | None = None
        self.notice: Message | None = None
        self.confirming: Message | None = None  # actions wait: switch anyway?
        self.busy = False

    # -- the gesture -----------------------------------------------------------------------------

    async def tap_version(self) -> None:
        """One tap on the version line; the seventh in a row opens the developer screen (in a
        tester's build; elsewhere the taps do nothing)."""
        if not self.available:
            return
        now = self._clock()
        if self._taps and now - self._taps[-1] > TAP_GAP_S:
            self._taps.clear()
        self._taps.append(now)
        if len(self._taps) >= TAPS_TO_OPEN:
            self._taps.clear()
            await self._nav.go(routes.DEVELOPER)

    # -- the screen ------------------------------------------------------------------------------

    async def load(self) -> None:
        """What is saved for the next start; the field starts with it, else the URL in use."""
        self.saved_url = await asyncio.to_thread(self._settings.api_url)
        if not self.url_text:
            self.url_text = self.saved_url or self.current_url
            self.input_revision += 1
        self.notify()

    def set_url(self, text: str) -> None:
        self.url_text = text
        if self.error is not None or self.confirming is not None:
            self.error = self.confirming = None
            self.notify()

    async def save(self, *, anyway: bool = False) -> bool:
        """Check the typed URL and save it for the next start. With actions waiting to be sent,
        only once asked again (`anyway=True`)."""
        if not self.available or self.busy:
            return False
        self.error = self.notice = self.confirming = None
        try:
            url = check_api_url(self.url_text, https_only=False)
        except ApiUrlError as exc:
            self.error = Message(URL_ERRORS[exc.reason])
            self.notify()
            return False
        self.busy = True
        self.notify()
        try:
            await self._check_and_save(url, anyway=anyway)
        finally:
            self.busy = False
            self.notify()
        return self.notice is not None

    async def _check_and_save(self, url: str, *, anyway: bool) -> None:
        try:
            await self._check_server(url)
        except NetworkError:
            self.error = Message(MSG_UNREACHABLE, {"url": url})
            return
        except NotOurServer:
            self.error = Message(MSG_NOT_OUR_SERVER, {"url": url})
            return
        waiting = 0 if anyway else await asyncio.to_thread(self._waiting_actions)
        if waiting:
            self.confirming = Message(MSG_WAITING, {"n": waiting})
            return
        await self._settings.save_api_url(url)
        self.saved_url = url
        self.notice = Message(MSG_SAVED, {"url": url})

    async def close(self) -> None:
        """Back to the cabinet (signed out: sign-in, which opens the cabinet after)."""
        await self._nav.go(routes.TAB_ROUTES["cabinet"])

    async def save_anyway(self) -> bool:
        return await self.save(anyway=True)

    def cancel(self) -> None:
        self.confirming = None
        self.notify()

    async def reset(self) -> None:
        """Forget the saved URL: the built-in one (or `API_URL`) from the next start."""
        if not self.available or self.busy:
            return
        await self._settings.forget_api_url()
        self.saved_url = None
        self.error = self.confirming = None
        self.notice = Message(MSG_RESET)
        self.notify()
