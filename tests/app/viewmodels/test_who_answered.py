"""Who answered, as the resident is told: the job the server names («109 операторы»,
«орындаушы: <body>»), in the interface's language and re-read on a language switch; the role's
own label when the server named none (an old row, the resident's own message waiting to send)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.data.store.database import Database
from app.viewmodels.appeal_detail import AppealDetailViewModel
from app.viewmodels.navigation import Navigation
from tests.app.support.local_appeals import LocalAppeals
from tests.app.support.sync_harness import SyncSide
from tests.app.viewmodels.test_appeal_viewmodels import file_synced, kk, ru

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 7, 12, 12, 0, tzinfo=UTC)
EXECUTOR = {"kk": "орындаушы: Жолдар басқармасы", "ru": "исполнитель: Управление дорог"}
OPERATOR = {"kk": "109 операторы", "ru": "оператор 109"}


def message(server_id: int, text: str, titles: dict[str, str] | None) -> dict[str, Any]:
    """A staff answer of the sync feed as the server sends it (staff write as "operator")."""
    return {"id": server_id, "appeal_id": 9, "client_id": f"op-{server_id}",
            "author_role": "operator", "author_titles": titles, "text": text,
            "created_at": f"2026-07-12T10:0{server_id}:00Z", "read_at": None,
            "media": []}  # fmt: skip


def line(minute: int, role: str, status: str, titles: dict[str, str] | None) -> dict[str, Any]:
    return {"at": f"2026-07-12T09:{minute:02d}:00Z", "actor_role": role, "kind": "status",
            "from_status": None, "to_status": status, "note": None,
            "actor_titles": titles}  # fmt: skip


HISTORY = [
    line(0, "resident", "created", None),
    line(5, "operator", "assigned", OPERATOR),
    line(30, "operator", "in_progress", EXECUTOR),
    line(40, "operator", "in_progress", None),  # stored by a server that named no jobs
]


async def test_an_executors_answer_and_move_say_who_in_either_language(db: Database) -> None:
    appeals = LocalAppeals.over(db, now=lambda: NOW)
    cid = file_synced(appeals.actions, 9, status="in_progress", history=HISTORY)
    SyncSide(appeals.actions).apply_sync_page(
        {"message": [message(1, "Бригада жолда", EXECUTOR), message(2, "Қабылданды", OPERATOR),
                     message(3, "Ескі жауап", None)]},
        cursor=3, etag=None, quiet=True,
    )  # fmt: skip
    appeals.actions.send_message_sync(cid, "Рақмет", [])  # offline: waits to send, no title
    language = ["kk"]
    vm = AppealDetailViewModel(
        "9", Navigation(), **appeals.for_detail(), language=lambda: language[0], now=lambda: NOW
    )
    await vm.load()
    mine = vm.messages[-1]
    assert mine.sync_state == "pending"
    created, assigned, moved, old_line = vm.detail.history  # type: ignore[union-attr]

    assert [kk(vm.author(m)) for m in vm.messages] == [
        "орындаушы: Жолдар басқармасы", "109 операторы", "Оператор", "Сіз"
    ]  # fmt: skip
    assert kk(vm.history_actor(moved)) == "орындаушы: Жолдар басқармасы"
    assert kk(vm.history_actor(assigned)) == "109 операторы"
    assert kk(vm.history_actor(old_line)) == "Оператор"  # the role, as before
    assert vm.history_actor(created) is None  # the resident's own line names no one
    language[0] = "ru"  # a live switch: the same view model, the same stored rows
    assert [ru(vm.author(m)) for m in vm.messages] == [
        "исполнитель: Управление дорог", "оператор 109", "Оператор", "Вы"
    ]  # fmt: skip
    assert ru(vm.history_actor(moved)) == "исполнитель: Управление дорог"
    assert ru(vm.history_line(moved)) == "Статус: В работе"
