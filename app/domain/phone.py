"""Kazakhstan mobile numbers on the client: the check done before asking the server for a code.

Accepts what people type: `+7 701 123 45 67`, `8 701 123 4567`, `87011234567`, `77011234567`,
`+7(701)123-45-67`, `701 123 45 67`. The server stays the authority (it also answers
`invalid_phone`); this list of mobile operator codes mirrors its phonenumbers metadata and a
test keeps the two in step.
"""

from __future__ import annotations

import re

# Operator codes of Kazakh mobile networks (Beeline, Kcell/activ, Tele2/Altel, ...).
KZ_MOBILE_CODES: frozenset[str] = frozenset(
    {
        "700", "701", "702", "705", "706", "707", "708", "747",
        "760", "761", "762", "763", "764", "771", "775", "776", "777", "778", "785",
    }
)  # fmt: skip

_SEPARATORS = re.compile(r"[ \t\u00a0\-().]")
_SHAPE = re.compile(r"(?:\+7|7|8)?([0-9]{10})", re.ASCII)
_MAX_INPUT_LEN = 40


def normalize_kz_mobile(raw: str) -> str | None:
    """The E.164 form (`+77011234567`), or None if this is not a Kazakh mobile number."""
    text = (raw or "").strip()
    if not text or len(text) > _MAX_INPUT_LEN:
        return None
    shape = _SHAPE.fullmatch(_SEPARATORS.sub("", text))
    if shape is None:
        return None
    national = shape.group(1)
    if national[:3] not in KZ_MOBILE_CODES:
        return None
    return "+7" + national


def format_phone(e164: str) -> str:
    """`+77011234567` → `+7 701 123 45 67` (other text unchanged)."""
    m = re.fullmatch(r"\+7([0-9]{3})([0-9]{3})([0-9]{2})([0-9]{2})", e164 or "", re.ASCII)
    return f"+7 {m[1]} {m[2]} {m[3]} {m[4]}" if m else e164
