"""Free text from residents: trimmed, length-checked, and free of control characters."""

from __future__ import annotations

import re
import unicodedata

from backend_stub.errors import ApiError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str, *, max_len: int, min_len: int = 1, field: str = "text") -> str:
    """NFC-normalised text, or a 422 `text_invalid` / `validation_error` naming the field."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    if _CONTROL.search(text):  # anywhere: trimming must not hide one
        raise ApiError(422, "text_invalid", details={"field": field})
    text = text.strip()
    if not (min_len <= len(text) <= max_len):
        raise ApiError(
            422,
            "validation_error",
            details={"fields": [{"loc": ["body", field], "type": "string_length"}]},
        )
    return text
