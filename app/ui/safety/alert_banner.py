"""Session-wide: the top banner of a new emergency alert (coloured by severity, on whatever
screen is open), and a quiet snackbar when new notices arrive."""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

from app.i18n import Message, Translator
from app.ui.kit import on_click, say
from app.ui.safety.widgets import TONE_ICONS, exercise_tag, tone_colors
from app.viewmodels.alerts import AlertBannerViewModel
from app.viewmodels.notices import NoticesViewModel

log = logging.getLogger(__name__)


class AlertBannerHost:
    def __init__(
        self,
        page: ft.Page,
        tr: Translator,
        vm: AlertBannerViewModel,
        notices: NoticesViewModel | None = None,
    ) -> None:
        self.page = page
        self.tr = tr
        self.vm = vm
        self.notices = notices
        self.banner: ft.Banner | None = None
        self.shown_key: tuple[str, str] | None = None  # (identifier, language) on screen
        self._unsubscribe = [vm.subscribe(self._sync), tr.subscribe(vm.refresh_language)]
        if notices is not None:
            self._unsubscribe.append(notices.on_arrivals(self._notices_arrived))

    def show_current(self) -> None:
        """Show the banner of the alert up now, if any (later ones follow the view model)."""
        self._sync()

    def dispose(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    # -- the alert banner ------------------------------------------------------------------------

    def _sync(self) -> None:
        shown = self.vm.shown
        key = (shown.identifier, self.tr.language) if shown else None
        if key == self.shown_key:
            return
        self._close()
        self.shown_key = key
        if shown is None:
            return
        try:
            self.banner = self._build()
            self.page.show_dialog(self.banner)
        except Exception:  # the page may be gone (closed tab)
            log.debug("alert banner not shown", exc_info=True)

    def _close(self) -> None:
        banner, self.banner = self.banner, None
        if banner is None or not banner.open:
            return
        banner.open = False
        try:
            banner.update()
        except Exception:
            log.debug("alert banner already gone", exc_info=True)

    def _build(self) -> ft.Banner:
        tr, view = self.tr, self.vm.shown
        assert view is not None
        _ = tr.gettext
        bg, fg = tone_colors(view.tone)
        lines: list[ft.Control] = []
        if view.exercise:
            lines.append(exercise_tag(tr))
        lines += [
            ft.Text(say(tr, view.severity), color=fg, size=13, weight=ft.FontWeight.W_600),
            ft.Text(view.headline, color=fg, size=18, weight=ft.FontWeight.BOLD),
            ft.Text(
                view.instruction,
                color=fg,
                size=15,
                max_lines=8,
                overflow=ft.TextOverflow.ELLIPSIS,
            ),
        ]
        if view.area:
            lines.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.PLACE_OUTLINED, color=fg, size=16),
                        ft.Text(view.area, color=fg, size=13, expand=True),
                    ],
                    spacing=4,
                )
            )
        lines.append(
            ft.Row(
                [
                    ft.Icon(ft.Icons.SCHEDULE, color=fg, size=16),
                    ft.Text(say(tr, view.status), color=fg, size=13, expand=True),
                ],
                spacing=4,
            )
        )
        more = tr.render(self.vm.more)
        if more:
            lines.append(ft.Text(more, color=fg, size=12, italic=True))
        button_style = ft.ButtonStyle(color=fg)
        return ft.Banner(
            bgcolor=bg,
            leading=ft.Icon(TONE_ICONS.get(view.tone, ft.Icons.WARNING_ROUNDED), color=fg, size=36),
            content=ft.Semantics(
                label=_("Emergency alert"),
                container=True,
                content=ft.Column(lines, spacing=6, tight=True),
            ),
            force_actions_below=True,
            actions=[
                ft.FilledButton(
                    content=_("Nearest shelters"),
                    icon=ft.Icons.MAP_OUTLINED,
                    on_click=on_click(self.vm.open_shelters),
                    style=ft.ButtonStyle(bgcolor=ft.Colors.WHITE, color=ft.Colors.BLACK),
                ),
                ft.FilledButton(
                    content=_("Emergency contacts"),
                    icon=ft.Icons.PHONE_IN_TALK_OUTLINED,
                    on_click=on_click(self.vm.open_contacts),
                    style=ft.ButtonStyle(bgcolor=ft.Colors.WHITE, color=ft.Colors.BLACK),
                ),
                ft.TextButton(
                    content=_("Details"),
                    on_click=on_click(self.vm.open_details),
                    style=button_style,
                ),
                ft.TextButton(
                    content=_("Got it"), on_click=on_click(self.vm.dismiss), style=button_style
                ),
            ],
        )

    # -- quiet word of new notices ----------------------------------------------------------------

    def _notices_arrived(self, message: Message) -> None:
        text = self.tr.render(message)
        if not text:
            return
        snack = ft.SnackBar(
            content=ft.Text(text),
            action=self.tr.gettext("Show"),
            on_action=self._open_notices,
            duration=ft.Duration(seconds=6),
            persist=False,  # quiet: it goes away by itself
        )
        try:
            self.page.show_dialog(snack)
        except Exception:
            log.debug("notice snackbar not shown", exc_info=True)

    async def _open_notices(self, e: Any) -> None:
        if self.notices is not None:
            await self.notices.open_list()
