"""Appendix 5 of the seed: importance levels, appeal types and statuses, and the allowed moves."""

from __future__ import annotations

from enum import StrEnum


class Importance(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    STANDARD = "standard"


class AppealType(StrEnum):
    CONSULTATION = "consultation"
    INCIDENT = "incident"
    PROPOSAL = "proposal"
    COMPLAINT = "complaint"
    GRATITUDE = "gratitude"


class Status(StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    RETURNED = "returned"  # returned for reassignment: the body says it is not theirs
    REASSIGNED = "reassigned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


# Operator moves along Appendix 5. Reopening (closed -> in_progress) is the resident's move.
OPERATOR_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.CREATED: frozenset({Status.ASSIGNED}),
    Status.ASSIGNED: frozenset({Status.RETURNED, Status.IN_PROGRESS, Status.CLOSED}),
    Status.RETURNED: frozenset({Status.REASSIGNED}),
    Status.REASSIGNED: frozenset({Status.RETURNED, Status.IN_PROGRESS, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.CLOSED, Status.RETURNED}),
    Status.CLOSED: frozenset(),
}

STATUS_NAMES: dict[Status, dict[str, str]] = {
    Status.CREATED: {"kk": "Тіркелді", "ru": "Зарегистрировано"},
    Status.ASSIGNED: {"kk": "Жауаптыға жіберілді", "ru": "Направлено исполнителю"},
    Status.RETURNED: {"kk": "Қайта бағыттауға қайтарылды", "ru": "Возвращено на переназначение"},
    Status.REASSIGNED: {"kk": "Қайта бағытталды", "ru": "Переназначено"},
    Status.IN_PROGRESS: {"kk": "Орындалуда", "ru": "В работе"},
    Status.CLOSED: {"kk": "Жабылды", "ru": "Закрыто"},
}


def can_operator_move(current: Status, target: Status) -> bool:
    return target in OPERATOR_TRANSITIONS[current]
