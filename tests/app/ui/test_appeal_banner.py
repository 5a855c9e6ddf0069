"""The appeal banner on the page: shown while the view model has one, rewritten in the new
language after a switch, closed when the view model drops it, replaced by a newer one."""

from __future__ import annotations

from typing import Any

import flet as ft
import pytest

from app.domain.appeals import AppealUpdate
from app.i18n import Translator
from app.ui.appeals.banner import AppealBanner
from app.viewmodels.appeal_notifications import AppealNotifications
from app.viewmodels.navigation import Navigation

pytestmark = pytest.mark.anyio

CLOSED = AppealUpdate("c-1", 42, "109-2607-000042", "status", status="closed")
OTHER = AppealUpdate("c-2", 43, "109-2607-000043", "status", status="in_progress")


class FakePage:
    """What the banner asks of a page: to show a dialog (a snackbar)."""

    def __init__(self) -> None:
        self.shown: list[ft.SnackBar] = []

    def show_dialog(self, dialog: ft.SnackBar) -> None:
        dialog.open = True
        self.shown.append(dialog)


def text(snack: ft.SnackBar) -> tuple[str, Any]:
    assert isinstance(snack.content, ft.Text)
    return str(snack.content.value), snack.action


async def test_the_banner_follows_the_view_model_and_the_language() -> None:
    tr = Translator("ru")
    vm = AppealNotifications(tr, Navigation())
    page = FakePage()
    AppealBanner(page, tr, vm)  # type: ignore[arg-type]

    await vm.deliver([CLOSED])
    [snack] = page.shown
    assert text(snack) == ("Обращение № 109-2607-000042: Закрыто", "Открыть обращение")

    tr.set_language("kk")  # the same snackbar, now in Kazakh
    assert page.shown == [snack] and snack.open
    words, action = text(snack)
    assert "109-2607-000042" in words and "Обращение" not in words
    assert action == tr.gettext("Open the appeal") != "Открыть обращение"

    await vm.deliver([OTHER])  # a newer one replaces it
    assert not snack.open and len(page.shown) == 2 and page.shown[1].open
    assert "109-2607-000043" in text(page.shown[1])[0]

    vm.opened("/appeals/43")  # the resident opened that appeal: the banner goes
    assert not page.shown[1].open
    tr.set_language("ru")  # nothing comes back after a switch
    assert len(page.shown) == 2 and not any(s.open for s in page.shown)
