"""What the parts of the new-appeal screen share: rebuilding a part only when what it shows
changed, click handlers bound to a view-model action, and the shape of a step other than the
form."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app.i18n import Translator
from app.viewmodels.new_appeal import NewAppealViewModel


class Rebuilds:
    """Remembers what each rebuilt part last showed (a keystroke must not re-send every tile,
    thumbnail and category row)."""

    def __init__(self) -> None:
        self._shown: dict[str, object] = {}

    def once(self, part: str, key: object, build: Callable[[], None]) -> None:
        if self._shown.get(part) != key:
            self._shown[part] = key
            build()


def bound(action: Callable[..., object], *args: Any) -> Callable[[], Awaitable[None]]:
    """A click handler running a view-model action with these arguments (awaited if async)."""

    async def handler() -> None:
        result = action(*args)
        if inspect.isawaitable(result):
            await result

    return handler


class Step:
    """A step shown instead of the form (similar appeals, emergency): a box of its own, with
    the screen's form error and progress bar, shared by every step, placed in it."""

    def __init__(
        self, tr: Translator, vm: NewAppealViewModel, form_error: ft.Text, progress: ft.ProgressBar
    ) -> None:
        self.tr = tr
        self.vm = vm
        self._form_error = form_error
        self._progress = progress
        self.box = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
