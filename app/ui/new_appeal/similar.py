"""The similar-appeals step of the new appeal: appeals nearby in the last day about the same
problem (the resident's own can be opened), then send anyway or go back to editing."""

from __future__ import annotations

import flet as ft

from app.data.services.appeal_lookups_api import SimilarAppeal
from app.ui.kit import MUTED
from app.ui.new_appeal.parts import Step, bound


class SimilarStep(Step):
    def render(self) -> None:
        _ = self.tr.gettext
        self.box.controls = [
            ft.Text(
                _("Similar appeals nearby in the last 24 hours"),
                size=18,
                weight=ft.FontWeight.W_600,
            ),
            ft.Text(
                _(
                    "The city may already know about this problem. If you send yours, it is "
                    "counted as a repeat report, which raises its priority."
                )
            ),
            *(self._card(a) for a in self.vm.similar),
            self._form_error,
            self._progress,
            ft.FilledButton(
                content=_("Send mine anyway"), icon=ft.Icons.SEND, on_click=self._on_send_anyway
            ),
            ft.TextButton(
                content=_("Back to editing"), icon=ft.Icons.EDIT, on_click=self._on_back_to_form
            ),
        ]

    def _card(self, a: SimilarAppeal) -> ft.Control:
        vm, _ = self.vm, self.tr.gettext
        lines: list[ft.Control] = [
            ft.Text(_("Appeal No. {number}").format(number=a.number), weight=ft.FontWeight.W_600),
            ft.Text(
                _("{status} · {m} m from you").format(
                    status=_(vm.status_name(a.status)), m=vm.distance_text(a.distance_m)
                )
            ),
        ]
        if a.address:
            lines.append(ft.Text(a.address, size=13, color=MUTED))
        if a.repeat_count:
            lines.append(
                ft.Text(
                    self.tr.ngettext(
                        "Also reported by {n} more resident",
                        "Also reported by {n} more residents",
                        a.repeat_count,
                    ).format(n=a.repeat_count),
                    size=13,
                    color=MUTED,
                )
            )
        if a.id in vm.own_similar:
            lines.append(
                ft.TextButton(
                    content=_("Open my appeal"),
                    icon=ft.Icons.OPEN_IN_NEW,
                    on_click=bound(self.vm.open_similar, a.id),
                )
            )
        else:
            lines.append(ft.Text(_("Filed by another resident."), size=12, color=MUTED))
        return ft.Card(content=ft.Container(content=ft.Column(lines, spacing=4), padding=12))

    # -- handlers -------------------------------------------------------------------------------

    async def _on_send_anyway(self) -> None:
        await self.vm.send_anyway()

    async def _on_back_to_form(self) -> None:
        self.vm.back_to_form()
