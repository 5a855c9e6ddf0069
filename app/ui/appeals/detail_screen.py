"""One appeal (deep link `/appeals/<number id or client id>`): status and deadline, the
responsible service, emergency forwards, photos and video, the status timeline, the chat, and
rating / reopening / complaint. Rendering only: `AppealDetailViewModel` decides."""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

import flet as ft

from app.data.services.picker import MediaPicker
from app.domain.appeals import ChatMessage, MediaRef
from app.ui.appeals.before_after import BeforeAfter
from app.ui.appeals.widgets import (
    SyncBar,
    labelled,
    on_click,
    render,
    soon,
    status_chip,
    tag,
)
from app.ui.kit import Screen, centered
from app.ui.new_appeal.camera import CameraButton
from app.viewmodels.app_state import AppViewModel
from app.viewmodels.appeal_detail import MSG_NOT_FOUND, AppealDetailViewModel
from app.viewmodels.appeal_text import IMPORTANCE_LABELS, TYPE_LABELS
from app.viewmodels.appeals import SyncStatusViewModel
from app.viewmodels.before_after import BeforeAfterViewModel, detail_fetch, pick_pair
from app.viewmodels.camera import CameraViewModel

log = logging.getLogger(__name__)

HAS_VIDEO = importlib.util.find_spec("flet_video") is not None
THUMB = 96


def section(title: str, *controls: ft.Control) -> ft.Control:
    return ft.Column(
        [ft.Text(title, size=16, weight=ft.FontWeight.W_600), *controls],
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )


class AppealScreen(Screen):
    def __init__(
        self,
        app: AppViewModel,
        vm: AppealDetailViewModel,
        status: SyncStatusViewModel,
        picker: MediaPicker | None,
        route: str,
        camera: CameraViewModel | None = None,
    ) -> None:
        super().__init__(app.tr)
        self.vm = vm
        self.status = status
        self.picker = picker
        self.route = route
        self.camera = camera
        self.watch(vm)
        self.watch(status)
        if camera is not None:
            self.watch(camera)
        self._input_revision = -1
        self._compare: BeforeAfter | None = None
        _ = self.tr.gettext
        self.sync_bar = SyncBar(self.tr, status)
        self.body = ft.Column(spacing=16, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.title = ft.Text(size=18, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS)
        # inputs: the same controls across renders, so nothing typed is lost
        self.chat_field = ft.TextField(
            label=_("Message"),
            multiline=True,
            min_lines=1,
            max_lines=5,
            expand=True,
            on_change=self._on_chat_change,
            error_max_lines=3,
        )
        self.send_button = ft.IconButton(
            icon=ft.Icons.SEND, tooltip=_("Send message"), on_click=on_click(vm.send)
        )
        self.attach_button = ft.IconButton(
            icon=ft.Icons.ADD_PHOTO_ALTERNATE_OUTLINED, tooltip=_("Attach a photo")
        )
        # the camera only where the platform can have one (no dead button elsewhere)
        self.camera_button = (
            CameraButton(self.tr, camera, icon_only=True)
            if camera is not None and camera.supported
            else None
        )
        self.comment_field = ft.TextField(
            label=_("Comment (optional)"), multiline=True, max_lines=4, on_change=self._on_comment
        )
        self.reopen_field = ft.TextField(
            label=_("Why reopen?"), multiline=True, max_lines=5, on_change=self._on_reopen_text
        )
        self.complaint_field = ft.TextField(
            label=_("Complaint"), multiline=True, max_lines=6, on_change=self._on_complaint_text
        )
        self.resubmit_field = ft.TextField(
            label=_("Appeal text"), multiline=True, max_lines=8, on_change=self._on_resubmit_text
        )

    # -- lifecycle -----------------------------------------------------------------------------

    def build(self) -> ft.View:
        vm = self.vm
        vm.activate()
        if self.picker is not None:
            self.picker.on_picked = vm.add_picked
            self.attach_button.action = self.picker.action("photo")
        if self.camera is not None:
            self.camera.on_captured = vm.add_picked
        soon(vm.load)
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
        self.title.value = render(tr, vm.title)
        if vm.input_revision != self._input_revision:
            self._input_revision = vm.input_revision
            self.chat_field.value = vm.chat_text
            self.comment_field.value = vm.rating_comment
            self.reopen_field.value = vm.reopen_reason
            self.complaint_field.value = vm.complaint_text
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
        controls += [c for c in (self._deadline(), self._forwards(), self._media()) if c]
        controls += [c for c in (self._before_after(),) if c]  # 32-1, before rating
        controls += [c for c in (self._actions(), self._rating(), self._reopen()) if c]
        controls += [c for c in (self._timeline(), self._chat(), self._complaint()) if c]
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
                tag(render(tr, note), color=ft.Colors.ORANGE_900, bgcolor=ft.Colors.ORANGE_50,
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
        self.resubmit_field.error = render(tr, vm.errors.get("resubmit")) or None
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
                            ft.Text(render(tr, vm.sync_note), color=ft.Colors.RED_900,
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
            parts: list[ft.Control] = [ft.Text(render(tr, due), size=14)]
            if left is not None:
                parts.append(ft.Text(render(tr, left), size=14, color=color,
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
                ft.Colors.RED_800 if alarm else ft.Colors.ORANGE_900)  # fmt: skip
            line: list[ft.Control] = [
                ft.Icon(icon, color=color, size=20),
                ft.Text(render(tr, vm.forward_line(f)), color=color, expand=True),
            ]
            rows.append(ft.Row(line, spacing=8))  # no wrap: an expanded text in a Wrap fails
            if not accepted:
                rows.append(
                    ft.TextButton(content=_("Call {phone}").format(phone=f.phone),
                                  icon=ft.Icons.CALL, url=f"tel:{f.phone}")
                )  # fmt: skip
        return section(_("Emergency services"), *rows)

    def _thumb(self, ref: MediaRef) -> ft.Control:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        if ref.kind == "video":

            async def play(e: ft.Event[ft.Container]) -> None:
                await self._show_video(e.page, ref)

            inner: ft.Control = ft.Column(
                [ft.Icon(ft.Icons.PLAY_CIRCLE_OUTLINE, size=40), ft.Text(_("Video"), size=12)],
                alignment=ft.MainAxisAlignment.CENTER,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                spacing=2,
            )
            label, handler = _("Play the video"), play
        else:
            data = vm.images.get(vm.media_key(ref))

            async def view(e: ft.Event[ft.Container]) -> None:
                self._show_photo(e.page, ref)

            inner = (
                ft.Image(src=data, width=THUMB, height=THUMB, fit=ft.BoxFit.COVER,
                         border_radius=8)
                if data else ft.Icon(ft.Icons.IMAGE_OUTLINED, size=36)
            )  # fmt: skip
            label, handler = _("Open the photo"), view
        box = ft.Container(
            content=inner,
            width=THUMB,
            height=THUMB,
            border_radius=8,
            bgcolor=ft.Colors.GREY_200,
            alignment=ft.Alignment.CENTER,
            on_click=handler,
            tooltip=label,
        )
        if ref.pending:  # waiting to upload: a badge on it, and the same name for a reader
            return ft.Semantics(label=label, button=True, content=ft.Stack(
                [box, ft.Container(content=ft.Icon(ft.Icons.SCHEDULE_SEND, size=16,
                                           color=ft.Colors.ORANGE_900),
                                   right=4, top=4, bgcolor=ft.Colors.WHITE, border_radius=8,
                                   padding=2)],
                width=THUMB, height=THUMB,
            ))  # fmt: skip
        return ft.Semantics(label=label, button=True, content=box)

    def _media(self) -> ft.Control | None:
        d = self.vm.detail
        if d is None or not d.media:
            return None
        _ = self.tr.gettext
        before = [m for m in d.media if m.role != "after"]
        after = [m for m in d.media if m.role == "after"]
        parts: list[ft.Control] = []
        if before:
            parts.append(ft.Row([self._thumb(m) for m in before], wrap=True, spacing=8))
        if after:
            parts += [
                ft.Text(_("After the work"), size=13, color=ft.Colors.ON_SURFACE_VARIANT),
                ft.Row([self._thumb(m) for m in after], wrap=True, spacing=8),
            ]
        video_error = render(self.tr, self.vm.errors.get("video"))
        if video_error:
            parts.append(ft.Text(video_error, color=ft.Colors.RED_800, size=13))
        return section(_("Photos and video"), *parts)

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

    def _show_photo(self, page: Any, ref: MediaRef) -> None:
        data = self.vm.images.get(self.vm.media_key(ref))
        if not data:
            return
        _ = self.tr.gettext
        dialog = ft.AlertDialog(
            content=ft.InteractiveViewer(content=ft.Image(src=data, fit=ft.BoxFit.CONTAIN)),
            actions=[ft.TextButton(content=_("Close"), on_click=lambda e: page.pop_dialog())],
        )
        page.show_dialog(dialog)

    async def _show_video(self, page: Any, ref: MediaRef) -> None:
        _ = self.tr.gettext
        if not HAS_VIDEO:
            return
        url = await self.vm.video_source(ref)  # a signed link: the player sends no token
        if url is None:
            return
        import flet_video as fv

        player = fv.Video(
            playlist=[fv.VideoMedia(url)],
            autoplay=True,
            aspect_ratio=16 / 9,
        )
        dialog = ft.AlertDialog(
            content=ft.Container(content=player, width=360, height=220),
            actions=[ft.TextButton(content=_("Close"), on_click=lambda e: page.pop_dialog())],
        )
        page.show_dialog(dialog)

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
            rows.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.RADIO_BUTTON_CHECKED if latest
                                else ft.Icons.RADIO_BUTTON_UNCHECKED, size=16,
                                color=ft.Colors.BLUE_700 if latest else ft.Colors.GREY_500),
                        ft.Column(
                            [ft.Text(render(self.tr, vm.history_line(h)),
                                     weight=ft.FontWeight.W_600 if latest else None),
                             ft.Text(vm.when(h.at), size=12, color=ft.Colors.ON_SURFACE_VARIANT),
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
                        color=ft.Colors.RED_800 if note.refused else ft.Colors.ORANGE_900,
                        size=18),
                ft.Text(render(tr, note.text), expand=True, size=13),
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

    def _rating(self) -> ft.Control | None:
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
        error = render(tr, vm.errors.get("rating"))
        return section(
            _("Rate how the appeal was handled"),
            self._stars(vm.rating_score, interactive=True),
            *([ft.Text(error, color=ft.Colors.RED_800, size=13)] if error else []),
            self.comment_field,
            ft.Row([ft.FilledButton(content=_("Send the rating"), icon=ft.Icons.STAR,
                                    on_click=on_click(vm.rate), disabled=vm.busy)]),
        )  # fmt: skip

    def _reopen(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        if not vm.can_reopen:
            return None
        _ = tr.gettext
        toggle = ft.OutlinedButton(
            content=_("Reopen the appeal"), icon=ft.Icons.REPLAY, on_click=self._toggle_reopen
        )
        if not vm.show_reopen:
            return ft.Row([toggle])
        self.reopen_field.error = render(tr, vm.errors.get("reopen")) or None
        return section(
            _("Reopen the appeal"),
            ft.Text(_("Tell what is still wrong: the appeal goes back into work."), size=13),
            self.reopen_field,
            ft.Row([ft.FilledButton(content=_("Send the request"), icon=ft.Icons.REPLAY,
                                    on_click=on_click(vm.reopen), disabled=vm.busy),
                    ft.TextButton(content=_("Cancel"), on_click=self._toggle_reopen)]),
        )  # fmt: skip

    def _complaint(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        if not vm.can_complain:
            return None
        _ = tr.gettext
        if not vm.show_complaint:
            return ft.Row(
                [ft.TextButton(content=_("File a complaint"), icon=ft.Icons.REPORT_OUTLINED,
                               on_click=self._toggle_complaint)]
            )  # fmt: skip
        self.complaint_field.error = render(tr, vm.errors.get("complaint")) or None
        return section(
            _("Complaint about the handling"),
            self.complaint_field,
            ft.Row([ft.FilledButton(content=_("Send the complaint"), icon=ft.Icons.REPORT,
                                    on_click=on_click(vm.complain), disabled=vm.busy),
                    ft.TextButton(content=_("Cancel"), on_click=self._toggle_complaint)]),
        )  # fmt: skip

    def _bubble(self, m: ChatMessage) -> ft.Control:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        mine = m.author_role == "resident"
        parts: list[ft.Control] = [
            ft.Text(f"{_(vm.author(m))} · {vm.when(m.created_at)}", size=11,
                    color=ft.Colors.ON_SURFACE_VARIANT),
        ]  # fmt: skip
        if m.text:
            parts.append(ft.Text(m.text, size=14))
        if m.media:
            parts.append(ft.Row([self._thumb(r) for r in m.media], wrap=True, spacing=6))
        note = vm.message_note(m)
        if note is not None:
            refused = m.sync_state == "rejected"
            parts.append(
                ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE if refused else ft.Icons.SCHEDULE,
                                size=14,
                                color=ft.Colors.RED_800 if refused else ft.Colors.ORANGE_900),
                        ft.Text(render(tr, note), size=11,
                                color=ft.Colors.RED_800 if refused else ft.Colors.ORANGE_900)],
                       spacing=4, wrap=True)
            )  # fmt: skip
            if refused:

                async def retry(e: ft.Event[ft.TextButton], msg: ChatMessage = m) -> None:
                    await vm.retry_message(msg)

                async def discard(e: ft.Event[ft.TextButton], msg: ChatMessage = m) -> None:
                    await vm.discard_message(msg)

                parts.append(
                    ft.Row([ft.TextButton(content=_("Retry"), on_click=retry),
                            ft.TextButton(content=_("Discard"), on_click=discard)])
                )  # fmt: skip
        bubble = ft.Container(
            content=ft.Column(parts, spacing=4, tight=True),
            bgcolor=ft.Colors.BLUE_50 if mine else ft.Colors.GREY_100,
            border_radius=12,
            padding=10,
            width=300,
        )
        return ft.Row(
            [bubble], alignment=ft.MainAxisAlignment.END if mine else ft.MainAxisAlignment.START
        )

    def _chat(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        if vm.detail is None:
            return None
        _ = tr.gettext
        parts: list[ft.Control] = [self._bubble(m) for m in vm.messages]
        if not vm.messages:
            parts.append(
                ft.Text(_("No messages yet. Write to the operator here."), size=13,
                        color=ft.Colors.ON_SURFACE_VARIANT)
            )  # fmt: skip
        if vm.can_chat:
            self.chat_field.error = render(tr, vm.errors.get("chat")) or None
            if vm.attachments or vm.attach_busy:
                chips: list[ft.Control] = []
                for i, a in enumerate(vm.attachments):

                    async def remove(e: ft.Event[ft.Chip], index: int = i) -> None:
                        vm.remove_attachment(index)

                    chips.append(
                        ft.Chip(label=ft.Text(a.name), leading=ft.Icon(ft.Icons.IMAGE),
                                on_delete=remove,
                                delete_icon_tooltip=_("Remove {name}").format(name=a.name))
                    )  # fmt: skip
                if vm.attach_busy:
                    chips.append(ft.ProgressRing(width=18, height=18))
                parts.append(ft.Row(chips, wrap=True, spacing=6))
            attach_error = render(tr, vm.errors.get("attach"))
            if attach_error:
                parts.append(ft.Text(attach_error, color=ft.Colors.RED_800, size=13))
            self.send_button.disabled = vm.busy
            row: list[ft.Control] = [self.chat_field]
            if self.picker is not None:
                row.append(labelled(self.attach_button, _("Attach a photo")))
            if self.camera_button is not None:
                self.camera_button.render(busy=vm.attach_busy > 0 or vm.attachments_full)
                row.append(self.camera_button.control)
                if self.camera_button.reason.visible:
                    parts.append(self.camera_button.reason)
            row.append(labelled(self.send_button, _("Send message")))
            parts.append(ft.Row(row, spacing=4, vertical_alignment=ft.CrossAxisAlignment.END))
        return section(_("Chat with the operator"), *parts)

    # -- handlers ------------------------------------------------------------------------------

    async def _on_chat_change(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_chat_text(self.chat_field.value)

    async def _on_comment(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_rating_comment(self.comment_field.value)

    async def _on_reopen_text(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_reopen_reason(self.reopen_field.value)

    async def _on_complaint_text(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_complaint_text(self.complaint_field.value)

    async def _on_resubmit_text(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_resubmit_text(self.resubmit_field.value)

    async def _toggle_reopen(self, e: ft.Event[Any]) -> None:
        self.vm.toggle_reopen()

    async def _toggle_complaint(self, e: ft.Event[Any]) -> None:
        self.vm.toggle_complaint()
