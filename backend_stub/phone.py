"""Kazakhstan mobile phone numbers: normalisation to E.164 and masking for logs.

Country code 7 is shared by Russia and Kazakhstan, and `phonenumbers` maps a bare `+7` to RU
by default; so a number is accepted only when `phonenumbers` says its region is KZ *and* its
type is mobile. Landlines (`8 7172 ...`), Russian mobiles (`+7 916 ...`), VoIP ranges and
unallocated prefixes are all rejected.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

__all__ = ["InvalidPhoneError", "mask_phone", "normalize_kz_mobile"]

# Longest input worth looking at: "+7 (701) 123-45-67" is 18 characters; leave room for spaces.
_MAX_INPUT_LEN = 40
# Separators people type between digits: spaces (also no-break), tabs, dashes, brackets, dots.
_SEPARATORS = re.compile(r"[ \t\u00a0\-().]")
# What must remain: ASCII digits only (no letters, no vanity numbers, no other scripts' digits),
# with an optional leading '+'.
#   +7XXXXXXXXXX   international
#   7XXXXXXXXXX    international without the plus
#   8XXXXXXXXXX    national trunk prefix 8
#   XXXXXXXXXX     the ten-digit national number alone
_SHAPE = re.compile(r"(?:\+7|7|8)?([0-9]{10})", re.ASCII)
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_E164_KZ = re.compile(r"\+7([0-9]{10})", re.ASCII)


class InvalidPhoneError(ValueError):
    """The text is not a Kazakhstan mobile number."""


def normalize_kz_mobile(raw: str) -> str:
    """Return the E.164 form (`+77011234567`) of a Kazakhstan mobile number.

    Accepts `+7 701 123 45 67`, `8 701 123 4567`, `87011234567`, `77011234567`,
    `+7(701)123-45-67`, `701 123 45 67` and the like. Raises `InvalidPhoneError` for anything
    else: landlines, other countries' numbers (Russia shares +7), wrong length, letters.
    """
    if not isinstance(raw, str):
        raise InvalidPhoneError("phone number must be text")
    text = raw.strip()
    if not text or len(text) > _MAX_INPUT_LEN:
        raise InvalidPhoneError("phone number is empty or too long")
    compact = _SEPARATORS.sub("", text)
    shape = _SHAPE.fullmatch(compact)
    if shape is None:
        raise InvalidPhoneError("not a phone number of the form +7 7XX XXX XX XX")
    national = shape.group(1)
    try:
        number = phonenumbers.parse("+7" + national, "KZ")
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError("not a valid phone number")
    if phonenumbers.region_code_for_number(number) != "KZ":
        raise InvalidPhoneError("not a Kazakhstan phone number")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhoneError("not a mobile phone number")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """Mask a phone number for logs: `+77011234567` → `+7 701 *** ** 67`.

    Never raises: text that is not a +7 E.164 number is reduced to its last two digits.
    """
    match = _E164_KZ.fullmatch(e164) if isinstance(e164, str) else None
    if match is not None:
        digits = match.group(1)
        return f"+7 {digits[:3]} *** ** {digits[-2:]}"
    tail = re.sub(r"[^0-9]", "", e164, flags=re.ASCII) if isinstance(e164, str) else ""
    return "***" + tail[-2:] if len(tail) >= 4 else "***"
