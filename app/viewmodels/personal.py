"""Personal data in the cabinet: the name and the optional IIN (checked on the device with the
same checksum as the server), and changing the phone number with a code sent to the NEW number.

The name and IIN are saved on the device and queued (offline too); a refusal by the server is
shown until the resident dismisses it. Changing the phone needs the server (the code)."""

from __future__ import annotations

import asyncio
from typing import Unpack

from app.data.repositories.profile import ProfileError, ProfileRepository
from app.domain.iin import clean_iin, is_valid_iin
from app.domain.phone import format_phone, normalize_kz_mobile
from app.errors import ApiError, NetworkError
from app.i18n import N_, Message
from app.viewmodels.background import BackgroundTasks
from app.viewmodels.phone_code_messages import MSG_CODE_FORMAT, MSG_INVALID_PHONE, error_message
from app.viewmodels.profile_page import PageHooks, ProfilePageViewModel

MSG_INVALID_IIN = N_("This IIN is not valid: check the 12 digits.")
MSG_IIN_DIGITS = N_("The IIN has 12 digits.")
MSG_NAME_TOO_LONG = N_("The name is too long: at most {max} characters.")
MSG_SAVED = N_("Saved.")
MSG_SAVED_OFFLINE = N_("Saved on this device; it will be sent when the connection is back.")
MSG_SAME_PHONE = N_("This is your current number.")
MSG_PHONE_TAKEN = N_("This number belongs to another account.")
MSG_PHONE_CHANGED = N_("The phone number was changed to {phone}.")
MSG_CODE_SENT_NEW = N_("We sent a code to the new number {phone}.")
MSG_NOT_SAVED = N_("The server did not accept the change: {reason}")


class PersonalDataViewModel(ProfilePageViewModel):
    def __init__(self, repo: ProfileRepository, **hooks: Unpack[PageHooks]) -> None:
        super().__init__(repo, **hooks)
        self.input_revision = 0
        self.name_text = ""
        self.iin_text = ""
        self.phone = ""
        self.name_error: Message | None = None
        self.iin_error: Message | None = None
        self.notice: Message | None = None
        self.refused: Message | None = None
        self.busy = False
        self.reset_phone_change(notify=False)
        self._background = BackgroundTasks()
        repo.subscribe(self._repo_changed)

    def _repo_changed(self) -> None:
        """An edit reached the server or was refused: show the refusal (typed text stays)."""
        self._background.start(self._reread_refusal)

    async def _reread_refusal(self) -> None:
        refused = await asyncio.to_thread(self._repo.rejected_patch)
        self.refused = Message(MSG_NOT_SAVED, {"reason": refused[1]}) if refused else None
        self.notify()

    # -- name and IIN ---------------------------------------------------------------------------

    def _read(self) -> None:
        profile = self._repo.profile()
        self.name_text = profile.full_name or ""
        self.iin_text = profile.iin or ""
        self.phone = profile.phone
        refused = self._repo.rejected_patch()
        self.refused = Message(MSG_NOT_SAVED, {"reason": refused[1]}) if refused else None

    async def load(self) -> None:
        """What the device has at once; then the server's profile when it can be reached
        (unsent edits stay on top of it, and so does what the resident typed meanwhile)."""
        await self._load_fields()
        self.input_revision += 1
        self.notify()
        typed = (self.name_text, self.iin_text)
        if not await self._refresh():
            return
        if (self.name_text, self.iin_text) != typed:
            self.input_revision += 1
        self.notify()

    @property
    def phone_shown(self) -> str:
        return format_phone(self.phone)

    def set_name(self, text: str) -> None:
        self.name_text = text
        self.edited = True
        if self.name_error is not None:
            self.name_error = None
            self.notify()

    def set_iin(self, text: str) -> None:
        self.iin_text = text
        self.edited = True
        digits = clean_iin(text)
        error = self.iin_error
        if error is not None and (not digits or is_valid_iin(digits)):
            self.iin_error = None
        if error != self.iin_error:
            self.notify()

    def check_iin(self) -> bool:
        """The IIN as typed: empty (optional) or a valid one; sets the error otherwise."""
        digits = clean_iin(self.iin_text)
        if not digits:
            self.iin_error = None
        elif len(digits) != 12 or not digits.isdigit():
            self.iin_error = Message(MSG_IIN_DIGITS)
        elif not is_valid_iin(digits):
            self.iin_error = Message(MSG_INVALID_IIN)
        else:
            self.iin_error = None
        return self.iin_error is None

    async def save(self) -> bool:
        self.notice = None
        if not self.check_iin():
            self.notify()
            return False
        try:
            queued = await asyncio.to_thread(
                self._repo.update_personal, self.name_text, self.iin_text
            )
        except ProfileError as exc:
            if exc.code == "invalid_iin":
                self.iin_error = Message(MSG_INVALID_IIN)
            else:
                self.name_error = Message(MSG_NAME_TOO_LONG, dict(exc.params))
            self.notify()
            return False
        self.edited = False
        self.notice = Message(MSG_SAVED if self._online() else MSG_SAVED_OFFLINE)
        self.notify()
        if queued:
            self._on_queued()
        return True

    async def dismiss_refusal(self) -> None:
        await asyncio.to_thread(self._repo.dismiss_rejected)
        await self.load()

    # -- changing the phone (online) ------------------------------------------------------------

    def reset_phone_change(self, *, notify: bool = True) -> None:
        self.changing_phone = False
        self.new_phone_text = ""
        self.new_phone: str | None = None  # E.164 the code went to
        self.code_text = ""
        self.phone_error: Message | None = None
        self.code_error: Message | None = None
        self.phone_notice: Message | None = None
        if notify:
            self.notify()

    def start_phone_change(self) -> None:
        self.reset_phone_change(notify=False)
        self.changing_phone = True
        self.input_revision += 1
        self.notify()

    def set_new_phone(self, text: str) -> None:
        self.new_phone_text = text
        if self.phone_error is not None:
            self.phone_error = None
            self.notify()

    def set_code(self, text: str) -> None:
        self.code_text = text
        if self.code_error is not None:
            self.code_error = None
            self.notify()

    async def request_code(self) -> bool:
        phone = normalize_kz_mobile(self.new_phone_text)
        if phone is None:
            self.phone_error = Message(MSG_INVALID_PHONE)
            self.notify()
            return False
        if phone == self.phone:
            self.phone_error = Message(MSG_SAME_PHONE)
            self.notify()
            return False
        self.busy = True
        self.notify()
        try:
            await self._repo.request_phone_change(phone)
        except (ApiError, NetworkError) as exc:
            self.phone_error = self._error(exc)
            return False
        finally:
            self.busy = False
            self.notify()
        self.new_phone = phone
        self.code_text = ""
        self.phone_notice = Message(MSG_CODE_SENT_NEW, {"phone": format_phone(phone)})
        self.notify()
        return True

    async def verify_code(self) -> bool:
        code = "".join(self.code_text.split())
        if self.new_phone is None:
            return False
        if len(code) != 6 or not code.isdigit():
            self.code_error = Message(MSG_CODE_FORMAT)
            self.notify()
            return False
        self.busy = True
        self.notify()
        try:
            profile = await self._repo.verify_phone_change(self.new_phone, code)
        except (ApiError, NetworkError) as exc:
            self.code_error = self._error(exc)
            return False
        finally:
            self.busy = False
            self.notify()
        self.phone = profile.phone
        self.reset_phone_change(notify=False)
        self.notice = Message(MSG_PHONE_CHANGED, {"phone": format_phone(profile.phone)})
        self.notify()
        return True

    @staticmethod
    def _error(exc: Exception) -> Message:
        if isinstance(exc, ApiError) and exc.code == "phone_taken":
            return Message(MSG_PHONE_TAKEN)
        return error_message(exc)
