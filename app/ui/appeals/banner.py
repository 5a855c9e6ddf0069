"""Session-wide: starts the sync engine of the page session, and shows a snackbar when an
appeal's status changes or the operator writes (tap "Open" to go to the appeal)."""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

from app.composition import AppSession
from app.data.services.notifications import os_notifier
from app.domain.appeals import AppealUpdate
from app.viewmodels.appeal_notifications import MSG_OPEN

log = logging.getLogger(__name__)


class AppealBanner:
    def __init__(self, page: ft.Page, session: AppSession) -> None:
        self.page = page
        self.session = session
        self.vm = session.appeal_notifications
        self._unsubscribe = self.vm.subscribe(self._show)

    async def start(self) -> None:
        # An OS notification only where this process runs on the resident's own device.
        self.vm.os_notifier = os_notifier(web=bool(self.page.web))
        await self.session.sync.start()

    def dispose(self) -> None:
        self._unsubscribe()

    def _show(self) -> None:
        latest: AppealUpdate | None = None
        while (update := self.vm.take()) is not None:
            latest = update  # a burst: the newest one is shown
        if latest is None:
            return
        tr = self.session.translator
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
