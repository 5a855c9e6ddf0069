"""Controls shared by the alerts, map, contacts and notices screens (Flet only, no logic)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app.domain.alerts import Tone
from app.i18n import Translator
from app.viewmodels.alerts import MSG_EXERCISE, AlertView

# Background and text colour of each severity tone (contrast at least 4.5:1).
TONES: dict[str, tuple[str, str]] = {
    "red": (ft.Colors.RED_800, ft.Colors.WHITE),
    "orange": (ft.Colors.DEEP_ORANGE_900, ft.Colors.WHITE),
    "yellow": (ft.Colors.AMBER_300, ft.Colors.BLACK),
    "blue": (ft.Colors.BLUE_800, ft.Colors.WHITE),
}
TONE_ICONS: dict[str, ft.IconData] = {
    "red": ft.Icons.WARNING_ROUNDED,
    "orange": ft.Icons.WARNING_AMBER_ROUNDED,
    "yellow": ft.Icons.INFO_OUTLINE,
    "blue": ft.Icons.INFO_OUTLINE,
}


def tone_colors(tone: Tone | str) -> tuple[str, str]:
    return TONES.get(tone, TONES["blue"])


def is_phone() -> bool:
    """Whether the app runs on a phone (calls go through `tel:`); else numbers are copied."""
    try:
        platform = ft.context.page.platform
    except Exception:  # no page in context (tests)
        return False
    return bool(platform is not None and platform.is_mobile())


def exercise_tag(tr: Translator) -> ft.Control:
    """A black-on-white tag that cannot be mistaken for a real alert."""
    return ft.Container(
        content=ft.Text(
            tr.gettext(MSG_EXERCISE), weight=ft.FontWeight.BOLD, size=13, color=ft.Colors.BLACK
        ),
        bgcolor=ft.Colors.WHITE,
        border=ft.Border.all(2, ft.Colors.BLACK),
        border_radius=6,
        padding=ft.Padding.symmetric(horizontal=8, vertical=3),
    )


def tag(text: str, bg: str, fg: str) -> ft.Control:
    return ft.Container(
        content=ft.Text(text, size=12, weight=ft.FontWeight.W_600, color=fg),
        bgcolor=bg,
        border_radius=6,
        padding=ft.Padding.symmetric(horizontal=8, vertical=2),
    )


def info_line(icon: ft.IconData, text: str, color: str | None = None) -> ft.Control:
    return ft.Row(
        [
            ft.Icon(icon, size=16, color=color or ft.Colors.ON_SURFACE_VARIANT),
            ft.Text(text, size=13, color=color or ft.Colors.ON_SURFACE_VARIANT, expand=True),
        ],
        spacing=6,
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


def notice_bar(text: str | None, icon: ft.IconData = ft.Icons.CLOUD_OFF) -> ft.Container:
    """A grey strip for "offline — cached data" and similar notes."""
    return ft.Container(
        visible=bool(text),
        content=info_line(icon, text or ""),
        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH,
        border_radius=8,
        padding=ft.Padding.symmetric(horizontal=10, vertical=8),
    )


def set_bar(bar: ft.Container, text: str | None, icon: ft.IconData = ft.Icons.CLOUD_OFF) -> None:
    """Show `text` in a `notice_bar` (hidden when there is none)."""
    bar.visible = bool(text)
    bar.content = info_line(icon, text or "")


def alert_card(
    tr: Translator,
    view: AlertView,
    on_click: Callable[[ft.Event[Any]], Awaitable[None]] | None,
    *,
    muted: bool = False,
) -> ft.Control:
    """One alert in a list: severity colour strip, tags, headline, area, until when."""
    _ = tr.gettext
    bg, fg = tone_colors(view.tone)
    if muted:
        bg, fg = ft.Colors.GREY_700, ft.Colors.WHITE
    tags: list[ft.Control] = [tag(tr.render(view.severity) or "", bg, fg)]
    if view.exercise:
        tags.append(exercise_tag(tr))
    if view.updated and not muted:
        tags.append(tag(_("Updated"), ft.Colors.BLUE_GREY_100, ft.Colors.BLACK))
    lines: list[ft.Control] = [
        ft.Row(tags, wrap=True, spacing=6, run_spacing=4),
        ft.Text(view.headline, size=16, weight=ft.FontWeight.W_600),
    ]
    if view.area:
        lines.append(info_line(ft.Icons.PLACE_OUTLINED, view.area))
    lines.append(info_line(ft.Icons.SCHEDULE, tr.render(view.status) or ""))
    if view.in_area and not muted:
        lines.append(info_line(ft.Icons.MY_LOCATION, _("You are in the danger area"), bg))
    return ft.Card(
        clip_behavior=ft.ClipBehavior.ANTI_ALIAS,
        content=ft.Container(
            content=ft.Column(lines, spacing=6),
            border=ft.Border(left=ft.BorderSide(8, bg)),
            padding=ft.Padding.only(left=14, top=12, right=12, bottom=12),
            on_click=on_click,
            ink=True,
        ),
    )
