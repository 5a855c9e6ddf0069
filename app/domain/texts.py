"""Texts the server sends in both languages (`{name}_kk` / `{name}_ru`) and the app keeps as
`{"kk": ..., "ru": ...}`; the app's language codes are "kk" and "ru" (anything else is Kazakh)."""

from __future__ import annotations

from typing import Any


def lang_code(lang: str) -> str:
    return "ru" if lang == "ru" else "kk"


def kk_ru(data: dict[str, Any], name: str) -> dict[str, str]:
    """A text the server sends as `{name}_kk` / `{name}_ru`, as `{"kk": ..., "ru": ...}`."""
    return {lang: str(data.get(f"{name}_{lang}") or "") for lang in ("kk", "ru")}


def in_lang(text: dict[str, str], lang: str) -> str:
    """The text in the resident's language, the Kazakh one when it is missing, else ""."""
    return text.get(lang_code(lang)) or text.get("kk") or ""
