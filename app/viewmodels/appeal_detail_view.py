"""One appeal as its screen shows it: the loaded appeal and its chat, and what is derived from
them — title, status, category and service names, deadline and countdown, the sync note, the
history and forward lines, who on the staff answered or moved the appeal (their job, never a
name), the notes of the resident's actions waiting or refused, the mark of an answer written in
the other language, and which actions are open. `AppealDetailViewModel`
adds loading, inputs and actions on top."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.data.repositories import outbox as ob
from app.domain.appeals import (
    AppealDetail,
    ChatMessage,
    ForwardInfo,
    HistoryEntry,
    PendingAction,
)
from app.i18n import N_, Message
from app.observable import Observable
from app.viewmodels import appeal_text as t
from app.viewmodels.dates import format_clock, format_when
from app.viewmodels.item_names import short_name

MSG_TITLE = N_("Appeal No. {number}")
MSG_TITLE_PENDING = N_("Appeal (waiting to send)")
MSG_PENDING_RATING = N_("Your rating {score}/5 is waiting to send")
MSG_PENDING_REOPEN = N_("Your reopening request is waiting to send")
MSG_PENDING_COMPLAINT = N_("Your complaint is waiting to send")
MSG_PENDING_FORWARD = N_("The forward to {service} is waiting to send")
MSG_REFUSED_RATING = N_("Your rating was not accepted: {reason}")
MSG_REFUSED_REOPEN = N_("Your reopening request was not accepted: {reason}")
MSG_REFUSED_COMPLAINT = N_("Your complaint was not accepted: {reason}")
MSG_REFUSED_FORWARD = N_("The forward was not accepted: {reason}")
MSG_REFUSED_MESSAGE = N_("Not sent: {reason}")
WRITTEN_IN = {"kk": N_("Written in Kazakh"), "ru": N_("Written in Russian")}

ACTION_LABELS_PENDING = {
    ob.REOPEN: MSG_PENDING_REOPEN,
    ob.COMPLAIN: MSG_PENDING_COMPLAINT,
}
ACTION_LABELS_REFUSED = {
    ob.RATE: MSG_REFUSED_RATING,
    ob.REOPEN: MSG_REFUSED_REOPEN,
    ob.COMPLAIN: MSG_REFUSED_COMPLAINT,
    ob.FORWARD: MSG_REFUSED_FORWARD,
}


@dataclass(frozen=True)
class ActionNote:
    """A resident's action shown under the appeal: waiting, or refused (retry / discard)."""

    action_id: int
    kind: str
    text: Message
    refused: bool


class AppealDetailView(Observable):
    def __init__(
        self,
        ref: str,
        *,
        language: Callable[[], str],
        category_name: Callable[[str, str], str | None] | None,
        now: Callable[[], datetime],
    ) -> None:
        super().__init__()
        self.ref = ref
        self._language = language
        self._category_name = category_name
        self._now = now
        self._service: dict[str, str] = {}  # the service's names by language
        self.detail: AppealDetail | None = None
        self.messages: list[ChatMessage] = []
        self.loaded = False

    @property
    def client_id(self) -> str | None:
        return self.detail.item.client_id if self.detail else None

    @property
    def not_found(self) -> bool:
        return self.loaded and self.detail is None

    @property
    def title(self) -> Message:
        if self.detail is not None and self.detail.item.number:
            return Message(MSG_TITLE, {"number": self.detail.item.number})
        if self.detail is None and self.ref.isdigit():
            return Message(MSG_TITLE, {"number": self.ref})
        return Message(MSG_TITLE_PENDING)

    @property
    def status_label(self) -> str:
        return t.STATUS_LABELS.get(self.detail.item.status, "") if self.detail else ""

    @property
    def category(self) -> str:
        if self.detail is None:
            return ""
        code = self.detail.item.subclass_code
        name = self._category_name(code, self._language()) if self._category_name else None
        return name or code

    @property
    def service(self) -> str | None:
        if self.detail is None or not self.detail.service_code:
            return None
        return self._service.get(self._language()) or self.detail.service_code

    @property
    def due_text(self) -> Message | None:
        d = self.detail
        if d is None or d.item.due_at is None:
            return None
        when = format_when(d.item.due_at, self._language(), short=True, now=self._now())
        return Message(t.MSG_DUE, {"when": when})

    @property
    def countdown(self) -> Message | None:
        d = self.detail
        if d is None:
            return None
        return t.countdown(d.item.due_at, self._now(), closed=d.item.status == "closed")

    @property
    def overdue(self) -> bool:
        return bool(self.detail and self.detail.item.overdue)

    @property
    def sync_note(self) -> Message | None:
        """About the appeal itself: waiting to send, or refused with the reason."""
        d = self.detail
        if d is None:
            return None
        if d.item.server_id is None and d.item.sync_state == "pending":
            return Message(t.MSG_WAITING)
        if d.item.sync_state == "rejected" and d.item.server_id is None:
            reason = d.item.sync_error
            return (
                Message(t.MSG_REJECTED, {"reason": Message.text(reason)})
                if reason
                else Message(t.MSG_REJECTED_NO_REASON)
            )
        return None

    @property
    def appeal_refused(self) -> bool:
        d = self.detail
        return bool(d and d.item.server_id is None and d.item.sync_state == "rejected")

    @property
    def create_action_id(self) -> int | None:
        for a in self.detail.actions if self.detail else ():
            if a.kind == ob.CREATE_APPEAL:
                return a.id
        return None

    def history_line(self, h: HistoryEntry) -> Message:
        if h.kind == "status" and h.to_status:
            return Message(t.MSG_H_STATUS, {"status": Message(t.status_label(h.to_status))})
        if h.kind == "reopen":
            return Message(t.MSG_H_REOPEN)
        if h.kind == "rating":
            return Message(t.MSG_H_RATING, {"note": h.note or ""})
        if h.kind == "complaint":
            return Message(t.MSG_H_COMPLAINT)
        if h.kind == "emergency":  # a forward to the emergency services moved on
            return Message(N_("Emergency services"))
        return Message.text(h.kind)

    def history_actor(self, h: HistoryEntry) -> Message | None:
        """Who on the staff made the line (their job in the current language, `appeal_text.who`);
        None for the resident's own lines and the system's."""
        if h.actor_titles is None and h.actor_role not in t.STAFF_ROLES:
            return None
        return t.who(h.actor_role, h.actor_titles, self._language())

    def history_note(self, h: HistoryEntry) -> str | None:
        """The text under a history line, in the current language when the server gave the line
        in both (an emergency forward's move): a language switch re-reads it. Typed text (and an
        old line that has no translations) is shown as it is; a rating is already in the line."""
        if h.kind == "rating":
            return None
        if h.notes:
            return h.notes.get(self._language()) or h.note
        return h.note or None

    def when(self, dt: datetime | None) -> str:
        return format_when(dt, self._language(), short=True, now=self._now())

    def forward_line(self, f: ForwardInfo) -> Message:
        service = Message(t.service_label(f.service))
        if f.sync_error:
            return Message(MSG_REFUSED_FORWARD, {"reason": Message.text(f.sync_error)})
        if f.state == "queued":
            return Message(t.MSG_FWD_QUEUED, {"service": service, "phone": f.phone})
        if f.state == "accepted":
            return Message(
                t.MSG_FWD_ACCEPTED, {"service": service, "time": format_clock(f.accepted_at)}
            )
        if f.state in ("not_confirmed", "failed") or f.call_advised:
            return Message(t.MSG_FWD_NOT_CONFIRMED, {"service": service, "phone": f.phone})
        return Message(t.MSG_FWD_SENT, {"service": service, "phone": f.phone})

    def action_notes(self) -> list[ActionNote]:
        notes = []
        for a in self.detail.actions if self.detail else ():
            if a.kind in (ob.CREATE_APPEAL, ob.SEND_MESSAGE):
                continue  # shown on the appeal itself and on the message
            note = self._note(a)
            if note is not None:
                notes.append(note)
        return notes

    def _note(self, a: PendingAction) -> ActionNote | None:
        refused = a.state == "rejected"
        if refused:
            msgid = ACTION_LABELS_REFUSED.get(a.kind)
            if msgid is None:
                return None
            reason = t.error_message(None, a.error)
            return ActionNote(a.id, a.kind, Message(msgid, {"reason": reason}), True)
        if a.kind == ob.RATE:
            text = Message(MSG_PENDING_RATING, {"score": a.payload.get("score", "")})
        elif a.kind == ob.FORWARD:
            service = Message(t.service_label(str(a.payload.get("service", ""))))
            text = Message(MSG_PENDING_FORWARD, {"service": service})
        elif a.kind in ACTION_LABELS_PENDING:
            text = Message(ACTION_LABELS_PENDING[a.kind])
        else:
            return None
        return ActionNote(a.id, a.kind, text, False)

    def _waiting(self, kind: str) -> bool:
        return any(
            a.kind == kind and a.state != "rejected"
            for a in (self.detail.actions if self.detail else ())
        )

    @property
    def can_rate(self) -> bool:
        d = self.detail
        return bool(
            d and d.item.status == "closed" and d.rating is None and not self._waiting(ob.RATE)
        )

    @property
    def can_reopen(self) -> bool:
        d = self.detail
        return bool(d and d.item.status == "closed" and not self._waiting(ob.REOPEN))

    @property
    def can_complain(self) -> bool:
        return self.detail is not None and self.detail.item.server_id is not None

    @property
    def can_chat(self) -> bool:
        return self.detail is not None and not self.appeal_refused

    def message_note(self, m: ChatMessage) -> Message | None:
        if m.sync_state == "pending":
            return Message(t.MSG_WAITING)
        if m.sync_state == "rejected":
            return Message(MSG_REFUSED_MESSAGE, {"reason": t.error_message(None, m.sync_error)})
        return None

    def language_note(self, m: ChatMessage) -> Message | None:
        """ "Written in Russian" on an answer (operator's, never the resident's own) whose
        language the server told and which differs from the interface's: answers are not
        translated, and the mark says so."""
        if m.author_role == "resident" or m.language not in WRITTEN_IN:
            return None
        if m.language == self._language():
            return None
        return Message(WRITTEN_IN[m.language])

    def message_name(self, m: ChatMessage) -> str:
        """How a screen reader tells this message from the others (its retry, its discard):
        its text, or when it was written (a photo alone)."""
        return short_name(m.text) if m.text.strip() else self.when(m.created_at)

    def author(self, m: ChatMessage) -> Message:
        """Who wrote the message, in the current language: "You", or the staff member's job
        (`appeal_text.who`); a language switch re-reads it."""
        return t.who(m.author_role, m.author_titles, self._language())
