"""What a resident can say about a handled appeal: the rating (stars and a comment), reopening
it, and a complaint about the handling."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.i18n import Translator
from app.ui.kit import named, on_click, say, section
from app.viewmodels.appeal_detail import AppealDetailViewModel

STAR_COLOR = ft.Colors.ORANGE_900


def _star(n: int, score: int) -> ft.IconData:
    """The n-th of five stars, filled up to `score`."""
    return ft.Icons.STAR if n <= score else ft.Icons.STAR_BORDER


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

    def _stars(self, score: int) -> ft.Control:
        """Five stars to choose a score with, each a button named "n of 5"."""
        _ = self.tr.gettext
        stars: list[ft.Control] = []
        for n in range(1, 6):

            async def choose(e: ft.Event[ft.IconButton], n: int = n) -> None:
                self.vm.set_score(n)

            star = ft.IconButton(icon=_star(n, score), icon_color=STAR_COLOR, on_click=choose)
            stars.append(named(star, _("{n} of 5").format(n=n)))
        return ft.Row(stars, spacing=0)

    def _given(self, score: int) -> ft.Control:
        """The score given, read as one text ("Your rating: 4 of 5"), never as buttons."""
        icons: list[ft.Control] = [ft.Icon(_star(n, score), color=STAR_COLOR) for n in range(1, 6)]
        label = self.tr.gettext("Your rating: {n} of 5").format(n=score)
        return ft.Semantics(label=label, exclude_semantics=True, content=ft.Row(icons, spacing=8))

    def rating(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        d = vm.detail
        if d is None:
            return None
        _ = tr.gettext
        if d.rating is not None:
            parts: list[ft.Control] = [self._given(d.rating)]
            if d.rating_comment:
                parts.append(ft.Text(d.rating_comment, size=13))
            return section(_("Your rating"), *parts)
        if not vm.can_rate:
            return None
        error = say(tr, vm.errors.get("rating"))
        return section(
            _("Rate how the appeal was handled"),
            self._stars(vm.rating_score),
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
