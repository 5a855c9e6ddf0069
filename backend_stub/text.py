"""Free text from residents and operators: one cleaning for every string a request carries.

`Annotated[str, CleanText(max_len)]` (several lines) and `Annotated[str, CleanLine(max_len)]`
(one line) are the one text type of every request schema (a test walks them all:
`tests/security/test_free_text.py`):

- refused (422 `text_invalid`, naming the field): control characters (a tab and a line break
  aside in `CleanText`), format characters (zero-width spaces and joiners, bidi embeddings,
  overrides and isolates, a BOM, soft hyphens), lone surrogates, line and paragraph
  separators. Anywhere in the value: trimming must not hide one. The one exception is a
  zero-width joiner inside an emoji sequence (🤦‍♂️, 👩🏽‍🚀), which is how such emoji are written;
- then NFC-normalised, line breaks as `\\n`, trimmed;
- lengths as declared in the schema (on what was sent); a text that NFC makes longer than its
  limit is refused as `text_invalid`. Required text must hold something besides spaces.

`clean_text` does the same for text that does not come through a schema (the console, Open311).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, StringConstraints, ValidationInfo

from backend_stub.errors import ApiError

NOT_BLANK = r"\S"  # something besides spaces (the value is trimmed)
ZWJ = "\u200d"
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_EMOJI_MODIFIERS = range(0x1F3FB, 0x1F400)  # skin tones
_VS16 = "\ufe0f"


def _emoji_side(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or ch == _VS16 or ord(ch) in _EMOJI_MODIFIERS


def _joins_emoji(text: str, i: int) -> bool:
    """A zero-width joiner between two parts of one emoji (🤦‍♂️ 👩🏽‍🚀 🏳️‍🌈)."""
    if text[i] != ZWJ or not 0 < i < len(text) - 1:
        return False
    return _emoji_side(text[i - 1]) and unicodedata.category(text[i + 1]) == "So"


def bad_character(text: str, *, multiline: bool) -> int | None:
    """The index of the first character no stored text may hold, or None."""
    if text.isprintable():  # the common case: nothing but printable characters and spaces
        return None
    for i, ch in enumerate(text):
        if multiline and ch in "\t\n\r":
            continue
        if unicodedata.category(ch) not in _REFUSED_CATEGORIES:
            continue
        if _joins_emoji(text, i):
            continue
        return i
    return None


def _normalise(value: str, *, multiline: bool, field: str) -> str:
    if bad_character(value, multiline=multiline) is not None:
        raise ApiError(422, "text_invalid", details={"field": field})
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


@dataclass(frozen=True)
class TextCleaner:
    """The validator of the one text type (see the module doc)."""

    max_len: int
    multiline: bool

    def __call__(self, value: str, info: ValidationInfo) -> str:
        field = info.field_name or "text"
        text = _normalise(value, multiline=self.multiline, field=field)
        if len(text) > self.max_len:  # NFC made it longer than the column
            raise ApiError(422, "text_invalid", details={"field": field})
        return text


@dataclass(frozen=True)
class CleanText(GroupedMetadata):
    """`Annotated[str, CleanText(max_len)]`: free text of one or more lines (tabs and line
    breaks allowed). With `min_len` ≥ 1 (the default) it must say something (pattern `\\S`);
    `min_len=0` allows an empty string. `pattern` replaces the `\\S`."""

    max_len: int
    min_len: int = 1
    pattern: str | None = None
    multiline: ClassVar[bool] = True

    def __iter__(self) -> Iterator[object]:
        pattern = self.pattern or (NOT_BLANK if self.min_len >= 1 else None)
        yield from StringConstraints(
            min_length=self.min_len or None, max_length=self.max_len, pattern=pattern
        )
        yield AfterValidator(TextCleaner(self.max_len, self.multiline))


@dataclass(frozen=True)
class CleanLine(CleanText):
    """`Annotated[str, CleanLine(max_len)]`: one line (names, codes, ids, tokens): no line
    breaks or tabs either."""

    multiline: ClassVar[bool] = False


def clean_text(value: str, *, max_len: int, min_len: int = 1, field: str = "text") -> str:
    """NFC-normalised text, or a 422 `text_invalid` / `validation_error` naming the field."""
    text = _normalise(value, multiline=True, field=field)
    if not (min_len <= len(text) <= max_len):
        raise ApiError(
            422,
            "validation_error",
            details={"fields": [{"loc": ["body", field], "type": "string_length"}]},
        )
    return text
