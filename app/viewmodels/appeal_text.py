"""Words and numbers about appeals, in the resident's language: Appendix 5 statuses, types,
importance, history entries and who made them, deadlines, emergency services, sync marks and
error codes.

Everything here is a msgid (`N_`) or a `Message` built from one, rendered by the screen with
the session's translator, so a language switch re-translates what is already on screen.
Dates and times are `app.viewmodels.dates`.
"""

from __future__ import annotations

from datetime import datetime

from app.i18n import N_, Message, ngettext

# Appendix 5 statuses (the same msgids as the new-appeal flow uses).
STATUS_LABELS: dict[str, str] = {
    "created": N_("Created"),
    "assigned": N_("Assigned"),
    "returned": N_("Returned for reassignment"),
    "reassigned": N_("Reassigned"),
    "in_progress": N_("In progress"),
    "closed": N_("Closed"),
}

TYPE_LABELS: dict[str, str] = {
    "consultation": N_("Consultation"),
    "incident": N_("Incident"),
    "proposal": N_("Proposal"),
    "complaint": N_("Complaint"),
    "gratitude": N_("Gratitude"),
}

IMPORTANCE_LABELS: dict[str, str] = {
    "high": N_("High importance"),
    "medium": N_("Medium importance"),
    "standard": N_("Standard importance"),
}

SERVICE_LABELS: dict[str, str] = {
    "101": N_("Fire service"),
    "102": N_("Police"),
    "103": N_("Ambulance"),
    "104": N_("Gas emergency service"),
    "112": N_("Unified rescue service"),
}

ROLE_LABELS: dict[str, str] = {
    "resident": N_("You"),
    "operator": N_("Operator"),
    "executor": N_("Executor"),
    "system": N_("System"),
}
STAFF_ROLES = frozenset({"operator", "executor"})

MSG_ALL = N_("All")
MSG_NUMBER = N_("No. {n}")
MSG_NOT_NUMBERED = N_("Number after sending")
MSG_DUE = N_("Due {when}")
MSG_OVERDUE = N_("Overdue")
MSG_LEFT_HOURS = N_("{h} h {m} min left")
MSG_OVERDUE_BY_HOURS = N_("Overdue by {h} h {m} min")
MSG_WAITING = N_("Waiting to send")
MSG_REJECTED = N_("Not accepted: {reason}")
MSG_REJECTED_NO_REASON = N_("Not accepted by the server")

# history entries
MSG_H_STATUS = N_("Status: {status}")
MSG_H_REOPEN = N_("Reopened by you")
MSG_H_RATING = N_("Rated {note}")
MSG_H_COMPLAINT = N_("Complaint filed")

# forwards
MSG_FWD_QUEUED = N_("Will be sent to {service} ({phone}) when online")
MSG_FWD_SENT = N_("Sent to {service} ({phone}), waiting for confirmation")
MSG_FWD_ACCEPTED = N_("Accepted by {service} at {time}")
MSG_FWD_NOT_CONFIRMED = N_("{service} has not confirmed. Call {phone}.")

# errors of actions (known codes; anything else shows the server's own message)
ERROR_LABELS: dict[str, str] = {
    "network": N_("No connection to the server."),
    "media_missing": N_("An attachment could not be read on this device."),
    "appeal_not_closed": N_("The appeal is not closed."),
    "already_rated": N_("The appeal has already been rated."),
    "text_required": N_("Write the text."),
    "text_too_long": N_("The text is too long."),
    "message_empty": N_("Write a message or attach a photo."),
    "score_range": N_("Choose a score from 1 to 5."),
    "comment_too_long": N_("The comment is too long."),
    "reason_required": N_("Write the reason."),
    "reason_too_long": N_("The reason is too long."),
    "already_reopening": N_("A reopening request is already waiting to send."),
    "too_many_attachments": N_("At most 10 attachments."),
    "not_found": N_("The appeal is not on this device."),
}
MSG_UNKNOWN_ERROR = N_("Something went wrong. Try again later.")


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")


def who(role: str, titles: dict[str, str] | None, language: str) -> Message:
    """Who wrote a message or moved an appeal: "You" for the resident; a staff member's job as
    the server named it in `language` («109 операторы», «орындаушы: …»), never a name; else
    (a line stored before the server named jobs) the role's own label."""
    title = (titles or {}).get(language) if role != "resident" else None
    if title:
        return Message.text(title)
    return Message(ROLE_LABELS.get(role, ROLE_LABELS["operator"]))


def service_label(service: str) -> str:
    return SERVICE_LABELS.get(service, service)


def error_message(code: str | None, server_message: str | None = None) -> Message:
    """A refusal: our own words for codes we know, else the server's (already in the
    resident's language), else a generic line."""
    if code and code in ERROR_LABELS and not server_message:
        return Message(ERROR_LABELS[code])
    if server_message:
        return Message.text(server_message)
    if code and code in ERROR_LABELS:
        return Message(ERROR_LABELS[code])
    return Message(MSG_UNKNOWN_ERROR)


def countdown(due: datetime | None, now: datetime, *, closed: bool = False) -> Message | None:
    """Time left to the deadline, or how long it is overdue (None without a deadline or once
    the appeal is closed)."""
    if due is None or closed:
        return None
    left = due - now
    seconds = int(abs(left.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if left.total_seconds() >= 0:
        if days:
            return ngettext("{n} day {h} h left", "{n} days {h} h left", days, h=hours)
        return Message(MSG_LEFT_HOURS, {"h": hours, "m": minutes})
    if days:
        return ngettext("Overdue by {n} day {h} h", "Overdue by {n} days {h} h", days, h=hours)
    return Message(MSG_OVERDUE_BY_HOURS, {"h": hours, "m": minutes})
