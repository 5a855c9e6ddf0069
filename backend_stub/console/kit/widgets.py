"""The small widgets console pages are built from: badges, tables, detail lists, pagers, chips,
select options, hidden fields and POST forms.

Arguments named `*_html` (and table rows) are markup already escaped with `e()`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol
from urllib.parse import urlencode

from backend_stub.console.kit.i18n import _, language
from backend_stub.console.kit.text import e
from backend_stub.geo import DISTRICT_NAMES

PAGE_SIZE = 50


def badge(name: str, cls: str = "", *, style: str = "") -> str:
    """A coloured label."""
    out = f'<span class="badge{f" {cls}" if cls else ""}"'
    out += f' style="{e(style)}">' if style else ">"
    return out + f"{e(name)}</span>"


def table(headers: Sequence[str], rows_html: Iterable[str], empty: str | None = None) -> str:
    """A table of pre-built <tr> rows; `empty` is the one muted row shown when there are none."""
    body = "".join(rows_html)
    if not body and empty is not None:
        body = f'<tr><td colspan="{len(headers)}" class="muted">{e(empty)}</td></tr>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def details(rows: Iterable[tuple[str, str | None]]) -> str:
    """A <dl> of (label, value markup); rows with a None value are left out."""
    items = "".join(
        f"<dt>{e(label)}</dt><dd>{value}</dd>" for label, value in rows if value is not None
    )
    return f"<dl>{items}</dl>"


class Identified(Protocol):
    @property
    def id(self) -> int | None: ...


def pager(
    path: str,
    rows: Sequence[Identified],
    params: Mapping[str, str] | None = None,
    page_size: int = PAGE_SIZE,
) -> str:
    """The link to the next (older) page when this one is full, keeping the list's filters."""
    if len(rows) < page_size:
        return ""
    query = urlencode({**(params or {}), "before_id": str(rows[-1].id)})
    return f'<div class="pager"><a href="{e(f"{path}?{query}")}">{e(_("Next page →"))}</a></div>'


def chips(links: Iterable[tuple[str, str]]) -> str:
    """A row of pill links: (href, label markup)."""
    items = "".join(f'<a href="{e(href)}">{label}</a>' for href, label in links)
    return f'<div class="chips">{items}</div>'


def count_label(name: str, count: int) -> str:
    return f"{e(name)}: <b>{int(count)}</b>"


def options(items: Iterable[tuple[str, str]], selected: str | None) -> str:
    return "".join(
        f'<option value="{e(value)}"{" selected" if value == selected else ""}>{e(label)}</option>'
        for value, label in items
    )


def hidden_field(name: str, value: object) -> str:
    return f'<input type="hidden" name="{name}" value="{e(value)}">'


def client_id_field() -> str:
    """A fresh hidden client_id, so that a create runs once per form (see `once_per_form`)."""
    return hidden_field("client_id", uuid.uuid4())


def _class_attr(cls: str) -> str:
    return f' class="{cls}"' if cls else ""


def _submit(label: str, cls: str) -> str:
    return f'<button type="submit"{_class_attr(cls)}>{e(label)}</button>'


def post_form(
    action: str,
    hidden_html: str,
    fields_html: str,
    submit: str,
    *,
    cls: str = "",
    button_cls: str = "",
) -> str:
    """A POST form: its hidden fields (the CSRF token and the like), its fields and one submit
    button under them."""
    return (
        f'<form{_class_attr(cls)} method="post" action="{e(action)}">{hidden_html}'
        f'{fields_html}<div class="actions">{_submit(submit, button_cls)}</div></form>'
    )


def button_form(action: str, hidden_html: str, label: str, *, button_cls: str = "") -> str:
    """An inline POST form that is only a button (publish, close, delete)."""
    return (
        f'<form class="inline" method="post" action="{e(action)}">{hidden_html}'
        f"{_submit(label, button_cls)}</form>"
    )


def district_checkboxes(chosen: Iterable[str], gap_px: int = 14) -> str:
    picked = set(chosen)
    return "".join(
        f'<label style="display:inline-block;margin-right:{gap_px}px"><input type="checkbox" '
        f'name="districts" value="{e(code)}"{" checked" if code in picked else ""}> '
        f"{e(names[language()])}</label>"
        for code, names in DISTRICT_NAMES.items()
    )
