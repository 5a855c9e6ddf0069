"""The chat of an appeal with the operator: the messages (with their sending state, retry and
discard), the attachments waiting to go, and the message field with its buttons."""

from __future__ import annotations

import flet as ft

from app.data.services.picker import MediaPicker
from app.domain.appeals import ChatMessage
from app.i18n import Translator
from app.ui.appeals.detail_media import MediaSection
from app.ui.kit import chip_text, named, on_click, say
from app.ui.new_appeal.camera import CameraButton
from app.viewmodels.appeal_detail import AppealDetailViewModel
from app.viewmodels.camera import CameraViewModel


class ChatSection:
    """Its input controls stay the same across renders, so nothing typed is lost."""

    def __init__(
        self,
        tr: Translator,
        vm: AppealDetailViewModel,
        media: MediaSection,
        picker: MediaPicker | None,
        camera: CameraViewModel | None,
    ) -> None:
        self.tr = tr
        self.vm = vm
        self.media = media
        self.picker = picker
        _ = tr.gettext
        self.chat_field = ft.TextField(
            label=_("Message"),
            multiline=True,
            min_lines=1,
            max_lines=5,
            expand=True,
            on_change=self._on_chat_change,
            error_max_lines=3,
        )
        self.send_button = ft.IconButton(icon=ft.Icons.SEND, on_click=on_click(vm.send))
        self.attach_button = ft.IconButton(icon=ft.Icons.ADD_PHOTO_ALTERNATE_OUTLINED)
        # the camera only where the platform can have one (no dead button elsewhere)
        self.camera_button = (
            CameraButton(tr, camera, icon_only=True)
            if camera is not None and camera.supported
            else None
        )
        # The section's frame is made once and only its contents change: a control put into a
        # new parent is made anew by Flutter, which would drop the field's focus and the keys
        # typed while a render (a sync retry, a new message) reached the page.
        self.title = ft.Text(size=16, weight=ft.FontWeight.W_600)
        self.messages = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.waiting = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.attach_named = named(self.attach_button)  # their names are set at each render
        self.send_named = named(self.send_button)
        self.input_row = ft.Row(spacing=4, vertical_alignment=ft.CrossAxisAlignment.END)
        self.frame = ft.Column(
            [self.title, self.messages, self.waiting, self.input_row],
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )

    def load_input(self) -> None:
        """Show the text the view model holds (after it rewrote it)."""
        self.chat_field.value = self.vm.chat_text

    def _bubble(self, m: ChatMessage) -> ft.Control:
        vm, tr = self.vm, self.tr
        _ = tr.gettext
        mine = m.author_role == "resident"
        parts: list[ft.Control] = [
            ft.Text(f"{say(tr, vm.author(m))} · {vm.when(m.created_at)}", size=11,
                    color=ft.Colors.ON_SURFACE_VARIANT),
        ]  # fmt: skip
        if m.text:
            parts.append(ft.Text(m.text, size=14))
        written_in = vm.language_note(m)
        if written_in is not None:  # answers are not translated: say which language it is
            parts.append(
                ft.Row([ft.Icon(ft.Icons.TRANSLATE, size=14, color=ft.Colors.ON_SURFACE_VARIANT),
                        ft.Text(say(tr, written_in), size=11, italic=True,
                                color=ft.Colors.ON_SURFACE_VARIANT)],
                       spacing=4, tight=True)
            )  # fmt: skip
        if m.media:
            parts.append(ft.Row([self.media.thumb(r) for r in m.media], wrap=True, spacing=6))
        note = vm.message_note(m)
        if note is not None:
            refused = m.sync_state == "rejected"
            parts.append(
                ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE if refused else ft.Icons.SCHEDULE,
                                size=14,
                                color=ft.Colors.RED_800 if refused else ft.Colors.DEEP_ORANGE_900),
                        ft.Text(say(tr, note), size=11,
                                color=ft.Colors.RED_800 if refused else ft.Colors.DEEP_ORANGE_900)],
                       spacing=4, wrap=True)
            )  # fmt: skip
            if refused:

                async def retry(e: ft.Event[ft.TextButton], msg: ChatMessage = m) -> None:
                    await vm.retry_message(msg)

                async def discard(e: ft.Event[ft.TextButton], msg: ChatMessage = m) -> None:
                    await vm.discard_message(msg)

                item = vm.message_name(m)  # each refused message's buttons name it
                parts.append(
                    ft.Row([ft.TextButton(content=ft.Text(_("Retry"), semantics_label=_(
                                "Retry: {item}").format(item=item)), on_click=retry),
                            ft.TextButton(content=ft.Text(_("Discard"), semantics_label=_(
                                "Discard: {item}").format(item=item)), on_click=discard)])
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

    def build(self) -> ft.Control | None:
        vm, tr = self.vm, self.tr
        if vm.detail is None:
            return None
        _ = tr.gettext
        self.title.value = _("Chat with the operator")
        parts: list[ft.Control] = [self._bubble(m) for m in vm.messages]
        if not vm.messages:
            parts.append(
                ft.Text(_("No messages yet. Write to the operator here."), size=13,
                        color=ft.Colors.ON_SURFACE_VARIANT)
            )  # fmt: skip
        self.messages.controls = parts
        waiting: list[ft.Control] = []
        self.input_row.visible = vm.can_chat
        if vm.can_chat:
            self.chat_field.error = say(tr, vm.errors.get("chat")) or None
            if vm.attachments or vm.attach_busy:
                chips: list[ft.Control] = []
                for i, a in enumerate(vm.attachments):

                    async def remove(e: ft.Event[ft.Chip], index: int = i) -> None:
                        vm.remove_attachment(index)

                    chips.append(
                        ft.Chip(label=chip_text(a.name), leading=ft.Icon(ft.Icons.IMAGE),
                                on_delete=remove,
                                delete_icon_tooltip=_("Remove {name}").format(name=a.name))
                    )  # fmt: skip
                if vm.attach_busy:
                    chips.append(ft.ProgressRing(width=18, height=18))
                waiting.append(ft.Row(chips, wrap=True, spacing=6))
            attach_error = say(tr, vm.errors.get("attach"))
            if attach_error:
                waiting.append(ft.Text(attach_error, color=ft.Colors.RED_800, size=13))
            self.send_button.disabled = vm.busy
            row: list[ft.Control] = [self.chat_field]
            if self.picker is not None:
                self.attach_button.tooltip = _("Attach a photo")
                row.append(self.attach_named)
            if self.camera_button is not None:
                self.camera_button.render(busy=vm.attach_busy > 0 or vm.attachments_full)
                row.append(self.camera_button.control)
                if self.camera_button.reason.visible:
                    waiting.append(self.camera_button.reason)
            self.send_button.tooltip = _("Send message")
            row.append(self.send_named)
            self.input_row.controls = row
        self.waiting.controls = waiting
        return self.frame

    async def _on_chat_change(self, e: ft.Event[ft.TextField]) -> None:
        self.vm.set_chat_text(self.chat_field.value)
