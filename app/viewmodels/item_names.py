"""How a screen reader tells one list item from the others when the item has no title: the
beginning of its text (a proposal, a chat message), on one line."""

from __future__ import annotations

NAME_CHARS = 60


def short_name(text: str, limit: int = NAME_CHARS) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"
