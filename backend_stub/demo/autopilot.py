"""Demo autopilot: a pretend executor that moves every open appeal one step per tick.

created → assigned → in_progress → closed (returned → reassigned → in_progress on the side
branch), each step with a chat message to the resident in the appeal's language, closing with
a result text. Everything goes through the same crud as the operator API, so the history, the
sync feed and the resident's app see it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud.users import operator_user
from backend_stub.errors import ApiError
from backend_stub.models import Appeal, User
from backend_stub.schemas.chat import MessageIn
from backend_stub.services.steps import step_in_thread
from backend_stub.statuses import Status

log = logging.getLogger("city109.autopilot")

DEFAULT_OPERATOR_PHONE: str = Settings.model_fields["operator_phone"].default

NEXT_STATUS: dict[Status, Status] = {
    Status.CREATED: Status.ASSIGNED,
    Status.ASSIGNED: Status.IN_PROGRESS,
    Status.RETURNED: Status.REASSIGNED,
    Status.REASSIGNED: Status.IN_PROGRESS,
    Status.IN_PROGRESS: Status.CLOSED,
}

STEP_MESSAGES: dict[Status, dict[str, str]] = {
    Status.ASSIGNED: {
        "kk": "Өтінішіңіз жауапты қызметке жіберілді.",
        "ru": "Ваше обращение передано ответственной службе.",
    },
    Status.REASSIGNED: {
        "kk": "Өтінішіңіз басқа жауапты қызметке қайта бағытталды.",
        "ru": "Ваше обращение перенаправлено другой ответственной службе.",
    },
    Status.IN_PROGRESS: {
        "kk": "Жауапты қызмет өтінішіңізді жұмысқа алды.",
        "ru": "Ответственная служба приняла обращение в работу.",
    },
    Status.CLOSED: {
        "kk": "Өтінішіңіз орындалды. Нәтижені бағалауыңызды сұраймыз.",
        "ru": "Ваше обращение выполнено. Пожалуйста, оцените результат.",
    },
}

RESULT_TEXT: dict[str, str] = {
    "kk": "Жұмыстар орындалды, мәселе шешілді.",
    "ru": "Работы выполнены, проблема устранена.",
}


def _text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts["kk"]


def _operator(db: Session, phone: str | None) -> User:
    if phone is None:
        found = db.exec(select(User).where(User.role == "operator").order_by(col(User.id))).first()
        if found is not None:
            return found
    return operator_user(db, phone=phone or DEFAULT_OPERATOR_PHONE)


def advance(db: Session, operator: User, appeal: Appeal) -> Status | None:
    """Move one appeal one step (the caller commits); None if it has nowhere to go."""
    target = NEXT_STATUS.get(Status(appeal.status))
    if target is None:
        return None
    if target == Status.CLOSED:
        appeals_crud.close(
            db,
            operator=operator,
            appeal=appeal,
            result_text=_text(RESULT_TEXT, appeal.language),
            after_media_ids=[],
        )
    else:
        appeals_crud.change_status(
            db, operator=operator, appeal=appeal, to_status=target.value, note=None
        )
    chat_crud.post_message(
        db,
        author=operator,
        appeal=appeal,
        data=MessageIn(
            client_id=f"autopilot-{uuid.uuid4()}",
            text=_text(STEP_MESSAGES[target], appeal.language),
        ),
    )
    return target


def step_once(engine: Engine, *, operator_phone: str | None = None) -> int:
    """Move every non-closed appeal one step; returns how many moved.

    Each appeal is its own transaction: one that fails is logged and left as it was.
    """
    moved = 0
    with Session(engine, expire_on_commit=False) as db:
        operator = _operator(db, operator_phone)
        db.commit()
        ids = db.exec(
            select(Appeal.id)
            .where(col(Appeal.status) != Status.CLOSED.value)
            .order_by(col(Appeal.id))
        ).all()
        for appeal_id in ids:
            appeal = db.get(Appeal, appeal_id)
            if appeal is None:
                continue
            try:
                if advance(db, operator, appeal) is not None:
                    db.commit()
                    moved += 1
            except ApiError as exc:  # e.g. an operator moved it meanwhile
                db.rollback()
                log.warning("autopilot: appeal %s not moved: %s", appeal_id, exc.code)
            except Exception:
                db.rollback()
                log.exception("autopilot: appeal %s not moved", appeal_id)
    return moved


async def run_autopilot(engine: Engine, settings: Settings) -> None:
    """Every `settings.autopilot_interval_s` seconds, `step_once` in a worker thread.

    Errors are logged and the loop goes on; cancellation stops it after the step under way
    (so the engine is not disposed under a running transaction).
    """
    interval = settings.autopilot_interval_s
    if interval <= 0:
        return
    log.info("autopilot: moving open appeals every %s s", interval)
    while True:
        await asyncio.sleep(interval)
        try:
            moved = await step_in_thread(step_once, engine, operator_phone=settings.operator_phone)
        except Exception:
            log.exception("autopilot: step failed")
            continue
        if moved:
            log.info("autopilot: moved %d appeals", moved)
