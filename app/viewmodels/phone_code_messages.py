"""The phone-and-code steps' words, shared by sign-in and the cabinet's phone change: the
checks of what was typed, and the server's refusals (wrong code, cooldown, lock, no SMS, no
connection) as `Message`s from the client's own catalogs; a server message is shown as is only
for codes the client does not know."""

from __future__ import annotations

import math

from app.errors import ApiError, NetworkError
from app.i18n import N_, Message

MSG_INVALID_PHONE = N_("Enter a Kazakhstan mobile number, for example +7 701 123 45 67.")
MSG_CODE_FORMAT = N_("Enter the 6-digit code from the SMS.")
MSG_WRONG_CODE = N_("Wrong code. Attempts left: {attempts}.")
MSG_CODE_EXPIRED = N_("The code has expired or was already used. Request a new code.")
MSG_COOLDOWN = N_("A new code can be requested in {wait}.")
MSG_TOO_MANY = N_("Too many requests. Try again in {wait}.")
MSG_LOCKED = N_("Too many wrong attempts. Sign-in for this number is blocked for {wait}.")
MSG_SMS_FAILED = N_("Could not send the SMS. Try again a little later.")
MSG_OFFLINE = N_("No connection to the server. Check the internet and try again.")
MSG_UNKNOWN = N_("Something went wrong. Try again later.")
MSG_SECONDS = N_("{n} s")
MSG_MINUTES = N_("{n} min")


def wait_message(seconds: int) -> Message:
    """A wait in the coarsest readable unit: `45 s`, `60 min`."""
    if seconds < 120:
        return Message(MSG_SECONDS, {"n": max(1, seconds)})
    return Message(MSG_MINUTES, {"n": math.ceil(seconds / 60)})


def error_message(exc: Exception) -> Message:
    """What to tell the resident about a failed request."""
    if isinstance(exc, NetworkError):
        return Message(MSG_OFFLINE)
    if not isinstance(exc, ApiError):
        return Message(MSG_UNKNOWN)
    wait = wait_message(exc.retry_after or 60)
    known: dict[str, Message] = {
        "invalid_phone": Message(MSG_INVALID_PHONE),
        "invalid_code": Message(
            MSG_WRONG_CODE, {"attempts": exc.details.get("attempts_left", "?")}
        ),
        "code_expired": Message(MSG_CODE_EXPIRED),
        "resend_cooldown": Message(MSG_COOLDOWN, {"wait": wait}),
        "too_many_requests": Message(MSG_TOO_MANY, {"wait": wait}),
        "phone_locked": Message(MSG_LOCKED, {"wait": wait}),
        "sms_failed": Message(MSG_SMS_FAILED),
    }
    if exc.code in known:
        return known[exc.code]
    return Message.text(exc.message) if exc.message else Message(MSG_UNKNOWN)
