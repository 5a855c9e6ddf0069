"""Session-wide: a snackbar when an appeal's status changes or the operator writes (tap "Open"
to go to the appeal)."""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

from app.domain.appeals import AppealUpdate
from app.i18n import Translator
from app.viewmodels.appeal_notifications import MSG_OPEN, AppealNotifications

log = logging.getLogger(__name__)


class AppealBanner:
    def __init__(self, page: ft.Page, tr: Translator, vm: AppealNotifications) -> None:
        self.page = page
        self.tr = tr
        self.vm = vm
        self._unsubscribe = vm.subscribe(self._show)

    def dispose(self) -> None:
        self._unsubscribe()

    def _show(self) -> None:
        latest: AppealUpdate | None = None
        while (update := self.vm.take()) is not None:
            latest = update  # a burst: the newest one is shown
        if latest is None:
            return
        tr = self.tr
        target = latest

        async def open_appeal(e: Any) -> None:
            await self.vm.open(target)

        snack = ft.SnackBar(
            content=ft.Text(tr.render(self.vm.text(latest)) or ""),
            action=tr.gettext(MSG_OPEN),
            on_action=open_appeal,
            duration=ft.Duration(seconds=8),
        )
        try:
            self.page.show_dialog(snack)
        except Exception:  # the page may be gone (a closed tab)
            log.debug("appeal snackbar not shown", exc_info=True)
