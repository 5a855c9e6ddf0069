"""Session-wide: a snackbar while the view model has a banner (`AppealNotifications.current`)
about an appeal's new status or an operator's message; "Open" goes to the appeal. It goes away
when the view model drops the banner, and re-reads its text when the language changes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import flet as ft

from app.domain.appeals import AppealUpdate
from app.i18n import Translator
from app.viewmodels.appeal_notifications import BANNER_SECONDS, MSG_OPEN, AppealNotifications

log = logging.getLogger(__name__)

# The view model ends the banner; the snackbar's own timer is only a backstop.
SNACK_DURATION = ft.Duration(seconds=int(BANNER_SECONDS) + 2)


class AppealBanner:
    def __init__(self, page: ft.Page, tr: Translator, vm: AppealNotifications) -> None:
        self.page = page
        self.tr = tr
        self.vm = vm
        self.snack: ft.SnackBar | None = None
        self.about: AppealUpdate | None = None  # what the snackbar on screen says
        self._unsubscribe = [vm.subscribe(self.render), tr.subscribe(self.render)]

    def dispose(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def render(self) -> None:
        """Show, rewrite (another language) or close the snackbar; a newer update replaces it."""
        update = self.vm.current
        still_open = self.snack is not None and self.snack.open
        if update is not None and update is self.about and still_open:
            assert self.snack is not None
            _send(self._fill(self.snack, update).update)
            return
        self._close()
        self.about = update
        if update is not None:
            snack = self.snack = self._fill(self._new(update), update)
            _send(lambda: self.page.show_dialog(snack))

    def _new(self, update: AppealUpdate) -> ft.SnackBar:
        async def open_appeal(e: Any) -> None:
            await self.vm.open(update)

        return ft.SnackBar(  # with an action Flutter keeps a snackbar until closed: not this one
            content=ft.Text(), on_action=open_appeal, duration=SNACK_DURATION, persist=False
        )

    def _fill(self, snack: ft.SnackBar, update: AppealUpdate) -> ft.SnackBar:
        """The texts of `snack` in the current language."""
        assert isinstance(snack.content, ft.Text)
        snack.content.value = self.tr.render(self.vm.text(update)) or ""
        snack.action = self.tr.gettext(MSG_OPEN)
        return snack

    def _close(self) -> None:
        if self.snack is not None and self.snack.open:
            self.snack.open = False
            _send(self.snack.update)


def _send(change: Callable[[], Any]) -> None:
    """Send a change to the page, which may be gone (a closed tab)."""
    try:
        change()
    except Exception:
        log.debug("appeal snackbar not updated", exc_info=True)
