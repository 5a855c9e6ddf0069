"""What every screen shares: a view built from view models, re-rendered when they notify."""

from __future__ import annotations

import logging
from collections.abc import Callable

import flet as ft

from app.i18n import Translator
from app.observable import Observable

log = logging.getLogger(__name__)


class Screen:
    """Builds one `ft.View`; `render()` copies view-model state onto the controls."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr
        self._unsubscribe: list[Callable[[], None]] = []
        self.view: ft.View | None = None

    def watch(self, model: Observable) -> None:
        self._unsubscribe.append(model.subscribe(self._changed))

    def build(self) -> ft.View:
        raise NotImplementedError

    def render(self) -> None:
        """Copy state onto the controls (no update sent)."""

    def _changed(self) -> None:
        if self.view is None:
            return  # not built yet (a model notified from the constructor): build() renders
        self.render()
        try:
            self.view.update()  # raises RuntimeError once the view left the page
        except RuntimeError:
            log.debug("update of a detached view skipped")

    def dispose(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()


def centered(*controls: ft.Control, spacing: int = 16) -> ft.Control:
    """A column across the whole width of a phone, and a centred narrower one on wider screens."""
    return ft.ResponsiveRow(
        [
            ft.Column(
                list(controls),
                spacing=spacing,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                col={"xs": 12, "sm": 10, "md": 8, "lg": 6, "xl": 5},
            )
        ],
        alignment=ft.MainAxisAlignment.CENTER,
    )
