"""The before/after widget (order 32-1) for the appeal detail: the resident's photo and the
executor's "after" photo side by side, or one over the other with a slider.

Self-contained: `BeforeAfter(tr, vm).build()` gives the section (nothing when the appeal has no
"after" photo); it loads the photos itself once built on a page. The appeal detail places it
above the rating."""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

from app.i18n import Translator
from app.ui.kit import run_soon, sideways
from app.viewmodels.before_after import BeforeAfterViewModel

log = logging.getLogger(__name__)

WIDTH = 340
HEIGHT = 255


class BeforeAfter:
    def __init__(self, tr: Translator, vm: BeforeAfterViewModel) -> None:
        self.tr = tr
        self.vm = vm
        self.body = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.CENTER)
        self.section: ft.Control | None = None
        self._unsubscribe = vm.subscribe(self._changed)
        self._built: str | None = None  # which layout the body holds now
        self._overlay = ft.Container(height=HEIGHT, clip_behavior=ft.ClipBehavior.HARD_EDGE)
        self._divider = ft.Container(top=0, width=2, height=HEIGHT, bgcolor=ft.Colors.WHITE)
        self._picture_label = ft.Semantics(image=True)

    def build(self) -> ft.Control:
        _ = self.tr.gettext
        if not self.vm.available:
            self.section = ft.Container(visible=False)
            return self.section
        self.mode_switch = ft.SegmentedButton(
            segments=[
                ft.Segment(value="side_by_side", label=ft.Text(_("Side by side"))),
                ft.Segment(value="slider", label=ft.Text(_("Slider"))),
            ],
            selected=[self.vm.mode],
            show_selected_icon=False,
            on_change=self._on_mode,
        )
        self.render()
        self.section = ft.Card(
            content=ft.Container(
                padding=12,
                content=ft.Column(
                    [
                        ft.Text(_("Before and after"), size=16, weight=ft.FontWeight.W_600),
                        ft.Text(
                            _("Compare your photo with the executor's photo before you rate."),
                            color=ft.Colors.ON_SURFACE_VARIANT,
                            size=13,
                        ),
                        sideways(self.mode_switch),
                        self.body,
                    ],
                    spacing=8,
                ),
            )
        )
        run_soon(self.vm.load)
        return self.section

    def dispose(self) -> None:
        self._unsubscribe()

    # -- rendering ----------------------------------------------------------------------------

    def _changed(self) -> None:
        self.render()
        if self.section is None:
            return
        try:
            self.section.update()
        except RuntimeError:  # not on a page (any more)
            log.debug("before/after update skipped")

    def render(self) -> None:
        _ = self.tr.gettext
        vm = self.vm
        if vm.loading or (vm.before is None and vm.after is None and not vm.failed):
            self.body.controls = [ft.ProgressRing(width=28, height=28)]
            self._built = None
            return
        if vm.failed or vm.before is None or vm.after is None:
            self._built = None
            self.body.controls = [
                ft.Text(_("The photos could not be loaded. Try again when online.")),
                ft.TextButton(content=_("Try again"), on_click=self._on_retry),
            ]
            return
        if vm.mode == "slider":
            if self._built != "slider":  # the pictures are sent once; the slider moves the clip
                self.body.controls = self._slider(vm.before, vm.after)
                self._built = "slider"
            self._place_split()
        elif self._built != "side_by_side":
            self.body.controls = [self._side_by_side(vm.before, vm.after)]
            self._built = "side_by_side"

    def _picture(self, data: bytes, label: str, width: float, height: float) -> ft.Control:
        return ft.Semantics(
            label=label,
            image=True,
            content=ft.Image(
                src=data, width=width, height=height, fit=ft.BoxFit.COVER, border_radius=8
            ),
        )

    def _side_by_side(self, before: bytes, after: bytes) -> ft.Control:
        _ = self.tr.gettext

        def column(data: bytes, caption: str) -> ft.Control:
            return ft.Column(
                [
                    self._picture(data, caption, WIDTH / 2 - 6, HEIGHT / 2 + 20),
                    ft.Text(caption, size=12, weight=ft.FontWeight.W_500),
                ],
                spacing=4,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            )

        return ft.Row(
            [column(before, _("Before: your photo")), column(after, _("After: the executor's"))],
            spacing=8,
            alignment=ft.MainAxisAlignment.CENTER,
        )

    def _place_split(self) -> None:
        split = self.vm.split
        self._overlay.width = max(1.0, WIDTH * split)
        self._divider.left = max(0.0, WIDTH * split - 1)
        self._picture_label.label = self.tr.gettext("Before and after, {percent}% before").format(
            percent=round(split * 100)
        )

    def _slider(self, before: bytes, after: bytes) -> list[ft.Control]:
        _ = self.tr.gettext
        # A positioned child keeps its full width inside the narrower clip (not squeezed).
        self._overlay.content = ft.Stack(
            [ft.Image(src=before, left=0, top=0, width=WIDTH, height=HEIGHT, fit=ft.BoxFit.COVER)],
            clip_behavior=ft.ClipBehavior.HARD_EDGE,
        )
        self._picture_label.content = ft.Container(
            width=WIDTH,
            height=HEIGHT,
            border_radius=8,
            clip_behavior=ft.ClipBehavior.HARD_EDGE,
            content=ft.Stack(
                [
                    ft.Image(src=after, width=WIDTH, height=HEIGHT, fit=ft.BoxFit.COVER),
                    self._overlay,
                    self._divider,
                ],
                width=WIDTH,
                height=HEIGHT,
            ),
        )
        return [
            self._picture_label,
            ft.Row(
                [
                    ft.Text(_("Before"), size=12),
                    ft.Slider(
                        value=self.vm.split,
                        min=0,
                        max=1,
                        width=WIDTH - 110,
                        on_change=self._on_split,
                    ),
                    ft.Text(_("After"), size=12),
                ],
                alignment=ft.MainAxisAlignment.CENTER,
            ),
        ]

    # -- events -------------------------------------------------------------------------------

    async def _on_mode(self, e: ft.Event[ft.SegmentedButton]) -> None:
        if e.control.selected:
            self.vm.set_mode(e.control.selected[0])

    async def _on_split(self, e: Any) -> None:
        self.vm.set_split(float(e.control.value))

    async def _on_retry(self) -> None:
        await self.vm.load()
