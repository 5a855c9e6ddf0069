"""The SMS gateway behind one small interface.

- `ConsoleSmsGateway` (development only): logs a line and keeps the message in a bounded
  in-memory `DevInbox`, which is what `GET /dev/sms?phone=` reads.
- `SmscKzGateway`: the SMSC.kz HTTP API (`send.php`, JSON replies with `fmt=3`).
- `make_sms_gateway` picks one from `Settings.sms_provider`.
- `send_code` sends a one-time code in the resident's language from a sync route's thread.

The real gateway never logs the message text (it carries one-time codes) or the account
password; it logs only the masked phone and SMSC's message id.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import anyio.from_thread
import httpx

from backend_stub.config import Settings
from backend_stub.errors import ApiError
from backend_stub.phone import mask_phone

__all__ = [
    "DEV_INBOX_MAX_MESSAGES",
    "SMSC_TIMEOUT_S",
    "ConsoleSmsGateway",
    "DevInbox",
    "DevSms",
    "SmsDeliveryError",
    "SmsGateway",
    "SmscKzGateway",
    "make_sms_gateway",
    "send_code",
]

logger = logging.getLogger("city109.sms")

CODE_TEXT = {
    "kk": "109: кіру коды {code}. Оны ешкімге айтпаңыз.",
    "ru": "109: код входа {code}. Никому его не сообщайте.",
}
DEV_INBOX_MAX_MESSAGES = 200
SMSC_TIMEOUT_S = 10.0

# One recipient only: SMSC accepts comma/semicolon-separated lists in `phones`, so anything but
# an optional '+' and digits is refused rather than passed on.
_ONE_PHONE = re.compile(r"\+?[0-9]{10,15}", re.ASCII)


class SmsGateway(Protocol):
    """Sends one text message to one phone (E.164). Raises `SmsDeliveryError` on failure."""

    async def send(self, phone: str, text: str) -> None: ...


class SmsDeliveryError(Exception):
    """The message could not be handed to the SMS provider.

    `code` is the provider's error code when it gave one (SMSC: 1 bad parameters, 2 bad login
    or password, 3 no money, 4 IP blocked, 6 message forbidden, 7 bad phone, 8 cannot deliver,
    9 too many requests), else None.
    """

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


# --- development: console + in-memory inbox -------------------------------------------------


@dataclass(frozen=True, slots=True)
class DevSms:
    phone: str
    text: str
    sent_at: datetime  # timezone-aware (UTC)


class DevInbox:
    """A bounded, thread-safe in-memory inbox of the SMS the console gateway "sent".

    Keeps at most `max_messages` in total; the oldest are dropped first.
    """

    def __init__(self, max_messages: int = DEV_INBOX_MAX_MESSAGES) -> None:
        if max_messages < 1:
            raise ValueError("max_messages must be at least 1")
        self._messages: deque[DevSms] = deque(maxlen=max_messages)
        self._lock = threading.Lock()

    def add(self, phone: str, text: str) -> DevSms:
        sms = DevSms(phone=phone, text=text, sent_at=datetime.now(UTC))
        with self._lock:
            self._messages.append(sms)
        return sms

    def messages(self, phone: str) -> list[DevSms]:
        """The messages sent to `phone`, oldest first (newest last)."""
        with self._lock:
            return [sms for sms in self._messages if sms.phone == phone]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)


class ConsoleSmsGateway:
    """Development gateway: logs the message and drops it into the dev inbox.

    The log line carries the text (it is the developer's console, where a one-time code may be
    shown) but only the masked phone. With `log_text=False` the text is left out of the log.
    """

    def __init__(self, inbox: DevInbox, *, log_text: bool = True) -> None:
        self.inbox = inbox
        self.log_text = log_text

    async def send(self, phone: str, text: str) -> None:
        self.inbox.add(phone, text)
        if self.log_text:
            logger.info("DEV SMS to %s: %s", mask_phone(phone), text)
        else:
            logger.info("DEV SMS to %s (text not logged)", mask_phone(phone))


# --- production: SMSC.kz ---------------------------------------------------------------------


class SmscKzGateway:
    """SMSC.kz HTTP API adapter (`send.php`).

    Posts `login, psw, phones, mes, charset=utf-8, fmt=3` (and `sender` when set) as a form,
    so the password is never in a URL (and so never in an access or client log). The reply is
    JSON: `{"id": .., "cnt": ..}` on success, `{"error": "..", "error_code": N}` on failure.

    If `client` is given, it is used as is (its owner closes it, and its own timeout applies
    unless `timeout_s` overrides per request); otherwise a short-lived client is opened per
    message, which keeps the gateway safe to use from any event loop.
    """

    def __init__(
        self,
        *,
        url: str,
        login: str,
        password: str,
        sender: str = "",
        timeout_s: float = SMSC_TIMEOUT_S,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        if not url or not login or not password:
            raise ValueError("SMSC gateway needs SMSC_URL, SMSC_LOGIN and SMSC_PASSWORD")
        self._url = url
        self._login = login
        self._password = password
        self._sender = sender
        self._timeout = httpx.Timeout(timeout_s)
        self._client = client

    def __repr__(self) -> str:  # never show the password
        return f"SmscKzGateway(url={self._url!r}, login={self._login!r}, sender={self._sender!r})"

    def _form(self, phone: str, text: str) -> dict[str, str]:
        form = {
            "login": self._login,
            "psw": self._password,
            "phones": phone.removeprefix("+"),
            "mes": text,
            "charset": "utf-8",
            "fmt": "3",
        }
        if self._sender:
            form["sender"] = self._sender
        return form

    async def _post(self, form: dict[str, str]) -> httpx.Response:
        if self._client is not None:
            return await self._client.post(self._url, data=form, timeout=self._timeout)
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            return await client.post(self._url, data=form)

    async def send(self, phone: str, text: str) -> None:
        masked = mask_phone(phone)
        if not _ONE_PHONE.fullmatch(phone):
            raise SmsDeliveryError("refused: the phone is not a single E.164 number")
        if not text:
            raise SmsDeliveryError("refused: empty message")
        try:
            response = await self._post(self._form(phone, text))
        except httpx.TimeoutException as exc:
            logger.warning("SMSC timeout sending to %s", masked)
            raise SmsDeliveryError("SMSC did not answer in time") from exc
        except httpx.HTTPError as exc:
            logger.warning("SMSC unreachable sending to %s: %s", masked, type(exc).__name__)
            raise SmsDeliveryError(f"SMSC unreachable ({type(exc).__name__})") from exc

        if response.status_code != 200:
            logger.warning("SMSC HTTP %s sending to %s", response.status_code, masked)
            raise SmsDeliveryError(f"SMSC answered HTTP {response.status_code}")
        try:
            reply: Any = response.json()
        except ValueError as exc:
            logger.warning("SMSC reply is not JSON sending to %s", masked)
            raise SmsDeliveryError("SMSC reply is not JSON") from exc
        if not isinstance(reply, dict):
            logger.warning("SMSC reply is not a JSON object sending to %s", masked)
            raise SmsDeliveryError("SMSC reply is not a JSON object")

        if "error" in reply or "error_code" in reply:
            code = _as_int(reply.get("error_code"))
            error = str(reply.get("error", ""))[:200]
            logger.warning("SMSC refused SMS to %s: error_code=%s %s", masked, code, error)
            raise SmsDeliveryError(f"SMSC error {code}: {error}", code=code)
        if "id" not in reply:
            logger.warning("SMSC reply without id sending to %s", masked)
            raise SmsDeliveryError("SMSC reply has neither id nor error")
        logger.info(
            "SMS to %s accepted by SMSC: id=%s cnt=%s", masked, reply["id"], reply.get("cnt")
        )


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


# --- choice ----------------------------------------------------------------------------------


def make_sms_gateway(settings: Settings, inbox: DevInbox) -> SmsGateway:
    """The gateway `settings.sms_provider` names.

    SMSC without credentials is refused (ValueError). The console gateway outside
    `APP_ENV=dev` is a misconfiguration (nothing reaches a phone): it is allowed, so that a
    production app can still start, but warned about, and it then never logs the text, since
    one-time codes must not be logged in clear outside a development console.
    """
    if settings.sms_provider == "smsc":
        return SmscKzGateway(
            url=settings.smsc_url,
            login=settings.smsc_login,
            password=settings.smsc_password,
            sender=settings.smsc_sender,
            timeout_s=settings.smsc_timeout_s,
        )
    if settings.sms_provider == "console":
        if settings.is_dev:
            return ConsoleSmsGateway(inbox)
        logger.warning(
            "SMS_PROVIDER=console with APP_ENV=%s: no SMS reaches a phone; set SMS_PROVIDER=smsc",
            settings.app_env,
        )
        return ConsoleSmsGateway(inbox, log_text=False)
    raise ValueError(f"unknown SMS provider: {settings.sms_provider!r}")


def send_code(gateway: SmsGateway, settings: Settings, *, phone: str, code: str, lang: str) -> None:
    """Send a one-time code from a worker thread (sync routes) through the async gateway.

    Call it only after the code is committed: no transaction may stay open (and SQLite's write
    lock held) while the gateway answers. A failed send still counts against the cooldown and
    the hourly caps (the provider may have sent it after all): the 502 says when to retry."""
    try:
        anyio.from_thread.run(gateway.send, phone, CODE_TEXT[lang].format(code=code))
    except SmsDeliveryError as exc:
        logger.warning("sms to %s failed: %s", mask_phone(phone), type(exc).__name__)
        retry = str(max(1, settings.otp_resend_cooldown_s))
        raise ApiError(502, "sms_failed", headers={"Retry-After": retry}) from exc
