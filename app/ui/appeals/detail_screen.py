"""One appeal (deep link `/appeals/<number id or client id>`): status and deadline, the
responsible service, emergency forwards, photos and video, the status timeline, the chat, and
rating / reopening / complaint. Rendering only: `AppealDetailViewModel` decides."""

from __future__ import annotations

import flet as ft

from app.data.services.picker import MediaPicker
from app.ui.appeals.before_after import BeforeAfter
from app.ui.appeals.detail_chat import ChatSection
from app.ui.appeals.detail_feedback import FeedbackSections
from app.ui.appeals.detail_media import MediaSection
from app.ui.appeals.widgets import SyncBar, status_chip, tag
from app.ui.kit import ModelScreen, bar_title, centered, on_click, run_soon, say, section
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.appeal_detail import MSG_NOT_FOUND, AppealDetailViewModel
from app.viewmodels.appeal_text import IMPORTANCE_LABELS, TYPE_LABELS
from app.viewmodels.appeals import SyncStatusViewModel
from app.viewmodels.before_after import BeforeAfterViewModel, detail_fetch, pick_pair
from app.viewmodels.camera import CameraViewModel


class AppealScreen(ModelScreen[AppealDetailViewModel]):
    """The screen composes its sections: media, chat and feedback live in their own modules."""

    def __init__(
        self,
        app: AppViewModel,
        vm: AppealDetailViewModel,
        status: SyncStatusViewModel,
        picker: MediaPicker | None,
        route: str,
        camera: CameraViewModel | None = None,
    ) -> None:
        super().__init__(app, vm, route)
        self.status = status
        self.picker = picker
        self.camera = camera
        self.watch(status)
        if camera is not None:
            self.watch(camera)
        self._compare: BeforeAfter | None = None
        _ = self.tr.gettext
        self.sync_bar = SyncBar(self.tr, status)
        self.body = ft.Column(spacing=16, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.title = bar_title()
        self.title.size = 18  # "Appeal No. …: its topic" is long
        # inputs: the same controls across renders, so nothing typed is lost
        self.media = MediaSection(self.tr, vm)
        self.chat = ChatSection(self.tr, vm, self.media, picker, camera)
        self.feedback = FeedbackSections(self.tr, vm)
        self.resubmit_field = ft.TextField(
            label=_("Appeal text"), multiline=True, max_lines=8, on_change=self._on_resubmit_text
        )

    # -- lifecycle -----------------------------------------------------------------------------

    def build(self) -> ft.View:
        vm = self.vm
        vm.activate()
        if self.picker is not None:
            self.picker.on_picked = vm.add_picked
            self.chat.attach_button.action = self.picker.action("photo")
        if self.camera is not None:
            self.camera.on_captured = vm.add_picked
        run_soon(vm.load)
        self.render()
        self.view = ft.View(
            route=self.route,
            scroll=ft.ScrollMode.AUTO,
            padding=ft.Padding.all(16),
            appbar=ft.AppBar(title=self.title),
            controls=[centered(self.sync_bar.control, self.body)],
        )
        return self.view

    def dispose(self) -> None:
        super().dispose()
        self.vm.deactivate()
        if self.picker is not None and self.picker.on_picked == self.vm.add_picked:
            self.picker.on_picked = None
        if self.camera is not None and self.camera.on_captured == self.vm.add_picked:
            self.camera.on_captured = None

    # -- rendering -----------------------------------------------------------------------------

    def render(self) -> None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        self.sync_bar.render()
        self.title.value = say(tr, vm.title)
        if self.inputs_rewritten(vm.input_revision):
            self.chat.load_input()
            self.feedback.load_inputs()
            self.resubmit_field.value = vm.resubmit_text or ""
        if vm.resubmit_text is not None and not self.resubmit_field.value:
            self.resubmit_field.value = vm.resubmit_text
        if not vm.loaded:
            self.body.controls = [ft.ProgressRing()]
            return
        if vm.not_found:
            self.body.controls = [ft.Text(_(MSG_NOT_FOUND))]
            return
        controls: list[ft.Control] = [self._header()]
        if vm.appeal_refused:
            controls.append(self._refused())
        controls += [c for c in (self._deadline(), self._forwards(), self.media.build()) if c]
        controls += [c for c in (self._before_after(),) if c]  # 32-1, before rating
        controls += [
            c for c in (self._actions(), self.feedback.rating(), self.feedback.reopen()) if c
        ]
        controls += [
            c for c in (self._timeline(), self.chat.build(), self.feedback.complaint()) if c
        ]
        self.body.controls = controls

    def _header(self) -> ft.Control:
        vm, tr = self.vm, self.tr
        d = vm.detail
        assert d is not None
        _ = tr.gettext
        item = d.item
        # An appeal the server has not registered yet has no Appendix 5 status to show.
        chips: list[ft.Control] = (
            [status_chip(tr, item.status, vm.status_label)] if item.server_id is not None else []
        )
        if item.emergency:
            chips.append(
                tag(_("Emergency"), color=ft.Colors.WHITE, bgcolor=ft.Colors.RED_700,
                    icon=ft.Icons.EMERGENCY)
            )  # fmt: skip
        if item.importance in IMPORTANCE_LABELS:
            chips.append(
                tag(_(IMPORTANCE_LABELS[item.importance]), color=ft.Colors.GREY_900,
                    bgcolor=ft.Colors.GREY_200)
            )  # fmt: skip
        note = vm.sync_note
        if note is not None and not vm.appeal_refused:
            chips.append(
                tag(say(tr, note), color=ft.Colors.DEEP_ORANGE_900, bgcolor=ft.Colors.ORANGE_50,
                    icon=ft.Icons.SCHEDULE_SEND)
            )  # fmt: skip
        lines: list[ft.Control] = [
            ft.Row(chips, wrap=True, spacing=8),
            ft.Text(vm.category, size=17, weight=ft.FontWeight.W_600),
            ft.Text(
                " · ".join(
                    x
                    for x in (_(TYPE_LABELS.get(item.type, item.type)), vm.when(item.created_at))
                    if x
                ),
                size=12,
                color=ft.Colors.ON_SURFACE_VARIANT,
            ),
            ft.Text(item.text, size=15),
        ]
        if d.address:
            lines.append(
                ft.Row(
                    [ft.Icon(ft.Icons.PLACE_OUTLINED, size=16),
                     ft.Text(d.address, size=13, expand=True)],
                    spacing=4,
                )
            )  # fmt: skip
        if d.result_text and item.status == "closed":
            lines.append(
                ft.Container(
                    content=ft.Column(
                        [ft.Text(_("Result"), weight=ft.FontWeight.W_600, size=13),
                         ft.Text(d.result_text, size=14)],
                        spacing=4,
                    ),
                    bgcolor=ft.Colors.GREEN_50,
                    border_radius=8,
                    padding=ft.Padding.all(10),
                )
            )  # fmt: skip
        return ft.Card(content=ft.Container(content=ft.Column(lines, spacing=8), padding=14))

    def _refused(self) -> ft.Control:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        self.resubmit_field.error = say(tr, vm.errors.get("resubmit")) or None
        action = vm.create_action_id
        buttons: list[ft.Control] = [
            ft.FilledButton(content=_("Send again"), icon=ft.Icons.REFRESH,
                            on_click=on_click(vm.resubmit), disabled=vm.busy),
        ]  # fmt: skip
        if action is not None:
            buttons.append(
                ft.TextButton(content=_("Discard"), icon=ft.Icons.DELETE_OUTLINE,
                              on_click=on_click(vm.discard_appeal))
            )  # fmt: skip
        return ft.Container(
            content=ft.Column(
                [
                    ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.RED_800),
                            ft.Text(say(tr, vm.sync_note), color=ft.Colors.RED_900,
                                    expand=True)]),
                    ft.Text(_("Correct the text and send again, or discard the appeal."),
                            size=13),
                    self.resubmit_field,
                    ft.Row(buttons, wrap=True),
                ],
                spacing=8,
            ),
            bgcolor=ft.Colors.RED_50,
            border_radius=10,
            padding=12,
        )  # fmt: skip

    def _deadline(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        rows: list[ft.Control] = []
        due, left = vm.due_text, vm.countdown
        if due is not None:
            color = ft.Colors.RED_800 if vm.overdue else None
            parts: list[ft.Control] = [ft.Text(say(tr, due), size=14)]
            if left is not None:
                parts.append(ft.Text(say(tr, left), size=14, color=color,
                                     weight=ft.FontWeight.W_600))  # fmt: skip
            if vm.overdue:
                parts.append(tag(_("Overdue"), color=ft.Colors.WHITE, bgcolor=ft.Colors.RED_700))
            rows.append(ft.Row([ft.Icon(ft.Icons.SCHEDULE, size=18), *parts], spacing=8, wrap=True))
        service = vm.service
        if service:
            rows.append(
                ft.Row(
                    [ft.Icon(ft.Icons.ACCOUNT_BALANCE_OUTLINED, size=18),
                     ft.Column([ft.Text(_("Responsible service"), size=12,
                                        color=ft.Colors.ON_SURFACE_VARIANT),
                                ft.Text(service, size=14)], spacing=0, expand=True)],
                    spacing=8,
                )
            )  # fmt: skip
        return ft.Column(rows, spacing=8) if rows else None

    def _forwards(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        d = vm.detail
        if d is None or not d.forwards:
            return None
        _ = tr.gettext
        rows: list[ft.Control] = []
        for f in d.forwards:
            accepted = f.state == "accepted"
            alarm = f.state in ("not_confirmed", "failed") or f.call_advised
            icon = (
                ft.Icons.VERIFIED
                if accepted
                else (ft.Icons.PHONE_IN_TALK if alarm else ft.Icons.SEND_OUTLINED)
            )
            color = ft.Colors.GREEN_800 if accepted else (
                ft.Colors.RED_800 if alarm else ft.Colors.DEEP_ORANGE_900)  # fmt: skip
            line: list[ft.Control] = [
                ft.Icon(icon, color=color, size=20),
                ft.Text(say(tr, vm.forward_line(f)), color=color, expand=True),
            ]
            rows.append(ft.Row(line, spacing=8))  # no wrap: an expanded text in a Wrap fails
            if not accepted:
                rows.append(
                    ft.TextButton(content=_("Call {phone}").format(phone=f.phone),
                                  icon=ft.Icons.CALL, url=f"tel:{f.phone}")
                )  # fmt: skip
        return section(_("Emergency services"), *rows)

    def _before_after(self) -> ft.Control | None:
        """Order 32-1: a closed appeal's "after" photo beside the resident's (widget of
        `app/ui/appeals/before_after.py`, kept across renders)."""
        d = self.vm.detail
        if d is None or d.item.status != "closed" or pick_pair(d.media) is None:
            return None
        if self._compare is None:
            fetch = detail_fetch(self.vm.images, self.vm.load_images)
            self._compare = BeforeAfter(self.tr, BeforeAfterViewModel(d.media, fetch))
            return self._compare.build()
        return self._compare.section

    def _timeline(self) -> ft.Control | None:
        vm = self.vm
        d = vm.detail
        if d is None or not d.history:
            return None
        _ = self.tr.gettext
        rows: list[ft.Control] = []
        for i, h in enumerate(reversed(d.history)):
            latest = i == 0
            note = vm.history_note(h)  # in the current language when the server gave both
            actor = say(self.tr, vm.history_actor(h))  # a staff member's job, never a name
            rows.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.RADIO_BUTTON_CHECKED if latest
                                else ft.Icons.RADIO_BUTTON_UNCHECKED, size=16,
                                color=ft.Colors.BLUE_700 if latest else ft.Colors.GREY_600),
                        ft.Column(
                            [ft.Text(say(self.tr, vm.history_line(h)),
                                     weight=ft.FontWeight.W_600 if latest else None),
                             ft.Text(f"{actor} · {vm.when(h.at)}" if actor else vm.when(h.at),
                                     size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                             *([ft.Text(note, size=13)] if note else [])],
                            spacing=2, expand=True,
                        ),
                    ],
                    vertical_alignment=ft.CrossAxisAlignment.START,
                    spacing=8,
                )
            )  # fmt: skip
        return section(_("History"), *rows)

    def _actions(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        notes = vm.action_notes()
        if not notes:
            return None
        _ = tr.gettext
        rows: list[ft.Control] = []
        for note in notes:
            line: list[ft.Control] = [
                ft.Icon(ft.Icons.ERROR_OUTLINE if note.refused else ft.Icons.SCHEDULE_SEND,
                        color=ft.Colors.RED_800 if note.refused else ft.Colors.DEEP_ORANGE_900,
                        size=18),
                ft.Text(say(tr, note.text), expand=True, size=13),
            ]  # fmt: skip
            if note.refused:
                action_id = note.action_id

                async def retry(e: ft.Event[ft.TextButton], aid: int = action_id) -> None:
                    await vm.retry(aid)

                async def discard(e: ft.Event[ft.TextButton], aid: int = action_id) -> None:
                    await vm.discard(aid)

                line += [
                    ft.TextButton(content=_("Retry"), on_click=retry),
                    ft.TextButton(content=_("Discard"), on_click=discard),
                ]
            rows.append(ft.Row(line, spacing=6, wrap=True))
        return ft.Column(rows, spacing=4)

    # -- handlers ------------------------------------------------------------------------------
    async def _on_resubmit_text(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_resubmit_text(self.resubmit_field.value)
