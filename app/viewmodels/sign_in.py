"""Sign-in by SMS code: the phone step, then the 6-digit code step.

Errors are kept as `Message`s from the client's own catalogs (so they follow a language switch
made while they are on screen); a server message is shown as is only for codes the client does
not know. Nothing typed is cleared by an error.

After the server ended the session (`AuthRepository.ended`) the phone step says so, with how
many actions wait to be sent, and the same phone is filled in. If another account signs in on
a phone that keeps that data, the "replace" step explains whose data it is and offers to delete
it from the phone, or to go back.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from app.data.repositories.auth import AuthRepository, OtherResidentError, ResidentSession
from app.data.services.tokens import TokenReply
from app.domain.phone import format_phone, normalize_kz_mobile
from app.errors import ApiError, NetworkError
from app.i18n import N_, Message
from app.observable import Observable
from app.viewmodels.navigation import Navigation
from app.viewmodels.phone_code_messages import (
    MSG_CODE_FORMAT,
    MSG_COOLDOWN,
    MSG_INVALID_PHONE,
    MSG_LOCKED,
    error_message,
    wait_message,
)

log = logging.getLogger(__name__)

Step = Literal["phone", "code", "replace"]
CODE_LENGTH = 6
DEFAULT_RESEND_S = 60

MSG_CODE_SENT = N_("We sent a code to {phone}.")
MSG_SESSION_ENDED = N_("Your session has ended")
MSG_SIGN_IN_AGAIN = N_(
    "Sign in again with {phone} to send what is waiting. Nothing on this phone has been deleted."
)
MSG_WAITING = N_("Waiting to send: {n}")
MSG_KEPT_DATA = N_("This phone keeps the data of {phone}.")
MSG_KEPT_NOT_YOURS = N_(
    "It belongs to that resident and is never sent from another account. To sign in with "
    "another number, delete it from this phone."
)


class SignInViewModel(Observable):
    def __init__(
        self,
        auth: AuthRepository,
        navigation: Navigation,
        next_route: Callable[[], str],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        waiting: Callable[[], int] | None = None,
    ) -> None:
        super().__init__()
        self._auth = auth
        self._waiting = waiting  # blocking: how many outbox entries wait (worker thread)
        self.waiting = 0
        self._other: OtherResidentError | None = None
        self._waiting_task: asyncio.Task[None] | None = None
        self._nav = navigation
        self._next_route = next_route
        self._clock = clock
        self._sleep = sleep
        self._timer: asyncio.Task[None] | None = None
        self.input_revision = 0
        self.reset(notify=False)
        auth.subscribe(self._auth_changed)

    # -- state ---------------------------------------------------------------------------------

    def reset(self, *, notify: bool = True) -> None:
        self.step: Step = "phone"
        kept = self._auth.ended
        self.phone_text = format_phone(kept.phone) if kept else ""  # the same resident again
        # Bumped whenever the view model itself rewrites the typed text (reset, a cleared or
        # trimmed code): only then may a screen push the text into its fields. Echoing what the
        # resident typed would race with keys still on their way and eat them.
        self.input_revision += 1
        self.phone_error: Message | None = None
        self.phone: str | None = None  # E.164 the code was sent to
        self.code_text = ""
        self.code_error: Message | None = None
        self.busy = False
        self._resend_at: float | None = None
        self._blocked_until: float | None = None
        self._shown_seconds = (0, 0)
        self._other = None
        if notify:
            self.notify()

    # -- a session the server ended --------------------------------------------------------------

    @property
    def kept(self) -> ResidentSession | None:
        """The resident whose ended session's data this phone keeps."""
        return self._auth.ended

    @property
    def ended_notice(self) -> tuple[Message, Message, Message | None] | None:
        """Title, what to do, and how much waits (None when nothing waits)."""
        kept = self.kept
        if kept is None:
            return None
        count = Message(MSG_WAITING, {"n": self.waiting}) if self.waiting else None
        again = Message(MSG_SIGN_IN_AGAIN, {"phone": format_phone(kept.phone)})
        return Message(MSG_SESSION_ENDED), again, count

    @property
    def replace_notice(self) -> tuple[Message, Message, Message | None] | None:
        """Whose data this phone keeps, that it is not the new account's, how much waits."""
        if self._other is None:
            return None
        whose = Message(MSG_KEPT_DATA, {"phone": format_phone(self._other.kept.phone)})
        count = Message(MSG_WAITING, {"n": self.waiting}) if self.waiting else None
        return whose, Message(MSG_KEPT_NOT_YOURS), count

    def prepare(self) -> None:
        """The screen is shown: count what waits for the kept session (in the background)."""
        if self.kept is None or self._waiting is None:
            return
        if self._waiting_task is not None and not self._waiting_task.done():
            return
        try:
            self._waiting_task = asyncio.get_running_loop().create_task(self.load_waiting())
        except RuntimeError:
            self._waiting_task = None

    async def load_waiting(self) -> None:
        if self._waiting is None:
            return
        self.waiting = await asyncio.to_thread(self._waiting)
        self.notify()

    def _auth_changed(self) -> None:
        """The server ended the session while the app was in use: the same phone, ready (and
        after a sign-out that deleted it, no phone of theirs any more)."""
        if self._auth.signed_in or self.busy or self.step != "phone":
            return
        self.waiting = 0
        self.reset(notify=False)
        self.prepare()
        self.notify()

    def _seconds_until(self, deadline: float | None) -> int:
        if deadline is None:
            return 0
        return max(0, math.ceil(deadline - self._clock()))

    @property
    def resend_in(self) -> int:
        """Seconds until a new code may be requested (0 = now)."""
        return self._seconds_until(self._resend_at)

    @property
    def blocked_for(self) -> int:
        """Seconds the phone stays locked after too many wrong codes (0 = not locked)."""
        return self._seconds_until(self._blocked_until)

    @property
    def can_resend(self) -> bool:
        return not self.busy and self.resend_in == 0 and self.blocked_for == 0

    @property
    def can_submit_phone(self) -> bool:
        return not self.busy and bool(self.phone_text.strip())

    @property
    def can_submit_code(self) -> bool:
        return not self.busy and self.blocked_for == 0 and len(self.code_text) == CODE_LENGTH

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone or "")

    @property
    def resend_notice(self) -> Message | None:
        """Why "send again" is not available yet, with the time left."""
        if self.blocked_for:
            return Message(MSG_LOCKED, {"wait": wait_message(self.blocked_for)})
        if self.resend_in:
            return Message(MSG_COOLDOWN, {"wait": wait_message(self.resend_in)})
        return None

    @property
    def code_sent_notice(self) -> Message:
        return Message(MSG_CODE_SENT, {"phone": self.phone_display})

    # -- countdown -----------------------------------------------------------------------------

    def tick(self) -> None:
        """Re-evaluate the countdowns; notify when a shown number changed."""
        shown = (self.resend_in, self.blocked_for)
        if shown != self._shown_seconds:
            self._shown_seconds = shown
            self.notify()

    def _start_timer(self) -> None:
        self._shown_seconds = (self.resend_in, self.blocked_for)
        if self._timer is not None and not self._timer.done():
            return
        try:
            self._timer = asyncio.get_running_loop().create_task(self._run_timer())
        except RuntimeError:  # no loop (plain sync use): callers tick themselves
            self._timer = None

    async def _run_timer(self) -> None:
        while self.resend_in > 0 or self.blocked_for > 0:
            await self._sleep(1.0)
            self.tick()

    def dispose(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- phone step ----------------------------------------------------------------------------

    def set_phone(self, text: str) -> None:
        self.phone_text = text
        if self.phone_error is not None and normalize_kz_mobile(text):
            self.phone_error = None
        self.notify()

    async def submit_phone(self) -> None:
        if self.busy:
            return
        phone = normalize_kz_mobile(self.phone_text)
        if phone is None:
            self.phone_error = Message(MSG_INVALID_PHONE)
            self.notify()
            return
        if self.phone == phone and self.resend_in > 0:
            self._go_to_code_step()  # a code for this number is still on its way
            return
        await self._request_code(phone)

    async def _request_code(self, phone: str) -> None:
        self.busy = True
        self.phone_error = None
        self.code_error = None
        self.notify()
        try:
            sent = await self._auth.request_code(phone)
        except (ApiError, NetworkError) as exc:
            self.busy = False
            self._on_request_failed(phone, exc)
            self.notify()
            return
        self.busy = False
        self.phone = sent.phone
        self._resend_at = self._clock() + (sent.resend_in or DEFAULT_RESEND_S)
        if self.code_text:
            self.code_text = ""
            self.input_revision += 1
        self._go_to_code_step()

    def _on_request_failed(self, phone: str, exc: Exception) -> None:
        message = error_message(exc)
        if isinstance(exc, ApiError) and exc.code == "resend_cooldown":
            # A code was sent to this number moments ago: let them type it.
            self.phone = phone
            self._resend_at = self._clock() + (exc.retry_after or DEFAULT_RESEND_S)
            self.step = "code"
            self._start_timer()
            return
        if isinstance(exc, ApiError) and exc.code == "phone_locked":
            self._blocked_until = self._clock() + (exc.retry_after or 0)
            self._start_timer()
        if self.step == "code":
            self.code_error = message
        else:
            self.phone_error = message

    def _go_to_code_step(self) -> None:
        self.step = "code"
        self._start_timer()
        self.notify()

    def change_phone(self) -> None:
        """Back to the phone step; the typed number is kept."""
        self.step = "phone"
        self.code_error = None
        self.notify()

    # -- code step -----------------------------------------------------------------------------

    async def enter_code(self, text: str) -> None:
        """Keep the digits typed (at most 6); submit by itself once all 6 are there."""
        digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())[:CODE_LENGTH]
        changed = digits != self.code_text
        if digits != text:
            self.input_revision += 1  # the field must show the cleaned-up code
        self.code_text = digits
        if changed and self.code_error is not None and len(digits) < CODE_LENGTH:
            self.code_error = None
        self.notify()
        if changed and self.can_submit_code:
            await self.submit_code()

    async def submit_code(self) -> None:
        if self.busy or self.phone is None:
            return
        if len(self.code_text) != CODE_LENGTH:
            self.code_error = Message(MSG_CODE_FORMAT)
            self.notify()
            return
        if self.blocked_for > 0:
            self.code_error = Message(MSG_LOCKED, {"wait": wait_message(self.blocked_for)})
            self.notify()
            return
        self.busy = True
        self.code_error = None
        self.notify()
        try:
            await self._auth.verify_code(self.phone, self.code_text)
        except OtherResidentError as exc:
            self.busy = False
            self._other = exc
            self.step = "replace"
            self.notify()
            if self._waiting is not None:
                await self.load_waiting()
            return
        except (ApiError, NetworkError) as exc:
            self.busy = False
            self._on_request_failed(self.phone, exc)
            self.notify()
            return
        await self._signed_in()

    async def _signed_in(self) -> None:
        target = self._next_route()
        self.dispose()
        self.reset(notify=False)
        await self._nav.go(target)

    async def replace_kept(self) -> None:
        """Delete the kept data from this phone (it is never sent) and sign in as the new
        account, whose code was already checked."""
        if await self._settle_other(self._auth.replace_kept):
            await self._signed_in()

    async def keep_kept(self) -> None:
        """Back to the phone step; the kept data stays, the new sign-in is undone."""
        if await self._settle_other(self._auth.decline):
            self.dispose()
            self.reset()

    async def _settle_other(self, action: Callable[[TokenReply], Awaitable[object]]) -> bool:
        """Run `action` on the other account's sign-in reply while busy; False if there was
        nothing to settle (or a step is already running)."""
        other = self._other
        if self.busy or other is None:
            return False
        self.busy = True
        self.notify()
        try:
            await action(other.reply)
        finally:
            self.busy = False
        return True
        self.prepare()

    async def resend(self) -> None:
        if not self.can_resend or self.phone is None:
            return
        await self._request_code(self.phone)
