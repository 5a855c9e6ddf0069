"""The support control of an initiative or a proposal card: "Support", or "You support this"
with "Withdraw support". Each button's accessible name says which item it acts on (a list of
cards must not offer ten buttons all called "Support"); what is drawn stays short."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import flet as ft

from app.i18n import Translator
from app.ui.kit import on_click
from app.ui.participation.chips import named_text, supported_mark

Act = Callable[[bool], Awaitable[None]]  # True: support, False: withdraw


def support_control(tr: Translator, *, item: str, supported: bool, act: Act) -> ft.Control:
    """`item`: how a screen reader tells this card from the others (its title, its text)."""
    _ = tr.gettext
    if not supported:
        return ft.FilledTonalButton(
            content=named_text(_("Support"), _("Support: {item}").format(item=item)),
            icon=ft.Icons.FAVORITE_BORDER,
            on_click=on_click(partial(act, True)),
        )
    return ft.Row(
        [
            supported_mark(_("You support this")),
            ft.TextButton(
                content=named_text(
                    _("Withdraw support"), _("Withdraw support: {item}").format(item=item)
                ),
                icon=ft.Icons.HEART_BROKEN_OUTLINED,
                on_click=on_click(partial(act, False)),
            ),
        ],
        wrap=True,
        spacing=8,
    )
