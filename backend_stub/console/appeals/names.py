"""The names and badges of appeal values on the console's appeal pages (importance, type,
roles, events, statuses, categories and services, in the operator's language), and
whether an appeal is overdue."""

from __future__ import annotations

from datetime import datetime

from backend_stub import classifier
from backend_stub.console.kit.i18n import Names, _, language
from backend_stub.console.kit.text import e
from backend_stub.console.kit.widgets import badge
from backend_stub.models import Appeal
from backend_stub.statuses import STATUS_NAMES, Status

IMPORTANCE_NAMES = {
    "high": {"ru": "Высокая", "kk": "Жоғары"},
    "medium": {"ru": "Средняя", "kk": "Орташа"},
    "standard": {"ru": "Стандартная", "kk": "Стандартты"},
}

TYPE_NAMES = Names(
    {
        "consultation": "Consultation (appeal type)",
        "incident": "Incident (appeal type)",
        "proposal": "Proposal (appeal type)",
        "complaint": "Complaint (appeal type)",
        "gratitude": "Gratitude (appeal type)",
    }
)

ROLE_NAMES = Names(
    {"resident": "Applicant", "operator": "Operator (role)", "system": "System (role)"}
)

EVENT_NAMES = Names(
    {
        "status": "Status",
        "rating": "Rating (history)",
        "complaint": "Complaint (appeal type)",
        "reopen": "Reopening",
        "emergency": "Emergency services",
    }
)

MEDIA_ROLE_NAMES = Names(
    {"applicant": "from the applicant", "chat": "in the chat", "after": "after the work"}
)

LANG_NAMES = Names({"kk": "Kazakh (language)", "ru": "Russian (language)"})


def status_badge(code: str) -> str:
    """The status in the operator's language."""
    try:
        names = STATUS_NAMES[Status(code)]
    except ValueError:
        return badge(code)
    return badge(names[language()], f"st-{code}")


def importance_badge(code: str, raised: bool = False) -> str:
    names = IMPORTANCE_NAMES.get(code, {"ru": code, "kk": code})
    mark = " ↑" if raised else ""
    title = f' title="{e(_("Raised by its content"))}"' if raised else ""
    return f'<span class="badge imp-{e(code)}"{title}>{e(names[language()])}{mark}</span>'


def category_names(subclass_code: str) -> tuple[str, str]:
    """(class name, subclass name) in the operator's language; the code itself when it is
    unknown."""
    kk = language() == "kk"
    try:
        data = classifier.load_classifier()
        cls, sub = data.class_of(subclass_code), data.subclass(subclass_code)
        return (cls.name_kk, sub.name_kk) if kk else (cls.name_ru, sub.name_ru)
    except KeyError:
        return "", subclass_code


def service_name(code: str) -> str:
    for service in classifier.load_classifier().services:
        if service.code == code:
            return service.name_kk if language() == "kk" else service.name_ru
    return code


def is_overdue(appeal: Appeal, now: datetime) -> bool:
    end = appeal.closed_at if appeal.status == Status.CLOSED.value and appeal.closed_at else now
    return end > appeal.due_at


def status_marks(appeal: Appeal, now: datetime) -> list[str]:
    """The overdue and emergency badges shown next to the status."""
    marks = []
    if is_overdue(appeal, now):
        marks.append(badge(_("Overdue"), cls="overdue"))
    if appeal.emergency:
        marks.append(badge(_("Emergency appeal"), cls="emergency"))
    return marks
