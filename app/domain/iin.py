"""Kazakhstan IIN (ЖСН/ИИН) check: the one implementation, used by the app before sending and
by the server (`backend_stub.crud.users`, which answers 422 `invalid_iin`).

Layout of the 12 digits: `YYMMDD` date of birth, one digit for century and sex (1/2: 1800s,
3/4: 1900s, 5/6: 2000s; odd male, even female), four serial digits and a check digit. The check
digit is the weighted sum of the first eleven digits modulo 11 with weights 1..11; if that is 10,
a second pass uses weights 3..11,1,2; if that is 10 too, no such number is issued. Standard
library only (the app imports it on phones).
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["clean_iin", "iin_check_digit", "is_valid_iin"]

_TWELVE_DIGITS = re.compile(r"[0-9]{12}", re.ASCII)
_SEPARATORS = re.compile(r"[ \t\u00a0\-]")
_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


def clean_iin(raw: str) -> str:
    """What people type (`900101 300 123`) without spaces and dashes."""
    return _SEPARATORS.sub("", (raw or "").strip())


def iin_check_digit(first_eleven: str) -> int | None:
    """The check digit for the first eleven digits, or None when no check digit exists."""
    if len(first_eleven) != 11 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise ValueError("expected exactly eleven ASCII digits")
    digits = [int(ch) for ch in first_eleven]
    for weights in (_WEIGHTS_1, _WEIGHTS_2):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def is_valid_iin(value: str) -> bool:
    """True when `value` is exactly 12 ASCII digits forming a well-formed IIN (real date of
    birth in the century the 7th digit names, century digit 1-6, matching check digit)."""
    if not isinstance(value, str) or _TWELVE_DIGITS.fullmatch(value) is None:
        return False
    century = _CENTURY.get(int(value[6]))
    if century is None:
        return False
    try:
        date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return False
    return iin_check_digit(value[:11]) == int(value[11])
