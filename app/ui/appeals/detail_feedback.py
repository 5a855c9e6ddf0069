"""What a resident can say about a handled appeal: the rating (stars and a comment), reopening
it, and a complaint about the handling."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import Translator
from app.ui.appeals.widgets import labelled
from app.ui.kit import on_click, say, section
from app.viewmodels.appeal_detail import AppealDetailViewModel


class FeedbackSections:
    """Its text fields stay the same across renders, so nothing typed is lost."""

    def __init__(self, tr: Translator, vm: AppealDetailViewModel) -> None:
        self.tr = tr
        self.vm = vm
        _ = tr.gettext
        self.comment_field = ft.TextField(
            label=_("Comment (optional)"), multiline=True, max_lines=4, on_change=self._on_comment
        )
        self.reopen_field = ft.TextField(
            label=_("Why reopen?"), multiline=True, max_lines=5, on_change=self._on_reopen_text
        )
        self.complaint_field = ft.TextField(
            label=_("Complaint"), multiline=True, max_lines=6, on_change=self._on_complaint_text
        )

    def load_inputs(self) -> None:
        """Show the texts the view model holds (after it rewrote them)."""
        self.comment_field.value = self.vm.rating_comment
        self.reopen_field.value = self.vm.reopen_reason
        self.complaint_field.value = self.vm.complaint_text

    def _stars(self, score: int, *, interactive: bool) -> ft.Control:
        _ = self.tr.gettext
        stars: list[ft.Control] = []
        for n in range(1, 6):

            async def choose(e: ft.Event[ft.IconButton], n: int = n) -> None:
                self.vm.set_score(n)

            label = _("{n} of 5").format(n=n)
            star = ft.IconButton(
                icon=ft.Icons.STAR if n <= score else ft.Icons.STAR_BORDER,
                icon_color=ft.Colors.AMBER_700,
                tooltip=label,
                on_click=choose if interactive else None,
                disabled=not interactive,
            )
            stars.append(labelled(star, label) if interactive else star)
        return ft.Row(stars, spacing=0)

    def rating(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        d = vm.detail
        if d is None:
            return None
        _ = tr.gettext
        if d.rating is not None:
            parts: list[ft.Control] = [self._stars(d.rating, interactive=False)]
            if d.rating_comment:
                parts.append(ft.Text(d.rating_comment, size=13))
            return section(_("Your rating"), *parts)
        if not vm.can_rate:
            return None
        error = say(tr, vm.errors.get("rating"))
        return section(
            _("Rate how the appeal was handled"),
            self._stars(vm.rating_score, interactive=True),
            *([ft.Text(error, color=ft.Colors.RED_800, size=13)] if error else []),
            self.comment_field,
            ft.Row([ft.FilledButton(content=_("Send the rating"), icon=ft.Icons.STAR,
                                    on_click=on_click(vm.rate), disabled=vm.busy)]),
        )  # fmt: skip

    def reopen(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        if not vm.can_reopen:
            return None
        _ = tr.gettext
        toggle = ft.OutlinedButton(
            content=_("Reopen the appeal"), icon=ft.Icons.REPLAY, on_click=self._toggle_reopen
        )
        if not vm.show_reopen:
            return ft.Row([toggle])
        self.reopen_field.error = say(tr, vm.errors.get("reopen")) or None
        return section(
            _("Reopen the appeal"),
            ft.Text(_("Tell what is still wrong: the appeal goes back into work."), size=13),
            self.reopen_field,
            ft.Row([ft.FilledButton(content=_("Send the request"), icon=ft.Icons.REPLAY,
                                    on_click=on_click(vm.reopen), disabled=vm.busy),
                    ft.TextButton(content=_("Cancel"), on_click=self._toggle_reopen)]),
        )  # fmt: skip

    def complaint(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        if not vm.can_complain:
            return None
        _ = tr.gettext
        if not vm.show_complaint:
            return ft.Row(
                [ft.TextButton(content=_("File a complaint"), icon=ft.Icons.REPORT_OUTLINED,
                               on_click=self._toggle_complaint)]
            )  # fmt: skip
        self.complaint_field.error = say(tr, vm.errors.get("complaint")) or None
        return section(
            _("Complaint about the handling"),
            self.complaint_field,
            ft.Row([ft.FilledButton(content=_("Send the complaint"), icon=ft.Icons.REPORT,
                                    on_click=on_click(vm.complain), disabled=vm.busy),
                    ft.TextButton(content=_("Cancel"), on_click=self._toggle_complaint)]),
        )  # fmt: skip

    async def _on_comment(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_rating_comment(self.comment_field.value)

    async def _on_reopen_text(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_reopen_reason(self.reopen_field.value)

    async def _on_complaint_text(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_complaint_text(self.complaint_field.value)

    async def _toggle_reopen(self, e: ft.Event[Any]) -> None:
        self.vm.toggle_reopen()

    async def _toggle_complaint(self, e: ft.Event[Any]) -> None:
        self.vm.toggle_complaint()
