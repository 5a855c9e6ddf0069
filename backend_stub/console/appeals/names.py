"""The Russian names and badges of appeal values on the console's appeal pages (importance,
type, roles, events, statuses, categories and services), and whether an appeal is overdue."""

from __future__ import annotations

from datetime import datetime

from backend_stub import classifier
from backend_stub.console.kit.text import e
from backend_stub.console.kit.widgets import badge
from backend_stub.models import Appeal
from backend_stub.statuses import STATUS_NAMES, Status

IMPORTANCE_NAMES = {
    "high": {"ru": "Высокая", "kk": "Жоғары"},
    "medium": {"ru": "Средняя", "kk": "Орташа"},
    "standard": {"ru": "Стандартная", "kk": "Стандартты"},
}

TYPE_NAMES = {
    "consultation": "Консультация",
    "incident": "Инцидент",
    "proposal": "Предложение",
    "complaint": "Жалоба",
    "gratitude": "Благодарность",
}

ROLE_NAMES = {"resident": "Заявитель", "operator": "Оператор", "system": "Система"}

EVENT_NAMES = {
    "status": "Статус",
    "rating": "Оценка",
    "complaint": "Жалоба",
    "reopen": "Возобновление",
    "emergency": "Экстренные службы",
}

MEDIA_ROLE_NAMES = {"applicant": "от заявителя", "chat": "в чате", "after": "после работ"}

LANG_NAMES = {"kk": "казахский", "ru": "русский"}


def status_badge(code: str) -> str:
    try:
        names = STATUS_NAMES[Status(code)]
    except ValueError:
        return badge(code)
    return badge(names["ru"], names["kk"], f"st-{code}")


def importance_badge(code: str, raised: bool = False) -> str:
    names = IMPORTANCE_NAMES.get(code, {"ru": code, "kk": ""})
    mark = " ↑" if raised else ""
    title = ' title="Повышена по содержанию"' if raised else ""
    return f'<span class="badge imp-{e(code)}"{title}>{e(names["ru"])}{mark}</span>'


def category_names(subclass_code: str) -> tuple[str, str]:
    """(class name, subclass name) in Russian; the code itself when it is unknown."""
    try:
        data = classifier.load_classifier()
        return data.class_of(subclass_code).name_ru, data.subclass(subclass_code).name_ru
    except KeyError:
        return "", subclass_code


def service_name(code: str) -> str:
    for service in classifier.load_classifier().services:
        if service.code == code:
            return service.name_ru
    return code


def is_overdue(appeal: Appeal, now: datetime) -> bool:
    end = appeal.closed_at if appeal.status == Status.CLOSED.value and appeal.closed_at else now
    return end > appeal.due_at


def status_marks(appeal: Appeal, now: datetime) -> list[str]:
    """The overdue and emergency badges shown next to the status."""
    marks = []
    if is_overdue(appeal, now):
        marks.append(badge("Просрочено", cls="overdue"))
    if appeal.emergency:
        marks.append(badge("Экстренное", cls="emergency"))
    return marks
